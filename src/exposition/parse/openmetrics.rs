//! OpenMetrics 1.0 text, read as client_python's `openmetrics.parser.text_fd_to_metric_families`
//! reads it: `# EOF` last, no blank lines, metadata (`# HELP`, `# TYPE`, `# UNIT`, once each)
//! before a family's samples, samples of a family grouped and checked (suffixes by type, `le` and
//! `quantile` labels, integer counts, no negative or NaN counter-like values, exemplars only on
//! buckets and counter totals, timestamps not going backwards within a group), and each family
//! checked when it ends (name clashes, units, histograms).

use std::borrow::Cow;
use std::collections::HashSet;

use super::group::{GroupKey, char_suffix, is_negative, push_counted, same_timestamp};
use super::histogram::check_histogram;
use super::labels::parse_labels;
use super::lex::{
    after_first_char, is_legacy_metric_name, last_unquoted, next_unquoted, split_quoted, unescape,
    unquote_unescape, without_last_char,
};
use super::number::{is_uncanonical, parse_timestamp, parse_value, py_float};
use super::text::take_name;
use super::{
    Number, ParseError, ParsedExemplar, ParsedFamily, ParsedSample, ParsedType, Timestamp, fail,
    lines,
};

/// OpenMetrics exemplars may hold at most this many characters of label names and values.
const EXEMPLAR_MAX_CHARS: usize = 128;

/// The sample suffixes each type allows (any other type: none).
fn type_suffixes(kind: &str) -> &'static [&'static str] {
    match kind {
        "counter" => &["_total", "_created"],
        "summary" => &["", "_count", "_sum", "_created"],
        "histogram" => &["_count", "_sum", "_bucket", "_created"],
        "gaugehistogram" => &["_gcount", "_gsum", "_bucket"],
        "info" => &["_info"],
        _ => &[""],
    }
}

/// The sample names a family takes.
enum Allowed {
    Suffixes(&'static [&'static str]),
    /// A family started by a sample takes that sample's name only.
    Exactly(String),
}

/// The family being read.
struct Current<'a> {
    name: String,
    help: Option<Cow<'a, str>>,
    kind: Option<&'a str>,
    unit: Option<&'a str>,
    samples: Vec<ParsedSample>,
    allowed: Allowed,
    /// The current group and its timestamp, the groups seen, and the series seen in the current
    /// group (client_python drops a repeated series with the same timestamp).
    group: Option<String>,
    group_timestamp: Option<Timestamp>,
    seen_groups: HashSet<String>,
    group_series: HashSet<String>,
}

impl<'a> Current<'a> {
    fn new(name: String, allowed: Allowed) -> Self {
        Current {
            name,
            help: None,
            kind: None,
            unit: None,
            samples: Vec::new(),
            allowed,
            group: None,
            group_timestamp: None,
            seen_groups: HashSet::new(),
            group_series: HashSet::new(),
        }
    }

    fn allows(&self, sample: &str) -> bool {
        match &self.allowed {
            Allowed::Exactly(name) => name == sample,
            Allowed::Suffixes(suffixes) => sample
                .strip_prefix(self.name.as_str())
                .is_some_and(|suffix| suffixes.contains(&suffix)),
        }
    }
}

/// The state of a parse: the family being read and the names of those already read.
struct Parser<'a> {
    current: Option<Current<'a>>,
    seen_names: HashSet<String>,
    key: GroupKey,
    series: GroupKey,
}

pub(super) fn parse(input: &str, out: &mut Vec<ParsedFamily>) -> Result<(), ParseError> {
    let mut parser = Parser {
        current: None,
        seen_names: HashSet::new(),
        key: GroupKey::default(),
        series: GroupKey::default(),
    };
    let mut eof = false;
    let mut last_line = 0;
    for (number, raw) in lines(input) {
        last_line = number;
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        if eof {
            return fail(number, format!("Received line after # EOF: {line}"));
        }
        let result = if line.is_empty() {
            Err("Received blank line".to_owned())
        } else if line == "# EOF" {
            eof = true;
            Ok(())
        } else if line.starts_with('#') {
            parser.metadata(line, out)
        } else {
            parser.sample(line, out)
        };
        result.map_err(|message| ParseError {
            line: number,
            message,
        })?;
    }
    if let Some(current) = parser.current.take() {
        let family = parser.build(current).map_err(|message| ParseError {
            line: last_line,
            message,
        })?;
        out.push(family);
    }
    if !eof {
        return fail(last_line, "Missing # EOF at end");
    }
    Ok(())
}

