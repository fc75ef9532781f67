//! The integer codes of the C ABI besides statuses: metric types and exposition formats, as C
//! passes them (any integer, checked here) and as the core knows them.

use std::ffi::c_uint;

use super::status::{Failure, FfiResult, pe_status};
use crate::exposition::parse::ParsedType;
use crate::exposition::{Escaping, Format};
use crate::metric_type::MetricType;
use crate::name::NameValidation;

/// The type of a metric family.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_metric_type {
    PE_METRIC_COUNTER = 0,
    PE_METRIC_GAUGE = 1,
    PE_METRIC_HISTOGRAM = 2,
    PE_METRIC_SUMMARY = 3,
    PE_METRIC_INFO = 4,
    /// An enum (OpenMetrics state set).
    PE_METRIC_STATESET = 5,
    PE_METRIC_UNKNOWN = 6,
    /// A gauge histogram (OpenMetrics): only in snapshots of a parsed text
    /// (`pe_parse_exposition()`), never accepted as an argument.
    PE_METRIC_GAUGE_HISTOGRAM = 7,
}

/// A `pe_metric_type` as received from C: any integer (see `RawStatus`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct RawMetricType(pub c_uint);

impl From<MetricType> for pe_metric_type {
    fn from(kind: MetricType) -> Self {
        match kind {
            MetricType::Counter => pe_metric_type::PE_METRIC_COUNTER,
            MetricType::Gauge => pe_metric_type::PE_METRIC_GAUGE,
            MetricType::Histogram => pe_metric_type::PE_METRIC_HISTOGRAM,
            MetricType::Summary => pe_metric_type::PE_METRIC_SUMMARY,
            MetricType::Info => pe_metric_type::PE_METRIC_INFO,
            MetricType::StateSet => pe_metric_type::PE_METRIC_STATESET,
            MetricType::Unknown => pe_metric_type::PE_METRIC_UNKNOWN,
        }
    }
}

impl From<ParsedType> for pe_metric_type {
    fn from(kind: ParsedType) -> Self {
        match kind.metric_type() {
            Some(kind) => kind.into(),
            None => pe_metric_type::PE_METRIC_GAUGE_HISTOGRAM,
        }
    }
}

/// The core type a C metric type value names.
pub(crate) fn metric_type_arg(kind: RawMetricType) -> FfiResult<MetricType> {
    Ok(match kind.0 {
        0 => MetricType::Counter,
        1 => MetricType::Gauge,
        2 => MetricType::Histogram,
        3 => MetricType::Summary,
        4 => MetricType::Info,
        5 => MetricType::StateSet,
        6 => MetricType::Unknown,
        other => {
            return Err(Failure::new(
                pe_status::PE_ERR_INVALID_VALUE,
                format!("unknown pe_metric_type {other}"),
            ));
        }
    })
}

/// An exposition format.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_format {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4; charset=utf-8`).
    PE_FORMAT_PROMETHEUS = 0,
    /// OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0; charset=utf-8`).
    PE_FORMAT_OPENMETRICS = 1,
    /// OpenMetrics 2.0 text, experimental (`application/openmetrics-text; version=2.0.0;
    /// charset=utf-8`): native histograms as composite values, start times as `st@`.
    PE_FORMAT_OPENMETRICS_2 = 2,
    /// Protobuf, binary (`application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;
    /// encoding=delimited`): length-delimited client_model `MetricFamily` messages. Its bytes may
    /// hold NULs: take the length from the call, not from `strlen`.
    PE_FORMAT_PROTOBUF = 3,
    /// Prometheus text format 1.0.0 (`text/plain; version=1.0.0; charset=utf-8`): the lines of
    /// 0.0.4, with names outside the legacy character set quoted under
    /// `PE_ESCAPING_ALLOW_UTF8` (`{"app.requests_total",method="GET"} 1`).
    PE_FORMAT_PROMETHEUS_1 = 4,
}

impl From<Format> for pe_format {
    fn from(format: Format) -> Self {
        match format {
            Format::Prometheus => pe_format::PE_FORMAT_PROMETHEUS,
            Format::OpenMetrics => pe_format::PE_FORMAT_OPENMETRICS,
            Format::OpenMetrics2 => pe_format::PE_FORMAT_OPENMETRICS_2,
            Format::Protobuf => pe_format::PE_FORMAT_PROTOBUF,
            Format::PrometheusV1 => pe_format::PE_FORMAT_PROMETHEUS_1,
        }
    }
}

