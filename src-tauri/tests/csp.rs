//! The webview's Content-Security-Policy (`tauri.conf.json`): strict — the app's own files only, no inline or
//! evaluated code, no network but Tauri's IPC — and the page it serves needs nothing more (no inline script or
//! style, nothing from elsewhere). The real window under it is exercised by tests-app's `app_e2e`.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn csp() -> serde_json::Map<String, serde_json::Value> {
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("src-tauri/tauri.conf.json")).unwrap()).unwrap();
    conf["app"]["security"]["csp"].as_object().expect("app.security.csp is set, as directives").clone()
}

#[test]
fn the_csp_allows_only_the_apps_own_files_and_tauris_ipc() {
    let csp = csp();
    let directive = |name: &str| csp.get(name).and_then(|v| v.as_str()).unwrap_or_else(|| panic!("{name} missing"));
    for name in ["default-src", "script-src", "style-src", "img-src", "font-src"] {
        assert_eq!(directive(name), "'self'", "{name}");
    }
    assert_eq!(directive("connect-src"), "ipc: http://ipc.localhost");
    for name in ["object-src", "base-uri", "form-action", "frame-src"] {
        assert_eq!(directive(name), "'none'", "{name}");
    }
    for (name, value) in &csp {
        let value = value.as_str().unwrap();
        for loose in ["unsafe-inline", "unsafe-eval", "*", "data:", "blob:", "http:", "https:"] {
            assert!(!value.split_whitespace().any(|s| s.trim_matches('\'') == loose), "{name}: {value}");
        }
    }
}

#[test]
fn the_page_has_no_inline_script_or_style_and_loads_only_its_own_files() {
    let html = std::fs::read_to_string(root().join("ui/public/index.html")).unwrap();
    assert!(html.contains(r#"<script type="module" src="js/app.js"></script>"#), "{html}");
    assert_eq!(html.matches("<script").count(), 1, "one script, from a file:\n{html}");
    assert!(!html.contains("<style") && !html.contains("style="), "no inline style:\n{html}");
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//"), "{html}");
    let css = std::fs::read_to_string(root().join("ui/public/style.css")).unwrap();
    assert!(!css.contains("url(") && !css.contains("@import"), "the stylesheet loads nothing");
}
