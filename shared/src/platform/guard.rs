//! Authorization that a handler cannot forget.
//!
//! The caller extractors (a signed-in user, a customer, the admin, a kitchen's member) check the
//! token and role themselves, then [`require`] the rest: that the session still lives, and for a
//! kitchen's member that the membership holds. That check starts at once and runs beside
//! whatever the handler reads (so a read stays one round trip), and three things wait for it:
//!
//! - the answer: [`scope`] (wrapped around every request by `platform::http`) holds the
//!   response until every check of the request has settled, and a refused check replaces it
//!   with its own error (401, 403), whatever the handler answered;
//! - every write: `platform::db` awaits [`settled`] before it sends one, so nothing is written
//!   for a caller whose session has ended;
//! - and, behind that, DynamoDB's client itself: an operation that writes while a check is
//!   unsettled or refused fails ([`writes_allowed`], read by the client's interceptor), so a
//!   write sent some other way cannot slip through either.
//!
//! Outside a request (the stream consumers, the schedule, the operator command) there are no
//! checks and nothing waits.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;

use crate::platform::error::ApiError;

/// What a check comes to: `Ok` when the caller may go on, else the answer they get.
pub type Verdict = Result<(), ApiError>;

enum Check {
    Running(BoxFuture<'static, Verdict>),
    Passed,
    Refused(Option<ApiError>),
}

#[derive(Default)]
struct Checks(Vec<Check>);

impl Checks {
    /// Moves every running check on; `Ready` once none is running.
    fn poll_all(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut running = false;
        for check in &mut self.0 {
            if let Check::Running(fut) = check {
                match fut.as_mut().poll(cx) {
                    Poll::Ready(Ok(())) => *check = Check::Passed,
                    Poll::Ready(Err(refused)) => *check = Check::Refused(Some(refused)),
                    Poll::Pending => running = true,
                }
            }
        }
        if running { Poll::Pending } else { Poll::Ready(()) }
    }

    fn refused(&self) -> bool {
        self.0.iter().any(|c| matches!(c, Check::Refused(_)))
    }

    fn settled_and_passed(&self) -> bool {
        self.0.iter().all(|c| matches!(c, Check::Passed))
    }

    /// The first refusal's answer (taken: the response gate uses it once).
    fn take_refusal(&mut self) -> Option<ApiError> {
        self.0.iter_mut().find_map(|c| match c {
            Check::Refused(answer) => answer.take(),
            _ => None,
        })
    }
}

tokio::task_local! {
    static CHECKS: RefCell<Checks>;
}

/// A check the request must pass: it starts now, beside the handler's own work.
///
/// Outside [`scope`] there is no request to hold, so the check is refused as a bug (every
/// function's router runs its handlers inside it).
pub fn require(check: impl Future<Output = Verdict> + Send + 'static) -> Result<(), ApiError> {
    CHECKS
        .try_with(|checks| checks.borrow_mut().0.push(Check::Running(Box::pin(check))))
        .map_err(|_| ApiError::internal(anyhow::anyhow!("a caller check outside a request scope")))
}

/// The caller was refused (their session ended, or they are not a member).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the caller's authorization was refused")]
pub struct Refused;

/// Waits for every check of the request so far: `Err` if any was refused. Immediately `Ok`
/// outside a request, or with no checks.
pub async fn settled() -> Result<(), Refused> {
    poll_fn(|cx| {
        CHECKS
            .try_with(|checks| {
                let mut checks = checks.borrow_mut();
                match checks.poll_all(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) if checks.refused() => Poll::Ready(Err(Refused)),
                    Poll::Ready(()) => Poll::Ready(Ok(())),
                }
            })
            .unwrap_or(Poll::Ready(Ok(())))
    })
    .await
}

/// Whether a write may be sent now: outside a request always; inside one only once every check
/// has passed. (Synchronous, for DynamoDB's interceptor: the backstop behind [`settled`].)
pub fn writes_allowed() -> bool {
    CHECKS
        .try_with(|checks| checks.borrow().settled_and_passed())
        .unwrap_or(true)
}

/// Runs one request's handling with its checks: they move on whenever the handler waits, and
/// the response leaves only once they have all settled; a refused check's error replaces it.
pub async fn scope(work: impl Future<Output = Response>) -> Response {
    CHECKS
        .scope(RefCell::new(Checks::default()), async move {
            let mut work = std::pin::pin!(work);
            let response = poll_fn(|cx| {
                // The handler, then the checks: a check registered while the handler ran (by an
                // extractor) starts now, before the handler's own wait ends, so the two wait
                // side by side.
                let polled = Pin::new(&mut work).poll(cx);
                let _ = CHECKS.with(|checks| checks.borrow_mut().poll_all(cx));
                polled
            })
            .await;
            match settled().await {
                Ok(()) => response,
                Err(Refused) => CHECKS
                    .with(|checks| checks.borrow_mut().take_refusal())
                    .map(IntoResponse::into_response)
                    .unwrap_or(response),
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use std::time::Duration;

    fn ok() -> Response {
        StatusCode::OK.into_response()
    }

    fn revoked() -> ApiError {
        ApiError::Unauthorized {
            code: "session_revoked",
            message: "Session has ended. Please log in again",
        }
    }

    #[tokio::test]
    async fn a_refused_check_replaces_whatever_the_handler_answered() {
        let response = scope(async {
            require(async { Err(revoked()) }).unwrap();
            ok()
        })
        .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn a_slow_check_holds_the_answer_until_it_passes_or_is_refused() {
        let refused = scope(async {
            require(async {
                tokio::time::sleep(Duration::from_millis(30)).await;
                Err(revoked())
            })
            .unwrap();
            ok()
        })
        .await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        let passed = scope(async {
            require(async {
                tokio::time::sleep(Duration::from_millis(30)).await;
                Ok(())
            })
            .unwrap();
            ok()
        })
        .await;
        assert_eq!(passed.status(), StatusCode::OK);
    }

    #[tokio::test(start_paused = true)]
    async fn the_check_runs_beside_the_handlers_own_wait() {
        // Paused time: the clock moves only by the sleeps, so this measures order, not speed.
        let started = tokio::time::Instant::now();
        let response = scope(async {
            require(async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok(())
            })
            .unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
            ok()
        })
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        // Side by side: 100 ms of waiting, not the 200 ms of one after the other.
        assert_eq!(started.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test]
    async fn writes_wait_for_the_checks_and_are_refused_with_them() {
        scope(async {
            require(async {
                tokio::time::sleep(Duration::from_millis(10)).await;
                Ok(())
            })
            .unwrap();
            assert!(!writes_allowed(), "a write before the check settled");
            assert_eq!(settled().await, Ok(()));
            assert!(writes_allowed());
            require(async { Err(revoked()) }).unwrap();
            assert_eq!(settled().await, Err(Refused));
            assert!(!writes_allowed());
            ok()
        })
        .await;
    }

    #[tokio::test]
    async fn outside_a_request_nothing_waits_and_a_check_cannot_be_registered() {
        assert!(writes_allowed());
        assert_eq!(settled().await, Ok(()));
        assert!(require(async { Ok(()) }).is_err());
    }
}
