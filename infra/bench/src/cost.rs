//! What the measured routes cost on AWS: billed Lambda duration at each function's memory size
//! in `infra/template.yaml` on arm64, the requests, API Gateway, and DynamoDB on-demand from the
//! capacity units the functions logged; then a month of a kitchen doing 1,000 orders a day.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// List prices, us-east-1, as published on AWS's pricing pages (Lambda arm64 duration and
/// requests; HTTP API requests, first 300 million; DynamoDB on-demand since its 2024-11-01 cut),
/// written down here on the date below.
pub struct Prices {
    pub date: &'static str,
    pub lambda_arm64_gb_second: f64,
    pub lambda_request: f64,
    pub http_api_request: f64,
    pub read_unit: f64,
    pub write_unit: f64,
}

pub const PRICES: Prices = Prices {
    date: "2026-11-30",
    lambda_arm64_gb_second: 0.000_013_333_4,
    lambda_request: 0.20 / 1e6,
    http_api_request: 1.00 / 1e6,
    read_unit: 0.125 / 1e6,
    write_unit: 0.625 / 1e6,
};

/// Lambda gives one full vCPU at 1,769 MB and CPU in proportion below it.
const FULL_VCPU_MB: f64 = 1769.0;
/// Assumed DynamoDB latency per sequential round trip inside a region (loopback here).
pub const ROUND_TRIP_MS: f64 = 5.0;
/// Assumed wait per call to Paystack's API (outside AWS; it cannot be reached from here, so
/// this is not measured: the local Paystack answers on loopback).
pub const PAYSTACK_CALL_MS: f64 = 250.0;

/// One measured route, as the cost table needs it.
pub struct Measured<'a> {
    pub function: &'a str,
    pub route: &'a str,
    pub cpu_ms: f64,
    pub round_trips: f64,
    pub capacity: f64,
    /// Calls to Paystack's API per request, each waited on.
    pub paystack_calls: u32,
}

/// A route's cost, per request.
pub struct Cost {
    pub memory_mb: u32,
    pub billed_ms: f64,
    pub lambda: f64,
    pub dynamodb: f64,
    pub total: f64,
}

/// Each function's `MemorySize` in the template (`<Function>Function` resources).
pub fn memory_sizes(template: &str) -> anyhow::Result<BTreeMap<String, u32>> {
    let doc: serde_yaml::Value = serde_yaml::from_str(template)?;
    let mut sizes = BTreeMap::new();
    let resources = doc
        .get("Resources")
        .and_then(|r| r.as_mapping())
        .ok_or_else(|| anyhow::anyhow!("template without Resources"))?;
    for (name, resource) in resources {
        let (Some(name), Some(memory)) = (
            name.as_str().and_then(|n| n.strip_suffix("Function")),
            resource
                .get("Properties")
                .and_then(|p| p.get("MemorySize"))
                .and_then(|m| m.as_u64()),
        ) else {
            continue;
        };
        sizes.insert(name.to_lowercase(), u32::try_from(memory)?);
    }
    Ok(sizes)
}

/// Whether a route writes (its capacity units are priced as write units, an upper bound: the
/// reads beside its write are cheaper).
fn writes(route: &str) -> bool {
    !route.starts_with("GET ")
}

/// Whether requests come through the HTTP API (the notifier is fed by the table's stream, whose
/// reads by Lambda are not charged).
fn through_http_api(function: &str) -> bool {
    function != "notifier"
}

pub fn cost(m: &Measured, memory_mb: u32) -> Cost {
    let share = (f64::from(memory_mb) / FULL_VCPU_MB).min(1.0);
    let billed_ms =
        (m.cpu_ms / share + m.round_trips * ROUND_TRIP_MS + f64::from(m.paystack_calls) * PAYSTACK_CALL_MS).ceil();
    let compute = f64::from(memory_mb) / 1024.0 * billed_ms / 1000.0 * PRICES.lambda_arm64_gb_second;
    let lambda = compute + PRICES.lambda_request;
    let unit = if writes(m.route) {
        PRICES.write_unit
    } else {
        PRICES.read_unit
    };
    let dynamodb = m.capacity * unit;
    Cost {
        memory_mb,
        billed_ms,
        lambda,
        dynamodb,
        total: lambda
            + dynamodb
            + if through_http_api(m.function) {
                PRICES.http_api_request
            } else {
                0.0
            },
    }
}

/// How often each route runs for a kitchen doing 1,000 orders a day: per order, plus a fixed
/// number a day (what the CDN lets through, the kitchen's open board).
struct Use {
    route: &'static str,
    per_order: f64,
    per_day: f64,
    why: &'static str,
}

const ORDERS_PER_DAY: f64 = 1000.0;
const DAYS: f64 = 30.0;

