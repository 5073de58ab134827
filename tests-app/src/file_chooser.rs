//! The OS's file chooser (GTK's, shown by the app through tauri-plugin-dialog), which WebDriver cannot see: found
//! by its title with `xdotool` and answered with real X key events — Ctrl+L, the absolute path, Enter — or
//! cancelled with Escape. Xvfb runs no window manager, so the dialog is focused explicitly before each key.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool").args(args).output().expect("xdotool runs (Debian package xdotool)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The visible top-level windows whose title matches `pattern` (a regex, as xdotool takes it).
fn visible(pattern: &str) -> Vec<String> {
    xdotool(&["search", "--onlyvisible", "--name", pattern]).split_whitespace().map(str::to_owned).collect()
}

/// An open file chooser.
pub struct FileChooser {
    window: String,
    title: String,
}

impl FileChooser {
    /// Waits (up to 20 s) for the chooser titled exactly `title` to be shown.
    pub async fn shown(title: &str) -> FileChooser {
        let pattern = format!("^{title}$");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(window) = visible(&pattern).pop() {
                // GTK maps the window before it has drawn its widgets; give it a moment to take keys
                tokio::time::sleep(Duration::from_millis(500)).await;
                return FileChooser { window, title: title.to_owned() };
            }
            assert!(Instant::now() < deadline, "no file chooser titled {title:?} appeared");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn keys(&self, keys: &[&str]) {
        xdotool(&["windowfocus", "--sync", &self.window]);
        for k in keys {
            xdotool(&["key", "--clearmodifiers", k]);
        }
    }

    /// Types `path` into the location field and accepts it; waits until the chooser is gone.
    pub async fn choose(self, path: &Path) {
        let path = path.to_str().expect("a UTF-8 path");
        assert!(path.starts_with('/'), "the chooser is given absolute paths: {path}");
        // Ctrl+L opens the location field (Open, folder) or focuses the name field (Save); Ctrl+A replaces a
        // suggested name
        self.keys(&["ctrl+l", "ctrl+a"]);
        xdotool(&["windowfocus", "--sync", &self.window]);
        xdotool(&["type", "--delay", "15", path]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.keys(&["Return"]);
        self.closed().await;
    }

    /// Escape: the chooser closes without an answer.
    pub async fn cancel(self) {
        self.keys(&["Escape"]);
        self.closed().await;
    }

    async fn closed(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while visible(&format!("^{}$", self.title)).contains(&self.window) {
            assert!(Instant::now() < deadline, "the file chooser {:?} is still open", self.title);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The whole X screen (the app window and any native dialog over it) as `target/screenshots/app-<name>.png`;
/// WebDriver's screenshots show the webview only.
pub fn screen_shot(name: &str) {
    let file = crate::shots().join(format!("app-{name}.png"));
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(&file)
        .status()
        .expect("import runs (Debian package imagemagick)");
    assert!(status.success(), "import -window root {}", file.display());
}

/// Sends a key combination (e.g. `ctrl+shift+s`) to the app's main window, as the keyboard would.
pub fn press_in_main_window(keys: &str) {
    let main = visible("Kafka Cluster Wizard$").pop().expect("the app's window is shown");
    xdotool(&["windowfocus", "--sync", &main]);
    xdotool(&["key", "--clearmodifiers", keys]);
}
