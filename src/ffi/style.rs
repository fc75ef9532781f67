//! `pe_exposition_style`: how a registry's expositions are written where the formats leave a
//! choice (number style, `_created` series, family order, OpenMetrics metadata order).

use super::args::out_arg;
use super::guard::guard;
use super::registry::{pe_registry, registry_arg};
use super::status::{Failure, FfiResult, pe_status};
use super::versioned::{Versioned, required};
use crate::style::{CreatedSeries, FamilyOrder, LabelOrder, MetadataOrder, NumberStyle, Style};

/// Number styles of the text formats.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_number_style {
    /// The shortest text that reads back as the value, integers without a point (`1`,
    /// `123456789`): client_golang's, the default.
    PE_NUMBERS_SHORTEST = 0,
    /// client_python's `floatToGoString`: `1.0`, `0.25`, `1.23456789e+08`, counts as floats.
    PE_NUMBERS_PYTHON = 1,
}

/// Where counters, histograms and summaries show `_created`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_created_series {
    /// In OpenMetrics only: client_golang's, the default.
    PE_CREATED_OPENMETRICS = 0,
    /// In OpenMetrics, and in the Prometheus text formats as a `name_created` gauge family after
    /// each family: client_python's.
    PE_CREATED_EVERYWHERE = 1,
    /// Nowhere: client_python's `disable_created_metrics()`.
    PE_CREATED_NOWHERE = 2,
}

/// The order of the families in an exposition.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_family_order {
    /// Sorted by name, bytewise: client_golang's, the default.
    PE_FAMILIES_SORTED = 0,
    /// In registration order: client_python's.
    PE_FAMILIES_REGISTRATION = 1,
}

/// The order of an OpenMetrics family's metadata lines.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_metadata_order {
    /// `# TYPE`, `# UNIT`, `# HELP`, as the OpenMetrics 1.0 specification's examples: the
    /// default.
    PE_METADATA_TYPE_FIRST = 0,
    /// `# HELP` first, as client_python and client_golang write it.
    PE_METADATA_HELP_FIRST = 1,
}

/// The order of the labels in a series.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_label_order {
    /// The family's label names as declared, then `le`, `quantile` or the state: the default.
    PE_LABELS_DECLARED = 0,
    /// Sorted by name, `le`, `quantile`, info and state labels among them: client_python's.
    PE_LABELS_SORTED = 1,
}

/// A dialect for `pe_registry_set_style()`. Set `struct_size` to `sizeof(pe_exposition_style)`
/// and zero the rest first: a zeroed struct is the default, client_golang's style. Each field
/// holds a value of the enum its comment names.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pe_exposition_style {
    /// `sizeof(pe_exposition_style)` as the caller was compiled with. Required.
    pub struct_size: usize,
    /// A `pe_number_style`.
    pub numbers: u64,
    /// A `pe_created_series`.
    pub created: u64,
    /// A `pe_family_order`.
    pub family_order: u64,
    /// A `pe_metadata_order`.
    pub metadata: u64,
    /// A `pe_label_order`.
    pub label_order: u64,
}

// SAFETY: `#[repr(C)]`, `struct_size` first, numbers only.
unsafe impl Versioned for pe_exposition_style {
    const NAME: &'static str = "pe_exposition_style";
    const FIRST_VERSION_SIZE: usize = std::mem::size_of::<pe_exposition_style>();
}

fn field<T>(value: u64, name: &str, choices: &[T]) -> FfiResult<T>
where
    T: Copy,
{
    usize::try_from(value)
        .ok()
        .and_then(|index| choices.get(index).copied())
        .ok_or_else(|| {
            Failure::new(
                pe_status::PE_ERR_INVALID_VALUE,
                format!(
                    "`style->{name}` is {value}: not one of its {} values",
                    choices.len()
                ),
            )
        })
}

fn style_arg(style: &pe_exposition_style) -> FfiResult<Style> {
    Ok(Style {
        numbers: field(
            style.numbers,
            "numbers",
            &[NumberStyle::Shortest, NumberStyle::Python],
        )?,
        created: field(
            style.created,
            "created",
            &[
                CreatedSeries::OpenMetrics,
                CreatedSeries::Everywhere,
                CreatedSeries::Nowhere,
            ],
        )?,
        family_order: field(
            style.family_order,
            "family_order",
            &[FamilyOrder::Sorted, FamilyOrder::Registration],
        )?,
        metadata: field(
            style.metadata,
            "metadata",
            &[MetadataOrder::TypeFirst, MetadataOrder::HelpFirst],
        )?,
        label_order: field(
            style.label_order,
            "label_order",
            &[LabelOrder::Declared, LabelOrder::Sorted],
        )?,
    })
}

/// Sets how every exposition of `registry` (NULL: the default registry; a wrapping view: its
/// root) is written from now on, by `pe_registry_expose*()`, the exporter and pushes: number
/// style, `_created` series, family order, OpenMetrics metadata order, label order. The values read back are
/// the same in every style; only the text differs. OpenMetrics 2.0 and protobuf keep their own
/// rules. The Python binding sets client_python's style on its registries.
///
/// `style` is borrowed for the call. Returns `PE_OK`; `PE_ERR_NULL` (`style`);
/// `PE_ERR_WRONG_KIND`; `PE_ERR_INVALID_CONFIG` (`struct_size` too small);
/// `PE_ERR_INVALID_VALUE` (a field outside its enum); `PE_ERR_INTERNAL`. Thread-safe; an
/// exposition running meanwhile uses the old style or the new one, whole.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_set_style(
    registry: *const pe_registry,
    style: *const pe_exposition_style,
) -> pe_status {
    guard("pe_registry_set_style", || {
        let registry = unsafe { registry_arg(registry) }?;
        let style = style_arg(&unsafe { required(style, "style") }?)?;
        registry.set_style(style);
        Ok(())
    })
}

/// Reads the style of `registry` (NULL: the default registry) into `*out`, `struct_size` set.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_get_style(
    registry: *const pe_registry,
    out: *mut pe_exposition_style,
) -> pe_status {
    guard("pe_registry_get_style", || {
        let registry = unsafe { registry_arg(registry) }?;
        let out = out_arg(out, "out")?;
        let style = registry.style();
        out.set(pe_exposition_style {
            struct_size: std::mem::size_of::<pe_exposition_style>(),
            numbers: style.numbers as u64,
            created: style.created as u64,
            family_order: style.family_order as u64,
            metadata: style.metadata as u64,
            label_order: style.label_order as u64,
        });
        Ok(())
    })
}
