//! Installing from the REAL app window onto the real test hosts (`tests/world/`: systemd-nspawn hosts with sshd,
//! systemd and Java 17; a Kafka 4 release from the Apache-shaped mirror). Root only; feature `world`.
//!
//! Test connection on a host whose key is not yet known shows its SHA256 fingerprint (compared with the host's
//! real key) and Accept remembers it; Install streams every host to "done" and the cluster healthy (meanwhile clicks on
//! its checkbox are timed and the page's main thread watched: `responsiveness`); Manage shows
//! each host running, Stop stops every unit and Start brings the cluster back; a rolling Restart cancelled once the
//! first node is back stops after the node being restarted (systemd's InvocationIDs on the hosts), the cluster
//! healthy; one setting changed shows, after Test connection, as exactly that line in Review's diff on every host;
//! the Smoke test passes. The project, opened plaintext, is secured on the Security step first (TLS + SCRAM, an
//! application user with an ACL; Save writes exactly that into the file), so everything above runs over TLS as the
//! admin; Manage shows the CA's fingerprint and Client config… writes a user's client.properties and ca.pem (0600).
//! Manage's dashboard marks a broker stopped behind the app's back (its row, the brokers tile, the live topology) and
//! shows all well again once it is back; Support bundle… writes the zip chosen in GTK's save dialog (every host's
//! facts, the status, the project; 0600); Save log… after Start writes that run's log (its events, then how it
//! ended) where GTK's save dialog says. Before the install, Review's Check hosts refuses a foreign process on h1's
//! broker port (first row, marked) and Install is held naming it, until the process is gone and a check passes;
//! then Apply fixes… keeps the kernel settings that warn in /etc/sysctl.d on every host (`preflight_fix.rs`). After
//! Client config…, Recover secrets… rebuilds the app's deleted secrets store from the hosts (`recover.rs`), then
//! Rotate CA… moves the installed cluster to a new CA — the way back to a CA key after the recovery (`rotate_ca.rs`),
//! proven with openssl and kafka-python from outside the app. Rebalance then spreads a topic created lopsided onto
//! every broker, judged by kafka-python (`rebalance.rs`); Coordination's Dynamic and Manage's Convert quorum… make the
//! static controller quorum dynamic (`convert_quorum.rs`).
#![cfg(feature = "world")]

#[allow(dead_code)]
#[path = "../../tests/support/world.rs"]
mod world;

#[path = "app_install/convert_quorum.rs"]
mod convert_quorum;
#[path = "app_install/preflight_fix.rs"]
mod preflight_fix;
#[path = "app_install/rebalance.rs"]
mod rebalance;
#[path = "app_install/recover.rs"]
mod recover;
#[path = "app_install/rotate_ca.rs"]
mod rotate_ca;

use kafka_wizard_app_e2e::file_chooser::FileChooser;
use kafka_wizard_app_e2e::responsiveness;
use kafka_wizard_app_e2e::{
    attr_of, choose, click, connect, css, enabled, fill, go, selected, shot, wait_text, wait_value, Driver,
};
use std::time::{Duration, Instant};
use world::{Mirror, World};

fn kraft_project(world: &World, mirror: &Mirror, known_hosts: &std::path::Path) -> String {
    world::kraft_project(world, mirror, "app-kraft", "", known_hosts)
}

