//! The REAL desktop app, driven through its window: tauri-driver + WebKitWebDriver under Xvfb (DISPLAY must be
//! set; `xvfb-run` does it). The app uses the real engine — nothing is mocked.
//!
//! Open the guide's cluster (with a deliberately wrong broker id) through the OS's file chooser, fix the id from
//! its inline error (and see a bad jump host named at its field), see the engine's defaults on Storage, check the rendered `server.properties` of a broker on Review, cancel a Save As (nothing
//! changes), save, export to a folder chosen in the folder chooser and compare it byte for byte with
//! `kafka-wizard export` of the saved file and of the guide's own file, export a zip through the save chooser,
//! then Save As (Ctrl+Shift+S) to a new file. The native dialogs are answered with xdotool (`file_chooser`). A screenshot of each step goes to
//! `target/screenshots/app-*.png`.
//!
//! Needs: `cargo build -p kafka-wizard-app` and `cargo build` (the CLI), tauri-driver on PATH (or
//! `TAURI_DRIVER`), `/usr/bin/WebKitWebDriver`, xdotool and ImageMagick. `tests/run-all.sh` (phase `app`) does
//! all of that.

use kafka_wizard::project::defaults;
use kafka_wizard_app_e2e::file_chooser::{press_in_main_window, screen_shot, FileChooser};
use kafka_wizard_app_e2e::{
    attr_of, click, connect, css, go, gone, shot, target_dir, text_of, wait_text, workspace, Driver,
};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Every file under `dir` (relative path → bytes).
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out)
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = Default::default();
    walk(dir, dir, &mut out);
    out
}

fn cli_export(project: &Path, out: &Path) {
    let cli = target_dir().join("debug/kafka-wizard");
    assert!(cli.exists(), "{} missing: run `cargo build` first", cli.display());
    let status = Command::new(cli).arg("export").arg(project).arg("--out").arg(out).status().unwrap();
    assert!(status.success(), "kafka-wizard export {}", project.display());
}

