//! Exposition dialects: how a registry's text is written where the formats leave a choice, so
//! that each binding writes what its ecosystem's reference client writes. Plain data: the
//! registry keeps one, the exposition reads it.

/// How numbers are written in the text formats (the value read back is the same either way).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NumberStyle {
    /// The shortest text that reads back as the value, integers without a point (`1`, `0.25`,
    /// `123456789`): client_golang's and prometheus-cpp's.
    #[default]
    Shortest,
    /// client_python's `floatToGoString`: Python's `repr` of the float, with an exponent from
    /// seven integer digits on (`1.0`, `0.25`, `1.23456789e+08`), counts written as floats too.
    Python,
}

/// Where counters, histograms and summaries show their `_created` series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CreatedSeries {
    /// In OpenMetrics only (a `_created` sample of the family), as client_golang writes them.
    #[default]
    OpenMetrics,
    /// In OpenMetrics, and in the Prometheus text formats as a gauge family `name_created`
    /// written after the family, as client_python writes them.
    Everywhere,
    /// Nowhere (client_python's `disable_created_metrics()`).
    Nowhere,
}

/// The order of the families in an exposition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FamilyOrder {
    /// Sorted by name, bytewise: client_golang's.
    #[default]
    Sorted,
    /// In the order their collectors were registered (and in which each collector yields them):
    /// client_python's.
    Registration,
}

/// The order of a family's OpenMetrics metadata lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MetadataOrder {
    /// `# TYPE`, `# UNIT`, `# HELP`, as the OpenMetrics 1.0 specification's examples.
    #[default]
    TypeFirst,
    /// `# HELP`, `# TYPE`, `# UNIT`, as client_python and client_golang write them.
    HelpFirst,
}

/// The order of the labels in a series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LabelOrder {
    /// The family's label names in the order it declares them, then `le`, `quantile` or the
    /// state: client_golang's collector order, and prometheus-cpp's.
    #[default]
    Declared,
    /// Sorted by name, `le`, `quantile`, info and state labels among them: client_python's.
    Sorted,
}

/// A dialect: every choice together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Style {
    pub numbers: NumberStyle,
    pub created: CreatedSeries,
    pub family_order: FamilyOrder,
    pub metadata: MetadataOrder,
    pub label_order: LabelOrder,
}

impl Style {
    /// client_golang's choices, the default (its OpenMetrics metadata order aside: the
    /// exposition has always written the specification's, and existing scrapes compare it).
    pub const CLIENT_GOLANG: Style = Style {
        numbers: NumberStyle::Shortest,
        created: CreatedSeries::OpenMetrics,
        family_order: FamilyOrder::Sorted,
        metadata: MetadataOrder::TypeFirst,
        label_order: LabelOrder::Declared,
    };

    /// client_python's choices: what `prometheus_client.generate_latest` writes.
    pub const CLIENT_PYTHON: Style = Style {
        numbers: NumberStyle::Python,
        created: CreatedSeries::Everywhere,
        family_order: FamilyOrder::Registration,
        metadata: MetadataOrder::HelpFirst,
        label_order: LabelOrder::Sorted,
    };
}
