//! Parsers of Prometheus text format 0.0.4 and OpenMetrics 1.0 that read what client_python's
//! `prometheus_client.parser` and `prometheus_client.openmetrics.parser` read: the same families,
//! samples, values and timestamps, and the same accept/reject decisions, so that the Python
//! binding's parsers are drop-ins for them and C callers get client_python's reading too.
//!
//! client_python's parsers are lenient in some places (the text parser ignores what sits between
//! a value and the last token of a line) and strict in others (OpenMetrics histogram checks); the
//! rules are theirs, quirks included, and each is pinned by a test here. Numbers keep their form:
//! a value written as an integer is an [`Int`] (of any size, as Python's `int` is), anything else
//! a float; an OpenMetrics timestamp written as integer seconds, or with a fraction, keeps its
//! seconds and nanoseconds ([`Timestamp::Exact`], client_python's `Timestamp`).
//!
//! Both parsers read the text in one pass, line by line, over borrowed slices: no regular
//! expressions, and the only allocations are the strings and vectors of the result (and the
//! group sets the OpenMetrics checks need). Native histogram samples (OpenMetrics text with a
//! `{count:…,sum:…}` value, an experimental client_python feature) are refused with an error.
//!
//! Files: `lex` (client_python's quote-aware scanning, escapes, names), `number` (Python's
//! `int`/`float` syntax, timestamps), `labels` (label sets), `text` (the 0.0.4 grammar),
//! `openmetrics` (the OpenMetrics grammar and its checks), `group` (what its checks compare),
//! `histogram` (the histogram checks).

mod group;
mod histogram;
mod labels;
mod lex;
mod number;
mod openmetrics;
mod text;

use std::cmp::Ordering;
use std::fmt;

/// A family type as the parsers give it: OpenMetrics' types, gauge histograms included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParsedType {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    Unknown,
}

impl ParsedType {
    /// The type a `# TYPE` line names, as client_python's `Metric` accepts it (`untyped` is
    /// `unknown`); `None` for anything else.
    pub fn from_name(name: &str) -> Option<ParsedType> {
        Some(match name {
            "counter" => ParsedType::Counter,
            "gauge" => ParsedType::Gauge,
            "histogram" => ParsedType::Histogram,
            "gaugehistogram" => ParsedType::GaugeHistogram,
            "summary" => ParsedType::Summary,
            "info" => ParsedType::Info,
            "stateset" => ParsedType::StateSet,
            "unknown" | "untyped" => ParsedType::Unknown,
            _ => return None,
        })
    }

    /// client_python's name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            ParsedType::Counter => "counter",
            ParsedType::Gauge => "gauge",
            ParsedType::Histogram => "histogram",
            ParsedType::GaugeHistogram => "gaugehistogram",
            ParsedType::Summary => "summary",
            ParsedType::Info => "info",
            ParsedType::StateSet => "stateset",
            ParsedType::Unknown => "unknown",
        }
    }

    /// The snapshot type of the family; `None` for a gauge histogram, which has none.
    pub fn metric_type(self) -> Option<crate::snapshot::MetricType> {
        use crate::snapshot::MetricType;
        Some(match self {
            ParsedType::Counter => MetricType::Counter,
            ParsedType::Gauge => MetricType::Gauge,
            ParsedType::Histogram => MetricType::Histogram,
            ParsedType::GaugeHistogram => return None,
            ParsedType::Summary => MetricType::Summary,
            ParsedType::Info => MetricType::Info,
            ParsedType::StateSet => MetricType::StateSet,
            ParsedType::Unknown => MetricType::Unknown,
        })
    }
}

/// An integer as Python's `int` reads it: any size. Big ones keep their digits (normalised: a
/// `-` for negatives, no `+`, no leading zeros).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Int {
    Small(i64),
    Big(Box<str>),
}

impl Int {
    /// The nearest double (Python's `float(int)`, which overflows to infinity here).
    pub fn to_f64(&self) -> f64 {
        match self {
            Int::Small(n) => *n as f64,
            Int::Big(digits) => digits.parse().unwrap_or(f64::NAN),
        }
    }

    /// The decimal digits, normalised, written into `out`.
    pub fn push_decimal(&self, out: &mut String) {
        match self {
            Int::Small(n) => out.push_str(itoa::Buffer::new().format(*n)),
            Int::Big(digits) => out.push_str(digits),
        }
    }

    fn is_negative(&self) -> bool {
        match self {
            Int::Small(n) => *n < 0,
            Int::Big(digits) => digits.starts_with('-'),
        }
    }

    fn digits(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Int::Small(n) => itoa::Buffer::new()
                .format(n.unsigned_abs())
                .to_owned()
                .into(),
            Int::Big(digits) => digits.trim_start_matches('-').into(),
        }
    }
}

