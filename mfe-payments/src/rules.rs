//! What a payment's input must be before it is sent, checked as the person types (the api checks
//! again, with the same rules): an IBAN's check digits, an amount with its currency's decimals.

/// What is wrong with `iban` (spaces allowed), if anything: ISO 13616's mod-97 check.
pub fn iban_problem(iban: &str) -> Option<String> {
    let iban: String = iban.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let iban = iban.as_bytes();
    // Two letters (the country), two digits (the check), then letters and digits. By bytes, not
    // by slicing the text: a slice's panic would bring the Unicode tables of its message (wasm size).
    let shaped = (15..=34).contains(&iban.len())
        && iban.iter().enumerate().all(|(at, b)| match at {
            0 | 1 => b.is_ascii_uppercase(),
            2 | 3 => b.is_ascii_digit(),
            _ => b.is_ascii_alphanumeric(),
        });
    if !shaped {
        return Some("Enter an IBAN such as DE89 3704 0044 0532 0130 00.".into());
    }
    // The country and check digits go last; letters count as 10 (A) to 35 (Z).
    let remainder = iban.iter().cycle().skip(4).take(iban.len()).fold(0u32, |remainder, b| {
        let value = char::from(*b).to_digit(36).unwrap_or_default();
        let shift = if value < 10 { 10 } else { 100 };
        (remainder * shift + value) % 97
    });
    (remainder != 1).then(|| "This IBAN's check digits do not match: a character is wrong.".into())
}

/// What is wrong with `amount`, in major units of a currency with `decimals`, if anything.
pub fn amount_problem(amount: &str, decimals: u32) -> Option<String> {
    let amount = amount.trim();
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if amount.is_empty() || whole.is_empty() || !digits(whole) || !digits(fraction) || amount.ends_with('.') {
        return Some("Enter an amount such as 12.50.".into());
    }
    if fraction.len() > decimals as usize {
        return Some(match decimals {
            0 => "This currency has no decimals.".into(),
            1 => "This currency has 1 decimal.".into(),
            _ => ["This currency has ", &maud::Render::render(&decimals).0, " decimals."].concat(),
        });
    }
    amount.chars().all(|c| c == '0' || c == '.').then(|| "Enter an amount above zero.".into())
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::{amount_problem, iban_problem};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn ibans_pass_only_with_matching_check_digits() {
        for valid in ["DE89 3704 0044 0532 0130 00", "gb82west12345698765432", "NL91ABNA0417164300"] {
            assert_eq!(iban_problem(valid), None, "{valid}");
        }
        for invalid in ["DE88 3704 0044 0532 0130 00", "GB82WEST12345698765433", "DE89", "1234567890123456", ""] {
            assert!(iban_problem(invalid).is_some(), "{invalid}");
        }
    }

    #[wasm_bindgen_test]
    fn amounts_have_at_most_the_currencys_decimals() {
        assert_eq!(amount_problem("12.34", 2), None);
        assert_eq!(amount_problem("1200", 0), None);
        assert_eq!(amount_problem("1.234", 3), None);
        assert_eq!(amount_problem("1.234", 2).as_deref(), Some("This currency has 2 decimals."));
        assert_eq!(amount_problem("1.5", 0).as_deref(), Some("This currency has no decimals."));
        for wrong in ["", "abc", "-1", "1,5", "1.", ".5", "0", "0.00", "1e3"] {
            assert!(amount_problem(wrong, 2).is_some(), "{wrong}");
        }
    }
}
