//! Read-decide-write loops: a decision taken on an item as read is written conditionally on that
//! state; when the condition fails the item moved, so the decision is taken again on the item as
//! it now is. Bounded: an item that keeps moving ends the request with a retryable 503.

use crate::platform::error::Failure;

/// What one round decided.
pub enum Round<T, S> {
    /// Finished (written, or refused by a rule): the answer.
    Done(T),
    /// The write's condition failed: decide again on this fresher state.
    Again(S),
}

/// Runs `round` on `state` until it is done, at most `attempts` times.
/// (`round` is a closure returning a future rather than an async closure: the futures of async
/// closures that borrow are not yet provably `Send`, which axum handlers must be.)
pub async fn on_condition<S, T, E, Fut>(
    what: &str,
    attempts: usize,
    mut state: S,
    mut round: impl FnMut(S) -> Fut,
) -> Result<T, E>
where
    E: From<Failure>,
    Fut: Future<Output = Result<Round<T, S>, E>>,
{
    for _ in 0..attempts {
        match round(state).await? {
            Round::Done(answer) => return Ok(answer),
            Round::Again(fresher) => state = fresher,
        }
    }
    Err(Failure::Unavailable(anyhow::anyhow!(
        "{what}: the item kept changing under {attempts} attempts"
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn decides_again_on_fresher_state_until_done() {
        let answer: Result<u32, Failure> = on_condition("count", 5, 0u32, async |n| {
            Ok(if n < 3 { Round::Again(n + 1) } else { Round::Done(n) })
        })
        .await;
        assert_eq!(answer.unwrap(), 3);
    }

    #[tokio::test]
    async fn gives_up_as_unavailable_when_the_item_keeps_moving() {
        let answer: Result<(), Failure> = on_condition("spin", 3, (), |()| async { Ok(Round::Again(())) }).await;
        assert!(matches!(answer, Err(Failure::Unavailable(_))));
    }
}
