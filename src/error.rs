//! The one error type of the core. Every rule the engine enforces fails with a variant here, so the
//! C layer can map each to a status and the bindings to their own exceptions.

use std::fmt;

/// What went wrong, with enough context to write a useful message.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An empty metric name, or under legacy validation one that is not
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    InvalidMetricName { name: String, reason: &'static str },
    /// An empty label name, under legacy validation one that is not `[a-zA-Z_][a-zA-Z0-9_]*`, or
    /// a reserved one (`__` prefix, `le` on a histogram, `quantile` on a summary, the metric's
    /// own name on a state set).
    InvalidLabelName { name: String, reason: &'static str },
    /// The same label name twice in one label set.
    DuplicateLabelName(String),
    /// A family was given the wrong number of label values.
    LabelCount { expected: usize, got: usize },
    /// A value the operation cannot take: a negative or NaN increment, a NaN observation.
    InvalidValue(String),
    /// Histogram buckets that are empty, unsorted, repeated or NaN; summary objectives out of range.
    InvalidConfig(String),
    /// Exemplar labels over OpenMetrics' 128-character limit, or invalid.
    InvalidExemplar(String),
    /// A collector whose sample names clash with one already registered.
    AlreadyRegistered(String),
    /// Unregistering a collector that the registry does not hold.
    NotRegistered(String),
    /// A state that a state set does not have.
    UnknownState(String),
    /// A new label set offered to a family at its `max_series` with `Overflow::Refuse`.
    Cardinality { family: String, max: usize },
    /// A shared store that cannot be used: corrupt, of another layout version, full, or
    /// holding as many live processes as it can.
    Store(String),
    /// A file or directory the library could not use (a shared store's).
    Io(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidMetricName { name, reason } => {
                write!(f, "invalid metric name {name:?}: {reason}")
            }
            Error::InvalidLabelName { name, reason } => {
                write!(f, "invalid label name {name:?}: {reason}")
            }
            Error::DuplicateLabelName(name) => write!(f, "duplicate label name {name:?}"),
            Error::LabelCount { expected, got } => write!(
                f,
                "wrong number of label values: expected {expected}, got {got}"
            ),
            Error::InvalidValue(msg) => write!(f, "invalid value: {msg}"),
            Error::InvalidConfig(msg) => write!(f, "invalid configuration: {msg}"),
            Error::InvalidExemplar(msg) => write!(f, "invalid exemplar: {msg}"),
            Error::AlreadyRegistered(name) => write!(
                f,
                "duplicate registration: a collector already provides the sample name {name:?}"
            ),
            Error::NotRegistered(what) => write!(f, "not registered: {what}"),
            Error::UnknownState(state) => write!(f, "unknown state {state:?}"),
            Error::Store(msg) => write!(f, "shared store: {msg}"),
            Error::Io(msg) => write!(f, "{msg}"),
            Error::Cardinality { family, max } => write!(
                f,
                "family {family:?} holds its max_series of {max} series: new label sets are refused"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;
