//! Profile fields a user may change (`PATCH /api/auths/me/`).

use crate::platform::patch::Patch;
use crate::platform::validation::{Fields, Invalid};

pub const NAME_MAX: usize = 100;
pub const ADDRESS_MAX: usize = 500;
pub const GENDERS: &[&str] = &["female", "male", "other", "prefer_not_to_say"];

/// A validated profile change: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProfileUpdate {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub gender: Option<Option<String>>,
}

impl ProfileUpdate {
    pub fn parse(
        first_name: Patch<String>,
        last_name: Patch<String>,
        address: Patch<String>,
        gender: Patch<String>,
    ) -> Result<Self, Invalid> {
        let mut fields = Fields::new();
        let mut text = |name: &str, value: Patch<String>, max: usize| -> Option<Option<String>> {
            match value {
                Patch::Absent => None,
                Patch::Null => Some(None),
                Patch::Value(v) => {
                    let v = v.trim().to_owned();
                    let n = v.chars().count();
                    if n == 0 || n > max || v.chars().any(char::is_control) {
                        fields.insert(name.into(), format!("must be 1 to {max} characters of text"));
                        None
                    } else {
                        Some(Some(v))
                    }
                }
            }
        };
        let first_name = text("first_name", first_name, NAME_MAX);
        let last_name = text("last_name", last_name, NAME_MAX);
        let address = text("address", address, ADDRESS_MAX);
        let gender = match gender {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(v) => {
                let v = v.trim().to_lowercase().replace([' ', '-'], "_");
                if GENDERS.contains(&v.as_str()) {
                    Some(Some(v))
                } else {
                    fields.insert("gender".into(), format!("must be one of {}", GENDERS.join(", ")));
                    None
                }
            }
        };
        if !fields.is_empty() {
            return Err(Invalid {
                code: "invalid_profile",
                message: "Some profile fields are invalid".into(),
                fields,
            });
        }
        Ok(Self {
            first_name,
            last_name,
            address,
            gender,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.first_name.is_none() && self.last_name.is_none() && self.address.is_none() && self.gender.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_trimmed_and_nulls_clear() {
        let u = ProfileUpdate::parse(
            Patch::Value("  Ada ".into()),
            Patch::Null,
            Patch::Absent,
            Patch::Value("Prefer not to say".into()),
        )
        .unwrap();
        assert_eq!(u.first_name, Some(Some("Ada".into())));
        assert_eq!(u.last_name, Some(None));
        assert_eq!(u.address, None);
        assert_eq!(u.gender, Some(Some("prefer_not_to_say".into())));
    }

    #[test]
    fn every_bad_field_is_named() {
        let err = ProfileUpdate::parse(
            Patch::Value("".into()),
            Patch::Value("x".repeat(101)),
            Patch::Value("a".repeat(501)),
            Patch::Value("robot".into()),
        )
        .unwrap_err();
        assert_eq!(err.fields.len(), 4, "{:?}", err.fields);
    }
}
