//! client_python's scanning primitives, over byte offsets: Python's notion of whitespace, the
//! quote-aware search for the next or last unquoted character, the quote-aware split of comment
//! lines, quote removal and unescaping, and the legacy name check.
//!
//! Every character searched for is ASCII, so byte offsets stand for client_python's character
//! offsets wherever they only mark such characters.

use std::borrow::Cow;

/// Python's `str.isspace()`: Unicode White_Space plus the separators U+001C..U+001F.
pub(super) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
}

/// Python's `str.strip()`.
pub(super) fn strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python's `str.lstrip()`.
pub(super) fn lstrip(s: &str) -> &str {
    s.trim_start_matches(is_py_space)
}

/// Python's `string.whitespace`, what client_python splits comment lines of the text format on.
pub(super) const ASCII_WHITESPACE: &[u8] = b" \t\n\r\x0b\x0c";

/// Whether the character at `pos` follows an odd number of backslashes.
pub(super) fn is_escaped(s: &[u8], pos: usize) -> bool {
    let run = s[..pos].iter().rev().take_while(|&&b| b == b'\\').count();
    run % 2 == 1
}

/// The offset of the first of `targets` at or after `from` outside double quotes (quotes
/// counted from `from`, a quote after an odd run of backslashes not counting).
pub(super) fn next_unquoted(s: &str, from: usize, targets: &[u8]) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut in_quotes = false;
    for (i, &b) in bytes.iter().enumerate().skip(from) {
        if b == b'"' && !is_escaped(bytes, i) {
            in_quotes = !in_quotes;
        }
        if !in_quotes && targets.contains(&b) {
            return Some(i);
        }
    }
    None
}

/// The offset of the last of `targets` outside double quotes, counting quotes from the end;
/// the first character is never considered (client_python's `_last_unquoted_char`).
pub(super) fn last_unquoted(s: &str, targets: &[u8]) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut in_quotes = false;
    let mut i = bytes.len().checked_sub(1)?;
    while i > 0 {
        if bytes[i] == b'"' && !is_escaped(bytes, i) {
            in_quotes = !in_quotes;
        }
        if !in_quotes && targets.contains(&bytes[i]) {
            return Some(i);
        }
        i -= 1;
    }
    None
}

/// client_python's `_split_quoted(text, separator, 3)`: at most four tokens, runs of separators
/// skipped, the fourth token the rest of the line from its first character that is not one.
pub(super) fn split_quoted<'a>(s: &'a str, separators: &[u8]) -> Vec<&'a str> {
    let mut tokens = vec![""];
    let mut x = 0;
    while x < s.len() {
        match next_unquoted(s, x, separators) {
            None => {
                *tokens.last_mut().unwrap() = &s[x..];
                x = s.len();
            }
            Some(at) if at == x => x += 1,
            Some(at) => {
                if tokens.len() > 3 {
                    *tokens.last_mut().unwrap() = &s[x..];
                    break;
                }
                *tokens.last_mut().unwrap() = &s[x..at];
                x = at + 1;
                tokens.push("");
            }
        }
    }
    tokens
}

