//! How text is folded for search and sorting: case- and accent-insensitive, the way
//! the table has always compared ("Zoë" = "zoe", "ÉVÉNEMENTS" = "evenements").
//!
//! Canonical decomposition (NFD), combining diacritical marks (U+0300–U+036F) removed,
//! then lowercase. Letters that do not decompose keep their own form ("Ł" → "ł",
//! "ø" stays "ø"), and scripts without case or marks (CJK, Arabic) are unchanged.

use serde_json::Value;
use unicode_normalization::char::decompose_canonical;

/// Appends the folded form of `text` to `out`.
pub fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        out.extend(text.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    for c in text.chars() {
        decompose_canonical(c, |d| {
            if !('\u{0300}'..='\u{036f}').contains(&d) {
                out.extend(d.to_lowercase());
            }
        });
    }
}

/// The folded form of `text`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// A search's words: folded and split on whitespace. Every word must match.
pub fn search_words(query: &str) -> Vec<String> {
    fold(query).split_whitespace().map(str::to_string).collect()
}

/// Appends the text of a JSON value's scalars (strings, numbers, booleans), each
/// followed by `sep`, to `out`, folded.
pub fn fold_value_into(value: &Value, sep: char, out: &mut String) {
    match value {
        Value::Null => {}
        Value::String(s) => {
            fold_into(s, out);
            out.push(sep);
        }
        Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push(sep);
        }
        Value::Bool(b) => {
            out.push_str(if *b { "true" } else { "false" });
            out.push(sep);
        }
        Value::Array(list) => list.iter().for_each(|v| fold_value_into(v, sep, out)),
        Value::Object(map) => map.values().for_each(|v| fold_value_into(v, sep, out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Zoë Ørsted"), "zoe ørsted");
        assert_eq!(fold("ÉVÉNEMENTS"), "evenements");
        assert_eq!(fold("Łukasz"), "łukasz");
        assert_eq!(fold("Olúwáṣeun"), "oluwaseun");
        assert_eq!(fold("計画 Café"), "計画 cafe");
        assert_eq!(search_words("  Café   MENU "), ["cafe", "menu"]);
    }
}
