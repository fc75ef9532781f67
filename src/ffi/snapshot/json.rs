//! A snapshot as one JSON document, for bindings that parse JSON faster than they can call the
//! accessors: by rows (`pe_snapshot_json()`, an array per sample) or by columns
//! (`pe_snapshot_json_columns()`, an array per field of a family's samples).

use std::fmt::Write;

use super::store::{ParsedNumbers, Snapshot};
use super::{pe_snapshot_exemplar, pe_snapshot_family, pe_snapshot_label, pe_snapshot_sample};
use crate::exposition::parse::{Number, Timestamp};
use crate::text::number::push_micros;

impl Snapshot {
    /// `pe_snapshot_json()`: `[name, help, unit, type, samples]` per family, a sample being
    /// `[name, labels, value, timestamp, exemplar]`.
    pub(crate) fn to_json(&self) -> String {
        self.json_families(48, |out, samples| {
            array(out, samples, |out, sample| {
                out.push('[');
                self.json_str(out, sample.name, sample.name_len);
                out.push(',');
                self.json_observation(
                    out,
                    (sample.labels, sample.n_labels),
                    sample.value,
                    sample.has_timestamp.then_some(sample.timestamp),
                );
                out.push(',');
                self.json_exemplar(out, self.exemplar_of(sample));
                out.push(']');
            })
        })
    }

    /// `pe_snapshot_json_columns()`: `[name, help, unit, type, names, labels, values, timestamps,
    /// exemplars]` per family, each of the last five an array with an element per sample, and
    /// `timestamps` or `exemplars` `null` when no sample has one.
    pub(crate) fn to_json_columns(&self) -> String {
        self.json_families(40, |out, samples| {
            array(out, samples, |out, s| {
                self.json_str(out, s.name, s.name_len)
            });
            out.push(',');
            array(out, samples, |out, s| {
                self.json_labels(out, s.labels, s.n_labels)
            });
            out.push(',');
            array(out, samples, |out, s| match self.parsed_of(s) {
                Some(parsed) => json_parsed_number(out, &parsed.value),
                None => json_number(out, s.value),
            });
            out.push(',');
            if samples.iter().any(|s| s.has_timestamp) {
                array(out, samples, |out, s| match self.parsed_of(s) {
                    Some(parsed) => json_parsed_timestamp(out, parsed.timestamp.as_ref()),
                    None => json_timestamp(out, s.has_timestamp.then_some(s.timestamp)),
                });
            } else {
                out.push_str("null");
            }
            out.push(',');
            if samples.iter().any(|s| !s.exemplar.is_null()) {
                array(out, samples, |out, s| {
                    match (self.exemplar_of(s), self.parsed_of(s)) {
                        (
                            Some(exemplar),
                            Some(ParsedNumbers {
                                exemplar: Some((value, timestamp)),
                                ..
                            }),
                        ) => {
                            out.push('[');
                            self.json_labels(out, exemplar.labels, exemplar.n_labels);
                            out.push(',');
                            json_parsed_number(out, value);
                            out.push(',');
                            json_parsed_timestamp(out, timestamp.as_ref());
                            out.push(']');
                        }
                        (exemplar, _) => self.json_exemplar(out, exemplar),
                    }
                });
            } else {
                out.push_str("null");
            }
        })
    }

    /// An array of `[name, help, unit, type, ...]`, `samples` writing the rest of each family;
    /// `per_sample` is a guess of the bytes a sample takes besides its strings.
    fn json_families(
        &self,
        per_sample: usize,
        mut samples: impl FnMut(&mut String, &[pe_snapshot_sample]),
    ) -> String {
        let n_samples = self
            .families
            .iter()
            .map(|family| family.n_samples)
            .sum::<usize>();
        let mut out = String::with_capacity(self.text().len() * 2 + n_samples * per_sample);
        array(
            &mut out,
            &self.families,
            |out, family: &pe_snapshot_family| {
                out.push('[');
                self.json_str(out, family.name, family.name_len);
                out.push(',');
                self.json_str(out, family.help, family.help_len);
                out.push(',');
                self.json_str(out, family.unit, family.unit_len);
                out.push(',');
                out.push_str(itoa::Buffer::new().format(family.kind as u32));
                out.push(',');
                samples(out, self.samples_of(family));
                out.push(']');
            },
        );
        out
    }

    fn json_str(&self, out: &mut String, ptr: *const std::ffi::c_char, len: usize) {
        json_string(out, self.str(ptr, len));
    }

    fn json_labels(&self, out: &mut String, labels: *const pe_snapshot_label, n: usize) {
        out.push('{');
        for (i, label) in self.labels_at(labels, n).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.json_str(out, label.name, label.name_len);
            out.push(':');
            self.json_str(out, label.value, label.value_len);
        }
        out.push('}');
    }

    /// `null`, or `[labels, value, timestamp]`.
    fn json_exemplar(&self, out: &mut String, exemplar: Option<&pe_snapshot_exemplar>) {
        match exemplar {
            None => out.push_str("null"),
            Some(exemplar) => {
                out.push('[');
                self.json_observation(
                    out,
                    (exemplar.labels, exemplar.n_labels),
                    exemplar.value,
                    exemplar.has_timestamp.then_some(exemplar.timestamp),
                );
                out.push(']');
            }
        }
    }

    /// `labels,value,timestamp`, what a sample and an exemplar both hold.
    fn json_observation(
        &self,
        out: &mut String,
        (labels, n_labels): (*const pe_snapshot_label, usize),
        value: f64,
        timestamp: Option<f64>,
    ) {
        self.json_labels(out, labels, n_labels);
        out.push(',');
        json_number(out, value);
        out.push(',');
        json_timestamp(out, timestamp);
    }
}