/// Waits until the window title is `want`.
async fn title_becomes(c: &fantoccini::Client, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.title().await.unwrap() != want {
        assert!(Instant::now() < deadline, "title {:?}, expected {want:?}", c.title().await.unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_guides_cluster_is_opened_fixed_reviewed_saved_and_exported_like_the_cli_does_through_native_dialogs() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: run under xvfb-run");
    let work = tempfile::tempdir().unwrap();
    // the guide's cluster, with peter-kafka002 (hosts[4]) given peter-kafka001's broker id by mistake
    let seed_path = workspace().join("examples/seed-cluster.toml");
    let seed = std::fs::read_to_string(&seed_path).unwrap();
    let broken = seed.replace(
        "name = \"peter-kafka002\"\nroles = [\"broker\"]\nid = 2",
        "name = \"peter-kafka002\"\nroles = [\"broker\"]\nid = 1",
    );
    assert_ne!(broken, seed, "the seed file changed shape: update this test's edit");
    let project = work.path().join("peter-kafka.toml");
    std::fs::write(&project, &broken).unwrap();

    let _driver = Driver::start(4444);
    let c = connect(4444).await;
    let result = async {
        css(&c, "body[data-ready='1']").await;
        // Open… shows GTK's file chooser for projects; the path typed into it is opened
        css(&c, "#file-open").await.click().await.unwrap();
        let chooser = FileChooser::shown("Open a project").await;
        screen_shot("0-native-open-dialog");
        chooser.choose(&project).await;
        let name = css(&c, "input[data-field='name']").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while name.prop("value").await.unwrap().as_deref() != Some("peter-kafka") {
            assert!(Instant::now() < deadline, "the project did not open");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        title_becomes(&c, "peter-kafka.toml — Kafka Cluster Wizard").await;
        shot(&c, "1-version").await;

        // the engine's error sits next to the field it names; fixing the field clears it
        go(&c, "hosts").await;
        let error = css(&c, "[data-problem-field='hosts[4].id']").await;
        let text = error.text().await.unwrap();
        assert!(text.contains('1'), "inline error: {text}");
        shot(&c, "2-hosts-error").await;
        let id = css(&c, "input[data-field='hosts[4].id']").await;
        id.clear().await.unwrap();
        id.send_keys("2").await.unwrap();
        gone(&c, "[data-problem-field='hosts[4].id']").await;
        // a jump host the engine cannot read is named at its field; emptied, the project is as it was
        let jump = css(&c, "input[data-field='ssh.jump']").await;
        jump.send_keys("ops@b:x").await.unwrap();
        let error = text_of(&c, "[data-problem-field='ssh.jump']").await;
        assert!(error.contains("is not a jump host"), "inline error: {error}");
        jump.send_keys(&"\u{E003}".repeat(7)).await.unwrap();
        gone(&c, "[data-problem-field='ssh.jump']").await;
        shot(&c, "2-hosts").await;

        go(&c, "storage").await;
        // the placeholders are the engine's defaults, served by the field schema (no copy in the UI)
        let port = attr_of(&c, "input[data-field='kafka.listener_port']", "placeholder").await;
        assert_eq!(port.as_deref(), Some(defaults::LISTENER_PORT.to_string().as_str()));
        let config_dir = attr_of(&c, "input[data-field='kafka.config_dir']", "placeholder").await;
        assert_eq!(config_dir.as_deref(), Some(defaults::CONFIG_DIR));
        // the guide's cluster is monitored: the exporters' ports show the engine's defaults too
        for (field, port) in
            [("kafka_port", defaults::EXPORTER_KAFKA_PORT), ("zookeeper_port", defaults::EXPORTER_ZOOKEEPER_PORT)]
        {
            let shown = css(&c, &format!("input[data-field='monitoring.{field}']")).await.attr("placeholder").await;
            assert_eq!(shown.unwrap(), Some(port.to_string()), "monitoring.{field}");
        }
        shot(&c, "3-storage").await;
        go(&c, "coordination").await;
        // the ensemble's advanced settings are checked by the engine too: a bad heap is named, then cleared
        css(&c, "details.advanced summary").await.click().await.unwrap();
        let heap = css(&c, "input[data-field='zookeeper.heap']").await;
        heap.send_keys("lots").await.unwrap();
        let error = text_of(&c, "[data-problem-field='zookeeper.heap']").await;
        assert!(error.contains("no unit"), "inline error: {error}");
        shot(&c, "4-zookeeper-heap-error").await;
        // backspaces (typed, so each fires `input`): the empty field leaves the project as it was
        heap.send_keys("\u{E003}\u{E003}\u{E003}\u{E003}").await.unwrap();
        gone(&c, "[data-problem-field='zookeeper.heap']").await;
        shot(&c, "4-zookeeper").await;

        // Review: the broker's server.properties as the engine renders it
        go(&c, "review").await;
        click(&c, "a[data-file='peter-kafka002:/etc/kafka/server.properties']").await;
        css(&c, "#file-content[data-host='peter-kafka002'][data-path='/etc/kafka/server.properties']").await;
        let props = text_of(&c, "#file-content").await;
        assert!(props.contains("broker.id=2"), "{props}");
        assert!(
            props.contains("zookeeper.connect=peter-zk001:2181,peter-zk002:2181,peter-zk003:2181/peter-kafka"),
            "{props}"
        );
        assert!(props.contains("log.dirs=/data1,/data2"), "{props}");
        shot(&c, "5-review").await;

        // Save As… cancelled with Escape: no file written, the unsaved change and the title stay as they were
        assert_eq!(
            c.title().await.unwrap(),
            "● peter-kafka.toml — Kafka Cluster Wizard",
            "unsaved changes show in the title"
        );
        css(&c, "#file-save-as").await.click().await.unwrap();
        FileChooser::shown("Save the project as").await.cancel().await;
        gone(&c, "body[data-picking]").await;
        assert_eq!(c.title().await.unwrap(), "● peter-kafka.toml — Kafka Cluster Wizard");
        assert_eq!(std::fs::read_to_string(&project).unwrap(), broken, "a cancelled Save As writes nothing");
        assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 1, "nor any other file");

        // Save: the opened file, no dialog; the window title loses its unsaved mark
        css(&c, "#file-save").await.click().await.unwrap();
        title_becomes(&c, "peter-kafka.toml — Kafka Cluster Wizard").await;

        // Export to a folder chosen in the folder chooser: a new folder, its path typed into the chooser
        let app_export = work.path().join("app-export");
        click(&c, "#export").await;
        let chooser = FileChooser::shown("Export to a folder").await;
        screen_shot("5-native-export-dialog");
        chooser.choose(&app_export).await;
        let done = text_of(&c, "#export-result").await;
        assert!(done.contains(&format!("to {}", app_export.display())), "{done}");
        shot(&c, "5-review-exported").await;

        // Export as a zip: the save chooser (suggesting peter-kafka-export.zip), a name typed over the suggestion
        let zip = work.path().join("cluster-files.zip");
        click(&c, "#export-zip").await;
        click(&c, "#export").await;
        FileChooser::shown("Export to a zip file").await.choose(&zip).await;
        // wait_text reads the result again after a redraw (a stale element between find and read is no failure)
        wait_text(&c, "#export-result", &format!("to {}", zip.display()), Duration::from_secs(10)).await;
        assert_eq!(&std::fs::read(&zip).unwrap()[..4], b"PK\x03\x04", "a zip file");

        // Save As (Ctrl+Shift+S from the keyboard) to a new file: written there, and the title names it
        press_in_main_window("ctrl+shift+s");
        let chooser = FileChooser::shown("Save the project as").await;
        screen_shot("5-native-save-as-dialog");
        chooser.choose(&work.path().join("peter-kafka-copy.toml")).await;
        title_becomes(&c, "peter-kafka-copy.toml — Kafka Cluster Wizard").await;
        let copy_path = text_of(&c, "#project-path").await;
        assert_eq!(copy_path, work.path().join("peter-kafka-copy.toml").to_string_lossy());

        go(&c, "install").await;
        shot(&c, "6-install").await;
        go(&c, "manage").await;
        shot(&c, "7-manage").await;
        Ok::<_, fantoccini::error::CmdError>(app_export)
    }
    .await;
    c.close().await.ok();
    let app_export = result.unwrap();

    // the app's export equals the CLI's, of the file the app saved and of the guide's own file
    // Save rewrote only the fixed id: the file is the guide's again, comments and all, byte for byte.
    let saved = std::fs::read_to_string(&project).unwrap();
    assert_eq!(saved, seed);
    let cli_saved = work.path().join("cli-saved");
    cli_export(&project, &cli_saved);
    // Save As to a new file wrote the same project (a fresh file: the same generated files)
    let cli_copy = work.path().join("cli-copy");
    cli_export(&work.path().join("peter-kafka-copy.toml"), &cli_copy);
    assert_eq!(tree(&cli_copy), tree(&cli_saved), "Save As wrote the same project");
    let cli_seed = work.path().join("cli-seed");
    cli_export(&seed_path, &cli_seed);
    let app = tree(&app_export);
    assert!(app.contains_key("peter-kafka002/etc/kafka/server.properties"));
    assert_eq!(app, tree(&cli_saved), "app export vs kafka-wizard export of the saved file");
    assert_eq!(app, tree(&cli_seed), "app export vs kafka-wizard export of examples/seed-cluster.toml");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wizard_speaks_korean_when_the_os_locale_is_korean() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: run under xvfb-run");
    let _driver = Driver::start_with_locale(4474, "ko_KR.UTF-8");
    let c = connect(4474).await;
    let result = async {
        css(&c, "body[data-ready='1']").await;
        // a fresh profile for this check: a remembered choice would win over the OS locale
        c.execute("localStorage.removeItem('kafka-wizard.lang'); location.reload()", vec![]).await?;
        css(&c, "body[data-ready='1']").await;
        go(&c, "hosts").await;
        let heading = css(&c, "main#step h2").await.text().await?;
        let empty = css(&c, "#hosts-empty").await.text().await?;
        shot(&c, "ko-2-hosts").await;
        // the guide's cluster, shipped inside the app: six hosts, unsaved
        css(&c, "#example-seed").await.click().await?;
        css(&c, "tr[data-host='5']").await;
        let rows = c.find_all(fantoccini::Locator::Css("tr[data-host]")).await?.len();
        assert_eq!(rows, 6);
        shot(&c, "ko-2-hosts-example").await;
        Ok::<_, fantoccini::error::CmdError>((heading, empty))
    }
    .await;
    c.close().await.ok();
    let (heading, empty) = result.unwrap();
    assert_eq!(heading, "2. 호스트와 ID");
    assert!(empty.contains("호스트가 없습니다"), "{empty}");
}
