//! The module map has no import cycle: the `use crate::...` lines of src/ (test modules
//! left out) form a graph of files, and it must be acyclic. docs/ARCHITECTURE.md says
//! why: arrows point down the layers, so a reader can understand a module from the
//! modules below it alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library `.rs` file under src/, relative to it (`store/mod.rs`); the binary's
/// files (`main.rs`, `cli/`) are left out: nothing imports them.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p.strip_prefix(src()).unwrap().to_path_buf();
            if rel != Path::new("main.rs") && !rel.starts_with("cli") {
                out.push(rel);
            }
        }
    }
}

/// The file that module path `segments` (`["store", "scans", "ScanRow"]`) names: the
/// longest prefix that is a module file.
fn resolve(segments: &[&str], known: &BTreeSet<PathBuf>) -> Option<PathBuf> {
    for n in (1..=segments.len()).rev() {
        let base: PathBuf = segments[..n].iter().collect();
        for candidate in [base.with_extension("rs"), base.join("mod.rs")] {
            if known.contains(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// The module paths one `use crate::...;` statement imports (the first level of a
/// `{...}` group is expanded).
fn imported(statement: &str) -> Vec<Vec<String>> {
    let body = statement
        .trim()
        .trim_start_matches("pub ")
        .trim_start_matches("pub(crate) ")
        .trim_start_matches("use crate::")
        .trim_end_matches(';');
    let (head, group) = match body.split_once('{') {
        Some((head, rest)) => (head, Some(rest.trim_end_matches('}'))),
        None => (body, None),
    };
    let head: Vec<String> = head
        .split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let Some(group) = group else {
        return vec![head];
    };
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    let mut parts = Vec::new();
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&group[start..]);
    for part in parts {
        let first = part.split('{').next().unwrap_or("");
        let mut path = head.clone();
        path.extend(
            first
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != "self")
                .map(String::from),
        );
        out.push(path);
    }
    out
}

/// The `crate::a::b` paths written inline in a line of code.
fn inline_paths(line: &str) -> Vec<Vec<String>> {
    line.match_indices("crate::")
        .map(|(at, _)| {
            line[at + "crate::".len()..]
                .split("::")
                .map_while(|seg| {
                    let name: String = seg
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    (!name.is_empty() && name.len() == seg.len()
                        || !name.is_empty() && seg.starts_with(&name))
                    .then_some(name)
                })
                .collect()
        })
        .collect()
}

/// File -> the files its `use crate::` statements and inline `crate::` paths name.
fn graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut list = Vec::new();
    files(&src(), &mut list);
    let known: BTreeSet<PathBuf> = list.iter().cloned().collect();
    let mut graph = BTreeMap::new();
    for file in &list {
        let text = std::fs::read_to_string(src().join(file)).unwrap();
        // Unit tests may import anything.
        let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
        let mut edges = BTreeSet::new();
        let mut statement = String::new();
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with("//") {
                continue;
            }
            if statement.is_empty()
                && !(t.starts_with("use crate::")
                    || t.starts_with("pub use crate::")
                    || t.starts_with("pub(crate) use crate::"))
            {
                // A path written inline (`crate::enrich::report::Settings`) imports too.
                for path in inline_paths(t.split("//").next().unwrap_or("")) {
                    let segments: Vec<&str> = path.iter().map(String::as_str).collect();
                    if let Some(target) = resolve(&segments, &known)
                        && &target != file
                    {
                        edges.insert(target);
                    }
                }
                continue;
            }
            statement.push_str(t.split("//").next().unwrap_or(""));
            if !t.contains(';') {
                continue;
            }
            for path in imported(&statement) {
                let segments: Vec<&str> = path.iter().map(String::as_str).collect();
                if let Some(target) = resolve(&segments, &known)
                    && &target != file
                {
                    edges.insert(target);
                }
            }
            statement.clear();
        }
        graph.insert(file.clone(), edges);
    }
    graph
}

/// One cycle of `graph`, if it has any (depth-first search with colours).
fn find_cycle(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Option<Vec<PathBuf>> {
    fn visit(
        node: &PathBuf,
        graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        state: &mut BTreeMap<PathBuf, u8>,
        stack: &mut Vec<PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn src_has_no_module_import_cycle() {
    let graph = graph();
    // The check reads the real tree: it must see the store and the areas above it.
    assert!(graph.len() > 50, "only {} files read", graph.len());
    assert!(
        graph[Path::new("scan/run.rs")].contains(Path::new("store/mod.rs")),
        "the import reader missed scan/run.rs -> store: {:?}",
        graph[Path::new("scan/run.rs")]
    );
    if let Some(cycle) = find_cycle(&graph) {
        let names: Vec<String> = cycle.iter().map(|p| p.display().to_string()).collect();
        panic!("import cycle in src/: {}", names.join(" -> "));
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let p = PathBuf::from;
    let mut g = BTreeMap::new();
    g.insert(p("a.rs"), BTreeSet::from([p("b.rs")]));
    g.insert(p("b.rs"), BTreeSet::from([p("c.rs")]));
    g.insert(p("c.rs"), BTreeSet::from([p("a.rs")]));
    let cycle = find_cycle(&g).unwrap();
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4);
    g.insert(p("c.rs"), BTreeSet::new());
    assert!(find_cycle(&g).is_none());
    assert_eq!(
        imported("use crate::store::{Store, scans::{ScanRow, ScanStatus}};"),
        vec![
            vec!["store".to_string(), "Store".to_string()],
            vec!["store".to_string(), "scans".to_string()]
        ]
    );
}