/// `[each(items[0]),each(items[1]),...]`.
fn array<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

/// Appends `s` as a JSON string: quotes, backslashes and control characters escaped, the rest as
/// is (UTF-8).
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    while let Some(at) = rest
        .bytes()
        .position(|b| b == b'"' || b == b'\\' || b < b' ')
    {
        out.push_str(&rest[..at]);
        match rest.as_bytes()[at] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c => {
                let _ = write!(out, "\\u{:04x}", c);
            }
        }
        // An ASCII byte: the next character starts right after it.
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

/// Appends a finite `value` as the shortest JSON number that reads back as the same double (what
/// ryu writes: `1.0`, `0.1`, `1e21`, found faster for integers and whole microseconds), and a
/// non-finite one as the string `"NaN"`, `"+Inf"` or `"-Inf"` (JSON has no such numbers).
fn json_number(out: &mut String, value: f64) {
    let integer = value as i64;
    if integer as f64 == value && value.abs() < 1e15 && (integer != 0 || value.is_sign_positive()) {
        out.push_str(itoa::Buffer::new().format(integer));
        out.push_str(".0");
    } else if value.is_finite() {
        if !push_micros(out, value) {
            out.push_str(ryu::Buffer::new().format_finite(value));
        }
    } else if value.is_nan() {
        out.push_str("\"NaN\"");
    } else if value > 0.0 {
        out.push_str("\"+Inf\"");
    } else {
        out.push_str("\"-Inf\"");
    }
}

/// A parsed value as written: an integer as its exact digits (a JSON integer of any size), any
/// other value as [`json_number`] writes it (always with a fraction or an exponent).
fn json_parsed_number(out: &mut String, value: &Number) {
    match value {
        Number::Int(int) => int.push_decimal(out),
        Number::Float(value) => json_number(out, *value),
    }
}

/// A parsed timestamp: `null`, seconds as a float, or `[seconds, nanoseconds]` for an OpenMetrics
/// timestamp kept exact (client_python's `Timestamp(sec, nsec)`, nanoseconds as written).
fn json_parsed_timestamp(out: &mut String, timestamp: Option<&Timestamp>) {
    match timestamp {
        None => out.push_str("null"),
        Some(Timestamp::Seconds(seconds)) => json_number(out, *seconds),
        Some(Timestamp::Exact { sec, nsec }) => {
            out.push('[');
            sec.push_decimal(out);
            out.push(',');
            out.push_str(itoa::Buffer::new().format(*nsec));
            out.push(']');
        }
    }
}

fn json_timestamp(out: &mut String, seconds: Option<f64>) {
    match seconds {
        Some(seconds) => json_number(out, seconds),
        None => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::snapshot::store::tests::registry;

    #[test]
    fn json_strings_escape_what_json_requires() {
        let mut out = String::new();
        json_string(&mut out, "a\"b\\c\nd\te\u{1}f é");
        assert_eq!(out, r#""a\"b\\c\nd\te\u0001f é""#);
    }

    #[test]
    fn json_numbers_read_back_exactly() {
        let mut out = String::new();
        for value in [
            1.0,
            0.1,
            -2.5e-300,
            1e21,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            json_number(&mut out, value);
            out.push(' ');
        }
        assert_eq!(out, r#"1.0 0.1 -2.5e-300 1e21 "NaN" "+Inf" "-Inf" "#);
    }

    #[test]
    fn json_numbers_are_what_ryu_writes() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut values = vec![
            0.0,
            -0.0,
            1e15,
            -1e15,
            1e15 - 1.0,
            2f64.powi(33),
            1e-3,
            5e-324,
        ];
        for _ in 0..20_000 {
            values.push(rng.random_range(-1e6..1e6));
            values.push((rng.random_range(-1e16..1e16_f64)).round());
            values.push((rng.random_range(0.0..1e10_f64) * 1e6).round() / 1e6);
            values.push(f64::from_bits(rng.random()));
        }
        for value in values.into_iter().filter(|v| v.is_finite()) {
            let mut out = String::new();
            json_number(&mut out, value);
            assert_eq!(out, ryu::Buffer::new().format_finite(value), "{value:e}");
        }
    }

    /// The columns document is the rows document transposed.
    #[test]
    fn columns_hold_the_rows_transposed() {
        let snapshot = Snapshot::collect(&registry(), |_, _| true);
        let parse = |text: String| -> serde_json::Value { serde_json::from_str(&text).unwrap() };
        let rows = parse(snapshot.to_json());
        let columns = parse(snapshot.to_json_columns());
        let (rows, columns) = (rows.as_array().unwrap(), columns.as_array().unwrap());
        assert_eq!(rows.len(), columns.len());
        let mut seen_timestamps = false;
        let mut seen_exemplars = false;
        for (row, column) in rows.iter().zip(columns) {
            assert_eq!(
                row.as_array().unwrap()[..4],
                column.as_array().unwrap()[..4]
            );
            let samples = row[4].as_array().unwrap();
            for field in 0..5 {
                let values = &column[4 + field];
                if values.is_null() {
                    assert!(samples.iter().all(|s| s[field].is_null()), "{field}");
                    continue;
                }
                seen_timestamps |= field == 3;
                seen_exemplars |= field == 4;
                let values = values.as_array().unwrap();
                assert_eq!(values.len(), samples.len());
                for (sample, value) in samples.iter().zip(values) {
                    assert_eq!(&sample[field], value);
                }
            }
        }
        assert!(seen_timestamps && seen_exemplars);
    }
}
