//! Issue 15 (app): Review's Check hosts → Apply fixes… in the real window, before the install. The kernel settings
//! this machine's kernel warns about (the hosts are containers sharing it: vm.max_map_count 65530, vm.swappiness 60
//! here) warn on every host; on h2 an operator's `/etc/sysctl.d/60-kafka.conf` is planted holding a higher
//! `vm.max_map_count` than the wizard's — a fix already kept for the next boot, so not offered on h2. Apply fixes…
//! names each host and the file it writes (Cancel focused; Cancel writes nothing), then writes it (root, 0644; h2's
//! higher value kept) and shows each host's outcome as the engine read it back — "takes effect at the next boot":
//! the containers' `/proc/sys` is read-only, so the kernel keeps its value, which the check run again still reports,
//! now as kept for the next boot with no Apply fixes… offered. The file is removed from every host afterwards.

use super::preflight_rows;
use fantoccini::Locator;
use kafka_wizard_app_e2e::{click, css, shot, text_of, wait_text};
use std::time::{Duration, Instant};

use super::world::World;

const FILE: &str = "/etc/sysctl.d/60-kafka.conf";
/// The operator's value planted on h2: above the wizard's 262144, so the fix must keep it.
const OPERATOR_MAP_COUNT: &str = "vm.max_map_count = 500000";

/// Removes the fixes' file from every host when dropped (also when the test fails): the rest of the suite expects
/// hosts without it.
struct RemoveFile<'a>(&'a World);

impl Drop for RemoveFile<'_> {
    fn drop(&mut self) {
        for h in self.0.hosts() {
            self.0.ssh(&h.name, "root", &format!("rm -f {FILE}"));
        }
    }
}

/// Whether Apply fixes… offers `key` on `host`: not on h2 for `vm.max_map_count`, whose planted file already keeps
/// more than the fix (the kernel only has not taken it).
fn offered(host: &str, key: &str) -> bool {
    !(host == "h2" && key == "vm.max_map_count")
}

/// The line the wizard keeps for a setting this machine's kernel warns about.
fn wizard_line(key: &str) -> &'static str {
    match key {
        "vm.max_map_count" => "vm.max_map_count = 262144",
        _ => "vm.swappiness = 1",
    }
}

/// The kernel's vm.max_map_count and vm.swappiness as `host` reads them.
fn kernel(world: &World, host: &str) -> String {
    world.ssh_ok(host, "root", "cat /proc/sys/vm/max_map_count /proc/sys/vm/swappiness")
}

/// `host`'s fixes file: `owner:group mode` then its settings (comments left out); `absent` when there is none.
fn file_on(world: &World, host: &str) -> String {
    world.ssh_ok(
        host,
        "root",
        &format!("if test -e {FILE}; then stat -c '%U:%G %a' {FILE}; grep -v '^#' {FILE}; else echo absent; fi"),
    )
}

