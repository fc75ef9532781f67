//! Number formatting for both text formats, without allocation.
//!
//! Values use the shortest text that parses back to the same `f64`: integers below 1e15 are
//! written as integers (`42`), everything else by `ryu` (`0.1`, `1e300`, `5e-324`), so a parser
//! gets back exactly the value we hold. `-0.0` keeps its sign. `le` and `quantile` label values
//! are label values, compared as strings, so they use the one canonical form OpenMetrics defines.

/// Appends a sample value.
#[inline]
pub fn push_value(out: &mut String, value: f64) {
    // Integers first, the common case. The cast is one instruction where `fract()` is a libm call
    // on baseline x86-64; NaN casts to 0 and fails the comparison, and -0.0 is kept for ryu.
    let integer = value as i64;
    if integer as f64 == value && value.abs() < 1e15 && (integer != 0 || value.is_sign_positive()) {
        out.push_str(itoa::Buffer::new().format(integer));
    } else {
        push_non_integer(out, value);
    }
}

/// The rest of [`push_value`], out of line so that the integer path inlines into callers.
#[inline(never)]
fn push_non_integer(out: &mut String, value: f64) {
    if push_micros(out, value) {
        return;
    }
    match special(value) {
        Some(special) => out.push_str(special),
        None => out.push_str(ryu::Buffer::new().format_finite(value)),
    }
}

