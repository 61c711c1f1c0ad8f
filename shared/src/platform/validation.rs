//! Field-level validation results, for models to report every bad field of an input at once
//! without knowing about HTTP: an [`Invalid`] names a code, a sentence and each field's problem,
//! and the HTTP edge renders it as a 400.

use std::collections::BTreeMap;

/// Field name -> what is wrong with it.
pub type Fields = BTreeMap<String, String>;

/// An input that breaks a rule: the first problem's code, a sentence, and every field's problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
    pub fields: Fields,
}

impl Invalid {
    /// One bad field.
    pub fn field(code: &'static str, field: &str, problem: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Fields::from([(field.to_owned(), problem.into())]),
        }
    }

    /// Several independent checks as one: the first failure's code and message, every field.
    pub fn merge(errors: impl IntoIterator<Item = Option<Invalid>>) -> Option<Invalid> {
        let mut merged: Option<Invalid> = None;
        for err in errors.into_iter().flatten() {
            match &mut merged {
                None => merged = Some(err),
                Some(m) => m.fields.extend(err.fields),
            }
        }
        merged
    }
}

/// Collects field problems; finishes as one [`Invalid`] naming every field.
#[derive(Default)]
pub struct Problems {
    first_code: Option<&'static str>,
    fields: Fields,
}

impl Problems {
    pub fn add(&mut self, code: &'static str, field: &str, problem: impl Into<String>) {
        self.first_code.get_or_insert(code);
        self.fields.insert(field.to_owned(), problem.into());
    }

    /// `Some(v)` when valid, recording the problem otherwise.
    pub fn check<T>(&mut self, code: &'static str, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(problem) => {
                self.add(code, field, problem);
                None
            }
        }
    }

    pub fn finish(self, message: &str) -> Result<(), Invalid> {
        match self.first_code {
            None => Ok(()),
            Some(code) => Err(Invalid {
                code,
                message: message.to_owned(),
                fields: self.fields,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_problems_keep_the_first_code_and_every_field() {
        let merged = Invalid::merge([
            None,
            Some(Invalid::field(
                "invalid_identifier",
                "identifier",
                "is required",
                "Enter one",
            )),
            Some(Invalid::field(
                "invalid_password",
                "password",
                "is required",
                "Enter it",
            )),
        ])
        .unwrap();
        assert_eq!(merged.code, "invalid_identifier");
        assert_eq!(merged.message, "Enter one");
        assert_eq!(merged.fields.len(), 2);
        assert!(Invalid::merge([None, None]).is_none());
    }

    #[test]
    fn problems_finish_as_one_error_naming_each_field() {
        let mut p = Problems::default();
        assert_eq!(p.check::<u8>("a", "x", Ok(1)), Some(1));
        p.add("first", "name", "is required");
        p.check::<u8>("second", "price", Err("too big".into()));
        let err = p.finish("Invalid").unwrap_err();
        assert_eq!(err.code, "first");
        assert_eq!(err.fields["price"], "too big");
        assert!(Problems::default().finish("fine").is_ok());
    }
}
