//! Every route of the API, in one list: method, path (as the contract writes it, with the
//! trailing slash), the function that serves it and who may call it.
//!
//! The functions' routers, the `cargo lambda watch` router in the workspace `Cargo.toml`,
//! `infra/template.yaml`, `docs/openapi.yaml` and `events/` are each checked against this list by
//! the integration tests (`tests/integration/routes.rs`, `template.rs`, `openapi.rs`,
//! `events.rs`): a route added here and not there, or there and not here, fails the suite.

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token.
    Public,
    /// An access token of any role.
    User,
    /// An access token with the `customer` role (an admin's is a 403).
    Customer,
    /// An access token with the `admin` role (a customer's is a 403).
    Admin,
    /// A member of the path's kitchen with at least the staff role, or the platform admin
    /// (anyone else: 403 `not_kitchen_staff`).
    Staff,
    /// A member of the path's kitchen with at least the manager role, or the platform admin.
    Manager,
    /// The path's kitchen's owner, or the platform admin.
    Owner,
}

impl Access {
    /// Whether the route acts for a kitchen's staff (membership checked on each request).
    pub fn is_kitchen_member(self) -> bool {
        matches!(self, Access::Staff | Access::Manager | Access::Owner)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub function: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn route(function: &'static str, method: &'static str, path: &'static str, access: Access) -> Route {
    Route {
        function,
        method,
        path,
        access,
    }
}

use Access::{Admin, Customer, Manager, Owner, Public, Staff, User};

use crate::platform::keys::Purpose;

pub const ROUTES: &[Route] = &[
    route("signup", "POST", "/api/auths/signup/", Public),
    route("verify", "POST", "/api/auths/verify/", Public),
    route("verify", "POST", "/api/auths/resend-otp/", Public),
    route("verify", "POST", "/api/auths/password/forgot/", Public),
    route("verify", "POST", "/api/auths/password/reset/", Public),
    route("verify", "POST", "/api/auths/login/code/", Public),
    route("verify", "POST", "/api/auths/login/code/verify/", Public),
    route("login", "POST", "/api/auths/login/", Public),
    route("login", "POST", "/api/auths/token/refresh/", Public),
    route("login", "POST", "/api/auths/logout/", Public),
    route("login", "POST", "/api/auths/logout-all/", User),
    route("login", "POST", "/api/auths/password/change/", User),
    route("login", "GET", "/api/auths/me/", User),
    route("login", "PATCH", "/api/auths/me/", User),
    route("login", "GET", "/api/notifications/", User),
    route("login", "GET", "/api/notifications/unread-count/", User),
    route("login", "POST", "/api/notifications/read-all/", User),
    route("login", "POST", "/api/notifications/{id}/read/", User),
    route("foods", "GET", "/api/foods/", Public),
    route("foods", "GET", "/api/foods/categories/", Public),
    route("foods", "GET", "/api/foods/{id}/", Public),
    route("admin", "GET", "/api/foods/admin/categories/", Admin),
    route("admin", "POST", "/api/foods/admin/categories/", Admin),
    route("admin", "PATCH", "/api/foods/admin/categories/{id}/", Admin),
    route("admin", "DELETE", "/api/foods/admin/categories/{id}/", Admin),
    route("admin", "GET", "/api/foods/admin/items/", Admin),
    route("admin", "POST", "/api/foods/admin/items/", Admin),
    route("admin", "GET", "/api/foods/admin/items/{id}/", Admin),
    route("admin", "PATCH", "/api/foods/admin/items/{id}/", Admin),
    route("admin", "DELETE", "/api/foods/admin/items/{id}/", Admin),
    route("admin", "POST", "/api/foods/admin/items/{id}/stock/", Admin),
    route("admin", "POST", "/api/foods/admin/import/", Admin),
    route("admin", "POST", "/api/foods/admin/items/{id}/images/", Admin),
    route(
        "admin",
        "POST",
        "/api/foods/admin/items/{id}/images/{image_id}/ready/",
        Admin,
    ),
    route(
        "admin",
        "PATCH",
        "/api/foods/admin/items/{id}/images/{image_id}/",
        Admin,
    ),
    route(
        "admin",
        "DELETE",
        "/api/foods/admin/items/{id}/images/{image_id}/",
        Admin,
    ),
    route("orders", "POST", "/api/orders/", Customer),
    route("orders", "GET", "/api/orders/", Customer),
    route("orders", "GET", "/api/orders/{id}/", Customer),
    route("orders", "POST", "/api/orders/{id}/cancel/", Customer),
    route("orders", "GET", "/api/cart/", Customer),
    route("orders", "DELETE", "/api/cart/", Customer),
    route("orders", "PUT", "/api/cart/items/{id}/", Customer),
    route("orders", "DELETE", "/api/cart/items/{id}/", Customer),
    route("orders", "POST", "/api/cart/checkout/", Customer),
    route("payments", "POST", "/api/orders/{id}/pay/", Customer),
    route("payments", "POST", "/api/orders/{id}/pay/verify/", Customer),
    route("payments", "POST", "/api/payments/paystack/webhook/", Public),
    route("payments", "POST", "/api/wallet/deposit/verify/", Customer),
    route("payments", "POST", "/api/wallet/deposit/", Customer),
    route("admin", "GET", "/api/orders/admin/", Admin),
    route("admin", "GET", "/api/orders/admin/{id}/", Admin),
    route("admin", "PATCH", "/api/orders/admin/{id}/status/", Admin),
    route("admin", "PATCH", "/api/orders/admin/{id}/payment-status/", Admin),
    route("admin", "GET", "/api/auths/admin/users/", Admin),
    route("admin", "POST", "/api/auths/admin/users/{id}/wallet/", Admin),
    route("foods", "GET", "/api/kitchens/{slug}/foods/", Public),
    route("foods", "GET", "/api/kitchens/{slug}/foods/categories/", Public),
    route("foods", "GET", "/api/kitchens/{slug}/foods/{id}/", Public),
    route("admin", "GET", "/api/kitchens/{slug}/manage/foods/categories/", Manager),
    route(
        "admin",
        "POST",
        "/api/kitchens/{slug}/manage/foods/categories/",
        Manager,
    ),
    route(
        "admin",
        "PATCH",
        "/api/kitchens/{slug}/manage/foods/categories/{id}/",
        Manager,
    ),
    route(
        "admin",
        "DELETE",
        "/api/kitchens/{slug}/manage/foods/categories/{id}/",
        Manager,
    ),
    route("admin", "GET", "/api/kitchens/{slug}/manage/foods/items/", Manager),
    route("admin", "POST", "/api/kitchens/{slug}/manage/foods/items/", Manager),
    route("admin", "GET", "/api/kitchens/{slug}/manage/foods/items/{id}/", Manager),
    route(
        "admin",
        "PATCH",
        "/api/kitchens/{slug}/manage/foods/items/{id}/",
        Manager,
    ),
    route(
        "admin",
        "DELETE",
        "/api/kitchens/{slug}/manage/foods/items/{id}/",
        Manager,
    ),
    route(
        "admin",
        "POST",
        "/api/kitchens/{slug}/manage/foods/items/{id}/stock/",
        Manager,
    ),
    route("admin", "POST", "/api/kitchens/{slug}/manage/foods/import/", Manager),
    route("admin", "POST", "/api/kitchens/{slug}/manage/coupons/", Manager),
    route("admin", "GET", "/api/kitchens/{slug}/manage/coupons/", Manager),
    route("admin", "PATCH", "/api/kitchens/{slug}/manage/coupons/{id}/", Manager),
    route("admin", "DELETE", "/api/kitchens/{slug}/manage/coupons/{id}/", Manager),
    route(
        "admin",
        "POST",
        "/api/kitchens/{slug}/manage/foods/items/{id}/images/",
        Manager,
    ),
    route(
        "admin",
        "POST",
        "/api/kitchens/{slug}/manage/foods/items/{id}/images/{image_id}/ready/",
        Manager,
    ),
    route(
        "admin",
        "PATCH",
        "/api/kitchens/{slug}/manage/foods/items/{id}/images/{image_id}/",
        Manager,
    ),
    route(
        "admin",
        "DELETE",
        "/api/kitchens/{slug}/manage/foods/items/{id}/images/{image_id}/",
        Manager,
    ),
    route("orders", "GET", "/api/kitchens/{slug}/cart/", Customer),
    route("orders", "DELETE", "/api/kitchens/{slug}/cart/", Customer),
    route("orders", "PUT", "/api/kitchens/{slug}/cart/items/{id}/", Customer),
    route("orders", "DELETE", "/api/kitchens/{slug}/cart/items/{id}/", Customer),
    route("orders", "POST", "/api/kitchens/{slug}/cart/checkout/", Customer),
    route("orders", "GET", "/api/carts/", Customer),
    route("orders", "GET", "/api/coupons/", Customer),
    route("orders", "GET", "/api/kitchens/{slug}/coupons/", Customer),
    route("orders", "POST", "/api/coupons/validate/", Customer),
    route("orders", "GET", "/api/coupons/usage/", Customer),
    route("orders", "POST", "/api/orders/{id}/pay/wallet/", Customer),
    route("orders", "GET", "/api/wallet/transactions/", Customer),
    route("orders", "GET", "/api/wallet/", Customer),
    route("admin", "GET", "/api/kitchens/{slug}/manage/orders/", Staff),
    route("admin", "GET", "/api/kitchens/{slug}/manage/orders/{id}/", Staff),
    route(
        "admin",
        "PATCH",
        "/api/kitchens/{slug}/manage/orders/{id}/status/",
        Staff,
    ),
    route(
        "admin",
        "PATCH",
        "/api/kitchens/{slug}/manage/orders/{id}/payment-status/",
        Staff,
    ),
    route("login", "POST", "/api/realtime/ticket/", User),
    route("admin", "GET", "/api/kitchens/{slug}/manage/alerts/", Staff),
    route(
        "admin",
        "POST",
        "/api/kitchens/{slug}/manage/alerts/{id}/resolve/",
        Staff,
    ),
    route("kitchens", "GET", "/api/kitchens/", Public),
    route("kitchens", "POST", "/api/kitchens/", User),
    route("kitchens", "GET", "/api/kitchens/mine/", User),
    route("kitchens", "GET", "/api/kitchens/{slug}/", Public),
    route("kitchens", "PATCH", "/api/kitchens/{slug}/manage/", Manager),
    route("kitchens", "GET", "/api/kitchens/{slug}/manage/staff/", Owner),
    route("kitchens", "POST", "/api/kitchens/{slug}/manage/staff/", Owner),
    route(
        "kitchens",
        "DELETE",
        "/api/kitchens/{slug}/manage/staff/{user_id}/",
        Owner,
    ),
    route("kitchens", "GET", "/api/kitchens/admin/", Admin),
    route("kitchens", "GET", "/api/kitchens/admin/reports/sales/", Admin),
    route("kitchens", "GET", "/api/kitchens/{slug}/manage/reports/sales/", Manager),
    route("kitchens", "POST", "/api/kitchens/admin/{slug}/status/", Admin),
];

/// Who puts a request header on the request a function receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetBy {
    /// The caller (a browser, an app, Paystack): CloudFront forwards it only if the distribution's
    /// cache policy or origin request policy names it.
    Viewer,
    /// CloudFront itself, when the origin request policy asks for it.
    CloudFront,
    /// CloudFront, as an origin custom header of the API origin (the caller cannot set it).
    Origin,
}

/// A request header something behind the front door reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestHeader {
    /// As CloudFront's policies spell it (header names are case-insensitive).
    pub name: &'static str,
    pub set_by: SetBy,
    /// Who reads it, in words (a function, or API Gateway itself).
    pub read_by: &'static str,
}