async fn confirm(c: &fantoccini::Client, button: &str) {
    css(c, button).await.click().await.unwrap();
    css(c, "#dialog-yes").await.click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kraft_cluster_is_installed_from_the_app_reaches_running_and_is_stopped_and_started_from_manage() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: run under xvfb-run");
    let rel = world::release(world::KAFKA_4);
    let world = World::up(3);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    // known_hosts without h1: its key must be shown and accepted in the app
    let known = std::fs::read_to_string(&world.inventory().known_hosts).unwrap();
    let known_hosts = dir.path().join("known_hosts");
    std::fs::write(
        &known_hosts,
        known.lines().filter(|l| !l.starts_with("h1,")).map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    let project = dir.path().join("app-kraft.toml");
    std::fs::write(&project, kraft_project(&world, &mirror, &known_hosts)).unwrap();

    // the app verifies the mirror's signatures: it trusts the test world's key in its own configuration
    world::trust_test_key(&kafka_wizard_app_e2e::target_dir().join("xdg-e2e/config"));
    let _driver = Driver::start(4454);
    let c = connect(4454).await;
    css(&c, "body[data-ready='1']").await;
    css(&c, "#file-open").await.click().await.unwrap();
    FileChooser::shown("Open a project").await.choose(&project).await;
    wait_text(&c, "#project-path", "app-kraft.toml", Duration::from_secs(10)).await;

    secure_the_project_on_the_security_step(&c, &project).await;

    // the KRaft cluster id, generated in the app
    go(&c, "coordination").await;
    css(&c, "#generate-cluster-id").await.click().await.unwrap();
    wait_value(&c, "input[data-field='kraft.cluster_id']", |id| id.len() == 22, Duration::from_secs(10)).await;

    // Test connection: h1's key is unknown → fingerprint → Accept → logged in, OS and Java read
    go(&c, "hosts").await;
    // Test all: every host at once — h2 and h3 (known keys) log in, h1 shows its unknown key
    css(&c, "#test-all").await.click().await.unwrap();
    for i in [1, 2] {
        let report = wait_text(&c, &format!("tr[data-conn='{i}']"), "Java", Duration::from_secs(30)).await;
        assert!(report.contains("login ok") && report.contains("systemd"), "{report}");
    }
    let fp = wait_text(&c, "tr[data-conn='0'] .fingerprint", "SHA256:", Duration::from_secs(30)).await;
    let h1 = world.host("h1");
    assert!(
        h1.host_key_fingerprints.values().any(|real| fp.ends_with(real.as_str())),
        "shown {fp}, real {:?}",
        h1.host_key_fingerprints
    );
    shot(&c, "2-hosts-unknown-key").await;
    css(&c, "#accept-key-0").await.click().await.unwrap();
    let report = wait_text(&c, "tr[data-conn='0']", "Java", Duration::from_secs(30)).await;
    assert!(report.contains("login ok") && report.contains("debian 12") && report.contains("17"), "{report}");
    assert!(std::fs::read_to_string(&known_hosts).unwrap().contains("10.77.0.11"), "the accepted key is remembered");
    shot(&c, "2-hosts-connection").await;
    check_hosts_holds_install_while_a_foreign_process_has_the_broker_port(&c, &world).await;

    // Install: every host done, the cluster healthy
    go(&c, "install").await;
    let idle = responsiveness::idle_clicks(&c, "#install-java", 5).await;
    let watch = responsiveness::Watch::start(&c).await;
    let t0 = Instant::now();
    css(&c, "#install").await.click().await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    shot(&c, "6-install-running").await;
    // while the events stream: a click on Install's checkbox every half second (the box left as it was)
    let during = responsiveness::clicks_until(
        &c,
        "#install-java",
        "#run-result",
        Duration::from_millis(500),
        Duration::from_secs(600),
    )
    .await;
    let result = wait_text(&c, "#run-result", "", Duration::from_secs(600)).await;
    shot(&c, "6-install-done").await;
    assert!(result.contains("healthy"), "{result}");
    eprintln!("MEASURE app install of 3 KRaft nodes: {:.1}s", t0.elapsed().as_secs_f64());
    let watched = watch.report(&c).await;
    eprintln!(
        "MEASURE app responsiveness during the install: clicks {} (idle before: {}); {watched}",
        during.summary(),
        idle.summary()
    );
    assert!(!during.is_empty(), "no click was timed during the install");
    for h in world.hosts() {
        let state = attr_of(&c, &format!("tr[data-host-row='{}']", h.name), "data-state").await;
        assert_eq!(state.as_deref(), Some("done"), "{}", h.name);
    }

    // Manage: running everywhere; Stop, then Start
    go(&c, "manage").await;
    css(&c, "#refresh").await.click().await.unwrap();
    wait_text(&c, "#health", "Cluster is healthy", Duration::from_secs(60)).await;
    for h in world.hosts() {
        wait_text(
            &c,
            &format!("tr[data-status-host='{}'] [data-unit='kafka-server.service']", h.name),
            ": active",
            Duration::from_secs(5),
        )
        .await;
    }
    shot(&c, "7-manage-running").await;
    client_config_from_manage(&c, &world, dir.path(), &project).await;
    let orders_app = dir.path().join("orders-app-client/client.properties");
    recover::recover_secrets_from_manage(&c, &world, dir.path(), &orders_app).await;
    rotate_ca::rotate_ca_from_manage(&c, &world, dir.path(), &dir.path().join("orders-app-client/ca.pem")).await;
    let admin_properties = dir.path().join("admin-client-rotated/client.properties");
    rebalance::rebalance_from_manage(&c, &admin_properties).await;
    convert_quorum::convert_quorum_from_the_app(&c, &world, &project, &admin_properties).await;
    dashboard_marks_a_broker_stopped_behind_its_back(&c, &world).await;
    support_bundle_from_manage(&c, &world, dir.path()).await;
    confirm(&c, "#op-stop").await;
    wait_text(&c, "#op-result", "ok", Duration::from_secs(420)).await; // a KRaft stop may wait out a broker's 5-minute controlled-shutdown timeout
    for h in world.hosts() {
        wait_text(
            &c,
            &format!("tr[data-status-host='{}'] [data-unit='kafka-server.service']", h.name),
            ": inactive",
            Duration::from_secs(60),
        )
        .await;
        let state = world.ssh(&h.name, "root", "systemctl is-active kafka-server || true");
        assert_eq!(String::from_utf8_lossy(&state.stdout).trim(), "inactive", "{}", h.name);
    }
    shot(&c, "7-manage-stopped").await;
    confirm(&c, "#op-start").await;
    wait_text(&c, "#op-result", "ok", Duration::from_secs(420)).await;
    wait_text(&c, "#health", "Cluster is healthy", Duration::from_secs(60)).await;
    shot(&c, "7-manage-started").await;
    save_the_start_runs_log(&c, dir.path()).await;
    wait_text(&c, "#health", "Cluster is healthy", Duration::from_secs(60)).await; // the status read, buttons enabled
    css(&c, "#op-smoke").await.click().await.unwrap();
    wait_text(&c, "#smoke-verdict", "passed", Duration::from_secs(180)).await;
    wait_text(&c, "tr[data-smoke-broker='3'] td.leads", "2", Duration::from_secs(5)).await;
    shot(&c, "7-manage-smoke").await;
    cancel_a_rolling_restart_from_manage(&c, &world).await;
    review_shows_one_changed_setting_as_its_line(&c, &world).await;
    c.close().await.ok();
}

// ---- issue 13 (app): Cancel from Manage during a rolling restart ------------------------------------------------

/// Each host's kafka-server InvocationID: systemd gives every (re)start of a unit a new one.
fn invocation_ids(world: &World) -> Vec<String> {
    let show = "systemctl show -p InvocationID --value kafka-server";
    world.hosts().iter().map(|h| world.ssh_ok(&h.name, "root", show).trim().to_string()).collect()
}

/// Restart (rolling) from Manage, Cancel as soon as the first node is back in the cluster: the roll stops after the
/// node it is on (1 or 2 of 3 restarted, never all), every broker runs, the cluster is healthy, the UI says cancelled.
async fn cancel_a_rolling_restart_from_manage(c: &fantoccini::Client, world: &World) {
    let before = invocation_ids(world);
    let t0 = Instant::now();
    confirm(c, "#op-restart").await;
    wait_text(c, "#log", "back in the cluster", Duration::from_secs(240)).await;
    let first_back = t0.elapsed();
    css(c, "#cancel").await.click().await.unwrap();
    let result = wait_text(c, "#op-result", "", Duration::from_secs(300)).await;
    shot(c, "7-manage-restart-cancelled").await;
    assert!(result.contains("cancelled"), "{result}");
    let after = invocation_ids(world);
    let restarted = before.iter().zip(&after).filter(|(b, a)| b != a).count();
    assert!((1..=2).contains(&restarted), "{restarted} of 3 restarted: before {before:?}, after {after:?}");
    for h in world.hosts() {
        let state = world.ssh(&h.name, "root", "systemctl is-active kafka-server || true");
        assert_eq!(String::from_utf8_lossy(&state.stdout).trim(), "active", "{}", h.name);
    }
    wait_text(c, "#health", "Cluster is healthy", Duration::from_secs(60)).await;
    eprintln!(
        "MEASURE app restart cancelled from Manage: first node back after {:.1}s, stopped after {:.1}s, {restarted} of 3 restarted",
        first_back.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
}

// ---- issue 15 (app): Review's Check hosts ------------------------------------------------------------------------

/// Every row of Review's Check hosts table, in the order shown: (host, check, verdict, the row's text).
async fn preflight_rows(c: &fantoccini::Client) -> Vec<(String, String, String, String)> {
    let js = "return [...document.querySelectorAll('#preflight-table tbody tr')]\
              .map((tr) => [tr.dataset.host, tr.dataset.check, tr.dataset.verdict, tr.textContent])";
    let rows: Vec<(String, String, String, String)> =
        serde_json::from_value(c.execute(js, vec![]).await.unwrap()).unwrap();
    rows
}

/// Before the install, the hosts reached: a foreign process on h1's broker port (9092) is refused by Review's Check
/// hosts — the first row, marked — and holds Install, which names it; once it is gone, Check again passes on every
/// host and Install may go. The check changes nothing on the hosts.
async fn check_hosts_holds_install_while_a_foreign_process_has_the_broker_port(c: &fantoccini::Client, world: &World) {
    world.ssh_ok(
        "h1",
        "root",
        "systemd-run --quiet --unit=kw-foreign-listener python3 -m http.server 9092 --bind 0.0.0.0 && \
         for i in $(seq 50); do ss -Hltn 'sport = :9092' | grep -q . && exit 0; sleep 0.1; done; exit 1",
    );
    go(c, "review").await;
    let t0 = Instant::now();
    click(c, "#preflight-run").await;
    let summary = wait_text(c, "#preflight-summary", "refuse the install", Duration::from_secs(60)).await;
    eprintln!("MEASURE app Check hosts of 3 hosts: {:.1}s", t0.elapsed().as_secs_f64());
    let rows = preflight_rows(c).await;
    let (host, check, verdict, text) = &rows[0];
    assert_eq!((host.as_str(), verdict.as_str()), ("h1", "refuse"), "{summary}: {rows:?}");
    assert!(check.starts_with("port 9092") && text.contains("held by python3"), "{text}");
    assert_eq!(rows.iter().filter(|r| r.2 == "refuse").count(), 1, "only the planted problem refuses: {rows:?}");
    for h in world.hosts() {
        let java = rows.iter().find(|r| r.0 == h.name && r.1 == "Java");
        assert_eq!(java.map(|r| r.2.as_str()), Some("pass"), "{}: {rows:?}", h.name);
    }
    shot(c, "5-review-check-hosts").await;
    go(c, "install").await;
    wait_text(c, "#install-blocked", "held by python3", Duration::from_secs(5)).await;
    assert!(!enabled(c, "#install").await, "Install waits while a check refuses");
    shot(c, "6-install-held").await;

    world.ssh_ok("h1", "root", "systemctl stop kw-foreign-listener");
    go(c, "review").await;
    click(c, "#preflight-run").await;
    wait_text(c, "#preflight-summary", "Every host passed", Duration::from_secs(60)).await;
    assert!(preflight_rows(c).await.iter().all(|r| r.2 != "refuse"));
    preflight_fix::apply_fixes_from_check_hosts(c, world).await;
    go(c, "install").await;
    assert!(enabled(c, "#install").await, "the check passed: Install may go");
}
// ---- end of issue 15 (app) ---------------------------------------------------------------------------------------

// ---- issue 13 (app): Review's diff of one changed setting -------------------------------------------------------

/// The heap changed on Storage, Test connection, then Review: on every host exactly the heap line differs (one
/// file, one line removed and one added) and the broker would restart for it. Nothing is deployed.
async fn review_shows_one_changed_setting_as_its_line(c: &fantoccini::Client, world: &World) {
    go(c, "storage").await;
    let heap = css(c, "input[data-field='kafka.heap']").await;
    heap.clear().await.unwrap();
    heap.send_keys("320m").await.unwrap();
    go(c, "hosts").await;
    css(c, "#test-0").await.click().await.unwrap();
    wait_text(c, "tr[data-conn='0']", "Java", Duration::from_secs(30)).await;
    go(c, "review").await;
    wait_text(c, "#deploy-diff-summary", "would change", Duration::from_secs(60)).await;
    shot(c, "5-review-diff").await;
    for h in world.hosts() {
        let target = format!("[data-diff-target='{}']", h.name);
        let files = c.find_all(fantoccini::Locator::Css(&format!("{target} details.diff-file"))).await.unwrap();
        assert_eq!(files.len(), 1, "{}: one file changes", h.name);
        let lines = |kind: &'static str| {
            let selector = format!("{target} details.diff-file pre .diff-{kind}");
            async move {
                let mut texts = Vec::new();
                for e in c.find_all(fantoccini::Locator::Css(&selector)).await.unwrap() {
                    texts.push(e.text().await.unwrap());
                }
                texts
            }
        };
        assert_eq!(lines("del").await, [r#"-KAFKA_HEAP_OPTS="-Xms384m -Xmx384m""#], "{}", h.name);
        assert_eq!(lines("add").await, [r#"+KAFKA_HEAP_OPTS="-Xms320m -Xmx320m""#], "{}", h.name);
        let restart = wait_text(c, &format!("{target} [data-restart]"), "restart", Duration::from_secs(5)).await;
        assert!(restart.contains("kafka-server.service") && restart.contains("(changed: "), "{}: {restart}", h.name);
    }
}
// ---- end of issue 13 (app) ---------------------------------------------------------------------------------------

// ---- issue 10 (app): the Security step and Client config… -------------------------------------------------------

/// The project opened without `[security]` shows plaintext with the engine's warning; the Security step makes it
/// TLS + SCRAM with the application user `orders-app` and an ACL; Save writes that `[security]` into the file and
/// keeps everything else in it.
async fn secure_the_project_on_the_security_step(c: &fantoccini::Client, project: &std::path::Path) {
    let before = std::fs::read_to_string(project).unwrap();
    go(c, "security").await;
    assert!(selected(c, "#protocol-plaintext").await, "no [security]: plaintext");
    wait_text(c, "[data-problem-field='security']", "unauthenticated", Duration::from_secs(10)).await;
    click(c, "#protocol-sasl_ssl").await;
    // The step redraws when the engine's new problems arrive (the warning goes): fill reads each field back.
    fill(c, "#security-users", "orders-app").await;
    click(c, "#add-acl").await;
    fill(c, "input[data-field='security.acls[0].name']", "orders").await;
    fill(c, "input[data-field='security.acls[0].operations']", "write, describe").await;
    shot(c, "5-security").await;
    click(c, "#file-save").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.title().await.unwrap().starts_with('●') {
        assert!(Instant::now() < deadline, "Save did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let saved = std::fs::read_to_string(project).unwrap();
    assert!(saved.starts_with(&before), "the file's own text is kept, [security] added after it:\n{saved}");
    let security = kafka_wizard::project::parse(&saved).unwrap().security.expect("[security] saved");
    assert_eq!(security.protocol.as_deref(), Some("sasl_ssl"));
    assert_eq!(security.users, Some(vec!["orders-app".to_string()]));
    let acl = &security.acls[0];
    assert_eq!(
        (acl.user.as_deref(), acl.resource.as_deref(), acl.name.as_deref()),
        (Some("orders-app"), Some("topic"), Some("orders"))
    );
    assert_eq!(acl.operations, Some(vec!["write".to_string(), "describe".to_string()]));
}

/// Manage's Client config… for `orders-app`, written into the folder `out` chosen in GTK's file chooser. The select
/// sits below Manage's dashboard (`choose` scrolls it clear of the sticky footer).
async fn save_client_config(c: &fantoccini::Client, out: &std::path::Path) {
    choose(c, "#client-config-user", "orders-app").await;
    click(c, "#client-config").await;
    FileChooser::shown("Folder for the client configuration of orders-app").await.choose(out).await;
    wait_text(c, "#client-config-result", "client.properties", Duration::from_secs(10)).await;
}

/// Manage shows the CA the install made (its fingerprint is the one of the ca.pem written); Client config… for
/// `orders-app` asks for a folder in the native chooser and writes client.properties and ca.pem there, both 0600,
/// naming every broker and holding the user's SCRAM login — a password found nowhere in the project file, the page
/// or the app's own files (only in its secrets store).
async fn client_config_from_manage(
    c: &fantoccini::Client,
    world: &World,
    dir: &std::path::Path,
    project: &std::path::Path,
) {
    use std::os::unix::fs::PermissionsExt;
    let shown = attr_of(c, "#ca-info[data-fingerprint]", "data-fingerprint").await.unwrap();
    let out = dir.join("orders-app-client");
    save_client_config(c, &out).await;
    shot(c, "7-manage-client-config").await;
    let (properties, ca) = (out.join("client.properties"), out.join("ca.pem"));
    for file in [&properties, &ca] {
        assert_eq!(std::fs::metadata(file).unwrap().permissions().mode() & 0o777, 0o600, "{}", file.display());
    }
    let ca_info =
        kafka_wizard::security::pki::inspect_certificate(&std::fs::read_to_string(&ca).unwrap(), "ca").unwrap();
    assert_eq!(ca_info.sha256_fingerprint, shown, "Manage shows the cluster's CA");
    let text = std::fs::read_to_string(&properties).unwrap();
    let brokers: Vec<String> = world.hosts().iter().map(|h| format!("{}:9092", h.ip)).collect();
    for line in [
        format!("bootstrap.servers={}", brokers.join(",")),
        "security.protocol=SASL_SSL".to_string(),
        format!("ssl.truststore.location={}", ca.display()),
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
    }
    let password = text.split("password=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    assert!(text.contains("username=\"orders-app\"") && password.len() >= 32, "{text}");
    assert!(!std::fs::read_to_string(project).unwrap().contains(password), "no password in the project file");
    assert!(!c.source().await.unwrap().contains(password), "no password in the page");
    let xdg = kafka_wizard_app_e2e::target_dir().join("xdg-e2e");
    let holding = files_holding(&xdg, password.as_bytes(), &xdg.join("data/kafka-wizard/secrets"));
    assert!(holding.is_empty(), "the app's own files (config, cache, webview data) hold the password: {holding:?}");
}

/// Every file under `dir` (but not under `except`, nor a release archive over 16 MiB) whose bytes contain `needle`.
fn files_holding(dir: &std::path::Path, needle: &[u8], except: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let (path, kind) = (entry.path(), entry.file_type().unwrap());
        if path.starts_with(except) || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            found.extend(files_holding(&path, needle, except));
        } else if entry.metadata().map(|m| m.len() <= 16 << 20).unwrap_or(false) {
            let bytes = std::fs::read(&path).unwrap_or_default();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path);
            }
        }
    }
    found
}
// ---- end of issue 10 (app) ---------------------------------------------------------------------------------------

/// Clicks Refresh (when it is enabled) every 2 s until `selector` shows `want`.
async fn refresh_until(c: &fantoccini::Client, selector: &str, want: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(b) = c.find(fantoccini::Locator::Css("#refresh")).await {
            if b.is_enabled().await.unwrap_or(false) {
                b.click().await.ok();
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        if let Ok(e) = c.find(fantoccini::Locator::Css(selector)).await {
            if e.text().await.is_ok_and(|t| t.contains(want)) {
                return;
            }
        }
        assert!(Instant::now() < deadline, "{selector} never showed {want:?} after Refresh");
    }
}

async fn attr(c: &fantoccini::Client, selector: &str, name: &str) -> String {
    attr_of(c, selector, name).await.unwrap_or_default()
}

/// A broker stopped behind the app's back (systemctl on its host): after Refresh the dashboard marks it in the
/// brokers tile, its row and the live topology; started again, everything is well again.
async fn dashboard_marks_a_broker_stopped_behind_its_back(c: &fantoccini::Client, world: &World) {
    wait_text(c, "[data-tile='brokers'] .value", "3/3", Duration::from_secs(5)).await;
    for h in world.hosts() {
        let selector = format!("#topology-live [data-topology-host='{}']", h.name);
        assert_eq!(attr(c, &selector, "data-state").await, "ok", "{}", h.name);
    }
    let third = &world.hosts()[2].name;
    world.ssh_ok(third, "root", "systemctl stop kafka-server");
    refresh_until(c, "[data-tile='brokers'] .value", "2/3", Duration::from_secs(60)).await;
    assert!(attr(c, "#dash-brokers tr[data-broker='3']", "class").await.contains("down"));
    let selector = format!("#topology-live [data-topology-host='{third}']");
    assert_eq!(attr(c, &selector, "data-state").await, "down");
    assert!(attr(c, "[data-tile='brokers']", "class").await.contains("bad"));
    shot(c, "7-manage-dashboard-broker-down").await;
    world.ssh_ok(third, "root", "systemctl start kafka-server");
    refresh_until(c, "#health", "Cluster is healthy", Duration::from_secs(120)).await;
    wait_text(c, "[data-tile='brokers'] .value", "3/3", Duration::from_secs(5)).await;
    assert_eq!(attr(c, &selector, "data-state").await, "ok");
}

/// Support bundle…: GTK's save dialog answered with a path; the zip (0600) holds every host's facts, the status and
/// the project; Manage says what it holds.
async fn support_bundle_from_manage(c: &fantoccini::Client, world: &World, dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let out = dir.join("app-support.zip");
    let t0 = Instant::now();
    click(c, "#op-support-bundle").await;
    FileChooser::shown("Save the support bundle").await.choose(&out).await;
    wait_text(c, "#bundle-result", "Support bundle", Duration::from_secs(90)).await;
    assert_eq!(attr(c, "#bundle-result", "data-path").await, out.to_string_lossy());
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    for h in world.hosts() {
        let facts = format!("hosts/{}/facts.txt", h.name);
        assert!(names.contains(&facts), "{facts} missing: {names:?}");
    }
    for entry in ["manifest.json", "status.json", "project.toml"] {
        assert!(names.iter().any(|n| n == entry), "{entry} missing: {names:?}");
    }
    shot(c, "7-manage-support-bundle").await;
    eprintln!("MEASURE app support bundle: {} entries, {:.1}s from the click", names.len(), t0.elapsed().as_secs_f64());
}

/// Save log… after Start: the run's log, copied where GTK's save dialog says — its events, then how it ended.
async fn save_the_start_runs_log(c: &fantoccini::Client, dir: &std::path::Path) {
    let out = dir.join("start-run.jsonl");
    click(c, "#save-log").await;
    FileChooser::shown("Save the run log").await.choose(&out).await;
    wait_text(c, "#save-log-result", "Run log saved to", Duration::from_secs(10)).await;
    let text = std::fs::read_to_string(&out).unwrap();
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.contains("\"event\":\"run_finished\"")
            && last.contains("\"verb\":\"start\"")
            && last.contains("\"result\":\"succeeded\""),
        "{last}"
    );
    assert!(text.lines().count() > 3, "the run's events come first:\n{text}");
}