/// A `pe_format` as received from C: any integer (see `RawStatus`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct RawFormat(pub c_uint);

pub(crate) fn format_arg(format: RawFormat) -> FfiResult<Format> {
    match format.0 {
        0 => Ok(Format::Prometheus),
        1 => Ok(Format::OpenMetrics),
        2 => Ok(Format::OpenMetrics2),
        3 => Ok(Format::Protobuf),
        4 => Ok(Format::PrometheusV1),
        other => Err(Failure::new(
            pe_status::PE_ERR_INVALID_VALUE,
            format!("unknown pe_format {other}"),
        )),
    }
}

/// How metric and label names outside the legacy character set (`[a-zA-Z_:][a-zA-Z0-9_:]*`,
/// labels without `:`) are written: what a scraper names with the `escaping` parameter of its
/// `Accept` header. Expositions write legacy names as they are under every scheme, and a sample
/// suffix (`_bucket`) after the rewritten family name, as client_golang's encoder does.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_escaping {
    /// `allow-utf-8`: as they are, quoted in the text formats (`{"http.server.duration"}`).
    PE_ESCAPING_ALLOW_UTF8 = 0,
    /// `underscores`: each character outside the set becomes `_` (`http_server_duration`). The
    /// default of every format but OpenMetrics 2.0.
    PE_ESCAPING_UNDERSCORES = 1,
    /// `dots`: `.` becomes `_dot_`, `_` becomes `__`, any other character outside the set `__`
    /// (`http_dot_server__duration`).
    PE_ESCAPING_DOTS = 2,
    /// `values`: `U__`, then `_` doubled and other characters outside the set as
    /// `_<hex code point>_` (`U__http_2e_server`).
    PE_ESCAPING_VALUES = 3,
}

impl From<Escaping> for pe_escaping {
    fn from(escaping: Escaping) -> Self {
        match escaping {
            Escaping::AllowUtf8 => pe_escaping::PE_ESCAPING_ALLOW_UTF8,
            Escaping::Underscores => pe_escaping::PE_ESCAPING_UNDERSCORES,
            Escaping::Dots => pe_escaping::PE_ESCAPING_DOTS,
            Escaping::Values => pe_escaping::PE_ESCAPING_VALUES,
        }
    }
}

/// A `pe_escaping` as received from C: any integer (see `RawStatus`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct RawEscaping(pub c_uint);

pub(crate) fn escaping_arg(escaping: RawEscaping) -> FfiResult<Escaping> {
    match escaping.0 {
        0 => Ok(Escaping::AllowUtf8),
        1 => Ok(Escaping::Underscores),
        2 => Ok(Escaping::Dots),
        3 => Ok(Escaping::Values),
        other => Err(Failure::new(
            pe_status::PE_ERR_INVALID_VALUE,
            format!("unknown pe_escaping {other}"),
        )),
    }
}

/// Which metric and label names are valid.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_name_validation {
    /// Any non-empty UTF-8 name (label names outside the reserved `__` prefix). The default.
    PE_NAME_VALIDATION_UTF8 = 0,
    /// The classic sets: `[a-zA-Z_:][a-zA-Z0-9_:]*` for metrics, `[a-zA-Z_][a-zA-Z0-9_]*` for
    /// labels.
    PE_NAME_VALIDATION_LEGACY = 1,
    /// For a registry only: follow the process-wide setting (`pe_set_name_validation()`).
    PE_NAME_VALIDATION_DEFAULT = 2,
}

/// A `pe_name_validation` as received from C: any integer (see `RawStatus`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct RawNameValidation(pub c_uint);

/// The scheme, `None` for `PE_NAME_VALIDATION_DEFAULT`.
pub(crate) fn name_validation_arg(scheme: RawNameValidation) -> FfiResult<Option<NameValidation>> {
    match scheme.0 {
        0 => Ok(Some(NameValidation::Utf8)),
        1 => Ok(Some(NameValidation::Legacy)),
        2 => Ok(None),
        other => Err(Failure::new(
            pe_status::PE_ERR_INVALID_VALUE,
            format!("unknown pe_name_validation {other}"),
        )),
    }
}

impl From<NameValidation> for pe_name_validation {
    fn from(scheme: NameValidation) -> Self {
        match scheme {
            NameValidation::Utf8 => pe_name_validation::PE_NAME_VALIDATION_UTF8,
            NameValidation::Legacy => pe_name_validation::PE_NAME_VALIDATION_LEGACY,
        }
    }
}