impl Ord for Int {
    fn cmp(&self, other: &Self) -> Ordering {
        if let (Int::Small(a), Int::Small(b)) = (self, other) {
            return a.cmp(b);
        }
        match (self.is_negative(), other.is_negative()) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (negative, _) => {
                let (a, b) = (self.digits(), other.digits());
                let magnitude = a.len().cmp(&b.len()).then_with(|| a.cmp(&b));
                if negative {
                    magnitude.reverse()
                } else {
                    magnitude
                }
            }
        }
    }
}

impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A sample or exemplar value as client_python's parsers give it: an `int` when the text is an
/// integer, a `float` otherwise.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(Int),
    Float(f64),
}

impl Number {
    /// The value as a double.
    pub fn to_f64(&self) -> f64 {
        match self {
            Number::Int(n) => n.to_f64(),
            Number::Float(f) => *f,
        }
    }

    /// Python's `isinstance(v, int) or v.is_integer()`.
    fn is_integral(&self) -> bool {
        match self {
            Number::Int(_) => true,
            Number::Float(f) => f.is_finite() && f.fract() == 0.0,
        }
    }
}

/// A sample or exemplar timestamp: seconds as a float (every text-format timestamp: milliseconds
/// divided by 1000), or, in OpenMetrics, client_python's `Timestamp(sec, nsec)` for integer
/// seconds or seconds with a fraction (`nsec` as written, its first nine digits: Python's
/// `Timestamp` negates it for negative seconds).
#[derive(Clone, Debug, PartialEq)]
pub enum Timestamp {
    Seconds(f64),
    Exact { sec: Int, nsec: i64 },
}

impl Timestamp {
    /// Seconds since the epoch (Python's `float(Timestamp)`).
    pub fn to_f64(&self) -> f64 {
        match self {
            Timestamp::Seconds(s) => *s,
            Timestamp::Exact { sec, nsec } => {
                let nsec = if sec.is_negative() { -*nsec } else { *nsec };
                sec.to_f64() + nsec as f64 / 1e9
            }
        }
    }

    /// `(sec, nsec)` as Python's `Timestamp` keeps them (nanoseconds negated for negative
    /// seconds), or `None` for a float.
    fn exact_key(&self) -> Option<(&Int, i64)> {
        match self {
            Timestamp::Seconds(_) => None,
            Timestamp::Exact { sec, nsec } => {
                Some((sec, if sec.is_negative() { -*nsec } else { *nsec }))
            }
        }
    }
}

/// An exemplar as read: labels in order, value, timestamp.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedExemplar {
    pub labels: Vec<(String, String)>,
    pub value: Number,
    pub timestamp: Option<Timestamp>,
}

/// One sample as client_python's `Sample`: the full name (suffix included), labels in the order
/// written, value, timestamp, exemplar.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: Number,
    pub timestamp: Option<Timestamp>,
    pub exemplar: Option<ParsedExemplar>,
}

/// One family as client_python's `Metric`: a counter's name without `_total`, help unescaped,
/// unit (`""` for none), samples in order.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedFamily {
    pub name: String,
    pub help: String,
    pub kind: ParsedType,
    pub unit: String,
    pub samples: Vec<ParsedSample>,
}

/// Why a text was refused: the line (1-based) and client_python's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// What a parse gives: the families read, and the error that stopped it, if any. client_python's
/// parsers are generators that yield each family when the next begins, so they hand out the
/// families before an error and then raise; `families` holds exactly those.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub families: Vec<ParsedFamily>,
    pub error: Option<ParseError>,
}

impl Parsed {
    /// The families, or the error.
    pub fn into_result(self) -> Result<Vec<ParsedFamily>, ParseError> {
        match self.error {
            None => Ok(self.families),
            Some(error) => Err(error),
        }
    }
}

/// Which grammar to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grammar {
    /// Prometheus text format 0.0.4 (and 1.0.0, whose quoted names client_python reads too).
    Text,
    /// OpenMetrics 1.0.
    OpenMetrics,
}

/// Reads Prometheus text format 0.0.4 as `prometheus_client.parser` does.
pub fn parse_text(input: &str) -> Result<Vec<ParsedFamily>, ParseError> {
    parse_partial(input, Grammar::Text).into_result()
}

/// Reads OpenMetrics 1.0 text as `prometheus_client.openmetrics.parser` does (`# EOF` required).
pub fn parse_openmetrics(input: &str) -> Result<Vec<ParsedFamily>, ParseError> {
    parse_partial(input, Grammar::OpenMetrics).into_result()
}

/// Reads `input` in `grammar`, keeping the families read before an error (see [`Parsed`]).
pub fn parse_partial(input: &str, grammar: Grammar) -> Parsed {
    let mut families = Vec::new();
    let error = match grammar {
        Grammar::Text => text::parse(input, &mut families),
        Grammar::OpenMetrics => openmetrics::parse(input, &mut families),
    }
    .err();
    Parsed { families, error }
}

/// An error at `line`.
pub(super) fn fail<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        message: message.into(),
    })
}

/// The lines of `input` as Python's `StringIO` iterates them: split after each `\n` (kept), the
/// last one without it when the text does not end in one.
pub(super) fn lines(input: &str) -> impl Iterator<Item = (usize, &str)> {
    input
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}
