//! Rules for input, each stated once: the server checks input against it, and the OpenAPI document
//! describes it from it (`pattern`, `minLength`/`maxLength`, `minimum`/`maximum`, `default`), so what
//! clients are told and what the server accepts cannot drift apart.

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Deserializer, de::Error};
use utoipa::openapi::{KnownFormat, Object, ObjectBuilder, SchemaFormat, Type};

/// Text of `min_chars` to `max_chars` characters (Unicode scalar values, as JSON Schema counts them)
/// matching `pattern`. Patterns keep to what ECMA-262 (the document's dialect), Python (Schemathesis)
/// and Rust (the server) read alike: explicit classes and `^`/`$`, no `\s`, `\d`, `\w` or look-around.
pub struct Text {
    min_chars: usize,
    max_chars: usize,
    /// What the characters must be, after the count: "characters, not only spaces".
    what: &'static str,
    pattern: &'static str,
    regex: OnceLock<Regex>,
}

impl Text {
    pub const fn new(min_chars: usize, max_chars: usize, what: &'static str, pattern: &'static str) -> Self {
        Self { min_chars, max_chars, what, pattern, regex: OnceLock::new() }
    }

    pub fn allows(&self, text: &str) -> bool {
        (self.min_chars..=self.max_chars).contains(&text.chars().count()) && self.regex().is_match(text)
    }

    /// The rule in words, as error messages and the document say it: "1 to 34 letters, ...".
    pub fn statement(&self) -> String {
        match self.min_chars {
            0 => format!("at most {} {}", self.max_chars, self.what),
            min => format!("{min} to {} {}", self.max_chars, self.what),
        }
    }

    pub fn message(&self) -> String {
        format!("must be {}", self.statement())
    }

    pub fn schema(&self) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(self.statement()))
            .min_length(Some(self.min_chars))
            .max_length(Some(self.max_chars))
            .pattern(Some(self.pattern))
            .build()
    }

    fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| Regex::new(self.pattern).expect("a rule's pattern is a valid regex"))
    }
}

/// Whole numbers from `min` to `max`, and the value an absent one stands for.
pub struct Range {
    pub min: i64,
    pub max: i64,
    pub default: i64,
}

impl Range {
    pub fn contains(&self, number: i64) -> bool {
        (self.min..=self.max).contains(&number)
    }

    pub fn message(&self) -> String {
        format!("must be between {} and {}", self.min, self.max)
    }

    /// An `int32` when both bounds fit one, else an `int64`.
    pub fn schema(&self) -> Object {
        let fits_32_bits = i32::try_from(self.min).is_ok() && i32::try_from(self.max).is_ok();
        let format = if fits_32_bits { KnownFormat::Int32 } else { KnownFormat::Int64 };
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(format)))
            .minimum(Some(self.min))
            .maximum(Some(self.max))
            .default(Some(self.default.into()))
            .build()
    }
}

/// A JSON Schema `integer` for serde: any number without a fractional part, so `7.0` and `7e2` too,
/// which `i64`'s own deserializer refuses.
pub fn whole_number<'de, D: Deserializer<'de>>(field: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(field)?;
    // 2^63 as f64 is exact; every f64 below it and at least -2^63 converts without loss.
    let within = |float: f64| {
        float.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&float)
    };
    number
        .as_i64()
        .or_else(|| number.as_f64().filter(|float| within(*float)).map(|float| float as i64))
        .ok_or_else(|| D::Error::custom(format!("invalid value: {number}, expected a whole number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_counts_characters_and_matches_the_whole_text() {
        let rule = Text::new(1, 3, "letters", "^[a-z]+$");
        assert!(rule.allows("a") && rule.allows("abc"));
        assert!(!rule.allows("") && !rule.allows("abcd") && !rule.allows("ab1") && !rule.allows("ab\n"));
        let wide = Text::new(1, 2, "characters", "^.+$");
        assert!(wide.allows("éé") && !wide.allows("ééé"), "characters, not bytes");
        assert_eq!(rule.message(), "must be 1 to 3 letters");
        assert_eq!(Text::new(0, 9, "digits", "^[0-9]*$").message(), "must be at most 9 digits");
    }

    #[test]
    fn whole_numbers_are_integers_however_written() {
        let read = |json: &str| whole_number(&mut serde_json::Deserializer::from_str(json));
        assert_eq!([read("7").unwrap(), read("-931.0").unwrap(), read("7e2").unwrap()], [7, -931, 700]);
        for json in ["7.5", "1e19", "-1e19", "\"7\"", "null"] {
            assert!(read(json).is_err(), "{json}");
        }
    }

    #[test]
    fn schemas_state_the_rules() {
        let text = serde_json::to_value(Text::new(1, 34, "letters", "^[A-Z]+$").schema()).unwrap();
        assert_eq!(text["minLength"], 1);
        assert_eq!(text["maxLength"], 34);
        assert_eq!(text["pattern"], "^[A-Z]+$");
        assert_eq!(text["description"], "1 to 34 letters");
        let small = serde_json::to_value(Range { min: 1, max: 200, default: 50 }.schema()).unwrap();
        assert_eq!([&small["minimum"], &small["maximum"], &small["default"]], [1, 200, 50]);
        assert_eq!(small["format"], "int32");
        let large = serde_json::to_value(Range { min: -10_000_000_000, max: 10_000_000_000, default: 0 }.schema());
        assert_eq!(large.unwrap()["format"], "int64");
    }
}
