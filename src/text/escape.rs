//! Escaping shared by both text formats.

/// Appends a label value escaped for both text formats: backslash, double quote and line feed.
pub fn push_label_value(out: &mut String, value: &str) {
    push_escaped(out, value, true);
}

/// Appends HELP text escaped for Prometheus text 0.0.4 (backslash and line feed only).
pub fn push_help_text(out: &mut String, help: &str) {
    push_escaped(out, help, false);
}

/// Appends HELP text escaped for OpenMetrics, which escapes double quotes as well.
pub fn push_help_openmetrics(out: &mut String, help: &str) {
    push_escaped(out, help, true);
}

fn push_escaped(out: &mut String, text: &str, quotes: bool) {
    let needs = |b: u8| b == b'\\' || b == b'\n' || (quotes && b == b'"');
    if !text.bytes().any(needs) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quotes => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escape_three_characters() {
        let mut s = String::new();
        push_label_value(&mut s, "a\\b\"c\nd\té");
        assert_eq!(s, "a\\\\b\\\"c\\nd\té");
    }

    #[test]
    fn help_escapes_depend_on_format() {
        let mut text = String::new();
        push_help_text(&mut text, "say \"hi\"\\\n");
        assert_eq!(text, "say \"hi\"\\\\\\n");
        let mut om = String::new();
        push_help_openmetrics(&mut om, "say \"hi\"\\\n");
        assert_eq!(om, "say \\\"hi\\\"\\\\\\n");
    }
}
