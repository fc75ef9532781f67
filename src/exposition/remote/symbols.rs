//! Remote Write 2.0's symbol table: every string of a request once, series and exemplars
//! referring to them by index. Index 0 is the empty string, as the spec requires (an absent help
//! or unit points there).
//!
//! Strings borrowed from the families are kept borrowed; only composed ones (a name with its
//! suffix, a formatted `le`) are copied, once each.

use std::borrow::Cow;

use indexmap::IndexSet;

use super::series::{SeriesLabels, Text};
use crate::exposition::wire::push_str;

pub(super) struct Symbols<'a> {
    set: IndexSet<Cow<'a, str>, foldhash::fast::RandomState>,
}

impl<'a> Symbols<'a> {
    pub(super) fn new() -> Self {
        let mut set = IndexSet::with_hasher(foldhash::fast::RandomState::default());
        set.insert(Cow::Borrowed(""));
        Symbols { set }
    }

    /// The index of a string that lives as long as the families.
    pub(super) fn borrowed(&mut self, text: &'a str) -> u32 {
        match self.set.get_index_of(text) {
            Some(index) => index as u32,
            None => self.set.insert_full(Cow::Borrowed(text)).0 as u32,
        }
    }

    /// The index of a series label text.
    pub(super) fn text(&mut self, labels: &SeriesLabels<'a>, text: Text<'a>) -> u32 {
        match text {
            Text::Borrowed(text) => self.borrowed(text),
            Text::Composed { .. } => {
                let text = labels.resolve(text);
                match self.set.get_index_of(text) {
                    Some(index) => index as u32,
                    None => self.set.insert_full(Cow::Owned(text.to_owned())).0 as u32,
                }
            }
        }
    }

    /// Bytes the `symbols` fields take, for reserving room.
    pub(super) fn encoded_len(&self) -> usize {
        self.set.iter().map(|s| s.len() + 3).sum()
    }

    /// Writes the table as the request's repeated `symbols` field.
    pub(super) fn push(&self, out: &mut Vec<u8>, tag: u32) {
        for symbol in &self.set {
            push_str(out, tag, symbol);
        }
    }
}
