//! Number formatting for both text formats, without allocation.
//!
//! Values use the shortest text that parses back to the same `f64`: integers below 1e15 are
//! written as integers (`42`), everything else by `ryu` (`0.1`, `1e300`, `5e-324`), so a parser
//! gets back exactly the value we hold. `-0.0` keeps its sign.

/// Appends a sample value.
pub fn push_value(out: &mut String, value: f64) {
    if let Some(special) = special(value) {
        out.push_str(special);
    } else if is_small_integer(value) {
        out.push_str(itoa::Buffer::new().format(value as i64));
    } else {
        out.push_str(ryu::Buffer::new().format_finite(value));
    }
}

/// Appends an `le` or `quantile` label value: like [`push_value`], but integers keep a `.0`
/// (`1.0`), the canonical form OpenMetrics asks for and client_python writes.
pub fn push_bound(out: &mut String, value: f64) {
    match special(value) {
        Some(special) => out.push_str(special),
        None => out.push_str(ryu::Buffer::new().format_finite(value)),
    }
}

/// Appends a count.
pub fn push_u64(out: &mut String, value: u64) {
    out.push_str(itoa::Buffer::new().format(value));
}

/// Appends a Prometheus 0.0.4 timestamp: integer milliseconds since the epoch.
pub fn push_timestamp_ms(out: &mut String, seconds: f64) {
    out.push_str(itoa::Buffer::new().format((seconds * 1000.0).round() as i64));
}

/// True for integers below 1e15 in magnitude, except `-0.0`, whose sign only the float form keeps.
/// The cast round trip is a couple of instructions; `fract()` would be a libm call per sample.
fn is_small_integer(value: f64) -> bool {
    value.abs() < 1e15
        && (value as i64) as f64 == value
        && !(value == 0.0 && value.is_sign_negative())
}

fn special(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value == f64::INFINITY {
        Some("+Inf")
    } else if value == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(v: f64) -> String {
        let mut s = String::new();
        push_value(&mut s, v);
        s
    }

    fn bound(v: f64) -> String {
        let mut s = String::new();
        push_bound(&mut s, v);
        s
    }

    #[test]
    fn values() {
        assert_eq!(value(0.0), "0");
        assert_eq!(value(-0.0), "-0.0");
        assert_eq!(value(42.0), "42");
        assert_eq!(value(-3.0), "-3");
        assert_eq!(value(0.1), "0.1");
        assert_eq!(value(1e300), "1e300");
        assert_eq!(value(5e-324), "5e-324");
        assert_eq!(value(1e15), "1000000000000000.0");
        assert_eq!(value(1e16), "1e16");
        assert_eq!(value(999_999_999_999_999.0), "999999999999999");
        assert_eq!(value(f64::NAN), "NaN");
        assert_eq!(value(f64::INFINITY), "+Inf");
        assert_eq!(value(f64::NEG_INFINITY), "-Inf");
    }

    #[test]
    fn values_round_trip() {
        for v in [
            0.1,
            1.0 / 3.0,
            5e-324,
            1e300,
            -2.5e-10,
            123456.789,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(value(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn bounds() {
        assert_eq!(bound(1.0), "1.0");
        assert_eq!(bound(0.005), "0.005");
        assert_eq!(bound(2.5), "2.5");
        assert_eq!(bound(f64::INFINITY), "+Inf");
    }

    #[test]
    fn timestamps() {
        let mut s = String::new();
        push_timestamp_ms(&mut s, 1_700_000_000.123_4);
        assert_eq!(s, "1700000000123");
    }
}