/// On Review, after Check hosts passed (warnings only): Apply fixes…, cancelled once, then applied.
pub async fn apply_fixes_from_check_hosts(c: &fantoccini::Client, world: &World) {
    let t_all = Instant::now();
    let rows = preflight_rows(c).await;
    let warned: Vec<&str> = ["vm.max_map_count", "vm.swappiness"]
        .into_iter()
        .filter(|k| rows.iter().any(|r| r.0 == "h1" && r.1 == *k && r.2 == "warn"))
        .collect();
    assert!(!warned.is_empty(), "this machine's kernel warns on nothing the wizard fixes: {rows:?}");
    // The app words its own way to the fix: Apply fixes…, not the CLI's flag.
    let cell = css(c, &format!("#preflight-table tr[data-host='h1'][data-check='{}'] td:last-child", warned[0])).await;
    let fix = cell.text().await.unwrap();
    assert!(fix.contains(FILE) && fix.contains("Apply fixes…") && !fix.contains("--fix"), "{fix}");
    // Never let a write reach this machine's kernel: every host's /proc/sys must be read-only.
    for h in world.hosts() {
        let mount = world.ssh_ok(&h.name, "root", "awk '$2 == \"/proc/sys\" { print $4 }' /proc/mounts");
        assert!(mount.split(',').any(|o| o.trim() == "ro"), "{}: /proc/sys is writable ({mount})", h.name);
        assert_eq!(file_on(world, &h.name).trim(), "absent", "{}: a fixes file left by another test", h.name);
    }
    let kernel_before = kernel(world, "h1");
    let _cleanup = RemoveFile(world);
    world.ssh_ok("h2", "root", &format!("printf '# set by the operator\\n{OPERATOR_MAP_COUNT}\\n' > {FILE}"));
    let planted = file_on(world, "h2");

    // Apply fixes…: the confirmation names every host and the file; Cancel is focused; Cancel writes nothing.
    let t0 = Instant::now();
    click(c, "#preflight-fix").await;
    css(c, "#preflight-confirm").await;
    let preview_secs = t0.elapsed().as_secs_f64();
    let focused = c.execute("return document.activeElement.id", vec![]).await.unwrap();
    assert_eq!(focused.as_str(), Some("preflight-confirm-no"), "Cancel is focused");
    for h in world.hosts() {
        let item = css(c, &format!("#preflight-confirm-hosts > li[data-host='{}']", h.name)).await;
        let text = item.text().await.unwrap();
        assert!(text.contains(&format!("writes {FILE}")), "{}: {text}", h.name);
        for k in warned.iter().filter(|k| offered(&h.name, k)) {
            assert!(text.contains(&format!("{k} = ")), "{}: {k} not applied now: {text}", h.name);
        }
    }
    let h2 = text_of(c, "#preflight-confirm-hosts > li[data-host='h2']").await;
    assert!(!h2.contains("vm.max_map_count"), "h2's own file already keeps more than the fix: not offered: {h2}");
    shot(c, "5-review-apply-fixes-confirm").await;
    click(c, "#preflight-confirm-no").await;
    wait_text(c, "#toast", "nothing was written", Duration::from_secs(5)).await;
    for h in world.hosts() {
        let now = file_on(world, &h.name);
        let want = if h.name == "h2" { planted.as_str() } else { "absent\n" };
        assert_eq!(now, want, "{}: Cancel changed the file", h.name);
    }

    // Apply: each host's outcome; the check runs again (seen loading, then its table).
    let watch = "window.kwCheckedAgain = false; new MutationObserver(() => { \
                 if (document.querySelector('#preflight-loading')) window.kwCheckedAgain = true; }) \
                 .observe(document.body, { childList: true, subtree: true })";
    c.execute(watch, vec![]).await.unwrap();
    let t1 = Instant::now();
    click(c, "#preflight-fix").await;
    click(c, "#preflight-confirm-yes").await;
    wait_text(c, "#preflight-outcomes", "takes effect", Duration::from_secs(60)).await;
    wait_text(c, "#preflight-summary", "Every host passed", Duration::from_secs(60)).await;
    let again = c.execute("return window.kwCheckedAgain", vec![]).await.unwrap();
    assert_eq!(again.as_bool(), Some(true), "the check ran again after the fixes");
    let apply_secs = t1.elapsed().as_secs_f64();
    shot(c, "5-review-fixes-applied").await;
    let js = "return [...document.querySelectorAll('#preflight-outcomes tr')]\
              .map((tr) => [tr.dataset.host, tr.dataset.state, tr.textContent])";
    let outcomes: Vec<(String, String, String)> = serde_json::from_value(c.execute(js, vec![]).await.unwrap()).unwrap();
    let kernel_after = kernel(world, "h1");
    assert_eq!(kernel_after, kernel_before, "the kernel is this machine's: no write reached it");
    for h in world.hosts() {
        let mine: Vec<&(String, String, String)> = outcomes.iter().filter(|o| o.0 == h.name).collect();
        let offered_here: Vec<&&str> = warned.iter().filter(|k| offered(&h.name, k)).collect();
        assert_eq!(mine.len(), offered_here.len(), "{}: one outcome per offered setting: {outcomes:?}", h.name);
        for k in offered_here {
            let row = mine.iter().find(|o| o.2.contains(&format!("{k} = "))).unwrap_or_else(|| panic!("{k}"));
            // honest: the kernel kept its value, so the fix is kept for the next boot, not "applied now"
            assert_eq!(row.1, "at_boot", "{}: {row:?}", h.name);
            assert!(row.2.contains("Read-only file system"), "{}: {row:?}", h.name);
            assert!(row.2.contains(&format!("kept in {FILE}")), "{}: {row:?}", h.name);
        }
        let mut lines: Vec<&str> = warned.iter().map(|k| wizard_line(k)).collect();
        if h.name == "h2" {
            lines.retain(|l| !l.starts_with("vm.max_map_count"));
            lines.insert(0, OPERATOR_MAP_COUNT);
        }
        let file = file_on(world, &h.name);
        assert_eq!(file.lines().collect::<Vec<_>>(), [&["root:root 644"], &lines[..]].concat(), "{}", h.name);
    }
    // the check run again still sees the kernel's own values: the warnings stand until the next boot, each saying
    // its fix is kept for it and how to take it now — and Apply fixes… is not offered again for them
    let again = preflight_rows(c).await;
    for h in world.hosts() {
        for k in &warned {
            let row = again.iter().find(|r| r.0 == h.name && r.1 == *k).unwrap_or_else(|| panic!("{k}: {again:?}"));
            assert_eq!(row.2, "warn", "{row:?}");
            assert!(row.3.contains(&format!("is kept in {FILE} for the next boot")), "{row:?}");
            assert!(row.3.contains(&format!("sysctl -p {FILE}")) && !row.3.contains("Apply fixes…"), "{row:?}");
        }
    }
    assert!(c.find(Locator::Css("#preflight-fix")).await.is_err(), "Apply fixes… offered again for kept fixes");
    eprintln!(
        "MEASURE app Apply fixes… on 3 hosts: preview {preview_secs:.1}s, fixes + check again {apply_secs:.1}s \
         ({} setting(s) per host, each kept in {FILE} for the next boot); {:.1}s in all with Cancel and the checks",
        warned.len(),
        t_all.elapsed().as_secs_f64()
    );
}
