//! Label sets, as client_python's `parse_labels` reads the text between the braces: terms
//! separated by commas outside quotes, each `name="value"` (a quoted name allowed) or a lone
//! quoted metric name (`{"my.metric"}`, taken as `__name__`).

use super::lex::{
    is_escaped, is_legacy_metric_name, is_reserved_label_name, next_unquoted, strip,
    unquote_unescape,
};

/// The labels in `text` (between the braces), in order. The message of an error is
/// client_python's `Invalid labels: ...` (or `leading comma: ...` in OpenMetrics).
pub(super) fn parse_labels(text: &str, openmetrics: bool) -> Result<Vec<(String, String)>, String> {
    let mut rest = strip(text);
    if openmetrics && rest.starts_with(',') {
        return Err(format!("leading comma: {text}"));
    }
    let mut labels: Vec<(String, String)> = Vec::new();
    let invalid = || format!("Invalid labels: {text}");
    while !rest.is_empty() {
        let (name_term, value_term, after) = next_term(rest, openmetrics).ok_or_else(invalid)?;
        if value_term.is_empty() {
            // An empty term that does not move on is a `}` (client_python loops for ever on it
            // in text mode; neither grammar passes one here).
            if openmetrics || after.len() == rest.len() {
                return Err(invalid());
            }
            rest = after;
            continue;
        }
        rest = after;
        let (name, quoted) = unquote_unescape(name_term).map_err(|_| invalid())?;
        if !quoted && !is_legacy_metric_name(&name) {
            return Err(invalid());
        }
        if !value_term.starts_with('"') || !closes_at_end(value_term) {
            return Err(invalid());
        }
        let (value, _) = unquote_unescape(value_term).map_err(|_| invalid())?;
        if name != "__name__" && is_reserved_label_name(&name) {
            return Err(invalid());
        }
        if labels.iter().any(|(n, _)| *n == *name) {
            return Err(invalid());
        }
        labels.push((name.into_owned(), value.into_owned()));
    }
    Ok(labels)
}

/// Whether the first unescaped quote after the opening one is the last character.
fn closes_at_end(term: &str) -> bool {
    let bytes = term.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i..].iter().position(|&b| b == b'"') {
            None => return false,
            Some(at) => i += at,
        }
        if !is_escaped(bytes, i) {
            break;
        }
        i += 1;
    }
    i + 1 == bytes.len()
}

/// client_python's `_next_term`: the name (not stripped; `__name__` when the term has no `=`),
/// the value term (stripped) and the rest from the `,` or `}` that ends the term (stripped).
/// `None` where client_python raises.
fn next_term(text: &str, openmetrics: bool) -> Option<(&str, &str, &str)> {
    let mut text = text;
    if let Some(after) = text.strip_prefix(',') {
        text = after;
        if text.is_empty() {
            return Some(("", "", ""));
        }
        if text.starts_with(',') {
            return None;
        }
    }
    let mut split = next_unquoted(text, 0, b"=,}");
    let mut name = "__name__";
    if let Some(at) = split.filter(|&at| text.as_bytes()[at] == b'=') {
        name = &text[..at];
        text = &text[at + 1..];
        split = next_unquoted(text, 0, b",}");
    }
    let at = split.unwrap_or(text.len());
    let term = &text[..at];
    if term.is_empty() && openmetrics {
        return None;
    }
    Some((name, strip(term), strip(&text[at..])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str, openmetrics: bool) -> Result<Vec<(String, String)>, String> {
        parse_labels(text, openmetrics)
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn labels_keep_their_order_and_unescape_values() {
        assert_eq!(
            labels(r#"b="1", a="x\"y\\z\n""#, false).unwrap(),
            pairs(&[("b", "1"), ("a", "x\"y\\z\n")])
        );
        assert_eq!(
            labels(r#"a="}{,=""#, true).unwrap(),
            pairs(&[("a", "}{,=")])
        );
        assert_eq!(labels("", true).unwrap(), pairs(&[]));
        assert_eq!(labels(r#"a:b="c""#, true).unwrap(), pairs(&[("a:b", "c")]));
    }

    #[test]
    fn quoted_names_and_the_metric_name_term() {
        assert_eq!(
            labels(r#""my.metric", "a.b"="c""#, true).unwrap(),
            pairs(&[("__name__", "my.metric"), ("a.b", "c")])
        );
        assert!(labels(r#"a.b="c""#, true).is_err());
    }

    #[test]
    fn commas_follow_each_grammars_rules() {
        assert_eq!(labels(r#"a="b","#, false).unwrap(), pairs(&[("a", "b")]));
        assert!(labels(r#"a="b","#, true).is_err());
        assert_eq!(labels(",", false).unwrap(), pairs(&[]));
        assert!(labels(r#",a="b""#, true).is_err());
        assert!(labels(r#"a="b",,c="d""#, false).is_err());
    }

    #[test]
    fn malformed_terms_are_refused() {
        for bad in [
            r#"a="b"#,
            r#"a=b"#,
            r#"a="b"c"#,
            r#"a="b",a="c""#,
            r#"__a="b""#,
            r#"a"#,
            r#"a="b\""#,
        ] {
            assert!(labels(bad, false).is_err(), "{bad}");
            assert!(labels(bad, true).is_err(), "{bad}");
        }
        assert!(labels(r#"__name__="x""#, true).is_ok());
        assert!(labels(r#"a="b"}"#, false).is_err());
    }
}
