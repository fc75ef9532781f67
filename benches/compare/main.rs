//! The Rust core side by side with the `prometheus`, `prometheus-client`, `fastmetrics` and
//! `measured` crates, on the same operations.
//!
//! `cargo bench --bench compare` measures and prints a table; `-- --json FILE` also writes one JSON
//! object per row to FILE, which `benches/report.py` turns into the combined table. Without
//! `--bench` (as `cargo test --bench compare` runs it) every operation runs once: the smoke test
//! that keeps this harness compiling and running.
//!
//! Each crate is used the way its documentation shows, with what it offers for each operation:
//! an unlabelled counter (`inc` by one), a float gauge (`set`), a histogram with the 14 default
//! bounds (+Inf), a labelled counter looked up by two string values, a child kept bound, a counter
//! shared by threads, and a registry of 10k labelled counters collected and encoded.

mod harness;
mod peers;
mod report;

use harness::Settings;
use report::Row;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let measuring = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--smoke");
    let settings = if measuring {
        Settings::full()
    } else {
        Settings::smoke()
    };
    let json = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let filter: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[*i - 1] != "--json"))
        .map(|(_, a)| a)
        .collect();

    let mut rows: Vec<Row> = Vec::new();
    for (key, run) in peers::ROWS {
        if !filter.is_empty() && !filter.iter().any(|f| key.contains(f.as_str())) {
            continue;
        }
        let row = run(&settings);
        if measuring {
            eprintln!("{}", row.line());
        }
        rows.push(row);
    }

    if let Some(path) = json {
        let text: String = rows.iter().map(|r| r.json() + "\n").collect();
        std::fs::write(&path, text).expect("cannot write the JSON rows");
    }
    if measuring {
        println!("{}", report::table(&rows));
    } else {
        println!("smoke: {} passed, 0 failed", rows.len());
    }
}
