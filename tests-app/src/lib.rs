//! Shared helpers for the desktop app's real-window end-to-end tests (`tests/`): tauri-driver in its own process
//! group (killed on drop), a WebDriver session on the built app, waiting for elements, screenshots, and the
//! native file chooser driven with xdotool ([`file_chooser`]).

pub mod file_chooser;
pub mod responsiveness;

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace().join("target"))
}

/// tauri-driver (and the WebKitWebDriver and app it starts) in their own process group, killed on drop.
pub struct Driver {
    child: Child,
}

impl Driver {
    pub fn start(port: u16) -> Driver {
        Driver::start_with_locale(port, "en_US.UTF-8")
    }

    /// The app sees `LANG=<locale>` (its UI language follows the OS locale).
    pub fn start_with_locale(port: u16, locale: &str) -> Driver {
        Driver::launch(port, locale, &target_dir().join("xdg-e2e"), None)
    }

    /// … and, with `cwd`, starts there (the app inherits it: the directory the user started the app from).
    pub fn start_in(port: u16, locale: &str, cwd: Option<&Path>) -> Driver {
        Driver::launch(port, locale, &target_dir().join("xdg-e2e"), cwd)
    }

    /// The app's XDG directories (config: recent projects; cache: downloaded releases; state: run logs) under `xdg`.
    pub fn start_with(port: u16, locale: &str, xdg: &Path) -> Driver {
        Driver::launch(port, locale, xdg, None)
    }

