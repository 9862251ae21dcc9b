//! The architecture's invariants (docs/ARCHITECTURE.md), checked on the manifests and sources
//! of the workspace, so that a change that breaks one fails the tests:
//!
//! - only the store depends on sqlx (only it knows SQL);
//! - only the server crate (`crates/server`) depends on an HTTP library;
//! - no library depends on the binary (the root package `assess`);
//! - the crates docs/ARCHITECTURE.md marks "**no I/O**" use no file system, network or
//!   database, in code or in their dependencies;
//! - no library prints, and no library's message names a command-line `--flag` (a front end
//!   adds its own hint), but for the user documentation some libraries render (listed).
//!
//! The same checker runs on a fixture workspace that breaks every rule once
//! (tests/data/architecture/violations), to show that each rule can fail.
//!
//! And the sources, so that a reader of the repository can follow every citation: no file
//! points at the notes folder beside the repository that only its developers have, and every
//! link to a section of docs/sources.md (the facts the product relies on, each with its
//! original source) names an anchor that the page has. That checker runs on a workspace made
//! in a temporary folder, since a fixture file in the repository could not break the first
//! rule without breaking the check of the repository itself.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use syn::visit_mut::VisitMut;

/// Dependencies that speak HTTP: allowed in the server crate only.
const HTTP: &[&str] = &[
    "axum",
    "hyper",
    "http",
    "reqwest",
    "tower",
    "tower-http",
    "ureq",
    "warp",
    "actix-web",
    "utoipa",
];

/// Dependencies that reach a database or the network: never in a no-I/O crate.
const IO_DEPENDENCIES: &[&str] = &["sqlx", "tokio", "reqwest", "hyper", "axum", "ureq"];

/// Paths in code that reach the file system, the network or a database.
const IO_PATHS: &[&str] = &["std::fs", "std::net", "tokio::fs", "tokio::net", "sqlx::"];

/// Library files whose strings are user documentation rendered into an output (a workbook's
/// README sheet, a report's texts and style sheet), where naming a command and its options is
/// the point; error messages are elsewhere.
const DOCUMENTATION_TEXTS: &[&str] = &[
    "crates/forms/src/write.rs",
    "crates/report/src/text.rs",
    "crates/report/src/html.rs",
];

/// A package of the workspace.
struct Package {
    name: String,
    /// Relative to the workspace root, `/`-separated ("" for the root package).
    dir: String,
    /// Names of its normal dependencies (not dev or build).
    dependencies: BTreeSet<String>,
}

