//! Prometheus text format 0.0.4, read as client_python's `text_fd_to_metric_families` reads it.
//!
//! Lines are stripped; `# HELP` and `# TYPE` start a family (or describe the current one), other
//! comments are skipped; a sample whose name the current family does not allow is a family of
//! its own (`unknown`). A counter's family drops `_total` from its name, or adds it to its
//! samples. Values are read as Python reads them; a timestamp (the last token after the value;
//! tokens between are ignored, as client_python ignores them) is milliseconds, given in seconds.

use std::borrow::Cow;

use super::labels::parse_labels;
use super::lex::{
    ASCII_WHITESPACE, is_legacy_metric_name, lstrip, next_unquoted, split_quoted, strip, unescape,
    unquote_unescape, without_last_char,
};
use super::number::{parse_millis, parse_value};
use super::{Number, ParseError, ParsedFamily, ParsedSample, ParsedType, Timestamp, fail, lines};

/// The family being read.
struct Current<'a> {
    name: Cow<'a, str>,
    help: Cow<'a, str>,
    /// The `# TYPE` word as written (`untyped` until one is read).
    kind: &'a str,
    samples: Vec<ParsedSample>,
    /// The sample names the family takes: its name with these suffixes, or none at all.
    suffixes: Option<&'static [&'static str]>,
}

impl Current<'_> {
    fn allows(&self, sample: &str) -> bool {
        self.suffixes.is_some_and(|suffixes| {
            sample
                .strip_prefix(&*self.name)
                .is_some_and(|suffix| suffixes.contains(&suffix))
        })
    }
}

pub(super) fn parse(input: &str, out: &mut Vec<ParsedFamily>) -> Result<(), ParseError> {
    let mut current = Current {
        name: "".into(),
        help: "".into(),
        kind: "untyped",
        samples: Vec::new(),
        suffixes: None,
    };
    let mut last_line = 0;
    for (number, raw) in lines(input) {
        last_line = number;
        let line = strip(raw);
        let error = |message: String| ParseError {
            line: number,
            message,
        };
        if line.starts_with('#') {
            let parts = split_quoted(line, ASCII_WHITESPACE);
            if parts.len() < 2 {
                continue;
            }
            let mut candidate: Cow<'_, str> = "".into();
            if parts.len() > 2 {
                if parts[1] != "TYPE" && parts[1] != "HELP" {
                    continue;
                }
                let (name, quoted) = unquote_unescape(parts[2]).map_err(|e| error(e.into()))?;
                if !quoted && !is_legacy_metric_name(&name) {
                    return fail(number, format!("invalid metric name in line: {line}"));
                }
                candidate = name;
            }
            if parts[1] == "HELP" {
                if candidate != current.name {
                    finish(&mut current, out, number)?;
                    current.name = candidate;
                    current.kind = "untyped";
                    current.suffixes = Some(&[""]);
                }
                current.help = match parts.get(3) {
                    Some(help) if parts.len() == 4 => unescape(help, false),
                    _ => "".into(),
                };
            } else if parts[1] == "TYPE" {
                if parts.len() < 4 {
                    return fail(number, format!("invalid TYPE line: {line}"));
                }
                if candidate != current.name {
                    finish(&mut current, out, number)?;
                    current.name = candidate;
                    current.help = "".into();
                }
                current.kind = parts[3];
                current.suffixes = Some(match parts[3] {
                    "summary" => &["_count", "_sum", ""],
                    "histogram" => &["_count", "_sum", "_bucket"],
                    _ => &[""],
                });
            }
        } else if !line.is_empty() {
            let sample = parse_sample(line).map_err(error)?;
            if current.allows(&sample.name) {
                current.samples.push(sample);
            } else {
                finish(&mut current, out, number)?;
                current.name = "".into();
                current.help = "".into();
                current.kind = "untyped";
                current.suffixes = None;
                let name = sample.name.clone();
                out.push(build(name, String::new(), "untyped", vec![sample], number)?);
            }
        }
    }
    finish(&mut current, out, last_line)
}

/// Yields the current family, if it has a name, and empties it.
fn finish(
    current: &mut Current<'_>,
    out: &mut Vec<ParsedFamily>,
    line: usize,
) -> Result<(), ParseError> {
    let samples = std::mem::take(&mut current.samples);
    if current.name.is_empty() {
        return Ok(());
    }
    let family = build(
        current.name.to_string(),
        current.help.to_string(),
        current.kind,
        samples,
        line,
    )?;
    out.push(family);
    Ok(())
}

/// client_python's `build_metric`: a counter's name without `_total` (or its samples with it),
/// the type checked as `Metric` checks it.
fn build(
    mut name: String,
    help: String,
    kind: &str,
    mut samples: Vec<ParsedSample>,
    line: usize,
) -> Result<ParsedFamily, ParseError> {
    let Some(parsed) = ParsedType::from_name(kind) else {
        return fail(line, format!("Invalid metric type: {kind}"));
    };
    if kind == "counter" {
        if name.ends_with("_total") {
            name.truncate(name.len() - "_total".len());
        } else {
            for sample in &mut samples {
                sample.name.push_str("_total");
            }
        }
    }
    if name.is_empty() {
        return fail(line, "metric name cannot be empty");
    }
    Ok(ParsedFamily {
        name,
        help,
        kind: parsed,
        unit: String::new(),
        samples,
    })
}

