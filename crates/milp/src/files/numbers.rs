//! Numbers as model files write them, read strictly: a word is a number
//! only if all of it is one (C's `atof`, which solvers use, reads `abc` as 0
//! and `12abc` as 12).

/// A number word of an MPS file: an optional sign, digits with at most one
/// decimal point, an optional exponent (`e`, `E`, or Fortran's `d`, `D`),
/// or `inf`/`infinity` in any case (returned as ±∞). NaN, hexadecimal and
/// values beyond f64's range are refused, with the reason.
pub(crate) fn parse_number(word: &str) -> Result<f64, String> {
    let (negative, body) = match word.as_bytes().first() {
        Some(b'-') => (true, &word[1..]),
        Some(b'+') => (false, &word[1..]),
        _ => (false, word),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Ok(if negative { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if lower == "nan" {
        return Err(format!("'{word}' is not a number (NaN)"));
    }
    if !is_decimal(body) {
        return Err(format!("'{word}' is not a number"));
    }
    let normalized = body.replace(['d', 'D'], "e");
    let value: f64 = normalized.parse().map_err(|_| format!("'{word}' is not a number"))?;
    if value.is_infinite() {
        return Err(format!("'{word}' is beyond the range of a 64-bit float"));
    }
    Ok(if negative { -value } else { value })
}

/// Digits with at most one `.` (at least one digit), then optionally an
/// exponent letter, an optional sign and at least one digit.
fn is_decimal(body: &str) -> bool {
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return false;
    }
    if i < bytes.len() && matches!(bytes[i], b'e' | b'E' | b'd' | b'D') {
        i += 1;
        if i < bytes.len() && matches!(bytes[i], b'+' | b'-') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn whole_words_only() {
        assert_eq!(parse_number("12"), Ok(12.0));
        assert_eq!(parse_number("-1.5e3"), Ok(-1500.0));
        assert_eq!(parse_number("+.5"), Ok(0.5));
        assert_eq!(parse_number("3."), Ok(3.0));
        assert_eq!(parse_number("1D2"), Ok(100.0));
        assert_eq!(parse_number("-Inf"), Ok(f64::NEG_INFINITY));
        for bad in [
            "abc", "12abc", "1e", ".", "-", "1.2.3", "0x10", "1e5x", "", "nan", "NaN", "1e400", "1ee5",
        ] {
            assert!(parse_number(bad).is_err(), "{bad} accepted");
        }
    }
}
