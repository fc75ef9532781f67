//! One measured row: what was measured, each contestant's median, and the bar ours must meet.

use serde_json::json;

/// What a row's figure for ours is compared with.
#[derive(Clone, Copy, Debug)]
pub enum Bar {
    /// No bar: informational.
    None,
    /// Ours / best peer at or below (lower is better) or at or above (higher is better) `ratio`.
    Best,
    /// Ours / the named peer, compared with `ratio` as for [`Bar::Best`].
    Peer(&'static str),
    /// Ours itself at or below `ratio`, in the row's unit (a budget rather than a ratio).
    AtMost,
}

pub struct Row {
    pub section: &'static str,
    pub op: &'static str,
    pub unit: &'static str,
    pub higher_is_better: bool,
    /// `("ours", x)` first, then the peers.
    pub results: Vec<(&'static str, f64)>,
    pub bar: Bar,
    pub bar_ratio: f64,
    pub note: &'static str,
}

impl Row {
    pub fn ours(&self) -> f64 {
        self.results[0].1
    }

    /// The best peer figure and its name.
    pub fn best_peer(&self) -> Option<(&'static str, f64)> {
        self.results[1..]
            .iter()
            .copied()
            .filter(|(_, v)| v.is_finite())
            .reduce(|a, b| {
                let better = if self.higher_is_better {
                    b.1 > a.1
                } else {
                    b.1 < a.1
                };
                if better { b } else { a }
            })
    }

    /// What the bar compares ours with and its figure: `None` when the row has no bar or the
    /// peer it names is missing.
    pub fn reference(&self) -> Option<(&'static str, f64)> {
        match self.bar {
            Bar::None => None,
            Bar::Best => self.best_peer(),
            Bar::Peer(name) => self
                .results
                .iter()
                .copied()
                .find(|(n, v)| *n == name && v.is_finite()),
            Bar::AtMost => Some(("budget", 1.0)),
        }
    }

    /// Whether ours meets the bar: `None` when the row has no bar or no peer.
    pub fn meets(&self) -> Option<bool> {
        let (_, reference) = self.reference()?;
        let ratio = self.ours() / reference;
        Some(if self.higher_is_better {
            ratio >= self.bar_ratio
        } else {
            ratio <= self.bar_ratio
        })
    }

    pub fn line(&self) -> String {
        let mut s = format!("{:<44}", self.op);
        for (name, value) in &self.results {
            s.push_str(&format!("  {name} {} {}", fmt(*value), self.unit));
        }
        s
    }

    pub fn json(&self) -> String {
        let results: serde_json::Map<String, serde_json::Value> = self
            .results
            .iter()
            .map(|(n, v)| (n.to_string(), json!(v)))
            .collect();
        json!({
            "section": self.section,
            "op": self.op,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "results": results,
            "bar": match self.bar {
                Bar::None => json!(null),
                Bar::Best => json!({"against": "best", "ratio": self.bar_ratio}),
                Bar::Peer(name) => json!({"against": name, "ratio": self.bar_ratio}),
                Bar::AtMost => json!({"against": "budget", "ratio": self.bar_ratio}),
            },
            "note": self.note,
        })
        .to_string()
    }
}

pub fn fmt(value: f64) -> String {
    if !value.is_finite() {
        "-".into()
    } else if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// A plain-text table of the rows of this run: ours, the best peer, the ratio and the bar.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<46} {:>10} {:>10}  {:<18} {:>7}  {}\n",
        "operation", "ours", "best peer", "(which)", "ratio", "bar"
    ));
    for row in rows {
        let (name, best) = row
            .reference()
            .filter(|(name, _)| *name != "budget")
            .or_else(|| row.best_peer())
            .unwrap_or(("-", f64::NAN));
        let ratio = row.ours() / best;
        let bar = match row.meets() {
            Some(ok) => format!(
                "{} {}{} {}",
                if row.higher_is_better { ">=" } else { "<=" },
                row.bar_ratio,
                if matches!(row.bar, Bar::AtMost) {
                    format!(" {}", row.unit)
                } else {
                    String::new()
                },
                if ok { "ok" } else { "MISS" }
            ),
            None => String::new(),
        };
        out.push_str(&format!(
            "{:<46} {:>10} {:>10}  {:<18} {:>7}  {}\n",
            format!("{} ({})", row.op, row.unit),
            fmt(row.ours()),
            fmt(best),
            name,
            if ratio.is_finite() {
                format!("{ratio:.2}")
            } else {
                "-".into()
            },
            bar
        ));
    }
    out
}