impl<'a> Parser<'a> {
    /// Starts a new family, yielding the current one.
    fn start(
        &mut self,
        name: String,
        allowed: Allowed,
        out: &mut Vec<ParsedFamily>,
    ) -> Result<(), String> {
        if let Some(current) = self.current.take() {
            out.push(self.build(current)?);
        }
        self.current = Some(Current::new(name, allowed));
        Ok(())
    }

    fn metadata(&mut self, line: &'a str, out: &mut Vec<ParsedFamily>) -> Result<(), String> {
        let parts = split_quoted(line, b" ");
        if parts.len() < 4 {
            return Err(format!("Invalid line: {line}"));
        }
        let (candidate, quoted) = unquote_unescape(parts[2]).map_err(|e| format!("{e}: {line}"))?;
        if !quoted && !is_legacy_metric_name(&candidate) {
            return Err(format!("Invalid metric name: {line}"));
        }
        let same = self.current.as_ref().is_some_and(|c| *c.name == *candidate);
        if same && self.current.as_ref().is_some_and(|c| !c.samples.is_empty()) {
            return Err(format!("Received metadata after samples: {line}"));
        }
        if !same {
            self.start(candidate.into_owned(), Allowed::Suffixes(&[""]), out)?;
        }
        let current = self.current.as_mut().expect("a family was started");
        match parts[1] {
            "HELP" => {
                if current.help.is_some() {
                    return Err(format!("More than one HELP for metric: {line}"));
                }
                current.help = Some(unescape(parts[3], true));
            }
            "TYPE" => {
                if current.kind.is_some() {
                    return Err(format!("More than one TYPE for metric: {line}"));
                }
                if parts[3] == "untyped" {
                    return Err(format!("Invalid TYPE for metric: {line}"));
                }
                current.kind = Some(parts[3]);
                current.allowed = Allowed::Suffixes(type_suffixes(parts[3]));
            }
            "UNIT" => {
                if current.unit.is_some() {
                    return Err(format!("More than one UNIT for metric: {line}"));
                }
                current.unit = Some(parts[3]);
            }
            _ => return Err(format!("Invalid line: {line}")),
        }
        Ok(())
    }

    fn sample(&mut self, line: &'a str, out: &mut Vec<ParsedFamily>) -> Result<(), String> {
        let histogram = self
            .current
            .as_ref()
            .is_some_and(|c| c.kind == Some("histogram"));
        if histogram && is_native_histogram(line)? {
            return Err(format!(
                "native histogram samples are not supported: {line}"
            ));
        }
        let sample = parse_sample(line)?;
        if !self
            .current
            .as_ref()
            .is_some_and(|c| c.allows(&sample.name))
        {
            if let Some(current) = self.current.take() {
                out.push(self.build(current)?);
            }
            let (candidate, quoted) =
                unquote_unescape(&sample.name).map_err(|e| format!("{e}: {line}"))?;
            let candidate = candidate.into_owned();
            if !quoted && !is_legacy_metric_name(&candidate) {
                return Err(format!("Invalid metric name: {line}"));
            }
            let mut current = Current::new(candidate, Allowed::Exactly(sample.name.clone()));
            current.kind = Some("unknown");
            self.current = Some(current);
        }
        let current = self.current.as_mut().expect("a family was started");
        check_labels(current, &sample, line)?;
        let repeated = self.group(&sample, line)?;
        let current = self.current.as_mut().expect("a family was started");
        check_value(current, &sample, line)?;
        if !repeated {
            current.samples.push(sample);
        }
        Ok(())
    }