const MONTH: &[Use] = &[
    Use {
        route: "GET /api/foods",
        per_order: 0.0,
        per_day: 2.0 * 1440.0,
        why: "the CDN caches it for 60 s: about one request a minute per edge location, two edges",
    },
    Use {
        route: "GET /api/foods/categories",
        per_order: 0.0,
        per_day: 2.0 * 1440.0,
        why: "as the menu",
    },
    Use {
        route: "GET /api/foods/{id}",
        per_order: 0.0,
        per_day: 20.0 * 1440.0 / 60.0,
        why: "cached per dish: a few dishes a minute",
    },
    Use {
        route: "POST /api/auths/signup",
        per_order: 0.1,
        per_day: 0.0,
        why: "one order in ten is a new customer",
    },
    Use {
        route: "POST /api/auths/verify",
        per_order: 0.1,
        per_day: 0.0,
        why: "the new customer's code",
    },
    Use {
        route: "POST /api/auths/login",
        per_order: 0.3,
        per_day: 0.0,
        why: "most customers are still signed in",
    },
    Use {
        route: "POST /api/auths/token/refresh",
        per_order: 2.0,
        per_day: 0.0,
        why: "the access token is refreshed while the app is open",
    },
    Use {
        route: "GET /api/auths/me",
        per_order: 1.0,
        per_day: 0.0,
        why: "the app's start",
    },
    Use {
        route: "GET /api/cart (10 lines)",
        per_order: 3.0,
        per_day: 0.0,
        why: "the cart page",
    },
    Use {
        route: "PUT /api/cart/items/{id}",
        per_order: 3.0,
        per_day: 0.0,
        why: "three dishes added or changed",
    },
    Use {
        route: "POST /api/cart/checkout (10 lines)",
        per_order: 1.0,
        per_day: 0.0,
        why: "one checkout per order",
    },
    Use {
        route: "GET /api/orders",
        per_order: 0.5,
        per_day: 0.0,
        why: "the order list, every other order",
    },
    Use {
        route: "GET /api/orders/{id}",
        per_order: 200.0,
        per_day: 0.0,
        why: "the order page polls every 3 s: 10 minutes open",
    },
    Use {
        route: "PATCH /api/orders/admin/{id}/status",
        per_order: 4.0,
        per_day: 0.0,
        why: "confirmed, preparing, ready, completed",
    },
    Use {
        route: "PATCH /api/orders/admin/{id}/payment-status",
        per_order: 0.2,
        per_day: 0.0,
        why: "one order in five paid in cash",
    },
    Use {
        route: "POST /api/orders/{id}/pay",
        per_order: 0.8,
        per_day: 0.0,
        why: "four orders in five are paid on Paystack",
    },
    Use {
        route: "POST /api/orders/{id}/pay/verify",
        per_order: 0.8,
        per_day: 0.0,
        why: "the app verifies when the customer is back from Paystack",
    },
    Use {
        route: "POST /api/payments/paystack/webhook",
        per_order: 0.8,
        per_day: 0.0,
        why: "Paystack's charge.success",
    },
    Use {
        route: "stream: an order placed (the kitchen's email)",
        per_order: 1.0,
        per_day: 0.0,
        why: "the new order's record",
    },
    Use {
        route: "stream: an order confirmed (the customer's email)",
        per_order: 9.0,
        per_day: 0.0,
        why: "every other record an order makes (paid, 4 steps, the cart's 4 writes), each priced as a batch of one that sends an email: an upper bound",
    },
    Use {
        route: "GET /api/orders/admin?status=pending",
        per_order: 0.0,
        per_day: 5.0 * 12.0 * 3600.0 / 4.0,
        why: "the board: 5 lists every 4 s, 12 hours a day",
    },
    Use {
        route: "POST /api/foods/admin/items/{id}/stock",
        per_order: 0.0,
        per_day: 20.0,
        why: "restocks",
    },
];