impl RequestHeader {
    /// The header's value on a request, if it came. Functions read request headers only through
    /// the constants below (a test holds the code to that), so the list is every header read.
    pub fn read<'a>(&self, headers: &'a http::HeaderMap) -> Option<&'a http::HeaderValue> {
        headers.get(self.name)
    }

    /// Reads the header and removes it from the request (a value that must go no further).
    pub fn take(&self, headers: &mut http::HeaderMap) -> Option<http::HeaderValue> {
        headers.remove(self.name)
    }
}

const fn header(name: &'static str, set_by: SetBy, read_by: &'static str) -> RequestHeader {
    RequestHeader { name, set_by, read_by }
}

pub const AUTHORIZATION: RequestHeader = header("Authorization", SetBy::Viewer, "every function's caller extractors");
pub const IDEMPOTENCY_KEY: RequestHeader = header("Idempotency-Key", SetBy::Viewer, "orders: placement and checkout");
pub const PAYSTACK_SIGNATURE: RequestHeader = header("x-paystack-signature", SetBy::Viewer, "payments: the webhook");
pub const VIEWER_ADDRESS: RequestHeader = header(
    "CloudFront-Viewer-Address",
    SetBy::CloudFront,
    "every function's front door (the per-address throttles)",
);
pub const ORIGIN_VERIFY: RequestHeader = header(
    "X-Origin-Verify",
    SetBy::Origin,
    "every function's front door (refuses requests around CloudFront)",
);