/// Replaces `\\` by `\`, `\n` by a newline and, with `quote`, `\"` by `"`; any other backslash
/// stays as it is.
pub(super) fn unescape(s: &str, quote: bool) -> Cow<'_, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match after.as_bytes().first() {
            Some(b'\\') => out.push('\\'),
            Some(b'n') => out.push('\n'),
            Some(b'"') if quote => out.push('"'),
            _ => {
                out.push('\\');
                rest = after;
                continue;
            }
        }
        rest = &after[1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// client_python's `_unquote_unescape`: the token stripped, without its quotes when quoted, and
/// unescaped; and whether it was quoted. A token of only whitespace fails (Python's IndexError).
pub(super) fn unquote_unescape(token: &str) -> Result<(Cow<'_, str>, bool), &'static str> {
    if token.is_empty() {
        return Ok((Cow::Borrowed(token), false));
    }
    let mut text = strip(token);
    let first = text.chars().next().ok_or("empty name")?;
    let mut quoted = false;
    if first == '"' {
        if text.len() == 1 || !text.ends_with('"') {
            return Err("missing close quote");
        }
        text = &text[1..text.len() - 1];
        quoted = true;
    }
    Ok((unescape(text, true), quoted))
}

/// Whether `name` matches `^[a-zA-Z_:][a-zA-Z0-9_:]*$` as Python's `re.match` does: a final
/// newline is allowed (`$` matches before it).
pub(super) fn is_legacy_metric_name(name: &str) -> bool {
    let name = name.strip_suffix('\n').unwrap_or(name);
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b':' => {}
        _ => return false,
    }
    bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

/// Whether `name` matches `^__.*$` as Python's `re.match` does (`.` stops at a newline, `$`
/// matches before a final one): a reserved label name.
pub(super) fn is_reserved_label_name(name: &str) -> bool {
    match name.strip_prefix("__") {
        None => false,
        Some(rest) => match rest.find('\n') {
            None => true,
            Some(at) => at == rest.len() - 1,
        },
    }
}

/// `s` without its last character (Python's `s[:-1]`).
pub(super) fn without_last_char(s: &str) -> &str {
    let mut chars = s.chars();
    chars.next_back();
    chars.as_str()
}

/// `s` from its second character on (Python's `s[1:]`).
pub(super) fn after_first_char(s: &str) -> &str {
    let mut chars = s.chars();
    chars.next();
    chars.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_whitespace_includes_the_information_separators() {
        assert_eq!(strip("\u{1c}\u{a0} a \t\u{3000}"), "a");
        assert_eq!(lstrip(" \u{85}a "), "a ");
        assert!(!is_py_space('\u{200b}'));
    }

    #[test]
    fn unquoted_search_skips_quoted_text_and_escaped_quotes() {
        assert_eq!(next_unquoted(r#"a"{"{"#, 0, b"{"), Some(4));
        assert_eq!(next_unquoted(r#"a"\"{"{"#, 0, b"{"), Some(6));
        assert_eq!(next_unquoted(r#"a\\"{"{"#, 0, b"{"), Some(6));
        assert_eq!(next_unquoted("abc", 0, b"{"), None);
        assert_eq!(last_unquoted(r#"{a="}"}"#, b"}"), Some(6));
        assert_eq!(last_unquoted("}", b"}"), None);
    }

    #[test]
    fn comment_lines_split_into_four_tokens_at_most() {
        assert_eq!(
            split_quoted("# HELP a b c", b" "),
            ["#", "HELP", "a", "b c"]
        );
        assert_eq!(
            split_quoted("# HELP a   b c", b" "),
            ["#", "HELP", "a", "b c"]
        );
        assert_eq!(split_quoted("# HELP a ", b" "), ["#", "HELP", "a", ""]);
        assert_eq!(
            split_quoted(r#"# TYPE "a b" c"#, b" "),
            ["#", "TYPE", "\"a b\"", "c"]
        );
        assert_eq!(split_quoted("#", b" "), ["#"]);
        assert_eq!(split_quoted("#  x\ty", ASCII_WHITESPACE), ["#", "x", "y"]);
    }

    #[test]
    fn escapes_are_replaced_left_to_right() {
        assert_eq!(unescape(r#"a\\n\n\"\q"#, true), "a\\n\n\"\\q");
        assert_eq!(unescape(r#"\""#, false), "\\\"");
        assert_eq!(unescape("\\", true), "\\");
        assert_eq!(
            unquote_unescape(r#" "a\"b" "#).unwrap(),
            ("a\"b".into(), true)
        );
        assert_eq!(unquote_unescape("a").unwrap(), ("a".into(), false));
        assert!(unquote_unescape("\"a").is_err());
        assert!(unquote_unescape("\"").is_err());
        assert!(unquote_unescape("\u{a0}").is_err());
    }

    #[test]
    fn legacy_names_follow_pythons_regex() {
        assert!(is_legacy_metric_name("a:b_c1"));
        assert!(is_legacy_metric_name("a\n"));
        assert!(!is_legacy_metric_name("1a"));
        assert!(!is_legacy_metric_name("a.b"));
        assert!(!is_legacy_metric_name(""));
        assert!(is_reserved_label_name("__x"));
        assert!(is_reserved_label_name("__x\n"));
        assert!(!is_reserved_label_name("__x\ny"));
        assert!(!is_reserved_label_name("_x"));
    }
}
