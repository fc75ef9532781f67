//! Text primitives every floor above may use: escaping label values and help text, writing
//! metric and label names for scrapers with and without UTF-8 support, and writing numbers as
//! the exposition formats spell them.

pub mod escape;
pub mod names;
pub mod number;
