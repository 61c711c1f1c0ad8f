//! Abuse limits as fixed windows: failed logins per identifier per window, and codes sent per
//! identifier per UTC day. The counters live in the store; the rules live here.

/// A fixed time window: its number and when it ends (epoch seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub index: i64,
    pub ends_at: i64,
}

impl Window {
    pub fn at(now: i64, length_secs: i64) -> Self {
        let length = length_secs.max(1);
        let index = now.div_euclid(length);
        Self {
            index,
            ends_at: (index + 1) * length,
        }
    }

    /// Seconds until the window ends (at least 1).
    pub fn retry_after(&self, now: i64) -> u64 {
        (self.ends_at - now).max(1) as u64
    }
}

/// One UTC day.
pub fn day(now: i64) -> Window {
    Window::at(now, 86_400)
}

/// After `max_failures` failed logins of one identifier in a window, logins of that identifier
/// (known or unknown alike) wait for the window to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    pub max_failures: u32,
    pub window_secs: i64,
}

impl LoginThrottle {
    pub fn window(&self, now: i64) -> Window {
        Window::at(now, self.window_secs)
    }

    /// `Err(seconds to wait)` once the window holds `max_failures` failures.
    pub fn check(&self, failures: u32, window: Window, now: i64) -> Result<(), u64> {
        if failures >= self.max_failures {
            Err(window.retry_after(now))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_fixed_and_say_how_long_to_wait() {
        let w = Window::at(1_000, 900);
        assert_eq!(
            w,
            Window {
                index: 1,
                ends_at: 1_800
            }
        );
        assert_eq!(w.retry_after(1_000), 800);
        assert_eq!(Window::at(1_799, 900).index, 1);
        assert_eq!(Window::at(1_800, 900).index, 2);
        assert_eq!(day(86_399).index, 0);
        assert_eq!(day(86_400).retry_after(86_400), 86_400);
    }

    #[test]
    fn logins_wait_for_the_window_once_the_failures_reach_the_cap() {
        let t = LoginThrottle {
            max_failures: 5,
            window_secs: 900,
        };
        let w = t.window(1_000);
        assert_eq!(t.check(4, w, 1_000), Ok(()));
        assert_eq!(t.check(5, w, 1_000), Err(800));
    }
}
