//! The module graph keeps its layers: every `crate::` import under `src/` runs downward in the
//! table of `docs/architecture.md`, and no files of one module import each other in a loop.
//!
//! The table is read from the document, so the document and the rule cannot drift apart. Imports
//! inside a file's test module are not counted (tests may build fixtures from anywhere).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support;

/// `module -> (layer number, layer name)`, from the table between the layer markers.
fn layer_table(document: &str) -> BTreeMap<String, (u32, String)> {
    let begin = document
        .find("<!-- layers: begin -->")
        .expect("docs/architecture.md has a layer table");
    let end = document
        .find("<!-- layers: end -->")
        .expect("the layer table is closed");
    let mut table = BTreeMap::new();
    for row in document[begin..end].lines() {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some(number) = cells.get(1).and_then(|c| c.parse::<u32>().ok()) else {
            continue;
        };
        for module in cells[3].split(',') {
            let module = module.trim().trim_matches('`');
            assert!(
                table
                    .insert(module.to_owned(), (number, cells[2].to_owned()))
                    .is_none(),
                "{module} is in two layers"
            );
        }
    }
    table
}

/// The code of a file: without the test module at its end, and without comments (an
/// intra-doc link names a module without importing it). Cutting each line at `//` also cuts
/// string literals holding a URL, which never hold an import.
fn code_of(source: &str) -> String {
    let source = match source.find("#[cfg(test)]\nmod ") {
        Some(at) => &source[..at],
        None => source,
    };
    source
        .lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a file names from the crate root or relative to itself, as segments from the
/// crate root (`crate::a::{b, c::D}` gives `[a, b]` and `[a, c, D]`; `super::x` in
/// `src/m/f.rs` gives `[m, x]`), with the text it was read from.
fn imported_paths(source: &str, own: &[String]) -> Vec<(Vec<String>, String)> {
    let mut found = Vec::new();
    for anchor in ["crate::", "super::", "self::"] {
        let mut rest = source;
        while let Some(at) = rest.find(anchor) {
            let before = rest[..at].chars().next_back();
            let start = at + anchor.len();
            rest = &rest[start..];
            // `foo_super::` or `Self::` are not path anchors.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let mut base: Vec<String> = match anchor {
                "crate::" => Vec::new(),
                "super::" => own[..own.len().saturating_sub(1)].to_vec(),
                _ => own.to_vec(),
            };
            let mut tail = rest;
            // `super::super::x`
            while anchor == "super::" && tail.starts_with("super::") {
                base.pop();
                tail = &tail["super::".len()..];
            }
            let text_end = tail.find([';', '(', ')', '\n', ' ']).unwrap_or(tail.len());
            let text = format!("{anchor}{}", &tail[..text_end.min(80)]);
            for path in expand(tail) {
                let mut full = base.clone();
                full.extend(path);
                found.push((full, text.clone()));
            }
        }
    }
    found
}

/// The paths a `use` tail names: `a::b::C` or `a::{b, c::D}` (one level of braces is all the
/// code base uses; deeper groups are read the same way, recursively).
fn expand(tail: &str) -> Vec<Vec<String>> {
    let mut segments = Vec::new();
    let mut rest = tail;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut end = 0;
            for (index, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = index;
                    break;
                }
            }
            let mut out = Vec::new();
            let inner = &group[..end];
            let mut depth = 0;
            let mut item_start = 0;
            for (index, c) in inner.char_indices().chain([(inner.len(), ',')]) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let item = inner[item_start..index].trim();
                        item_start = index + 1;
                        if item.is_empty() || item == "self" {
                            if item == "self" {
                                out.push(segments.clone());
                            }
                            continue;
                        }
                        for path in expand(item) {
                            let mut full = segments.clone();
                            full.extend(path);
                            out.push(full);
                        }
                    }
                    _ => {}
                }
            }
            return out;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        segments.push(rest[..end].to_owned());
        rest = &rest[end..];
        match rest.strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    vec![segments]
}

/// Every `.rs` file under `src/`, keyed by its module path (`src/a/mod.rs` and `src/a.rs` are
/// `[a]`, `src/a/b.rs` is `[a, b]`; `lib.rs` and `main.rs` are the root).
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    for file in support::files_under(src) {
        if file.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = file.strip_prefix(src).unwrap();
        let mut segments: Vec<String> = relative
            .iter()
            .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        if segments.last().is_some_and(|s| s == "mod") {
            segments.pop();
        }
        if segments == ["lib"] || segments == ["main"] {
            segments.clear();
        }
        out.insert(segments, file);
    }
    out
}

/// The file a path lands in: the longest prefix of it that is a module with a file.
fn resolve<'a>(
    path: &[String],
    modules: &'a BTreeMap<Vec<String>, PathBuf>,
) -> Option<(&'a Vec<String>, &'a PathBuf)> {
    (1..=path.len())
        .rev()
        .find_map(|n| modules.get_key_value(&path[..n]))
}

struct Graph {
    /// `(importer file, importer module path, imported module path, the import as written)`.
    imports: Vec<(PathBuf, Vec<String>, Vec<String>, String)>,
}

