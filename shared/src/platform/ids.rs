//! Ids fixed by what they stand for: a ULID of a given time whose random part is a digest of
//! its source, so the same source (a stream record and what it gives) always yields the same id
//! and a redelivered record writes nothing new.

use sha2::{Digest, Sha256};

/// The ULID of `at` (RFC 3339; the epoch when unreadable) whose random part is fixed by `source`.
pub fn derived_ulid(source: &str, at: &str) -> String {
    let ms = at
        .parse::<jiff::Timestamp>()
        .map(|t| u64::try_from(t.as_millisecond()).unwrap_or(0))
        .unwrap_or(0);
    let digest = Sha256::digest(source.as_bytes());
    let mut random = [0u8; 16];
    random.copy_from_slice(&digest[..16]);
    // A ULID's random part is 80 bits.
    let random = u128::from_be_bytes(random) >> 48;
    ulid::Ulid::from_parts(ms, random).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_source_and_time_give_the_same_id_and_ids_sort_by_time() {
        let a = derived_ulid("event-1:x", "2026-12-03T10:00:00Z");
        assert_eq!(a, derived_ulid("event-1:x", "2026-12-03T10:00:00Z"));
        assert_ne!(a, derived_ulid("event-1:y", "2026-12-03T10:00:00Z"));
        assert!(
            derived_ulid("event-0:x", "2026-12-03T10:00:01Z") > a,
            "newer sorts after"
        );
        assert!(ulid::Ulid::from_string(&a).is_ok());
    }
}