    fn launch(port: u16, locale: &str, xdg: &Path, cwd: Option<&Path>) -> Driver {
        use std::os::unix::process::CommandExt;
        let port = shifted(port);
        let driver = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| {
            let home = std::env::var("HOME").unwrap_or_default();
            let cargo_bin = format!("{home}/.cargo/bin/tauri-driver");
            if Path::new(&cargo_bin).exists() {
                cargo_bin
            } else {
                "tauri-driver".into()
            }
        });
        let mut command = Command::new(driver);
        if let Some(dir) = cwd {
            command.current_dir(dir);
        }
        let child = command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &(port + 1).to_string(),
                "--native-driver",
                "/usr/bin/WebKitWebDriver",
            ])
            .env("XDG_DATA_HOME", xdg.join("data"))
            .env("XDG_CACHE_HOME", xdg.join("cache"))
            .env("XDG_CONFIG_HOME", xdg.join("config"))
            .env("XDG_STATE_HOME", xdg.join("state"))
            .env("LANG", locale)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("tauri-driver starts (cargo install tauri-driver@2.1.0 --locked)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pgid = self.child.id() as i32;
        unsafe { libc::killpg(pgid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        unsafe { libc::killpg(pgid, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

pub async fn connect(port: u16) -> Client {
    connect_with_args(port, &[]).await
}

/// A session on the app started as `kafka-wizard-app ARGS…` (e.g. a project file to open).
pub async fn connect_with_args(port: u16, args: &[&str]) -> Client {
    let app = app_binary();
    assert!(app.exists(), "{} missing: run `cargo test -p kafka-wizard-app` first (or set KW_APP_BIN)", app.display());
    session(shifted(port), &app, args).await
}

/// The app under test: `KW_APP_BIN` when set (any build of the app), else the debug build — tests-app/run.sh's,
/// which the command tests (`cargo test -p kafka-wizard-app`) built.
fn app_binary() -> PathBuf {
    std::env::var("KW_APP_BIN").map(PathBuf::from).unwrap_or_else(|_| target_dir().join("debug/kafka-wizard-app"))
}

/// A WebDriver session on `app` (any executable that starts the app: the binary, or the AppImage).
pub async fn connect_to(port: u16, app: &Path, args: &[&str]) -> Client {
    session(shifted(port), app, args).await
}

async fn session(port: u16, app: &Path, args: &[&str]) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("tauri:options".into(), serde_json::json!({ "application": app, "args": args }));
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session")
}

/// A test's driver port moved by `KW_E2E_PORT_OFFSET` (default 0), so two checkouts can run their app tests at
/// the same time on one machine.
fn shifted(port: u16) -> u16 {
    port + std::env::var("KW_E2E_PORT_OFFSET").ok().and_then(|v| v.parse::<u16>().ok()).unwrap_or(0)
}

pub fn shots() -> PathBuf {
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(shots().join(format!("app-{name}.png")), png).unwrap();
}

/// Waits (up to 20 s) for `selector` and returns it. WebKitWebDriver can answer a lookup that raced a redraw with
/// "Stale element found when trying to create the node handle": the node it found was replaced while the handle
/// was made, so the lookup is simply made again (any other error stands).
pub async fn css(c: &Client, selector: &str) -> fantoccini::elements::Element {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match c.wait().at_most(left).for_element(Locator::Css(selector)).await {
            Ok(element) => return element,
            Err(e) if e.to_string().to_lowercase().contains("stale") && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{selector}: {e}"),
        }
    }
}

/// Clicks `selector` after scrolling it to the middle of the view: WebDriver scrolls an element only until it is in
/// view, which can leave it under the wizard's sticky footer (the click would land on the footer instead). The UI
/// re-renders a step when an answer arrives, replacing its nodes: an element found just before that is gone by the
/// time it is scrolled or clicked ("not found" / stale), so it is found again and the click retried (a few times,
/// then the error stands).
pub async fn click(c: &Client, selector: &str) {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let element = css(c, selector).await;
        let scrolled = c
            .execute("arguments[0].scrollIntoView({block: 'center'})", vec![serde_json::to_value(&element).unwrap()])
            .await
            .map_err(|e| format!("scroll {selector} into view: {e}"));
        let clicked = match scrolled {
            Ok(_) => element.click().await.map(|_| ()).map_err(|e| format!("click {selector}: {e}")),
            Err(e) => Err(e),
        };
        match clicked {
            Ok(()) => return,
            Err(e) if attempt < 5 && (e.contains("was not found") || e.contains("stale")) => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// Chooses `value` in the select `selector` after scrolling it to the middle of the view (clear of the sticky
/// footer). A redraw can replace the select between its lookup and the choice (stale), or just after it (the new
/// node shows the former choice): the select is looked up again and the choice made again until the select on the
/// page holds `value` (a few times, then the error stands).
pub async fn choose(c: &Client, selector: &str, value: &str) {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let select = css(c, selector).await;
        let arg = vec![serde_json::to_value(&select).unwrap()];
        let chosen = match c.execute("arguments[0].scrollIntoView({block: 'center'})", arg).await {
            Ok(_) => select.select_by_value(value).await.map(|_| ()),
            Err(e) => Err(e),
        };
        let error = match chosen {
            Ok(()) => match prop_value(c, selector).await {
                Some(shown) if shown == value => return,
                shown => format!("shows {shown:?} after choosing {value:?}"),
            },
            Err(e) if replaced(&e) => e.to_string(),
            Err(e) => panic!("{selector}: choose {value:?}: {e}"),
        };
        assert!(attempt < 5, "{selector}: choose {value:?}: {error}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A select's current value (its `value` property; None when the page has no such element).
async fn prop_value(c: &Client, selector: &str) -> Option<String> {
    let js = "const e = document.querySelector(arguments[0]); return e ? e.value : null";
    c.execute(js, vec![serde_json::json!(selector)]).await.ok().and_then(|v| v.as_str().map(str::to_string))
}

/// Whether a WebDriver error says the element went away under the read (the UI re-rendered its step): a lookup made
/// again finds its replacement.
fn replaced(e: &fantoccini::error::CmdError) -> bool {
    let e = e.to_string().to_lowercase();
    e.contains("stale") || e.contains("was not found")
}

/// Reads `selector`'s element with `read`, looking it up again when a redraw replaced it between the lookup and the
/// read (a few times; any other error stands).
async fn read_fresh<T, F, Fut>(c: &Client, selector: &str, what: &str, read: F) -> T
where
    F: Fn(fantoccini::elements::Element) -> Fut,
    Fut: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match read(css(c, selector).await).await {
            Ok(value) => return value,
            Err(e) if attempt < 5 && replaced(&e) => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => panic!("{selector}: {what}: {e}"),
        }
    }
}

/// `selector`'s text, read afresh (`read_fresh`).
pub async fn text_of(c: &Client, selector: &str) -> String {
    read_fresh(c, selector, "text", |e| async move { e.text().await }).await
}

/// `selector`'s attribute `name` (None: absent), read afresh.
pub async fn attr_of(c: &Client, selector: &str, name: &str) -> Option<String> {
    read_fresh(c, selector, name, |e| async move { e.attr(name).await }).await
}

/// Whether `selector` is enabled, read afresh.
pub async fn enabled(c: &Client, selector: &str) -> bool {
    read_fresh(c, selector, "enabled", |e| async move { e.is_enabled().await }).await
}

/// Whether `selector` (a checkbox or radio) is selected, read afresh.
pub async fn selected(c: &Client, selector: &str) -> bool {
    read_fresh(c, selector, "selected", |e| async move { e.is_selected().await }).await
}

/// Waits until `selector` shows text containing `want` (any text for `""`); panics with what it showed instead.
pub async fn wait_text(c: &Client, selector: &str, want: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(e) = c.find(Locator::Css(selector)).await {
            if let Ok(t) = e.text().await {
                if t.contains(want) {
                    return t;
                }
                assert!(Instant::now() < deadline, "{selector}: {t:?} does not contain {want:?}");
            }
        }
        assert!(Instant::now() < deadline, "{selector} never showed {want:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits until the input `selector`'s value satisfies `done`, reading it afresh each time (the step may redraw
/// between reads: a stale element is read again, not an error); panics with the last value seen.
pub async fn wait_value(c: &Client, selector: &str, done: impl Fn(&str) -> bool, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    loop {
        if let Ok(e) = c.find(Locator::Css(selector)).await {
            if let Ok(value) = e.prop("value").await {
                last = value.unwrap_or_default();
                if done(&last) {
                    return last;
                }
            }
        }
        assert!(Instant::now() < deadline, "{selector}: value {last:?} never became what was awaited");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Makes the input `selector` hold exactly `text`: clears it and types, then reads the value back from a fresh
/// lookup. A step that redraws meanwhile (an element gone stale, or a redraw that lost the typing) is typed into
/// again; panics if it never holds `text` within 10 s.
pub async fn fill(c: &Client, selector: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(e) = c.find(Locator::Css(selector)).await {
            if e.clear().await.is_ok() && e.send_keys(text).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if let Ok(e) = c.find(Locator::Css(selector)).await {
                    if e.prop("value").await.ok().flatten().as_deref() == Some(text) {
                        return;
                    }
                }
            }
        }
        assert!(Instant::now() < deadline, "{selector} never held {text:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn gone(c: &Client, selector: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.find(Locator::Css(selector)).await.is_ok() {
        assert!(Instant::now() < deadline, "{selector} is still shown");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn go(c: &Client, step: &str) {
    css(c, &format!("nav [data-step='{step}']")).await.click().await.unwrap();
    css(c, &format!("main#step[data-step='{step}']")).await;
}