/// client_python's `_parse_sample` for the text format.
fn parse_sample(text: &str) -> Result<ParsedSample, String> {
    let label_start = next_unquoted(text, 0, b"{");
    let Some(label_start) = label_start.filter(|&at| !text[..at].contains(" # ")) else {
        let (name, rest) = match next_unquoted(text, 0, b" \t") {
            Some(end) => (strip(&text[..end]), &text[end + 1..]),
            None => (strip(without_last_char(text)), text),
        };
        if !is_legacy_metric_name(name) {
            return Err(format!("invalid metric name:{text}"));
        }
        let (value, timestamp) = value_and_timestamp(rest)?;
        return Ok(sample(name.to_owned(), Vec::new(), value, timestamp));
    };
    let name = strip(&text[..label_start]);
    // Without a closing brace, the value would start with `{`: never a number.
    let label_end = next_unquoted(text, label_start, b"}")
        .ok_or_else(|| format!("Invalid labels: {}", &text[label_start + 1..]))?;
    let mut labels = parse_labels(&text[label_start + 1..label_end], false)?;
    let name = take_name(name, &mut labels)?;
    let (value, timestamp) = value_and_timestamp(&text[label_end + 1..])?;
    Ok(sample(name, labels, value, timestamp))
}

fn sample(
    name: String,
    labels: Vec<(String, String)>,
    value: Number,
    timestamp: Option<f64>,
) -> ParsedSample {
    ParsedSample {
        name,
        labels,
        value,
        timestamp: timestamp.map(Timestamp::Seconds),
        exemplar: None,
    }
}

/// The sample name: the one written before the braces, or the `__name__` label (removed), not
/// both.
pub(super) fn take_name(name: &str, labels: &mut Vec<(String, String)>) -> Result<String, String> {
    let position = labels.iter().position(|(n, _)| n == "__name__");
    match (name.is_empty(), position) {
        (true, Some(at)) => Ok(labels.remove(at).1),
        (true, None) => Err("metric name missing".into()),
        (false, Some(_)) => Err("metric name specified more than once".into()),
        (false, None) => Ok(name.to_owned()),
    }
}

/// client_python's `_parse_value_and_timestamp`: tokens split on spaces (on tabs when there is
/// no space), the first the value, the last (when more than one) the timestamp in milliseconds.
fn value_and_timestamp(text: &str) -> Result<(Number, Option<f64>), String> {
    let text = lstrip(text);
    let separator = if text.contains(' ') { ' ' } else { '\t' };
    let mut tokens = text.split(separator).map(strip).filter(|t| !t.is_empty());
    let Some(first) = tokens.next() else {
        return Err(format!("could not convert string to float: {text:?}"));
    };
    let value = parse_value(first)?;
    let timestamp = match tokens.next_back() {
        Some(last) => Some(parse_millis(last)?),
        None => None,
    };
    Ok((value, timestamp))
}

#[cfg(test)]
mod tests {
    use super::super::{Int, parse_text};
    use super::*;

    fn one(text: &str) -> ParsedFamily {
        let mut families = parse_text(text).unwrap();
        assert_eq!(families.len(), 1, "{families:?}");
        families.remove(0)
    }

    fn int(n: i64) -> Number {
        Number::Int(Int::Small(n))
    }

    fn names(families: &[ParsedFamily]) -> Vec<(String, &'static str, Vec<String>)> {
        families
            .iter()
            .map(|f| {
                let samples = f.samples.iter().map(|s| s.name.clone()).collect();
                (f.name.clone(), f.kind.as_str(), samples)
            })
            .collect()
    }

    #[test]
    fn a_counter_drops_total_from_its_name_or_adds_it_to_its_samples() {
        let family = one("# TYPE a_total counter\n# HELP a_total help\na_total 1\n");
        assert_eq!(
            (family.name.as_str(), family.kind),
            ("a", ParsedType::Counter)
        );
        assert_eq!(family.help, "help");
        assert_eq!(family.samples[0].name, "a_total");
        assert_eq!(family.samples[0].value, int(1));
        let family = one("# TYPE a counter\na 1.5\n");
        assert_eq!(family.name, "a");
        assert_eq!(family.samples[0].name, "a_total");
        assert_eq!(family.samples[0].value, Number::Float(1.5));
    }

    #[test]
    fn untyped_samples_are_families_of_their_own() {
        let families = parse_text("a 1\nb{x=\"y\"} 2\n# TYPE c untyped\nc 3\n").unwrap();
        assert_eq!(
            names(&families),
            [
                ("a".into(), "unknown", vec!["a".into()]),
                ("b".into(), "unknown", vec!["b".into()]),
                ("c".into(), "unknown", vec!["c".into()]),
            ]
        );
        assert_eq!(families[1].samples[0].labels, [("x".into(), "y".into())]);
    }

