//! Every frontend puts markup and attributes on the page through the kit, so nothing reaches the
//! page unescaped: maud's `PreEscaped`, the one escape hatch to raw HTML, is used by none, and an
//! address made at run time reaches a link only as an `Href` (through `ui_kit::link` or `set_href`).

use std::{fs, path::Path};

/// The source folders of the shell, the micro-frontends and the guest side of their contract.
const FRONTENDS: [&str; 6] = [
    "mfe-shell/src",
    "mfe-accounts/src",
    "mfe-payments/src",
    "mfe-organisations/src",
    "mfe-qr/src",
    "mfe-contract/guest/src",
];

/// Calls that write HTML or attributes around the kit, and why each is refused.
const FORBIDDEN: [(&str, &str); 5] = [
    ("inner_html", "markup goes on the page through ui_kit::dom::{fill, replace, insert}"),
    ("outer_html", "markup goes on the page through ui_kit::dom::{fill, replace, insert}"),
    ("insert_adjacent_html", "markup goes on the page through ui_kit::dom::insert"),
    ("set_attribute(", "attributes are set through ui_kit::dom::set, which refuses addresses"),
    ("PreEscaped", "raw HTML is maud's escape hatch, which no frontend needs"),
];

/// Attributes that take an address: in a template, only a literal (`href="/accounts"`).
const ADDRESS_ATTRIBUTES: [&str; 5] = ["href", "src", "action", "formaction", "srcdoc"];

#[test]
fn frontends_write_markup_and_addresses_only_through_the_kit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    for folder in FRONTENDS {
        for (path, source) in sources(&root.join(folder)) {
            found.extend(offences(&source).into_iter().map(|offence| format!("{}: {offence}", path)));
        }
    }
    assert!(found.is_empty(), "markup around the kit:\n{}", found.join("\n"));
}

#[test]
fn the_check_finds_each_way_around_the_kit() {
    let cases = [
        "element.set_inner_html(&text);",
        "anchor.insert_adjacent_html(\"afterend\", &html);",
        "let _ = link.set_attribute(\"href\", url);",
        "html! { (PreEscaped(text)) }",
        "html! { a href=(url) { \"Go\" } }",
        "html! { img src=[image]; }",
        "html! { form action=(target) {} }",
    ];
    for case in cases {
        assert_eq!(offences(case).len(), 1, "{case}");
    }
    let fine = "html! { a href=\"/accounts\" { (name) } button data-action=(Action::Move) {} }";
    assert!(offences(fine).is_empty(), "a literal address and a data attribute are fine");
}

/// Each line of `source` that goes around the kit, with why.
fn offences(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        for (call, why) in FORBIDDEN {
            if line.contains(call) {
                found.push(format!("line {}: {call}: {why}", number + 1));
            }
        }
        for attribute in ADDRESS_ATTRIBUTES {
            if splices(line, attribute) {
                found.push(format!(
                    "line {}: {attribute}= takes only a literal; an address made at run time goes through ui_kit::link",
                    number + 1
                ));
            }
        }
    }
    found
}

/// Whether `line` splices a value into the attribute `name` (`name=(..)` or `name=[..]`).
fn splices(line: &str, name: &str) -> bool {
    line.match_indices(name).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = &line[at + name.len()..];
        before.is_none_or(char::is_whitespace) && (after.starts_with("=(") || after.starts_with("=["))
    })
}

/// The `.rs` files below `folder`, with their text.
fn sources(folder: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for entry in fs::read_dir(folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display())) {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let source = fs::read_to_string(&path).expect("a source file");
            files.push((path.display().to_string(), source));
        }
    }
    files
}
