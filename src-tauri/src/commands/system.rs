//! What the UI needs to know about the machine: the OS locale (from `LC_ALL` / `LC_MESSAGES` / `LANG`, as the C
//! library would pick it), so the language follows the OS even where WebKit falls back to `C`.

/// The first locale variable that is set and not empty, e.g. `ko_KR.UTF-8`; `None` when none is.
pub fn locale_from(get: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|k| get(k).filter(|v| !v.is_empty()))
}

#[tauri::command]
pub fn system_locale() -> Option<String> {
    locale_from(|k| std::env::var(k).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lc_all_wins_over_lang_and_empty_values_are_skipped() {
        let env = |k: &str| match k {
            "LC_ALL" => Some(String::new()),
            "LC_MESSAGES" => Some("ko_KR.UTF-8".into()),
            "LANG" => Some("en_US.UTF-8".into()),
            _ => None,
        };
        assert_eq!(locale_from(env).as_deref(), Some("ko_KR.UTF-8"));
        assert_eq!(locale_from(|_| None), None);
    }
}