    /// client_python's grouping: a group (the labels, without `le`, `quantile` or the state
    /// label) seen before must not come back after another; within a group timestamps are all
    /// there or all missing and do not go backwards; a series repeated with the same timestamp
    /// is dropped (the result says whether `sample` is such a repeat).
    fn group(&mut self, sample: &ParsedSample, line: &str) -> Result<bool, String> {
        let current = self.current.as_mut().expect("a family was started");
        let kind = current.kind.unwrap_or("");
        let name = current.name.as_str();
        let own = sample.name == name;
        let bucket = sample.name.len() == name.len() + 7
            && sample.name.starts_with(name)
            && sample.name.ends_with("_bucket");
        match kind {
            "info" => self.key.set(std::iter::empty(), |_| false),
            "summary" if own => self.key.set(sample.labels.iter(), |n| n == "quantile"),
            "stateset" => self.key.set(sample.labels.iter(), |n| n == name),
            "histogram" | "gaugehistogram" if bucket => {
                self.key.set(sample.labels.iter(), |n| n == "le")
            }
            _ => self.key.set(sample.labels.iter(), |_| false),
        }
        let key = &self.key.text;
        let same_group = current.group.as_ref() == Some(key);
        if current.group.is_some() && !same_group && current.seen_groups.contains(key) {
            return Err(format!("Invalid metric grouping: {line}"));
        }
        if current.group.is_some() && same_group {
            let (before, now) = (current.group_timestamp.as_ref(), sample.timestamp.as_ref());
            if before.is_none() != now.is_none() {
                return Err(format!("Mix of timestamp presence within a group: {line}"));
            }
            if let (Some(before), Some(now)) = (before, now) {
                if went_backwards(before, now)? && kind != "info" {
                    return Err(format!("Timestamps went backwards within a group: {line}"));
                }
            }
        } else {
            current.group_series.clear();
        }
        self.series.set(sample.labels.iter(), |_| false);
        let mut name_key = String::new();
        push_counted(&mut name_key, &sample.name);
        self.series.text.insert_str(0, &name_key);
        let repeated = same_timestamp(sample.timestamp.as_ref(), current.group_timestamp.as_ref())
            && current.group_series.contains(&self.series.text);
        if !current.group_series.contains(&self.series.text) {
            current.group_series.insert(self.series.text.clone());
        }
        if !same_group {
            current.group = Some(key.clone());
        }
        current.group_timestamp = sample.timestamp.clone();
        if !current.seen_groups.contains(key) {
            current.seen_groups.insert(key.clone());
        }
        Ok(repeated)
    }

    /// client_python's `build_metric`: the names the family takes must be new, a unit must end
    /// its name (and info and state sets have none), histograms are checked, the type must be
    /// one `Metric` knows.
    fn build(&mut self, current: Current<'a>) -> Result<ParsedFamily, String> {
        let Current {
            name,
            help,
            kind,
            unit,
            samples,
            ..
        } = current;
        let kind = kind.unwrap_or("unknown");
        let mut suffixes: Vec<&str> = type_suffixes(kind).to_vec();
        if !suffixes.contains(&"") {
            suffixes.push("");
        }
        for suffix in suffixes {
            let full = format!("{name}{suffix}");
            if !self.seen_names.insert(full) {
                return Err(format!("Clashing name: {name}{suffix}"));
            }
        }
        let unit = unit.unwrap_or("");
        if !unit.is_empty() && !name.ends_with(&format!("_{unit}")) {
            return Err(format!("Unit does not match metric name: {name}"));
        }
        if !unit.is_empty() && matches!(kind, "info" | "stateset") {
            return Err(format!("Units not allowed for this metric type: {name}"));
        }
        if matches!(kind, "histogram" | "gaugehistogram") {
            check_histogram(&samples, &name)?;
        }
        if name.is_empty() {
            return Err("metric name cannot be empty".into());
        }
        let parsed = ParsedType::from_name(kind).ok_or(format!("Invalid metric type: {kind}"))?;
        Ok(ParsedFamily {
            name,
            help: help.map(Cow::into_owned).unwrap_or_default(),
            kind: parsed,
            unit: unit.to_owned(),
            samples,
        })
    }
}