    #[test]
    fn histogram_and_summary_samples_group_by_suffix() {
        let text = "# TYPE h histogram\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 2\n\
                    h_sum 3\nh_count 2\nh 5\n# TYPE s summary\ns{quantile=\"0.5\"} 1\n\
                    s_sum 1\ns_count 1\ns_created 1\n";
        let families = parse_text(text).unwrap();
        assert_eq!(
            names(&families),
            [
                (
                    "h".into(),
                    "histogram",
                    vec![
                        "h_bucket".into(),
                        "h_bucket".into(),
                        "h_sum".into(),
                        "h_count".into()
                    ]
                ),
                ("h".into(), "unknown", vec!["h".into()]),
                (
                    "s".into(),
                    "summary",
                    vec!["s".into(), "s_sum".into(), "s_count".into()]
                ),
                ("s_created".into(), "unknown", vec!["s_created".into()]),
            ]
        );
    }

    #[test]
    fn help_unescapes_backslashes_and_newlines_only() {
        let family = one("# HELP a x\\\\y\\nz\\\"q \\t\na 1\n");
        assert_eq!(family.help, "x\\y\nz\\\"q \\t");
        assert_eq!(one("# HELP a\na 1\n").help, "");
        assert_eq!(one("# HELP a   two  words \na 1\n").help, "two  words");
    }

    #[test]
    fn timestamps_are_milliseconds_and_middle_tokens_are_ignored() {
        let family = one("a 1 1500\n");
        assert_eq!(family.samples[0].timestamp, Some(Timestamp::Seconds(1.5)));
        let family = one("a 1 whatever 2000\n");
        assert_eq!(family.samples[0].timestamp, Some(Timestamp::Seconds(2.0)));
        let family = one("a\t1\t2000\n");
        assert_eq!(family.samples[0].timestamp, Some(Timestamp::Seconds(2.0)));
        assert!(parse_text("a 1 x\n").is_err());
    }

    #[test]
    fn values_read_as_python_reads_them() {
        assert!(matches!(one("a NaN\n").samples[0].value, Number::Float(f) if f.is_nan()));
        assert_eq!(
            one("a +Inf\n").samples[0].value,
            Number::Float(f64::INFINITY)
        );
        assert_eq!(one("a -1e3\n").samples[0].value, Number::Float(-1000.0));
        assert_eq!(one("a 007\n").samples[0].value, int(7));
        assert!(parse_text("a 1_0\n").is_err());
        assert!(parse_text("a\n").is_err());
        assert!(parse_text("a \n").is_err());
    }

    #[test]
    fn utf8_names_are_read_quoted() {
        let family = one("# TYPE \"my.metric\" gauge\n{\"my.metric\", \"a.b\"=\"c\"} 1\n");
        assert_eq!(family.name, "my.metric");
        assert_eq!(family.samples[0].labels, [("a.b".into(), "c".into())]);
        let family = one("{\"my.metric\"} 1\n");
        assert_eq!(
            (family.name.as_str(), family.kind),
            ("my.metric", ParsedType::Unknown)
        );
    }

    #[test]
    fn comments_blank_lines_and_whitespace_are_skipped() {
        let families = parse_text("\n# foo\n#\n  # bar baz\n a 1 \n\n").unwrap();
        assert_eq!(
            names(&families),
            [("a".into(), "unknown", vec!["a".into()])]
        );
        assert_eq!(parse_text("").unwrap(), []);
    }

    #[test]
    fn bad_lines_are_refused_with_their_line_number() {
        for (text, line) in [
            ("a 1\nb{c=\"d\" 1\n", 2),
            ("a{c=d} 1\n", 1),
            ("# TYPE a\n", 1),
            ("# TYPE a foo\na 1\n", 2),
            ("# TYPE 1a gauge\n", 1),
            ("a{c=\"d\",c=\"e\"} 1\n", 1),
            ("a{__name__=\"b\"} 1\n", 1),
            ("{x=\"y\"} 1\n", 1),
            ("a{__x=\"y\"} 1\n", 1),
            ("1a 1\n", 1),
        ] {
            let error = parse_text(text).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
        }
    }

    #[test]
    fn families_before_an_error_are_kept() {
        let parsed = super::super::parse_partial("a 1\nb 2\nc{ 3\n", super::super::Grammar::Text);
        assert_eq!(parsed.families.len(), 2);
        assert_eq!(parsed.error.unwrap().line, 3);
    }

    #[test]
    fn lenient_lines_client_python_accepts() {
        // No space: the name is all but the last character, the value the whole line.
        let family = one("inf\n");
        assert_eq!(family.name, "in");
        assert_eq!(family.samples[0].value, Number::Float(f64::INFINITY));
        // A name before braces is not checked.
        assert_eq!(one("a-b{} 1\n").name, "a-b");
        // An exemplar-like tail: value first, timestamp last.
        let family = one("a 1 # {x=\"y\"} 2\n");
        assert_eq!(family.samples[0].timestamp, Some(Timestamp::Seconds(0.002)));
    }
}
