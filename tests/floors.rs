//! The core is layered: each module of `src/` belongs to a floor and imports only from its own
//! floor or the ones below, and no modules import each other in a loop, at any depth. This test
//! reads the source (as the header-freshness test reads the header) and fails on an import that
//! goes up a floor or closes a loop, naming it. A new top-level module must be given a floor here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Floors, bottom to top (README, "Layout").
const FLOORS: &[(&str, u8)] = &[
    // 1: leaves
    ("error", 1),
    ("util", 1),
    ("text", 1),
    ("metric_type", 1),
    ("sync", 1),
    ("bounded_file", 1),
    ("style", 1),
    ("name", 2),
    ("snapshot", 3),
    ("collector", 4),
    ("store", 4),
    ("metric", 5),
    ("collectors", 5),
    ("registry", 6),
    ("exposition", 7),
    ("exporter", 8),
    ("push", 8),
    ("http_client", 8),
    ("sender", 8),
    ("ffi", 9),
];

fn floor(module: &str) -> Option<u8> {
    let top = module.split("::").next().unwrap();
    FLOORS.iter().find(|(m, _)| *m == top).map(|(_, f)| *f)
}

/// A file's code without comments and without its test module (tests may use anything).
fn code_of(text: &str) -> String {
    let end = ["#[cfg(test)]", "#[cfg(all(test"]
        .iter()
        .filter_map(|marker| text.find(marker))
        .min()
        .unwrap_or(text.len());
    let mut code = String::new();
    let mut rest = &text[..end];
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |i| &after[i + 2..]);
        } else if rest.starts_with("//") {
            rest = rest.find('\n').map_or("", |i| &rest[i..]);
        } else {
            let c = rest.chars().next().unwrap();
            code.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    code
}

/// Every module of `src/` (by path: `exporter::reactor`) and its code.
fn modules() -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            if parts == ["lib"] {
                continue; // the crate root re-exports from every floor
            }
            let text = std::fs::read_to_string(&path).unwrap();
            found.insert(parts.join("::"), code_of(&text));
        }
    }
    found
}

/// The module a path names: its longest prefix that is a module.
fn resolve(path: &str, modules: &BTreeMap<String, String>) -> Option<String> {
    let segments: Vec<&str> = path.split("::").collect();
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].join("::"))
        .find(|candidate| modules.contains_key(candidate))
}

/// The paths (`a::b::c`) that follow `prefix` in `code`, and those inside `prefix{...}` groups.
fn paths_after(code: &str, prefix: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(prefix) {
        let start = from + at;
        from = start + prefix.len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    paths.push(item.split([' ', ':']).next().unwrap().to_string());
                }
            }
            continue;
        }
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        paths.push(path.trim_end_matches(':').to_string());
    }
    paths
}

/// Module → modules it imports.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let mut graph = BTreeMap::new();
    for (module, code) in &modules {
        let parent = module.rsplit_once("::").map(|(p, _)| p);
        let mut targets = BTreeSet::new();
        let named = paths_after(code, "crate::").into_iter().chain(
            paths_after(code, "super::")
                .into_iter()
                .map(|p| match parent {
                    Some(parent) => format!("{parent}::{p}"),
                    None => p,
                }),
        );
        for path in named {
            if let Some(target) = resolve(&path, &modules) {
                // A module may use its ancestors (where its parent's items live).
                let ancestor = module.starts_with(&format!("{target}::"));
                if target != *module && !ancestor {
                    targets.insert(target);
                }
            }
        }
        graph.insert(module.clone(), targets);
    }
    graph
}

#[test]
fn every_module_has_a_floor() {
    let unplaced: Vec<String> = modules()
        .into_keys()
        .filter(|m| floor(m).is_none())
        .collect();
    assert!(
        unplaced.is_empty(),
        "give these a floor in FLOORS: {unplaced:?}"
    );
}

#[test]
fn no_import_goes_up_a_floor() {
    let mut upward = Vec::new();
    for (module, targets) in import_graph() {
        for target in targets {
            if let (Some(from), Some(to)) = (floor(&module), floor(&target)) {
                if to > from {
                    upward.push(format!(
                        "{module} (floor {from}) imports {target} (floor {to})"
                    ));
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports going up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_modules_import_each_other_in_a_loop() {
    let graph = import_graph();
    // Depth-first search for a back edge; report the loop it closes.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(cycle) = visit(module, &graph, &mut Vec::new(), &mut done) {
            panic!("modules import each other: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn imports_name_the_module_not_a_crate_root_re_export() {
    // `crate::Registry` would hide which floor it comes from.
    let modules = modules();
    let mut through_root = Vec::new();
    for (module, code) in &modules {
        for path in paths_after(code, "crate::") {
            let first = path.split("::").next().unwrap_or_default();
            if !first.is_empty() && !modules.contains_key(first) {
                through_root.push(format!("{module}: crate::{path}"));
            }
        }
    }
    assert!(through_root.is_empty(), "{through_root:#?}");
}

#[test]
fn the_checker_sees_imports() {
    // The test must be able to fail: known imports are found.
    let graph = import_graph();
    assert!(graph["exporter::reactor"].contains("exporter::connection"));
    assert!(graph["registry"].contains("collector"));
    assert!(graph["ffi::library"].contains("ffi::guard"));
    assert!(graph["snapshot"].contains("text::escape"));
}
