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

/// Login guessing limits, in fixed windows. Each attempt is counted before the password is
/// checked (so parallel guesses cannot slip past a cap) and given back when the password was
/// right. Two counters: one per (identifier, source address), capped at `max_failures`, so that
/// an attacker's failures lock out the attacker's address, not the owner's; and one per
/// identifier, capped higher at `max_failures_per_identifier`, which bounds guessing spread over
/// many addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    pub max_failures: u32,
    pub max_failures_per_identifier: u32,
    pub window_secs: i64,
}

/// Which login counter an attempt fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginCounter {
    /// This identifier from this source address.
    Source,
    /// This identifier from anywhere.
    Identifier,
}

impl LoginThrottle {
    pub fn window(&self, now: i64) -> Window {
        Window::at(now, self.window_secs)
    }

    /// The cap of a counter: an attempt is counted only while the counter is below it.
    pub fn cap(&self, counter: LoginCounter) -> u32 {
        match counter {
            LoginCounter::Source => self.max_failures,
            LoginCounter::Identifier => self.max_failures_per_identifier,
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
    fn the_identifier_wide_cap_is_the_higher_one() {
        let t = LoginThrottle {
            max_failures: 5,
            max_failures_per_identifier: 50,
            window_secs: 900,
        };
        assert_eq!(t.cap(LoginCounter::Source), 5);
        assert_eq!(t.cap(LoginCounter::Identifier), 50);
        assert_eq!(t.window(1_000).retry_after(1_000), 800);
    }
}