/// Python's `a > b` between two timestamps; a `Timestamp` and a float do not compare (client_python
/// fails with an AttributeError).
fn went_backwards(before: &Timestamp, now: &Timestamp) -> Result<bool, String> {
    match (before, now) {
        (Timestamp::Seconds(a), Timestamp::Seconds(b)) => Ok(a > b),
        _ => match (before.exact_key(), now.exact_key()) {
            (Some((a_sec, a_nsec)), Some((b_sec, b_nsec))) => Ok(if a_sec == b_sec {
                a_nsec > b_nsec
            } else {
                a_sec > b_sec
            }),
            _ => Err("timestamps of different forms within a group".into()),
        },
    }
}

/// The checks on a sample's labels: the state label, `le`, `quantile`; integer bucket values
/// and counts.
fn check_labels(current: &Current<'_>, sample: &ParsedSample, line: &str) -> Result<(), String> {
    let name = current.name.as_str();
    let kind = current.kind.unwrap_or("");
    let label = |wanted: &str| {
        sample
            .labels
            .iter()
            .find(|(n, _)| n == wanted)
            .map(|(_, v)| v.as_str())
    };
    if kind == "stateset" && label(name).is_none() {
        return Err(format!("Stateset missing label: {line}"));
    }
    let suffix = sample.name.strip_prefix(name);
    if suffix == Some("_bucket") {
        let invalid = match label("le") {
            None | Some("NaN") => true,
            Some(le) => is_uncanonical(le)?,
        };
        if invalid {
            return Err(format!("Invalid le label: {line}"));
        }
        if !sample.value.is_integral() {
            return Err(format!("Bucket value must be an integer: {line}"));
        }
    }
    if matches!(suffix, Some("_count" | "_gcount")) && !sample.value.is_integral() {
        return Err(format!("Count value must be an integer: {line}"));
    }
    if kind == "summary" && sample.name == name {
        let invalid = match label("quantile") {
            None => true,
            Some(q) => {
                let value = py_float(q)
                    .ok_or_else(|| format!("could not convert string to float: {q:?}"))?;
                !(0.0..=1.0).contains(&value) || is_uncanonical(q)?
            }
        };
        if invalid {
            return Err(format!("Invalid quantile label: {line}"));
        }
    }
    Ok(())
}

/// The checks on a sample's value and exemplar.
fn check_value(current: &Current<'_>, sample: &ParsedSample, line: &str) -> Result<(), String> {
    let name = current.name.as_str();
    let kind = current.kind.unwrap_or("");
    let value = sample.value.to_f64();
    if kind == "stateset" && value != 0.0 && value != 1.0 {
        return Err(format!(
            "Stateset samples can only have values zero and one: {line}"
        ));
    }
    if kind == "info" && value != 1.0 {
        return Err(format!("Info samples can only have value one: {line}"));
    }
    if kind == "summary" && sample.name == name && is_negative(&sample.value) {
        return Err(format!("Quantile values cannot be negative: {line}"));
    }
    let suffix = char_suffix(&sample.name, name.chars().count());
    let counter_like = ["_total", "_sum", "_count", "_bucket", "_gcount", "_gsum"];
    if counter_like.contains(&suffix) && matches!(sample.value, Number::Float(f) if f.is_nan()) {
        return Err(format!("Counter-like samples cannot be NaN: {line}"));
    }
    if counter_like[..5].contains(&suffix) && is_negative(&sample.value) {
        return Err(format!("Counter-like samples cannot be negative: {line}"));
    }
    if sample.exemplar.is_some() {
        let bucket =
            matches!(kind, "histogram" | "gaugehistogram") && sample.name.ends_with("_bucket");
        let total = kind == "counter" && sample.name.ends_with("_total");
        if !(bucket || total) {
            return Err(format!(
                "Invalid line only histogram/gaugehistogram buckets and counters can have \
                 exemplars: {line}"
            ));
        }
    }
    Ok(())
}

