//! The integer codes of the C ABI besides statuses: metric types and exposition formats, as C
//! passes them (any integer, checked here) and as the core knows them.

use std::ffi::c_uint;

use super::status::{Failure, FfiResult, pe_status};
use crate::exposition::Format;
use crate::metric_type::MetricType;

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
}

impl From<Format> for pe_format {
    fn from(format: Format) -> Self {
        match format {
            Format::Prometheus => pe_format::PE_FORMAT_PROMETHEUS,
            Format::OpenMetrics => pe_format::PE_FORMAT_OPENMETRICS,
            Format::OpenMetrics2 => pe_format::PE_FORMAT_OPENMETRICS_2,
            Format::Protobuf => pe_format::PE_FORMAT_PROTOBUF,
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
        other => Err(Failure::new(
            pe_status::PE_ERR_INVALID_VALUE,
            format!("unknown pe_format {other}"),
        )),
    }
}
