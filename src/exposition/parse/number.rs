//! Numbers as Python reads them: `int(s)` (any size), `float(s)` (with `inf`, `nan`, `_`
//! between digits), client_python's `_parse_value` (an `int` when it can be one), the text
//! format's millisecond timestamps and OpenMetrics' `_parse_timestamp`.
//!
//! Only ASCII digits are read: Python also takes other Unicode decimal digits, which no
//! exposition writes.

use super::lex::strip;
use super::{Int, Number, Timestamp};

/// Python's `int(s)` in base 10: surrounding whitespace, a sign, ASCII digits.
pub(super) fn py_int(s: &str) -> Option<Int> {
    let s = strip(s);
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() <= 18 {
        let magnitude: i64 = if significant.is_empty() {
            0
        } else {
            significant.parse().ok()?
        };
        return Some(Int::Small(if negative { -magnitude } else { magnitude }));
    }
    let mut text = String::with_capacity(significant.len() + 1);
    if negative {
        text.push('-');
    }
    text.push_str(significant);
    Some(Int::Big(text.into()))
}

/// Python's `float(s)`: surrounding whitespace, a sign, `inf`/`infinity`/`nan` in any case, or a
/// decimal with an optional fraction and exponent, single underscores allowed between digits.
pub(super) fn py_float(s: &str) -> Option<f64> {
    let s = strip(s);
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let negative = s.starts_with('-');
    let special =
        if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
            Some(f64::INFINITY)
        } else if unsigned.eq_ignore_ascii_case("nan") {
            Some(f64::NAN)
        } else {
            None
        };
    if let Some(value) = special {
        return Some(if negative { -value } else { value });
    }
    if !is_python_decimal(unsigned.as_bytes()) {
        return None;
    }
    if s.contains('_') {
        s.replace('_', "").parse().ok()
    } else {
        s.parse().ok()
    }
}

/// `digits [. digits?] [e [sign] digits]` or `. digits [e ...]`, digit runs allowing single
/// underscores between digits.
fn is_python_decimal(s: &[u8]) -> bool {
    /// The length of a digit run (underscores between digits) at the start of `s`; 0 for none,
    /// `None` for a misplaced underscore.
    fn digits(s: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < s.len() {
            match s[i] {
                b'0'..=b'9' => i += 1,
                b'_' if i > 0 && s.get(i + 1).is_some_and(u8::is_ascii_digit) => i += 1,
                b'_' => return None,
                _ => break,
            }
        }
        Some(i)
    }
    let Some(int) = digits(s) else { return false };
    let mut i = int;
    let mut fraction = 0;
    if s.get(i) == Some(&b'.') {
        let Some(n) = digits(&s[i + 1..]) else {
            return false;
        };
        fraction = n;
        i += 1 + n;
    }
    if int == 0 && fraction == 0 {
        return false;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        match digits(&s[i..]) {
            Some(n) if n > 0 => i += n,
            _ => return false,
        }
    }
    i == s.len()
}

/// client_python's `_parse_value`: no surrounding whitespace, no `_`, then `int` or `float`.
pub(super) fn parse_value(s: &str) -> Result<Number, String> {
    if strip(s) != s || s.contains('_') {
        return Err(format!("Invalid value: {s:?}"));
    }
    if let Some(int) = py_int(s) {
        return Ok(Number::Int(int));
    }
    py_float(s)
        .map(Number::Float)
        .ok_or_else(|| format!("could not convert string to float: {s:?}"))
}

/// A text-format timestamp: milliseconds read with [`parse_value`], divided by 1000 as Python
/// divides (an integer exactly, then rounded once).
pub(super) fn parse_millis(s: &str) -> Result<f64, String> {
    match parse_value(s)? {
        Number::Float(millis) => Ok(millis / 1000.0),
        Number::Int(Int::Small(n)) if n.unsigned_abs() <= 1 << 53 => Ok(n as f64 / 1000.0),
        Number::Int(int) => {
            let mut text = String::new();
            int.push_decimal(&mut text);
            text.push_str("e-3");
            let seconds: f64 = text.parse().map_err(|_| "Invalid timestamp".to_owned())?;
            if seconds.is_finite() {
                Ok(seconds)
            } else {
                Err("integer division result too large for a float".into())
            }
        }
    }
}

/// client_python's OpenMetrics `_parse_timestamp`: empty is none; an integer is
/// `Timestamp(sec, 0)`; `a.b` with integer parts is `Timestamp(a, first nine digits of b)`;
/// anything else with a dot a finite float.
pub(super) fn parse_timestamp(s: &str) -> Result<Option<Timestamp>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    let invalid = || format!("Invalid timestamp: {s:?}");
    if strip(s) != s || s.contains('_') {
        return Err(invalid());
    }
    if let Some(sec) = py_int(s) {
        return Ok(Some(Timestamp::Exact { sec, nsec: 0 }));
    }
    // `Timestamp(int(a), int(b))`: `a` is read first, so without a dot (where `int(s)` failed
    // already) this falls through to `float`.
    if let Some((whole, fraction)) = s.split_once('.') {
        let Some(sec) = py_int(whole) else {
            return float_timestamp(s);
        };
        let first: String = fraction.chars().take(9).collect();
        let padded = format!("{first:0<9}");
        if let Some(Int::Small(nsec)) = py_int(&padded) {
            if (0..1_000_000_000).contains(&nsec) {
                return Ok(Some(Timestamp::Exact { sec, nsec }));
            }
        }
    }
    float_timestamp(s)
}