/// The body's media type: API Gateway and lambda_http decide from it whether a body is text, and
/// the menu import which kind of spreadsheet came.
pub const CONTENT_TYPE: RequestHeader = header(
    "Content-Type",
    SetBy::Viewer,
    "API Gateway and lambda_http (the body's encoding); admin: the menu import's file kind",
);

/// Every request header read behind the front door. `infra/template.yaml`'s CloudFront policies
/// forward exactly these (`tests/integration/template.rs`), and the local front door applies the
/// same policies, so a header read here and dropped at the edge fails the tests.
pub const REQUEST_HEADERS: &[RequestHeader] = &[
    AUTHORIZATION,
    IDEMPOTENCY_KEY,
    PAYSTACK_SIGNATURE,
    VIEWER_ADDRESS,
    ORIGIN_VERIFY,
    CONTENT_TYPE,
    // CORS, answered by API Gateway itself (the HttpApi's CorsConfiguration).
    header("Origin", SetBy::Viewer, "API Gateway's CORS"),
    header(
        "Access-Control-Request-Method",
        SetBy::Viewer,
        "API Gateway's CORS preflight",
    ),
    header(
        "Access-Control-Request-Headers",
        SetBy::Viewer,
        "API Gateway's CORS preflight",
    ),
];

/// The functions, in deployment order.
pub const FUNCTIONS: &[&str] = &[
    "signup", "verify", "login", "foods", "admin", "orders", "payments", "kitchens",
];