/// The cost table and the month, as markdown.
pub fn render(out: &mut String, measured: &[Measured], sizes: &BTreeMap<String, u32>) {
    let p = &PRICES;
    let _ = writeln!(out, "\n## Cost\n");
    let _ = writeln!(
        out,
        "Prices (us-east-1, list prices written down {}): Lambda arm64 ${:.10} per GB-s and ${:.2} per million requests; HTTP API ${:.2} per million requests; DynamoDB on-demand ${:.3} per million read units and ${:.3} per million write units. Billed duration = measured CPU / the function's CPU share (its memory / {FULL_VCPU_MB} MB) + {ROUND_TRIP_MS} ms per sequential DynamoDB round trip + {PAYSTACK_CALL_MS} ms per call to Paystack's API (assumed: Paystack cannot be reached from here), rounded up to 1 ms; the CPU is this machine's x86_64 core, taken as one Graviton vCPU. Capacity units of routes that write are priced as write units (an upper bound). The notifier's batches come from the table's stream: no HTTP API request, and Lambda's reads of the stream are not charged.\n",
        p.date,
        p.lambda_arm64_gb_second,
        p.lambda_request * 1e6,
        p.http_api_request * 1e6,
        p.read_unit * 1e6,
        p.write_unit * 1e6
    );
    let _ = writeln!(
        out,
        "| function | route | memory | CPU / request | billed duration | Lambda per million | DynamoDB per million | with HTTP API (if any), per million |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    let mut costs = BTreeMap::new();
    for m in measured {
        let Some(&memory) = sizes.get(m.function) else { continue };
        let c = cost(m, memory);
        let _ = writeln!(
            out,
            "| {} | {} | {} MB | {:.3} ms | {:.0} ms | ${:.2} | ${:.2} | ${:.2} |",
            m.function,
            m.route,
            c.memory_mb,
            m.cpu_ms,
            c.billed_ms,
            c.lambda * 1e6,
            c.dynamodb * 1e6,
            c.total * 1e6
        );
        costs.insert(m.route, c);
    }
    let _ = writeln!(
        out,
        "\n### A month of a kitchen doing {ORDERS_PER_DAY:.0} orders a day\n\nFrom the figures above and these assumptions about use ({DAYS:.0} days; free tiers not deducted):\n"
    );
    let _ = writeln!(
        out,
        "| route | per order | fixed per day | why | requests a month | cost a month |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    let (mut total, mut requests) = (0.0, 0.0);
    for u in MONTH {
        let Some(c) = costs.get(u.route) else {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | - | not measured in this run |",
                u.route, u.per_order, u.per_day, u.why
            );
            continue;
        };
        let month = (u.per_order * ORDERS_PER_DAY + u.per_day) * DAYS;
        requests += month;
        total += month * c.total;
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {} | {:.0} | ${:.2} |",
            u.route,
            u.per_order,
            u.per_day,
            u.why,
            month,
            month * c.total
        );
    }
    let _ = writeln!(
        out,
        "\n**{requests:.0} requests, ${total:.2} a month** (Lambda, API Gateway and DynamoDB requests; storage, CloudFront, SES/SNS, logs and Paystack's fees are not in it)."
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billed_duration_scales_cpu_by_the_share_of_a_vcpu_and_adds_the_round_trips() {
        let m = Measured {
            function: "foods",
            route: "GET /api/foods",
            cpu_ms: 1.0,
            round_trips: 1.0,
            capacity: 2.0,
            paystack_calls: 0,
        };
        let c = cost(&m, 256);
        // 1 ms of a full core is 6.9 ms at 256 MB, plus 5 ms of DynamoDB: 12 ms billed.
        assert_eq!(c.billed_ms, 12.0);
        let compute = 0.25 * 0.012 * PRICES.lambda_arm64_gb_second;
        assert!((c.lambda - compute - PRICES.lambda_request).abs() < 1e-15);
        assert!(
            (c.dynamodb - 2.0 * PRICES.read_unit).abs() < 1e-15,
            "a read route's units are read units"
        );
        let w = cost(
            &Measured {
                route: "POST /api/orders (1 line)",
                ..m
            },
            2048,
        );
        assert_eq!(w.billed_ms, 6.0, "no more than a full vCPU");
        assert!((w.dynamodb - 2.0 * PRICES.write_unit).abs() < 1e-15);
    }

    #[test]
    fn a_paystack_call_is_waited_on_and_a_stream_batch_has_no_api_request() {
        let m = Measured {
            function: "payments",
            route: "POST /api/orders/{id}/pay",
            cpu_ms: 0.0,
            round_trips: 2.0,
            capacity: 0.0,
            paystack_calls: 1,
        };
        assert_eq!(cost(&m, 512).billed_ms, 2.0 * ROUND_TRIP_MS + PAYSTACK_CALL_MS);
        let through_api = cost(&m, 512).total - cost(&m, 512).lambda;
        assert!((through_api - PRICES.http_api_request).abs() < 1e-15);
        let batch = cost(
            &Measured {
                function: "notifier",
                route: "stream: an order placed (the kitchen's email)",
                ..m
            },
            512,
        );
        assert!((batch.total - batch.lambda).abs() < 1e-15, "no HTTP API request");
    }

    #[test]
    fn memory_sizes_come_from_the_template() {
        let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
        let sizes = memory_sizes(&template).unwrap();
        assert_eq!(sizes.get("foods"), Some(&256));
        assert_eq!(sizes.get("login"), Some(&1024));
        for f in crate::FUNCTIONS {
            assert!(sizes.contains_key(*f), "{f} has a memory size");
        }
    }
}