fn graph(src: &Path) -> (Graph, BTreeMap<Vec<String>, PathBuf>) {
    let modules = modules(src);
    let mut imports = Vec::new();
    for (own, file) in &modules {
        let source = std::fs::read_to_string(file).unwrap();
        for (path, text) in imported_paths(&code_of(&source), own) {
            if let Some((target, _)) = resolve(&path, &modules) {
                let shown = file
                    .strip_prefix(src.parent().unwrap_or(src))
                    .unwrap_or(file);
                imports.push((shown.to_owned(), own.clone(), target.clone(), text));
            }
        }
    }
    (Graph { imports }, modules)
}

/// Imports that do not run downward in the layer table, as messages.
fn layer_violations(graph: &Graph, table: &BTreeMap<String, (u32, String)>) -> Vec<String> {
    let mut out = BTreeSet::new();
    for (file, own, target, text) in &graph.imports {
        let (Some(from), Some(to)) = (own.first(), target.first()) else {
            continue;
        };
        if from == to {
            continue;
        }
        let layer = |module: &String| {
            table.get(module).cloned().unwrap_or_else(|| {
                panic!("module `{module}` is not in the layer table of docs/architecture.md")
            })
        };
        let (from_layer, from_name) = layer(from);
        let (to_layer, to_name) = layer(to);
        if to_layer >= from_layer {
            out.insert(format!(
                "{}: `{text}` imports `{to}` (layer {to_layer}, {to_name}) from `{from}` (layer {from_layer}, {from_name}); imports run downward only",
                file.display()
            ));
        }
    }
    out.into_iter().collect()
}

/// Files of one module that import each other in a loop (strongly connected components of
/// more than one file). A module's face naming its own parts is structure and is not counted.
fn file_cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut edges: BTreeMap<&Vec<String>, BTreeSet<&Vec<String>>> = BTreeMap::new();
    for (_, own, target, _) in &graph.imports {
        if own == target || target.starts_with(own) {
            continue;
        }
        edges.entry(own).or_default().insert(target);
    }
    // Tarjan's algorithm, iterative enough for a tree of a hundred files.
    struct State<'a> {
        edges: &'a BTreeMap<&'a Vec<String>, BTreeSet<&'a Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on_stack: BTreeSet<&'a Vec<String>>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a Vec<String>) {
        let next = state.index.len();
        state.index.insert(node, next);
        state.low.insert(node, next);
        state.stack.push(node);
        state.on_stack.insert(node);
        if let Some(targets) = state.edges.get(node) {
            for &target in targets {
                if !state.index.contains_key(target) {
                    visit(state, target);
                    let low = state.low[node].min(state.low[target]);
                    state.low.insert(node, low);
                } else if state.on_stack.contains(target) {
                    let low = state.low[node].min(state.index[target]);
                    state.low.insert(node, low);
                }
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                component.push(member.join("::"));
                if member == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for &node in edges.keys() {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.found
}

#[test]
fn every_import_runs_down_the_layer_table_and_no_module_has_a_cycle() {
    let document = std::fs::read_to_string(support::project_path("docs/architecture.md")).unwrap();
    let table = layer_table(&document);
    let (graph, modules) = graph(&support::project_path("src"));
    for top in modules.keys().filter_map(|m| m.first()) {
        assert!(
            table.contains_key(top),
            "src/{top} is not in the layer table of docs/architecture.md: add it to a layer"
        );
    }
    let violations = layer_violations(&graph, &table);
    assert!(violations.is_empty(), "{}", violations.join("\n"));
    let cycles = file_cycles(&graph);
    assert!(
        cycles.is_empty(),
        "files that import each other in a loop: {cycles:?}"
    );
    // The check must be able to fail: the graph is not empty and its edges are resolved.
    assert!(
        graph.imports.len() > 300,
        "{} imports read",
        graph.imports.len()
    );
}

#[test]
fn an_upward_import_and_a_cycle_are_caught() {
    let document = std::fs::read_to_string(support::project_path("docs/architecture.md")).unwrap();
    let table = layer_table(&document);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("capture")).unwrap();
    std::fs::create_dir_all(src.join("proxy")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod capture;\npub mod proxy;\n").unwrap();
    std::fs::write(
        src.join("capture/mod.rs"),
        "mod a;\nmod b;\nuse crate::proxy::reverse::Backend;\n",
    )
    .unwrap();
    std::fs::write(src.join("capture/a.rs"), "use super::b::{self, B};\n").unwrap();
    std::fs::write(
        src.join("capture/b.rs"),
        "use super::{a::A, Exchange};\n#[cfg(test)]\nmod tests { use crate::proxy::X; }\n",
    )
    .unwrap();
    std::fs::write(src.join("proxy/mod.rs"), "pub mod reverse;\n").unwrap();
    std::fs::write(
        src.join("proxy/reverse.rs"),
        "use crate::capture::Exchange;\n",
    )
    .unwrap();
    let (graph, _) = graph(src);
    let violations = layer_violations(&graph, &table);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        violations[0].contains("capture/mod.rs")
            && violations[0].contains("crate::proxy::reverse::Backend"),
        "{violations:?}"
    );
    let cycles = file_cycles(&graph);
    assert!(
        cycles.contains(&vec!["capture::a".to_owned(), "capture::b".to_owned()]),
        "{cycles:?}"
    );
}