/// The key rings each function reads (and may read: the template grants exactly these). A
/// function that issues or checks tokens or cursors needs the token keys; one that issues or
/// checks one-time codes, the code keys; the public menu needs none.
pub fn key_rings_for(function: &str) -> &'static [Purpose] {
    match function {
        "signup" => &[Purpose::Codes],
        // Signing in with a code starts a session.
        "verify" => &[Purpose::Codes, Purpose::Tokens],
        "login" | "admin" | "orders" | "payments" | "kitchens" => &[Purpose::Tokens],
        _ => &[],
    }
}

/// The functions that hold Paystack's secret key: only the one that takes payments (it also
/// refunds cancelled orders, from the change stream; cancelling needs no key).
pub fn holds_paystack_key(function: &str) -> bool {
    function == "payments"
}

/// Where a path no route matches goes (it answers the contract's JSON 404).
pub const FALLBACK_FUNCTION: &str = "login";

impl Route {
    /// The path's segments without the trailing slash; `{..}` segments match any one segment.
    fn segments(&self) -> impl Iterator<Item = &'static str> {
        self.path.trim_end_matches('/').split('/')
    }

    /// Whether a concrete path (with or without the trailing slash) is this route's path.
    pub fn matches(&self, path: &str) -> bool {
        let mut given = path.trim_end_matches('/').split('/');
        let mut template = self.segments();
        loop {
            match (given.next(), template.next()) {
                (None, None) => return true,
                (Some(g), Some(t)) if t.starts_with('{') || g == t => {}
                _ => return false,
            }
        }
    }

    /// How many `{..}` segments the path has: of two matching routes, the one with fewer wins
    /// (`/api/orders/admin/` over `/api/orders/{id}/`), as in API Gateway.
    fn parameters(&self) -> usize {
        self.segments().filter(|s| s.starts_with('{')).count()
    }
}

/// The routes whose path matches `path` most specifically (one per method).
pub fn routes_for(path: &str) -> Vec<&'static Route> {
    let matching: Vec<_> = ROUTES.iter().filter(|r| r.matches(path)).collect();
    let fewest = matching.iter().map(|r| r.parameters()).min();
    matching
        .into_iter()
        .filter(|r| Some(r.parameters()) == fewest)
        .collect()
}

/// The function API Gateway hands a path to.
pub fn function_for(path: &str) -> &'static str {
    routes_for(path).first().map_or(FALLBACK_FUNCTION, |r| r.function)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_go_to_the_most_specific_route_with_or_without_the_slash() {
        assert_eq!(function_for("/api/orders/admin/"), "admin");
        assert_eq!(function_for("/api/orders/admin"), "admin");
        assert_eq!(function_for("/api/orders/01JD5Q6M3N5P7Q9R1S3T5V7W9X"), "orders");
        assert_eq!(function_for("/api/orders/01JD5Q6M3N5P7Q9R1S3T5V7W9X/cancel/"), "orders");
        assert_eq!(function_for("/api/foods/categories"), "foods");
        assert_eq!(function_for("/api/foods/admin/items/x/"), "admin");
        assert_eq!(function_for("/api/auths/nothing/"), FALLBACK_FUNCTION);
        assert_eq!(function_for("/"), FALLBACK_FUNCTION);
    }

    #[test]
    fn one_function_serves_each_path() {
        for route in ROUTES {
            assert!(FUNCTIONS.contains(&route.function), "{route:?}");
            assert!(
                route.path.starts_with("/api/") && route.path.ends_with('/'),
                "{route:?}"
            );
            for other in ROUTES.iter().filter(|o| o.path == route.path) {
                assert_eq!(
                    other.function, route.function,
                    "{} is split between functions",
                    route.path
                );
                assert!(
                    other == route || other.method != route.method,
                    "{route:?} is listed twice"
                );
            }
        }
    }
}