/// client_python's `_parse_sample` for OpenMetrics.
fn parse_sample(text: &str) -> Result<ParsedSample, String> {
    let label_start = next_unquoted(text, 0, b"{");
    let Some(label_start) = label_start.filter(|&at| !text[..at].contains(" # ")) else {
        let (name, rest) = match next_unquoted(text, 0, b" ") {
            Some(end) => (&text[..end], &text[end + 1..]),
            None => (without_last_char(text), text),
        };
        if !is_legacy_metric_name(name) {
            return Err(format!("invalid metric name:{text}"));
        }
        let (value, timestamp, exemplar) = remaining_text(rest)?;
        return Ok(ParsedSample {
            name: name.to_owned(),
            labels: Vec::new(),
            value,
            timestamp,
            exemplar,
        });
    };
    let name = &text[..label_start];
    let label_end = next_unquoted(text, 0, b"}");
    let labels_text = slice(
        text,
        label_start + 1,
        label_end.unwrap_or(without_last_char(text).len()),
    );
    let mut labels = parse_labels(labels_text, true)?;
    let name = take_name(name, &mut labels)?;
    let rest = match label_end {
        Some(end) => after_first_char(&text[end + 1..]),
        None => after_first_char(text),
    };
    let (value, timestamp, exemplar) = remaining_text(rest)?;
    Ok(ParsedSample {
        name,
        labels,
        value,
        timestamp,
        exemplar,
    })
}

/// Python's `s[start:end]` on byte offsets at character boundaries.
fn slice(s: &str, start: usize, end: usize) -> &str {
    if end <= start { "" } else { &s[start..end] }
}

/// Where client_python's reading of what follows a sample's name and labels stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Timestamp,
    ExemplarHash,
    ExemplarSpace,
    ExemplarStartOfLabels,
    ExemplarParsedLabels,
    ExemplarValueSpace,
    ExemplarValue,
    ExemplarTimestamp,
}

/// client_python's `_parse_remaining_text`: the value, then an optional timestamp, then an
/// optional exemplar (` # {labels} value [timestamp]`).
fn remaining_text(
    text: &str,
) -> Result<(Number, Option<Timestamp>, Option<ParsedExemplar>), String> {
    let (first, rest) = match text.split_once(' ') {
        Some((first, rest)) => (first, Some(rest)),
        None => (text, None),
    };
    let value = parse_value(first)?;
    let Some(text) = rest else {
        return Ok((value, None, None));
    };
    let invalid = || format!("Invalid line: {text}");
    let mut state = State::Timestamp;
    let mut timestamp = String::new();
    let mut exemplar_value = String::new();
    let mut exemplar_timestamp = String::new();
    let mut exemplar_labels = None;
    let mut in_quotes = false;
    for c in text.chars() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if in_quotes {
            continue;
        }
        match state {
            State::Timestamp => match c {
                '#' if timestamp.is_empty() => state = State::ExemplarSpace,
                ' ' => state = State::ExemplarHash,
                _ => timestamp.push(c),
            },
            State::ExemplarHash if c == '#' => state = State::ExemplarSpace,
            State::ExemplarSpace if c == ' ' => state = State::ExemplarStartOfLabels,
            State::ExemplarStartOfLabels if c == '{' => {
                let start = next_unquoted(text, 0, b"{").map_or(0, |at| at + 1);
                let end = last_unquoted(text, b"}").unwrap_or(without_last_char(text).len());
                exemplar_labels = Some(parse_labels(slice(text, start, end), true)?);
                state = State::ExemplarParsedLabels;
            }
            State::ExemplarParsedLabels => {
                if c == '}' {
                    state = State::ExemplarValueSpace;
                }
            }
            State::ExemplarValueSpace if c == ' ' => state = State::ExemplarValue,
            State::ExemplarValue => match c {
                ' ' if exemplar_value.is_empty() => return Err(invalid()),
                ' ' => state = State::ExemplarTimestamp,
                _ => exemplar_value.push(c),
            },
            State::ExemplarTimestamp => exemplar_timestamp.push(c),
            _ => return Err(invalid()),
        }
    }
    match state {
        State::Timestamp if timestamp.is_empty() => return Err(invalid()),
        State::ExemplarTimestamp if exemplar_timestamp.is_empty() => return Err(invalid()),
        State::ExemplarHash
        | State::ExemplarSpace
        | State::ExemplarStartOfLabels
        | State::ExemplarParsedLabels => return Err(invalid()),
        _ => {}
    }
    let timestamp = parse_timestamp(&timestamp)?;
    let exemplar = match exemplar_labels {
        None => None,
        Some(labels) => {
            let chars: usize = labels
                .iter()
                .map(|(n, v)| n.chars().count() + v.chars().count())
                .sum();
            if chars > EXEMPLAR_MAX_CHARS {
                return Err(format!("Exemplar labels are too long: {text}"));
            }
            Some(ParsedExemplar {
                labels,
                value: parse_value(&exemplar_value)?,
                timestamp: parse_timestamp(&exemplar_timestamp)?,
            })
        }
    };
    Ok((value, timestamp, exemplar))
}