fn manifest(path: &Path) -> toml::Table {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

fn package(root: &Path, dir: &str) -> Option<Package> {
    let m = manifest(&root.join(dir).join("Cargo.toml"));
    let name = m.get("package")?.get("name")?.as_str()?.to_string();
    let dependencies = m
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|d| {
            d.iter()
                .map(|(key, value)| {
                    // `alias = { package = "real" }` depends on `real`.
                    value
                        .get("package")
                        .and_then(|p| p.as_str())
                        .unwrap_or(key)
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Package {
        name,
        dir: dir.to_string(),
        dependencies,
    })
}

/// The root package and every member under crates/.
fn packages(root: &Path) -> Vec<Package> {
    let mut out: Vec<Package> = package(root, "").into_iter().collect();
    let mut dirs: Vec<String> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .map(|p| format!("crates/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    dirs.sort();
    out.extend(dirs.iter().filter_map(|d| package(root, d)));
    out
}

/// The crates docs/ARCHITECTURE.md marks "**no I/O**", by package name: a section headed
/// "### `NAME` (...)" whose text says "**no I/O**".
fn documented_without_io(root: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    let mut out = BTreeSet::new();
    for section in text.split("\n### ").skip(1) {
        let name = section.split('`').nth(1).unwrap_or_default();
        let body = section.split("\n## ").next().unwrap_or_default();
        if body.contains("**no I/O**") {
            out.insert(name.to_string());
        }
    }
    out
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A source file's code without its tests and doc comments: the tokens that make the library.
fn library_tokens(path: &Path) -> proc_macro2::TokenStream {
    struct Strip;
    impl VisitMut for Strip {
        fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
            attrs.retain(|a| !a.path().is_ident("doc"));
        }
        fn visit_file_mut(&mut self, file: &mut syn::File) {
            file.items.retain(|i| !is_test(i));
            syn::visit_mut::visit_file_mut(self, file);
        }
        fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
            if let Some((_, items)) = &mut m.content {
                items.retain(|i| !is_test(i));
            }
            syn::visit_mut::visit_item_mod_mut(self, m);
        }
    }
    fn is_test(item: &syn::Item) -> bool {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            _ => return false,
        };
        attrs.iter().any(|a| {
            a.path().is_ident("test")
                || (a.path().is_ident("cfg")
                    && a.meta.to_token_stream().to_string().contains("test"))
        })
    }
    use quote::ToTokens;
    let text = std::fs::read_to_string(path).unwrap();
    let mut file =
        syn::parse_file(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    Strip.visit_file_mut(&mut file);
    file.to_token_stream()
}

/// Macros that print to a terminal.
const PRINTING: &[&str] = &["println", "eprintln", "print", "eprint", "dbg"];

/// The macros among `names` that a token stream calls (`name!(...)`).
fn macros_called(tokens: proc_macro2::TokenStream, names: &[&str]) -> Vec<String> {
    use proc_macro2::TokenTree;
    let mut out = Vec::new();
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Group(g) => out.extend(macros_called(g.stream(), names)),
            TokenTree::Ident(id) if names.contains(&id.to_string().as_str()) => {
                let bang =
                    matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                let call = matches!(tokens.get(i + 2), Some(TokenTree::Group(_)));
                if bang && call {
                    out.push(id.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

/// The string literals of a token stream, as their values.
fn strings(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Group(g) => strings(g.stream(), out),
            proc_macro2::TokenTree::Literal(l) => {
                if let Ok(s) = syn::parse_str::<syn::LitStr>(&l.to_string()) {
                    out.push(s.value());
                }
            }
            _ => {}
        }
    }
}

/// The first `--flag` a text names: two hyphens then a lowercase letter, at the start of a
/// word.
fn flag(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(2)).find_map(|i| {
        let word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'-');
        (word_start
            && bytes[i] == b'-'
            && bytes[i + 1] == b'-'
            && bytes[i + 2].is_ascii_lowercase())
        .then(|| {
            text[i..]
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .next()
                .unwrap_or_default()
                .to_string()
        })
    })
}

/// Every broken invariant of the workspace at `root`, one line each.
fn violations(root: &Path) -> Vec<String> {
    let packages = packages(root);
    let binary = packages
        .iter()
        .find(|p| p.dir.is_empty())
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let without_io = documented_without_io(root);
    let mut out = Vec::new();
    for p in &packages {
        let library = !p.dir.is_empty();
        for dep in &p.dependencies {
            if dep == "sqlx" && p.name != "assess-store" {
                out.push(format!(
                    "{}: depends on sqlx; only the store knows SQL",
                    p.name
                ));
            }
            if HTTP.contains(&dep.as_str()) && p.dir != "crates/server" {
                out.push(format!(
                    "{}: depends on {dep}; only the server crate knows HTTP",
                    p.name
                ));
            }
            if library && *dep == binary {
                out.push(format!("{}: depends on the binary {binary}", p.name));
            }
            if without_io.contains(&p.name) && IO_DEPENDENCIES.contains(&dep.as_str()) {
                out.push(format!(
                    "{}: depends on {dep}, but docs/ARCHITECTURE.md says it does no I/O",
                    p.name
                ));
            }
        }
        if !library {
            continue;
        }
        for file in sources(&root.join(&p.dir).join("src")) {
            let rel = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let tokens = library_tokens(&file);
            let code = tokens.to_string().replace(' ', "");
            if without_io.contains(&p.name) {
                for path in IO_PATHS {
                    if code.contains(path) {
                        out.push(format!(
                            "{rel}: uses {path}, but docs/ARCHITECTURE.md says {} does no I/O",
                            p.name
                        ));
                    }
                }
            }
            for print in macros_called(tokens.clone(), PRINTING) {
                out.push(format!("{rel}: a library prints ({print}!)"));
            }
            if DOCUMENTATION_TEXTS.contains(&rel.as_str()) {
                continue;
            }
            let mut texts = Vec::new();
            strings(tokens, &mut texts);
            for text in texts {
                if let Some(f) = flag(&text) {
                    out.push(format!(
                        "{rel}: a library message names the option {f} (the binary adds hints): \
                         {text:?}"
                    ));
                }
            }
        }
    }
    out
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// How the notes folder beside the repository was cited (relative, or by the developers'
/// machine path): a reader of the repository cannot follow either. Written in two halves so
/// that this file does not cite it.
const OUTSIDE: &[&str] = &[concat!("..", "/shared"), concat!("/work", "/shared")];

/// Folders that are not the repository's sources: build output and git's own (at any depth),
/// and the git-ignored work folders (from the root).
const NOT_SOURCES: &[&str] = &["target", ".git"];
const IGNORED_FROM_ROOT: &[&str] = &["out", "bench/work"];

/// The page every source is cited from, relative to the root.
const SOURCES_PAGE: &str = "docs/sources.md";

/// Every file under `dir` but the folders above, sorted; symbolic links are not followed.
fn repository_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        let rel = relative(root, &path);
        if NOT_SOURCES.contains(&name.as_str()) || IGNORED_FROM_ROOT.contains(&rel.as_str()) {
            continue;
        }
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            repository_files(root, &path, out);
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

/// `path` relative to `root`, `/`-separated.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The line (from 1) of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// The anchor that follows `at` in `text`: letters, digits, `-` and `_`.
fn anchor_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The links to a section of the sources page in a text, as (line, anchor): every
/// `sources.md#<anchor>` (whatever the path before it: `docs/` from the root, none from docs/),
/// and in the page itself its own `](#<anchor>)` links.
fn source_links(text: &str, is_the_page: bool) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut patterns = vec!["sources.md#"];
    if is_the_page {
        patterns.push("](#");
    }
    for pattern in patterns {
        for (at, _) in text.match_indices(pattern) {
            // `data-sources.md#x` is another page.
            let before = text[..at].chars().next_back();
            if pattern.starts_with('s')
                && before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
            {
                continue;
            }
            let anchor = anchor_at(text, at + pattern.len());
            // An empty anchor is no link (a pattern in code, as in this file).
            if !anchor.is_empty() {
                out.push((line_of(text, at), anchor.to_string()));
            }
        }
    }
    out
}

/// The anchors of the sources page (`<a id="ANCHOR"></a>`), and what is wrong with them: an
/// anchor given twice, or one not followed by a heading (an anchor names a section).
fn page_anchors(text: &str) -> (BTreeSet<String>, Vec<String>) {
    let mut anchors = BTreeSet::new();
    let mut problems = Vec::new();
    let pattern = "<a id=\"";
    for (at, _) in text.match_indices(pattern) {
        let anchor = anchor_at(text, at + pattern.len()).to_string();
        let line = line_of(text, at);
        if !anchors.insert(anchor.clone()) {
            problems.push(format!(
                "{SOURCES_PAGE}:{line}: anchor #{anchor} is given twice"
            ));
        }
        let next = text[at..]
            .lines()
            .skip(1)
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        if !next.starts_with('#') {
            problems.push(format!(
                "{SOURCES_PAGE}:{line}: anchor #{anchor} is not followed by a heading"
            ));
        }
    }
    (anchors, problems)
}

/// Every citation in the repository at `root` that its reader cannot follow, one line each.
fn citation_violations(root: &Path) -> Vec<String> {
    let page = std::fs::read_to_string(root.join(SOURCES_PAGE)).unwrap_or_default();
    let (anchors, mut out) = page_anchors(&page);
    let mut files = Vec::new();
    repository_files(root, root, &mut files);
    for file in files {
        let rel = relative(root, &file);
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for needle in OUTSIDE {
            for (at, _) in text.match_indices(needle) {
                out.push(format!(
                    "{rel}:{}: cites {needle}, outside the repository: cite a section of \
                     {SOURCES_PAGE} instead",
                    line_of(&text, at)
                ));
            }
        }
        for (line, anchor) in source_links(&text, rel == SOURCES_PAGE) {
            if !anchors.contains(&anchor) {
                out.push(format!(
                    "{rel}:{line}: links to #{anchor}, which {SOURCES_PAGE} does not have"
                ));
            }
        }
    }
    out
}

#[test]
fn every_source_is_cited_inside_the_repository() {
    let root = repository();
    assert!(
        root.join(SOURCES_PAGE).is_file(),
        "{SOURCES_PAGE} is missing"
    );
    let found = citation_violations(&root);
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The sections the data files cite most are there (a page without anchors would fail the
    // links above, but say so plainly).
    let page = std::fs::read_to_string(root.join(SOURCES_PAGE)).unwrap();
    let (anchors, _) = page_anchors(&page);
    for anchor in [
        "exit-thresholds",
        "poverty-lines",
        "housing-danger-points-2009",
    ] {
        assert!(
            anchors.contains(anchor),
            "#{anchor} is not in {SOURCES_PAGE}"
        );
    }
}

/// A workspace that breaks each citation rule once, and has what is allowed besides.
#[test]
fn a_planted_bad_citation_of_each_kind_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: String| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let link = |to: &str, anchor: &str| format!("{to}sources.md#{anchor}");
    write(
        SOURCES_PAGE,
        "# Sources\n\n<a id=\"kept\"></a>\n## Kept\n\nSee [kept](#kept), [gone](#gone).\n\n\
         <a id=\"twice\"></a>\n### Twice\n\n<a id=\"twice\"></a>\n### Twice again\n\n\
         <a id=\"loose\"></a>\nNo heading.\n"
            .to_string(),
    );
    write(
        "docs/page.md",
        format!(
            "Kept: [a]({}).\nGone: [b]({}).\nAnother page: [c]({}).\n",
            link("", "kept"),
            link("", "missing"),
            link("data-", "missing"),
        ),
    );
    write(
        "data/standards.toml",
        format!(
            "source = \"{}/domain/notes.md; {}\"\n",
            OUTSIDE[0],
            link("docs/", "kept")
        ),
    );
    write(
        "src/lib.rs",
        format!("//! See\n//! {}/reference.\n", OUTSIDE[1]),
    );
    // Not the repository's: build output, git's own, the work folders.
    write("target/debug/old.md", format!("{}\n", OUTSIDE[0]));
    write(".git", format!("gitdir: {}\n", OUTSIDE[1]));
    write("bench/work/notes.md", link("docs/", "missing"));
    let found = citation_violations(root);
    let expect = [
        "docs/sources.md:11: anchor #twice is given twice".to_string(),
        "docs/sources.md:14: anchor #loose is not followed by a heading".to_string(),
        format!(
            "data/standards.toml:1: cites {}, outside the repository",
            OUTSIDE[0]
        ),
        "docs/page.md:2: links to #missing, which docs/sources.md does not have".to_string(),
        "docs/sources.md:6: links to #gone, which docs/sources.md does not have".to_string(),
        format!("src/lib.rs:2: cites {}, outside the repository", OUTSIDE[1]),
    ];
    for e in &expect {
        assert!(
            found.iter().any(|f| f.starts_with(e.as_str())),
            "not found: {e}\nfound:\n{}",
            found.join("\n")
        );
    }
    assert_eq!(found.len(), expect.len(), "{}", found.join("\n"));
}

#[test]
fn the_workspace_keeps_every_invariant() {
    let found = violations(&repository());
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_docs_mark_the_crates_that_do_no_io() {
    // The rule above is only as strong as this list: the statistics and rule crates.
    let marked = documented_without_io(&repository());
    for name in [
        "assess-household",
        "assess-standards",
        "assess-sampling",
        "assess-inspection",
        "assess-survey",
        "assess-verdict",
        "assess-access",
        "assess-census-checks",
        "assess-census-tables",
        "assess-census",
        "assess-census-pes",
    ] {
        assert!(marked.contains(name), "{name} is not marked **no I/O**");
    }
}

/// A fixture workspace that breaks each rule once: every rule can fail.
#[test]
fn a_planted_violation_of_each_rule_is_found() {
    let root = repository().join("tests/data/architecture/violations");
    let found = violations(&root);
    let expect = [
        "assess-survey: depends on sqlx; only the store knows SQL",
        "assess-survey: depends on sqlx, but docs/ARCHITECTURE.md says it does no I/O",
        "assess-report: depends on axum; only the server crate knows HTTP",
        "assess-report: depends on the binary assess",
        "crates/survey/src/lib.rs: uses std::fs, but docs/ARCHITECTURE.md says assess-survey does no I/O",
        "crates/report/src/lib.rs: a library prints (println!)",
        "crates/report/src/lib.rs: a library message names the option --out",
    ];
    for e in expect {
        assert!(
            found.iter().any(|f| f.starts_with(e)),
            "not found: {e}\nfound:\n{}",
            found.join("\n")
        );
    }
    assert_eq!(found.len(), expect.len(), "{}", found.join("\n"));
    // What is allowed stays allowed: the server may speak HTTP, a test module may print and
    // name options, a doc comment may name them, and the store may use sqlx.
    assert!(!found.iter().any(|f| f.contains("assess-server")));
    assert!(!found.iter().any(|f| f.contains("assess-store")));
}

#[test]
fn flags_are_told_from_other_dashes() {
    assert_eq!(
        flag("choose another --out or remove it").as_deref(),
        Some("--out")
    );
    assert_eq!(flag("--db \"x\": give a path").as_deref(), Some("--db"));
    assert_eq!(flag("(--record FILE.json)").as_deref(), Some("--record"));
    assert_eq!(flag("a 2020-06--12 date, x--y, ---, -- end, --1"), None);
}
