//! The AppImage, run as the application: tauri-driver + WebKitWebDriver start `$KW_APPIMAGE` (not the binary
//! from target/) under Xvfb, and the wizard must open and work through the bundled WebKitGTK — the release
//! catalog on Version, a project named by a RELATIVE path on its command line (resolved against the directory the
//! app was started from, not the image it runs in), generated files on Review, Save As through GTK's file chooser. The processes must run from inside the
//! image and map its WebKitGTK, GTK and libsoup, not the host's. Screenshots: `target/screenshots/app-appimage-*.png`.
//!
//! Skipped (passes with a message) unless `KW_APPIMAGE` names the AppImage: `packaging/build.sh` builds it and
//! `tests-app/run.sh` (step `appimage`) runs this test with it. The runtime mounts the image with FUSE when it
//! can; set `APPIMAGE_EXTRACT_AND_RUN=1` where FUSE is unavailable.

use kafka_wizard_app_e2e::file_chooser::FileChooser;
use kafka_wizard_app_e2e::{click, connect_to, css, go, shot, workspace, Driver};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A running process: its pid and executable.
fn processes() -> Vec<(u32, PathBuf)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        if let Ok(exe) = std::fs::read_link(e.path().join("exe")) {
            out.push((pid, exe));
        }
    }
    out
}

/// The shared objects a process has mapped.
fn mapped_libraries(pid: u32) -> Vec<PathBuf> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut libs: Vec<PathBuf> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| p.contains(".so"))
        .map(PathBuf::from)
        .collect();
    libs.sort();
    libs.dedup();
    libs
}