/// A timestamp `float(s)` reads: finite, or an error.
fn float_timestamp(s: &str) -> Result<Option<Timestamp>, String> {
    match py_float(s) {
        Some(seconds) if seconds.is_finite() => Ok(Some(Timestamp::Seconds(seconds))),
        _ => Err(format!("Invalid timestamp: {s:?}")),
    }
}

/// client_python's `_isUncanonicalNumber`: `float(s)` must read, and infinity must be written
/// `+Inf`.
pub(super) fn is_uncanonical(s: &str) -> Result<bool, String> {
    let value = py_float(s).ok_or_else(|| format!("could not convert string to float: {s:?}"))?;
    Ok(value == f64::INFINITY && s != "+Inf")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(s: &str) -> Number {
        Number::Int(py_int(s).unwrap())
    }

    #[test]
    fn integers_stay_integers_of_any_size() {
        assert_eq!(parse_value("12").unwrap(), Number::Int(Int::Small(12)));
        assert_eq!(parse_value("-007").unwrap(), Number::Int(Int::Small(-7)));
        assert_eq!(parse_value("+0").unwrap(), Number::Int(Int::Small(0)));
        assert_eq!(
            parse_value("-0012345678901234567890").unwrap(),
            Number::Int(Int::Big("-12345678901234567890".into()))
        );
        assert_eq!(
            int("999999999999999999"),
            Number::Int(Int::Small(999999999999999999))
        );
        assert!(Int::Big("-99999999999999999999".into()) < Int::Small(-5));
        assert!(Int::Big("99999999999999999999".into()) > Int::Big("19999999999999999999".into()));
    }

    #[test]
    fn floats_follow_pythons_syntax() {
        for (text, value) in [
            ("1.5", 1.5),
            ("1.", 1.0),
            (".5", 0.5),
            ("1e3", 1000.0),
            ("-1E-3", -0.001),
            ("Inf", f64::INFINITY),
            ("-infinity", f64::NEG_INFINITY),
            ("+INF", f64::INFINITY),
        ] {
            assert_eq!(parse_value(text).unwrap(), Number::Float(value), "{text}");
        }
        assert!(matches!(parse_value("NaN").unwrap(), Number::Float(f) if f.is_nan()));
        for bad in [
            "", ".", "e3", "1e", "1_0", " 1", "1 ", "0x10", "1.2.3", "infin", "--1",
        ] {
            assert!(parse_value(bad).is_err(), "{bad}");
        }
        assert_eq!(py_float(" 1_0.5 "), Some(10.5));
        assert_eq!(py_float("1__0"), None);
        assert_eq!(py_float("_1"), None);
    }

    #[test]
    fn millisecond_timestamps_divide_exactly() {
        assert_eq!(parse_millis("1500").unwrap(), 1.5);
        assert_eq!(parse_millis("1.5e3").unwrap(), 1.5);
        assert_eq!(
            parse_millis("12345678901234567890").unwrap(),
            12345678901234567.890
        );
        assert!(parse_millis("1".repeat(400).as_str()).is_err());
    }

    #[test]
    fn openmetrics_timestamps_keep_seconds_and_nanoseconds() {
        let exact = |sec: i64, nsec| {
            Some(Timestamp::Exact {
                sec: Int::Small(sec),
                nsec,
            })
        };
        assert_eq!(parse_timestamp("").unwrap(), None);
        assert_eq!(parse_timestamp("12").unwrap(), exact(12, 0));
        assert_eq!(parse_timestamp("1.5").unwrap(), exact(1, 500_000_000));
        assert_eq!(
            parse_timestamp("1.1234567891").unwrap(),
            exact(1, 123_456_789)
        );
        assert_eq!(parse_timestamp("-1.5").unwrap(), exact(-1, 500_000_000));
        assert_eq!(parse_timestamp("-0.5").unwrap(), exact(0, 500_000_000));
        assert_eq!(parse_timestamp("1.+5").unwrap(), exact(1, 50_000_000));
        assert_eq!(
            parse_timestamp("1.5e3").unwrap(),
            Some(Timestamp::Seconds(1500.0))
        );
        assert_eq!(
            parse_timestamp(".5").unwrap(),
            Some(Timestamp::Seconds(0.5))
        );
        assert_eq!(parse_timestamp("1.").unwrap(), exact(1, 0));
        assert_eq!(
            parse_timestamp("1e3").unwrap(),
            Some(Timestamp::Seconds(1000.0))
        );
        for bad in ["inf", "nan", "1.-5", "1.5e999", " 1", "1_0", "a"] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Timestamp::Exact {
                sec: Int::Small(-1),
                nsec: 5e8 as i64
            }
            .to_f64(),
            -1.5
        );
    }

    #[test]
    fn only_infinity_must_be_canonical() {
        assert!(!is_uncanonical("+Inf").unwrap());
        assert!(is_uncanonical("Inf").unwrap());
        assert!(is_uncanonical("inf").unwrap());
        assert!(!is_uncanonical("1").unwrap());
        assert!(!is_uncanonical("-Inf").unwrap());
        assert!(is_uncanonical("x").is_err());
    }
}
