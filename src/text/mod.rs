//! Text primitives every floor above may use: escaping label values and help text, and writing
//! numbers as the exposition formats spell them.

pub mod escape;
pub mod number;
