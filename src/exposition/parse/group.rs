//! What client_python's grouping and checks compare: label sets as sorted tuples (rendered
//! here as one string each), timestamps by Python's `==`, sample-name suffixes by characters,
//! values by sign.

use super::{Number, Timestamp};

/// A set of labels (some left out) sorted, rendered as one string that identifies it: what
/// client_python compares as `tuple(sorted(labels.items()))`. The buffer is reused.
#[derive(Default)]
pub(super) struct GroupKey {
    pub(super) text: String,
    pairs: Vec<(usize, usize)>,
}

impl GroupKey {
    /// Renders the pairs of `labels` that `skip` does not reject, sorted by name.
    pub(super) fn set<'a>(
        &mut self,
        labels: impl Iterator<Item = &'a (String, String)>,
        skip: impl Fn(&str) -> bool,
    ) {
        let labels: Vec<&(String, String)> = labels.filter(|(n, _)| !skip(n)).collect();
        let mut order: Vec<usize> = (0..labels.len()).collect();
        order.sort_by(|&a, &b| labels[a].cmp(labels[b]));
        self.text.clear();
        self.pairs.clear();
        for i in order {
            let (name, value) = labels[i];
            push_counted(&mut self.text, name);
            push_counted(&mut self.text, value);
        }
    }
}

/// `len:text`, so that no two label sets render alike.
pub(super) fn push_counted(out: &mut String, text: &str) {
    out.push_str(itoa::Buffer::new().format(text.len()));
    out.push(':');
    out.push_str(text);
}

/// Python's `a == b` on two optional timestamps (a `Timestamp` never equals a float).
pub(super) fn same_timestamp(a: Option<&Timestamp>, b: Option<&Timestamp>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Timestamp::Seconds(a)), Some(Timestamp::Seconds(b))) => a == b,
        (Some(a @ Timestamp::Exact { .. }), Some(b @ Timestamp::Exact { .. })) => {
            a.exact_key() == b.exact_key()
        }
        _ => false,
    }
}

/// `name` from its `chars`-th character on (Python's `name[len(family):]`).
pub(super) fn char_suffix(name: &str, chars: usize) -> &str {
    match name.char_indices().nth(chars) {
        Some((at, _)) => &name[at..],
        None => "",
    }
}

/// Python's `value < 0`.
pub(super) fn is_negative(value: &Number) -> bool {
    match value {
        Number::Int(int) => int.to_f64() < 0.0,
        Number::Float(f) => *f < 0.0,
    }
}
