//! The WAI-ARIA tree pattern's keyboard rules, over the rows a person sees.

/// One visible row of the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub id: String,
    /// 1 for roots.
    pub level: u32,
    pub expanded: bool,
    pub expandable: bool,
    pub name: String,
}

/// What a key does to the row at hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Move the focus to this row.
    Focus(usize),
    Expand(usize),
    Collapse(usize),
    /// Open the row's details.
    Open(usize),
}

/// The action for `key` (a `KeyboardEvent.key`) on row `at`, if the key means anything there.
pub fn action(rows: &[Row], at: usize, key: &str) -> Option<Action> {
    let row = rows.get(at)?;
    match key {
        "ArrowDown" => (at + 1 < rows.len()).then_some(Action::Focus(at + 1)),
        "ArrowUp" => at.checked_sub(1).map(Action::Focus),
        "Home" => Some(Action::Focus(0)),
        "End" => rows.len().checked_sub(1).map(Action::Focus),
        "ArrowRight" if row.expandable && !row.expanded => Some(Action::Expand(at)),
        // Expanded: to the first child, once it has loaded.
        "ArrowRight" => rows.get(at + 1).filter(|next| next.level > row.level).map(|_| Action::Focus(at + 1)),
        "ArrowLeft" if row.expanded => Some(Action::Collapse(at)),
        "ArrowLeft" => rows[..at].iter().rposition(|above| above.level < row.level).map(Action::Focus),
        "Enter" => Some(Action::Open(at)),
        _ => None,
    }
}

/// Type-ahead: the next row after `at` (wrapping around) whose name starts with `typed`.
pub fn find_by_name(rows: &[Row], at: usize, typed: &str) -> Option<usize> {
    let typed = lowercase(typed);
    // A repeated first letter cycles through the rows starting with it; a longer prefix stays put
    // while the focused row still matches.
    let start = if typed.chars().count() > 1 { at } else { at + 1 };
    (0..rows.len())
        .map(|offset| (start + offset) % rows.len())
        .find(|&index| lowercase(&rows[index].name).starts_with(&typed))
}

/// The browser's lower case: Rust's own brings its Unicode tables into the wasm.
fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    fn row(id: &str, level: u32, expanded: bool, expandable: bool) -> Row {
        Row { id: id.into(), level, expanded, expandable, name: id.into() }
    }

    /// Assets (expanded) > Bank (expanded) > Checking; Bank's sibling Cash; then the root Equity.
    fn rows() -> Vec<Row> {
        vec![
            row("Assets", 1, true, true),
            row("Bank", 2, true, true),
            row("Checking", 3, false, false),
            row("Cash", 2, false, true),
            row("Equity", 1, false, false),
        ]
    }

    #[wasm_bindgen_test]
    fn up_down_home_end_move_through_the_visible_rows() {
        let rows = rows();
        assert_eq!(action(&rows, 0, "ArrowDown"), Some(Action::Focus(1)));
        assert_eq!(action(&rows, 4, "ArrowDown"), None);
        assert_eq!(action(&rows, 0, "ArrowUp"), None);
        assert_eq!(action(&rows, 3, "ArrowUp"), Some(Action::Focus(2)));
        assert_eq!(action(&rows, 2, "Home"), Some(Action::Focus(0)));
        assert_eq!(action(&rows, 2, "End"), Some(Action::Focus(4)));
    }

    #[wasm_bindgen_test]
    fn right_expands_then_enters_and_left_collapses_then_climbs() {
        let rows = rows();
        assert_eq!(action(&rows, 3, "ArrowRight"), Some(Action::Expand(3)));
        assert_eq!(action(&rows, 1, "ArrowRight"), Some(Action::Focus(2)), "expanded: to the first child");
        assert_eq!(action(&rows, 2, "ArrowRight"), None, "a leaf");
        assert_eq!(action(&rows, 1, "ArrowLeft"), Some(Action::Collapse(1)));
        assert_eq!(action(&rows, 2, "ArrowLeft"), Some(Action::Focus(1)), "to the parent");
        assert_eq!(action(&rows, 3, "ArrowLeft"), Some(Action::Focus(0)), "past the sibling's children");
        assert_eq!(action(&rows, 4, "ArrowLeft"), None, "a collapsed root");
        assert_eq!(action(&rows, 4, "Enter"), Some(Action::Open(4)));
        assert_eq!(action(&rows, 4, "x"), None);
    }

    #[wasm_bindgen_test]
    fn typing_finds_the_next_row_by_name() {
        let rows = rows();
        assert_eq!(find_by_name(&rows, 0, "c"), Some(2));
        assert_eq!(find_by_name(&rows, 2, "c"), Some(3), "the same letter again: the next match");
        assert_eq!(find_by_name(&rows, 3, "c"), Some(2), "wraps around");
        assert_eq!(find_by_name(&rows, 2, "ca"), Some(3));
        assert_eq!(find_by_name(&rows, 3, "cas"), Some(3), "a longer prefix stays on a match");
        assert_eq!(find_by_name(&rows, 0, "z"), None);
    }
}