/// The image's root (`$APPDIR`) when `exe` is the app's binary inside a mounted or extracted AppImage.
fn appdir_of(exe: &Path) -> Option<PathBuf> {
    let s = exe.to_string_lossy();
    let root = s.strip_suffix("/usr/bin/kafka-wizard-app")?;
    (root.contains("/.mount_") || root.contains("/appimage_extracted_")).then(|| PathBuf::from(root))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_appimage_runs_the_wizard_on_its_bundled_webkit_and_resolves_paths_where_it_was_started() {
    let Some(appimage) = std::env::var_os("KW_APPIMAGE").map(PathBuf::from) else {
        eprintln!("SKIPPED: KW_APPIMAGE is not set (bash packaging/build.sh builds the AppImage; tests-app/run.sh runs this test with it)");
        return;
    };
    assert!(appimage.is_file(), "KW_APPIMAGE={}: no such file", appimage.display());
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: run under xvfb-run");
    let mode = if std::env::var_os("APPIMAGE_EXTRACT_AND_RUN").is_some() { "extract-and-run" } else { "FUSE mount" };

    // the user's directory: the app starts here and relative paths must land here
    let home = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(workspace().join("examples/seed-cluster.toml")).unwrap();
    std::fs::write(home.path().join("seed.toml"), &seed).unwrap();

    let driver = Driver::start_in(4484, "en_US.UTF-8", Some(home.path()));
    let t0 = Instant::now();
    let c = connect_to(4484, &appimage, &["seed.toml"]).await;
    let result = async {
        css(&c, "body[data-ready='1']").await;
        let ready = t0.elapsed();
        let title = c.title().await?;
        // the engine's catalog through IPC
        let versions: Vec<String> = {
            let mut v = Vec::new();
            for o in c.find_all(fantoccini::Locator::Css("#kafka-version option")).await? {
                v.push(o.attr("value").await?.unwrap_or_default());
            }
            v
        };
        shot(&c, "appimage-1-version").await;

        // `seed.toml` on the command line: the file in the directory the app was started from is open
        let name = css(&c, "input[data-field='name']").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while name.prop("value").await?.as_deref() != Some("peter-kafka") {
            assert!(
                Instant::now() < deadline,
                "seed.toml (relative) did not open: {}",
                css(&c, "body").await.text().await?
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        go(&c, "review").await;
        click(&c, "a[data-file='peter-kafka001:/etc/kafka/server.properties']").await;
        css(&c, "#file-content[data-host='peter-kafka001'][data-path='/etc/kafka/server.properties']").await;
        let props = css(&c, "#file-content").await.text().await?;
        shot(&c, "appimage-2-review").await;

        // Save As… through the native chooser (the image's GTK)
        css(&c, "#file-save-as").await.click().await?;
        FileChooser::shown("Save the project as").await.choose(&home.path().join("saved.toml")).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while c.title().await? != "saved.toml — Kafka Cluster Wizard" {
            assert!(Instant::now() < deadline, "title after Save As: {}", c.title().await?);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // which processes run, and which libraries they mapped (while the window is open)
        let all = processes();
        let (app_pid, appdir) = all
            .iter()
            .find_map(|(pid, exe)| appdir_of(exe).map(|d| (*pid, d)))
            .unwrap_or_else(|| panic!("no kafka-wizard-app process runs from inside an AppImage"));
        let helpers: Vec<(PathBuf, Vec<PathBuf>)> = all
            .iter()
            .filter(|(_, exe)| exe.starts_with(&appdir) && exe.to_string_lossy().contains("/WebKit"))
            .map(|(pid, exe)| (exe.clone(), mapped_libraries(*pid)))
            .collect();
        let app = (app_pid, mapped_libraries(app_pid));
        Ok::<_, fantoccini::error::CmdError>((ready, title, versions, props, app, appdir, helpers))
    }
    .await;
    c.close().await.ok();
    drop(driver);
    let (ready, title, versions, props, (app_pid, app_libs), appdir, helpers) = result.unwrap();
    if appdir.to_string_lossy().contains("/appimage_extracted_") {
        // the runtime removes its extraction when the app exits, not when the driver's process group is killed
        std::fs::remove_dir_all(&appdir).ok();
    }

    eprintln!(
        "AppImage ({mode}): window ready {:.1}s after the session was requested; image at {}",
        ready.as_secs_f64(),
        appdir.display()
    );
    assert!(title.ends_with("Kafka Cluster Wizard"), "title: {title}");
    assert!(
        versions.len() >= 40 && ["2.8.0", "3.9.1", "4.0.0"].iter().all(|v| versions.iter().any(|x| x == v)),
        "releases on Version: {versions:?}"
    );
    assert!(props.contains("broker.id=1") && props.contains("zookeeper.connect=peter-zk001:2181"), "{props}");
    let saved = std::fs::read_to_string(home.path().join("saved.toml")).expect("Save As wrote saved.toml");
    assert!(saved.starts_with("format = 1") && saved.contains("peter-kafka001"), "{saved}");

    // the app and WebKit's helpers (web content, network) run from the image, on the image's libraries
    let names: Vec<String> =
        helpers.iter().map(|(exe, _)| exe.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for helper in ["WebKitWebProcess", "WebKitNetworkProcess"] {
        assert!(
            names.iter().any(|n| n == helper),
            "{helper} from the image is not running (helpers from the image: {names:?})"
        );
    }
    let from_image = |who: &str, libs: &[PathBuf], lib: &str| {
        let hits: Vec<&PathBuf> =
            libs.iter().filter(|p| p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(lib))).collect();
        assert!(!hits.is_empty(), "{who} did not map {lib}");
        assert!(hits.iter().all(|p| p.starts_with(&appdir)), "{who} maps {lib} from outside the image: {hits:?}");
    };
    for lib in
        ["libwebkit2gtk-4.1.so", "libjavascriptcoregtk-4.1.so", "libgtk-3.so", "libsoup-3.0.so", "libglib-2.0.so"]
    {
        from_image(&format!("the app (pid {app_pid})"), &app_libs, lib);
    }
    for (exe, libs) in &helpers {
        from_image(&exe.to_string_lossy(), libs, "libwebkit2gtk-4.1.so");
    }
    let mut host: Vec<String> = app_libs
        .iter()
        .chain(helpers.iter().flat_map(|(_, libs)| libs))
        .filter(|p| !p.starts_with(&appdir))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    host.sort();
    host.dedup();
    eprintln!("libraries taken from the host ({}): {}", host.len(), host.join(" "));
}