/// "00" "01" ... "99".
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Writes `value` as `int.frac` when it is exactly a number of microseconds (at most six
/// decimals) between 0.001 and 2^33 in magnitude, as timestamps (`_created`) and many sums are,
/// and returns whether it did. The text is what ryu writes, found without its general search:
/// `micros / 1e6` is correctly rounded, so when it gives back `value` the six-decimal text reads
/// back as `value`; and below 2^33 doubles are closer together than 1e-6, so no text with fewer
/// digits reads back as `value`, which makes it the shortest.
#[inline]
pub(crate) fn push_micros(out: &mut String, value: f64) -> bool {
    const LIMIT: f64 = 8_589_934_592.0; // 2^33
    let magnitude = value.abs();
    if !(0.001..LIMIT).contains(&magnitude) {
        return false;
    }
    // Truncating `x + 0.5` rounds (x >= 0) without a libm call; from 2^52 on, x is whole already.
    // Any error here only fails the check below.
    let scaled = magnitude * 1e6;
    let micros = if scaled < 4_503_599_627_370_496.0 {
        ((scaled + 0.5) as u64) as f64
    } else {
        scaled
    };
    if micros / 1e6 != magnitude {
        return false;
    }
    // Below 2^33 * 1e6 < 2^63: the conversion is exact.
    let micros = micros as u64;
    let (mut whole, mut fraction) = (micros / 1_000_000, (micros % 1_000_000) as usize);
    // `-`, up to 10 digits (below 2^33), `.`, 6 digits: written right to left into one buffer,
    // then appended at once.
    let mut text = [0u8; 24];
    for end in [24, 22, 20] {
        let pair = fraction % 100;
        fraction /= 100;
        text[end - 2..end].copy_from_slice(&DIGIT_PAIRS[2 * pair..2 * pair + 2]);
    }
    let mut end = 24;
    while end > 19 && text[end - 1] == b'0' {
        end -= 1;
    }
    text[17] = b'.';
    let mut start = 17;
    while whole >= 10 {
        let pair = (whole % 100) as usize;
        whole /= 100;
        start -= 2;
        text[start..start + 2].copy_from_slice(&DIGIT_PAIRS[2 * pair..2 * pair + 2]);
    }
    if whole > 0 || start == 17 {
        start -= 1;
        text[start] = b'0' + whole as u8;
    }
    if value < 0.0 {
        start -= 1;
        text[start] = b'-';
    }
    // SAFETY: ASCII digits, `.` and `-` only.
    out.push_str(unsafe { std::str::from_utf8_unchecked(&text[start..end]) });
    true
}

/// Appends an `le` or `quantile` label value in the canonical form of the OpenMetrics spec
/// ("Canonical Numbers"): Go's shortest `%g` rendering, with `.0` appended when it has neither a
/// decimal point nor an exponent. So `0.005`, `1.0`, `100000.0`, `1e+06`, `1e-05`, `+Inf`, exactly
/// what client_python and client_golang users see, so the same bucket keeps the same label value
/// whichever client exposed it.
pub fn push_bound(out: &mut String, value: f64) {
    if let Some(special) = special(value) {
        out.push_str(special);
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let decimal = Decimal::parse(buffer.format_finite(value));
    if decimal.negative {
        out.push('-');
    }
    let digits = decimal.significant();
    if digits.is_empty() {
        out.push_str("0.0");
        return;
    }
    // Go's %g picks %e when the exponent is below -4 or at least the precision, which is 6 when
    // asking for the shortest rendering.
    let exponent = decimal.point - 1;
    if (-4..6).contains(&exponent) {
        push_positional(out, digits, decimal.point);
    } else {
        push_exponent_form(out, digits, exponent);
    }
}

/// `d.ddde+XX`: the digits with an exponent of at least two digits, as Go's `%g` and Python's
/// `repr` write them.
fn push_exponent_form(out: &mut String, digits: &[u8], exponent: i32) {
    out.push(digits[0] as char);
    if digits.len() > 1 {
        out.push('.');
        push_ascii(out, &digits[1..]);
    }
    out.push_str(if exponent < 0 { "e-" } else { "e+" });
    let magnitude = exponent.unsigned_abs();
    if magnitude < 10 {
        out.push('0');
    }
    out.push_str(itoa::Buffer::new().format(magnitude));
}

/// `0.00ddd`, `dd.dd` or `ddd00.0`: the digits `0.d1d2... * 10^point` without an exponent, with
/// `.0` after a whole number.
fn push_positional(out: &mut String, digits: &[u8], point: i32) {
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..-point {
            out.push('0');
        }
        push_ascii(out, digits);
        return;
    }
    let point = point as usize;
    if point >= digits.len() {
        push_ascii(out, digits);
        for _ in digits.len()..point {
            out.push('0');
        }
        out.push_str(".0");
    } else {
        push_ascii(out, &digits[..point]);
        out.push('.');
        push_ascii(out, &digits[point..]);
    }
}

/// Appends a sample value as client_python writes it (`floatToGoString`): Python's `repr` of
/// the float (`1.0`, `0.25`, `1e-05`, `1e+16`), except that a positive number with more than six
/// digits before the point is written with an exponent as Go would (`1.23456789e+08`). Byte for
/// byte what `prometheus_client.generate_latest` (0.2x) writes, so tests written against it keep
/// passing.
pub fn push_value_python(out: &mut String, value: f64) {
    // Below a million (and for negative numbers, which keep Python's positional form), a value
    // that is a whole number of microseconds has the same text in both styles, `.0` included:
    // the common counts and sums, found without the general search.
    if (value < 1e6 || value < 0.0) && push_micros(out, value) {
        return;
    }
    if let Some(special) = special(value) {
        out.push_str(special);
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let decimal = Decimal::parse(buffer.format_finite(value));
    let digits = decimal.significant();
    if digits.is_empty() {
        out.push_str(if decimal.negative { "-0.0" } else { "0.0" });
        return;
    }
    if decimal.negative {
        out.push('-');
    }
    let point = decimal.point;
    // Python's repr is positional from 1e-4 up to below 1e16; floatToGoString then gives a
    // positive number with more than six digits before the point an exponent.
    if (-3..=16).contains(&point) && (point <= 6 || decimal.negative) {
        push_positional(out, digits, point);
    } else {
        push_exponent_form(out, digits, point - 1);
    }
}

/// A finite number as ryu's shortest digits: `0.d1d2...dn * 10^point`.
struct Decimal {
    negative: bool,
    /// The digits as ASCII, with neither leading nor trailing zeros once [`Decimal::significant`]
    /// trims them; 17 significant digits at most, plus room for ryu's padding zeros.
    digits: [u8; 32],
    start: usize,
    end: usize,
    point: i32,
}

impl Decimal {
    /// Reads ryu's output (`1.5e-7`, `0.001`, `123.0`, `1e16`), which is always well formed.
    fn parse(text: &str) -> Decimal {
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match text.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
            None => (text, 0),
        };
        let mut digits = [b'0'; 32];
        let mut len = 0;
        let mut integer_digits = None;
        for byte in mantissa.bytes() {
            if byte == b'.' {
                integer_digits = Some(len);
            } else if len < digits.len() {
                digits[len] = byte;
                len += 1;
            }
        }
        let integer_digits = integer_digits.unwrap_or(len) as i32;
        let leading = digits[..len].iter().take_while(|d| **d == b'0').count();
        let trailing = digits[leading..len]
            .iter()
            .rev()
            .take_while(|d| **d == b'0')
            .count();
        Decimal {
            negative,
            digits,
            start: leading,
            end: len - trailing,
            point: integer_digits - leading as i32 + exponent,
        }
    }

    fn significant(&self) -> &[u8] {
        &self.digits[self.start..self.end]
    }
}

fn push_ascii(out: &mut String, digits: &[u8]) {
    // ryu only writes ASCII digits.
    out.push_str(std::str::from_utf8(digits).unwrap_or_default());
}

/// Appends a count.
pub fn push_u64(out: &mut String, value: u64) {
    out.push_str(itoa::Buffer::new().format(value));
}

/// Appends a Prometheus 0.0.4 timestamp: integer milliseconds since the epoch.
pub fn push_timestamp_ms(out: &mut String, seconds: f64) {
    out.push_str(itoa::Buffer::new().format((seconds * 1000.0).round() as i64));
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

    fn python(v: f64) -> String {
        let mut s = String::new();
        push_value_python(&mut s, v);
        s
    }

    #[test]
    fn python_values_are_client_pythons() {
        for (v, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-3.0, "-3.0"),
            (0.25, "0.25"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (999999.0, "999999.0"),
            (1e6, "1e+06"),
            (1e7, "1e+07"),
            (10000001.0, "1.0000001e+07"),
            (123456789.0, "1.23456789e+08"),
            (1234567.5, "1.2345675e+06"),
            (-123456789.0, "-123456789.0"),
            (1e15, "1e+15"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (-1e22, "-1e+22"),
            (1.7e9, "1.7e+09"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(python(v), want, "{v:e}");
        }
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

    /// The microsecond path writes exactly what ryu writes, for timestamps and for arbitrary
    /// values with up to six decimals, near the limits too.
    #[test]
    fn microsecond_values_are_written_as_ryu_writes_them() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut checked = 0;
        for i in 0..200_000u64 {
            let r = next();
            let candidate = match i % 4 {
                // Timestamps as `unix_now` makes them.
                0 => (1_700_000_000_000_000 + r % 100_000_000_000_000) as f64 / 1e6,
                // Any microsecond value up to 2^33.
                1 => (r % (8_589_934_592_000_000)) as f64 / 1e6,
                // Small ones.
                2 => (r % 10_000_000) as f64 / 1e6,
                // Arbitrary doubles: mostly not microsecond values, and then not taken.
                _ => f64::from_bits(r >> 2),
            };
            for v in [candidate, -candidate] {
                let mut fast = String::new();
                if push_micros(&mut fast, v) {
                    let expected = ryu::Buffer::new().format_finite(v).to_owned();
                    assert_eq!(fast, expected, "{v:e}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 250_000, "{checked}");
        for v in [
            0.001,
            0.0015,
            8_589_934_591.999_999,
            1e-3 + 1e-6,
            2.5,
            0.1,
            0.75,
        ] {
            let mut fast = String::new();
            assert!(push_micros(&mut fast, v), "{v}");
            assert_eq!(fast, ryu::Buffer::new().format_finite(v));
        }
        for v in [0.0009, 8_589_934_592.5, 1.0 / 3.0, 0.1 + 0.2] {
            assert!(!push_micros(&mut String::new(), v), "{v}");
        }
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
        assert_eq!(bound(f64::NEG_INFINITY), "-Inf");
        assert_eq!(bound(f64::NAN), "NaN");
        assert_eq!(bound(-0.0), "-0.0");
        assert_eq!(bound(-2.5), "-2.5");
        assert_eq!(bound(-1e6), "-1e+06");
        assert_eq!(bound(1234567.5), "1.2345675e+06");
        assert_eq!(bound(123456.7), "123456.7");
        assert_eq!(bound(5e-324), "5e-324");
        assert_eq!(bound(1e300), "1e+300");
        assert_eq!(bound(f64::MAX), "1.7976931348623157e+308");
    }

    /// The examples of the OpenMetrics spec, section "Canonical Numbers", and of its histogram.
    #[test]
    fn bounds_are_canonical() {
        let spec = [
            (0.0, "0.0"),
            (0.001, "0.001"),
            (0.002, "0.002"),
            (0.01, "0.01"),
            (0.1, "0.1"),
            (0.9, "0.9"),
            (0.95, "0.95"),
            (0.99, "0.99"),
            (0.999, "0.999"),
            (1.0, "1.0"),
            (1.7, "1.7"),
            (10.0, "10.0"),
            (1e-10, "1e-10"),
            (1e-9, "1e-09"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (100000.0, "100000.0"),
            (1e6, "1e+06"),
            (1e10, "1e+10"),
            (1e23, "1e+23"),
            (1.1e23, "1.1e+23"),
        ];
        for (value, text) in spec {
            assert_eq!(bound(value), text, "{value:e}");
            assert_eq!(bound(value).parse::<f64>().unwrap(), value);
        }
        // Every bound 0.000..10.000 in steps of 0.001 round-trips and reads like Go's %g.
        for i in 0..=10_000 {
            let value = i as f64 / 1000.0;
            let text = bound(value);
            assert_eq!(text.parse::<f64>().unwrap(), value, "{text}");
            assert!(!text.contains('e'), "{text}");
        }
    }

    #[test]
    fn timestamps() {
        let mut s = String::new();
        push_timestamp_ms(&mut s, 1_700_000_000.123_4);
        assert_eq!(s, "1700000000123");
    }
}
