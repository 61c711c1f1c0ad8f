//! Account identifiers: an email address or a phone number in E.164.
//!
//! An identifier containing `@` is an email (validated; the local part NFC-normalised and
//! lower-cased, the domain in its IDNA ASCII form, so `bücher.de` and `xn--bcher-kva.de` are one
//! address; invisible and control characters refused, so two accounts cannot look the same);
//! anything else is read as a
//! phone number: `+<country><number>`, `00<country><number>`, or a national number starting with
//! `0` in the configured default country (`08012345678` -> `+2348012345678`). Spaces, dashes,
//! dots and parentheses are ignored. Every route that takes an identifier parses it here, so all
//! spellings of one identifier find one account.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identifier {
    Email(Email),
    Phone(Phone),
}

/// How an OTP reaches the identifier's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Sms,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("is required")]
    Empty,
    #[error("is not a valid email address")]
    InvalidEmail,
    #[error("is not a valid phone number")]
    InvalidPhone,
}

/// Characters that show nothing (or change nothing visible): zero-width spaces and joiners,
/// direction marks, soft hyphens, variation selectors, fillers. Unicode's Default_Ignorable_Code_Point
/// set, by range.
fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// One spelling per address: NFC, lower-case local part; the domain as IDNA ASCII.
fn canonical_email(raw: &str) -> Result<String, IdentifierError> {
    let trimmed = raw.trim();
    if trimmed
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || is_invisible(c))
    {
        return Err(IdentifierError::InvalidEmail);
    }
    let (local, domain) = trimmed.rsplit_once('@').ok_or(IdentifierError::InvalidEmail)?;
    if local.is_empty() || domain.is_empty() {
        return Err(IdentifierError::InvalidEmail);
    }
    let local = icu_normalizer::ComposingNormalizerBorrowed::new_nfc()
        .normalize(local)
        .to_lowercase();
    let domain = idna::domain_to_ascii(domain).map_err(|_| IdentifierError::InvalidEmail)?;
    Ok(format!("{local}@{domain}"))
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let lower = canonical_email(raw)?;
        if lower.len() > 254 {
            return Err(IdentifierError::InvalidEmail);
        }
        let parsed: email_address::EmailAddress = lower.parse().map_err(|_| IdentifierError::InvalidEmail)?;
        // Display names ("A <a@b.c>") and dot-less domains are not addresses we can deliver to.
        let domain = parsed.domain();
        if parsed.as_str() != lower || !domain.contains('.') || domain.starts_with('[') || domain.ends_with('.') {
            return Err(IdentifierError::InvalidEmail);
        }
        Ok(Self(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Phone {
    /// `default_country` is a calling code without `+` (e.g. "234").
    pub fn parse(raw: &str, default_country: &str) -> Result<Self, IdentifierError> {
        let trimmed = raw.trim();
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(IdentifierError::InvalidPhone),
            }
        }
        let international = if plus {
            digits
        } else if let Some(intl) = digits.strip_prefix("00") {
            intl.to_owned()
        } else if let Some(national) = digits.strip_prefix('0') {
            format!("{default_country}{national}")
        } else if digits.starts_with(default_country) && digits.len() >= default_country.len() + 8 {
            digits
        } else {
            return Err(IdentifierError::InvalidPhone);
        };
        // `+234 0801...`: the national trunk 0 written after the country code is not part of
        // the number (`+234 801...`), so both spellings are one identifier.
        let international = match international.strip_prefix(default_country) {
            Some(national) if !default_country.is_empty() && national.starts_with('0') => {
                format!("{default_country}{}", &national[1..])
            }
            _ => international,
        };
        // E.164: at most 15 digits, no leading zero; fewer than 8 is no real subscriber number.
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(IdentifierError::InvalidPhone);
        }
        Ok(Self(format!("+{international}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the number is in one of `countries` (calling codes without `+`). Calling codes
    /// are prefix-free, so a prefix match is a country match.
    pub fn in_countries(&self, countries: &[String]) -> bool {
        let digits = self.0.trim_start_matches('+');
        countries.iter().any(|code| digits.starts_with(code.as_str()))
    }
}

impl Identifier {
    pub fn parse(raw: &str, default_country: &str) -> Result<Self, IdentifierError> {
        let raw = raw.trim();
        if raw.is_empty() {
            Err(IdentifierError::Empty)
        } else if raw.contains('@') {
            Email::parse(raw).map(Identifier::Email)
        } else {
            Phone::parse(raw, default_country).map(Identifier::Phone)
        }
    }

    pub fn channel(&self) -> Channel {
        match self {
            Identifier::Email(_) => Channel::Email,
            Identifier::Phone(_) => Channel::Sms,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Identifier::Email(e) => e.as_str(),
            Identifier::Phone(p) => p.as_str(),
        }
    }

    /// The stable storage key of this identifier (`EMAIL#a@b.com`, `PHONE#+234...`).
    pub fn storage_key(&self) -> String {
        match self {
            Identifier::Email(e) => format!("EMAIL#{}", e.as_str()),
            Identifier::Phone(p) => format!("PHONE#{}", p.as_str()),
        }
    }

    /// The contract's 409 message for a taken identifier.
    pub fn taken_message(&self) -> &'static str {
        match self {
            Identifier::Email(_) => "Email already registered",
            Identifier::Phone(_) => "Phone number already registered",
        }
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_matched_to_their_country_by_calling_code() {
        let lagos = Phone::parse("0801 234 5678", "234").unwrap();
        let london = Phone::parse("+44 7700 900123", "234").unwrap();
        let nigeria = vec!["234".to_owned()];
        assert!(lagos.in_countries(&nigeria));
        assert!(!london.in_countries(&nigeria));
        assert!(london.in_countries(&["234".to_owned(), "44".to_owned()]));
    }

    fn parse(raw: &str) -> Result<Identifier, IdentifierError> {
        Identifier::parse(raw, "234")
    }

    #[test]
    fn emails_are_lower_cased() {
        assert_eq!(parse("  A@B.com ").unwrap().as_str(), "a@b.com");
        assert_eq!(
            parse("Chuks.Kitchen+orders@Example.NG").unwrap().channel(),
            Channel::Email
        );
    }

    #[test]
    fn one_address_has_one_spelling_whatever_its_unicode_form() {
        // "é" precomposed and as "e" + combining acute accent.
        let composed = parse("ad\u{e9}@example.com").unwrap();
        let decomposed = parse("ade\u{301}@example.com").unwrap();
        assert_eq!(composed, decomposed);
        assert_eq!(composed.as_str(), "ad\u{e9}@example.com");
        // An internationalised domain and its ASCII form.
        let unicode = parse("ada@B\u{fc}cher.de").unwrap();
        let ascii = parse("ada@xn--bcher-kva.de").unwrap();
        assert_eq!(unicode, ascii);
        assert_eq!(ascii.as_str(), "ada@xn--bcher-kva.de");
    }

    #[test]
    fn invisible_and_control_characters_are_refused() {
        for raw in [
            "ad\u{200b}a@example.com",
            "ada@exam\u{200d}ple.com",
            "\u{feff}ada@example.com",
            "ada\u{0007}@example.com",
            "ad\u{00ad}a@example.com",
            "ada@example\u{202e}.com",
        ] {
            assert_eq!(parse(raw), Err(IdentifierError::InvalidEmail), "{raw:?}");
        }
    }

    #[test]
    fn bad_emails_are_rejected() {
        for raw in [
            "a@",
            "@b.com",
            "a@b",
            "a b@c.com",
            "A <a@b.com>",
            "a@@b.com",
            "a@b.com.",
        ] {
            assert_eq!(parse(raw), Err(IdentifierError::InvalidEmail), "{raw}");
        }
    }

    #[test]
    fn nigerian_national_numbers_become_e164() {
        for raw in [
            "08012345678",
            "0801 234 5678",
            "0801-234-5678",
            "+2348012345678",
            "002348012345678",
            "2348012345678",
            "+234 (801) 234 5678",
            "+234 0801 234 5678",
            "+23408012345678",
            "0023408012345678",
            "23408012345678",
        ] {
            assert_eq!(parse(raw).unwrap().as_str(), "+2348012345678", "{raw}");
        }
    }

    #[test]
    fn default_country_is_configurable() {
        assert_eq!(
            Identifier::parse("07911 123456", "44").unwrap().as_str(),
            "+447911123456"
        );
    }

    #[test]
    fn junk_is_not_a_phone_number() {
        for raw in [
            "hello",
            "123",
            "+0123456789",
            "+1234567890123456",
            "0801abc5678",
            "8012345678",
        ] {
            assert!(parse(raw).is_err(), "{raw}");
        }
        assert_eq!(parse("   "), Err(IdentifierError::Empty));
    }

    #[test]
    fn storage_keys_separate_kinds() {
        assert_eq!(parse("a@b.com").unwrap().storage_key(), "EMAIL#a@b.com");
        assert_eq!(parse("08012345678").unwrap().storage_key(), "PHONE#+2348012345678");
    }
}