/// Whether client_python would read `text` as a native histogram sample (a second `{`, not
/// after an exemplar's `#`, after the name and labels); an error where it fails to.
fn is_native_histogram(text: &str) -> Result<bool, String> {
    let Some(mut i) = next_unquoted(text, 0, b" {") else {
        return Ok(false);
    };
    if text.as_bytes()[i] == b'{' {
        i = next_unquoted(text, i, b"}").ok_or_else(|| format!("Invalid line: {text}"))?;
    }
    let Some(value_start) = next_unquoted(text, i + 1, b"{") else {
        return Ok(false);
    };
    if next_unquoted(text, i + 1, b"#").is_some_and(|hash| hash < value_start) {
        return Ok(false);
    }
    next_unquoted(text, value_start, b"}").ok_or_else(|| format!("Invalid line: {text}"))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::super::{Grammar, Int, parse_openmetrics, parse_partial};
    use super::*;

    fn one(text: &str) -> ParsedFamily {
        let mut families = parse_openmetrics(text).unwrap();
        assert_eq!(families.len(), 1, "{families:?}");
        families.remove(0)
    }

    fn int(n: i64) -> Number {
        Number::Int(Int::Small(n))
    }

    fn exact(sec: i64, nsec: i64) -> Option<Timestamp> {
        Some(Timestamp::Exact {
            sec: Int::Small(sec),
            nsec,
        })
    }

    fn refused(text: &str) -> String {
        match parse_openmetrics(text) {
            Ok(families) => panic!("accepted {text:?}: {families:?}"),
            Err(error) => error.message,
        }
    }

    #[test]
    fn metadata_then_samples_then_eof() {
        let family = one(
            "# TYPE a_seconds counter\n# UNIT a_seconds seconds\n# HELP a_seconds x\\\"y\n\
             a_seconds_total 1\na_seconds_created 2.5\n# EOF\n",
        );
        assert_eq!(family.name, "a_seconds");
        assert_eq!(
            (family.kind, family.unit.as_str()),
            (ParsedType::Counter, "seconds")
        );
        assert_eq!(family.help, "x\"y");
        assert_eq!(family.samples[1].value, Number::Float(2.5));
        assert_eq!(parse_openmetrics("# EOF").unwrap(), []);
    }

    #[test]
    fn eof_is_required_and_last() {
        assert!(refused("a 1\n").contains("Missing # EOF"));
        assert!(refused("").contains("Missing # EOF"));
        assert!(refused("# EOF\na 1\n").contains("after # EOF"));
        assert!(refused("# EOF\n\n").contains("after # EOF"));
        assert!(refused("a 1\n\n# EOF\n").contains("blank line"));
    }

    #[test]
    fn timestamps_and_exemplars() {
        let family = one("# TYPE a counter\na_total 1 2.5 # {t=\"x\"} 0.5 3\n# EOF\n");
        let sample = &family.samples[0];
        assert_eq!(sample.timestamp, exact(2, 500_000_000));
        let exemplar = sample.exemplar.as_ref().unwrap();
        assert_eq!(exemplar.labels, [("t".into(), "x".into())]);
        assert_eq!(exemplar.value, Number::Float(0.5));
        assert_eq!(exemplar.timestamp, exact(3, 0));
        let family = one("# TYPE a counter\na_total 1 # {} 2\n# EOF\n");
        assert_eq!(family.samples[0].exemplar.as_ref().unwrap().value, int(2));
    }

    #[test]
    fn exemplars_only_on_buckets_and_totals() {
        assert!(refused("# TYPE a gauge\na 1 # {x=\"y\"} 1\n# EOF\n").contains("exemplars"));
        assert!(
            refused("# TYPE a counter\na_created 1 # {x=\"y\"} 1\n# EOF\n").contains("exemplars")
        );
        let long = format!(
            "# TYPE a counter\na_total 1 # {{x=\"{}\"}} 1\n# EOF\n",
            "y".repeat(128)
        );
        assert!(refused(&long).contains("too long"));
        for bad in [
            "# {x=\"y\"}",
            "# {x=\"y\"} ",
            "#{x=\"y\"} 1",
            "# x 1",
            "# {x=\"y\"} 1 ",
        ] {
            let text = format!("# TYPE a counter\na_total 1 {bad}\n# EOF\n");
            assert!(parse_openmetrics(&text).is_err(), "{bad}");
        }
    }

    #[test]
    fn samples_group_into_families_by_type_suffixes() {
        let families = parse_openmetrics(
            "# TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 1\ng_gcount 1\ng_gsum 1\n\
             # TYPE i info\ni_info{v=\"1\"} 1\n# TYPE s stateset\ns{s=\"a\"} 1\ns{s=\"b\"} 0\n\
             x 1\n# EOF\n",
        )
        .unwrap();
        let kinds: Vec<_> = families.iter().map(|f| (f.name.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("g", ParsedType::GaugeHistogram),
                ("i", ParsedType::Info),
                ("s", ParsedType::StateSet),
                ("x", ParsedType::Unknown)
            ]
        );
    }

    #[test]
    fn metadata_rules() {
        assert!(refused("# HELP a x\n# HELP a y\n# EOF\n").contains("More than one HELP"));
        assert!(refused("# TYPE a gauge\n# TYPE a gauge\n# EOF\n").contains("More than one TYPE"));
        assert!(refused("# TYPE a untyped\n# EOF\n").contains("Invalid TYPE"));
        assert!(refused("# TYPE a meh\n# EOF\n").contains("Invalid metric type"));
        assert!(refused("# TYPE a gauge\na 1\n# HELP a x\n# EOF\n").contains("after samples"));
        assert!(refused("# UNIT a s\n# EOF\n").contains("Unit does not match"));
        assert!(refused("# TYPE a_s info\n# UNIT a_s s\n# EOF\n").contains("Units not allowed"));
        assert!(refused("# HELP a\n# EOF\n").contains("Invalid line"));
        assert!(refused("# FOO a b\n# EOF\n").contains("Invalid line"));
        assert!(refused("a 1\nb 1\na 1\n# EOF\n").contains("Clashing name"));
    }

    #[test]
    fn label_and_value_checks() {
        for (text, message) in [
            (
                "# TYPE h histogram\nh_bucket 1\n# EOF\n",
                "Invalid le label",
            ),
            (
                "# TYPE h histogram\nh_bucket{le=\"Inf\"} 1\n# EOF\n",
                "Invalid le label",
            ),
            (
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1.5\n# EOF\n",
                "must be an integer",
            ),
            (
                "# TYPE h histogram\nh_count 1.5\n# EOF\n",
                "must be an integer",
            ),
            (
                "# TYPE s summary\ns{quantile=\"2\"} 1\n# EOF\n",
                "Invalid quantile",
            ),
            (
                "# TYPE s summary\ns{quantile=\"0.5\"} -1\n# EOF\n",
                "cannot be negative",
            ),
            ("# TYPE s stateset\ns 1\n# EOF\n", "Stateset missing label"),
            ("# TYPE s stateset\ns{s=\"a\"} 2\n# EOF\n", "zero and one"),
            ("# TYPE i info\ni_info 2\n# EOF\n", "value one"),
            ("# TYPE c counter\nc_total NaN\n# EOF\n", "cannot be NaN"),
            (
                "# TYPE c counter\nc_total -1\n# EOF\n",
                "cannot be negative",
            ),
        ] {
            assert!(
                refused(text).contains(message),
                "{text:?}: {}",
                refused(text)
            );
        }
    }

    #[test]
    fn histogram_checks() {
        for (body, message) in [
            ("h_bucket{le=\"1.0\"} 1\n", "+Inf bucket missing"),
            (
                "h_bucket{le=\"2.0\"} 1\nh_bucket{le=\"1.0\"} 1\n",
                "Buckets out of order",
            ),
            (
                "h_bucket{le=\"1.0\"} 2\nh_bucket{le=\"+Inf\"} 1\n",
                "Bucket values out of order",
            ),
            (
                "h_bucket{le=\"+Inf\"} 1\nh_count 2\nh_sum 1\n",
                "Count does not match",
            ),
            (
                "h_bucket{le=\"+Inf\"} 1\nh_sum 1\n",
                "_count must be present",
            ),
            (
                "h_bucket{le=\"+Inf\"} 1\nh_count 1\n",
                "_sum/_gsum must be present",
            ),
            (
                "h_bucket{le=\"-1.0\"} 0\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n",
                "negative buckets",
            ),
        ] {
            let text = format!("# TYPE h histogram\n{body}# EOF\n");
            assert!(
                refused(&text).contains(message),
                "{body:?}: {}",
                refused(&text)
            );
        }
        let text =
            "# TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 1\ng_gcount 1\ng_gsum -1\n# EOF\n";
        assert!(refused(text).contains("negative _gsum"));
        // Each label set and timestamp is its own group.
        one(
            "# TYPE h histogram\nh_bucket{a=\"1\",le=\"+Inf\"} 1\nh_bucket{a=\"2\",le=\"+Inf\"} 0\n# EOF\n",
        );
    }

    #[test]
    fn grouping_and_timestamps_within_a_group() {
        assert!(refused("a{x=\"1\"} 1\na{x=\"2\"} 1\na{x=\"1\"} 1\n# EOF\n").contains("grouping"));
        assert!(refused("a 1 1\na 1\n# EOF\n").contains("timestamp presence"));
        assert!(refused("a 1 2\na 1 1\n# EOF\n").contains("backwards"));
        assert!(parse_openmetrics("a 1 1\na 1 1.5e0\n# EOF\n").is_err());
        // A repeated series with the same timestamp (to the nanosecond) is dropped.
        let family = one("a 1 1.0000000001\na 2 1.00000000011\na 3 2\n# EOF\n");
        assert_eq!(family.samples.len(), 2);
        // Info samples may go back in time.
        one("# TYPE i info\ni_info 1 2\ni_info 1 1\n# EOF\n");
    }

    #[test]
    fn utf8_names_need_metadata() {
        let family = one("# TYPE \"a.b\" gauge\n{\"a.b\",\"c.d\"=\"e\"} 1\n# EOF\n");
        assert_eq!(family.name, "a.b");
        assert_eq!(family.samples[0].labels, [("c.d".into(), "e".into())]);
        assert!(parse_openmetrics("{\"a.b\"} 1\n# EOF\n").is_err());
    }

    #[test]
    fn strict_spacing_and_values() {
        for bad in [
            "a  1",
            "a 1 ",
            "a 1\t",
            "a 0x1",
            "a 1_0",
            "a 1 NaN",
            "a 1 +Inf",
            "a{b=\"c\",} 1",
        ] {
            assert!(
                parse_openmetrics(&format!("{bad}\n# EOF\n")).is_err(),
                "{bad:?}"
            );
        }
        // One character after the braces is skipped, whatever it is.
        assert_eq!(one("a{b=\"c\"}x1\n# EOF\n").samples[0].value, int(1));
    }

    #[test]
    fn native_histograms_are_refused() {
        let text =
            "# TYPE h histogram\nh {count:1,sum:1,schema:0,zero_threshold:0,zero_count:0}\n# EOF\n";
        assert!(refused(text).contains("native histogram"));
    }

    #[test]
    fn families_before_an_error_are_kept_and_the_line_named() {
        let parsed = parse_partial("a 1\nb 1\nb{ 1\n# EOF\n", Grammar::OpenMetrics);
        assert_eq!(parsed.families.len(), 1);
        assert_eq!(parsed.error.unwrap().line, 3);
    }
}
