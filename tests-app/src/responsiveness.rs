//! How responsive the real window stays while a run streams events (issue 12: input handled within 100 ms during
//! an install): WebDriver clicks on a checkbox outside the redrawn run area (WebKit's automation answers a click once
//! the page has handled its mouse events, so a click's round trip is the input's latency plus the driver's), timed
//! from here; and the page's main thread watched from inside — a 20 ms interval timer whose lateness is how long
//! any input would have waited; and that thread's scheduler statistics (time on a CPU, time waiting for one), which
//! tell the page's own work from a machine too busy to run it (on the 2-core test machine the hosts' JVMs share
//! the cores with the window). Figures, printed by the caller; the tests assert only that every click was handled.

use fantoccini::Client;
use std::time::{Duration, Instant};

/// The interval timer's period in the page (ms).
const TICK_MS: u32 = 20;

/// Click round trips (ms), sorted.
#[derive(Debug, Default)]
pub struct Clicks(Vec<f64>);

impl Clicks {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn quantile(&self, q: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        self.0[((self.0.len() - 1) as f64 * q).round() as usize]
    }

    /// `p50 … ms, p90 … ms, max … ms (n clicks)`.
    pub fn summary(&self) -> String {
        format!(
            "p50 {:.0} ms, p90 {:.0} ms, max {:.0} ms ({} clicks)",
            self.quantile(0.5),
            self.quantile(0.9),
            self.quantile(1.0),
            self.0.len()
        )
    }
}

/// Clicks `selector` (a checkbox) twice — its state is left as it was — timing each click; panics when a click was
/// not handled (the box did not change). A box a re-render replaced meanwhile (the run ended) gives no sample.
async fn click_twice(c: &Client, selector: &str, clicks: &mut Vec<f64>) {
    let checkbox = crate::css(c, selector).await;
    for _ in 0..2 {
        let Ok(before) = checkbox.is_selected().await else { return };
        let started = Instant::now();
        if checkbox.click().await.is_err() {
            return;
        }
        let took = started.elapsed().as_secs_f64() * 1000.0;
        let Ok(after) = checkbox.is_selected().await else { return };
        assert_ne!(after, before, "the click on {selector} was not handled");
        clicks.push(took);
    }
}

/// Clicks `selector` `pairs` × 2 times with the page otherwise idle.
pub async fn idle_clicks(c: &Client, selector: &str, pairs: usize) -> Clicks {
    let mut clicks = Vec::new();
    for _ in 0..pairs {
        click_twice(c, selector, &mut clicks).await;
    }
    clicks.sort_by(f64::total_cmp);
    Clicks(clicks)
}

/// The page's main thread watched from inside (a 20 ms timer's lateness) and by the kernel (its scheduler
/// statistics), from [`Watch::start`] to [`Watch::report`].
pub struct Watch {
    page: WebProcess,
    before: Sched,
}

impl Watch {
    pub async fn start(c: &Client) -> Watch {
        let script = format!(
            "window.__kwLag = {{ max: 0, over100: 0, ticks: 0 }}; let last = performance.now(); \
             window.__kwLagTimer = setInterval(() => {{ const now = performance.now(); \
             const late = now - last - {TICK_MS}; if (late > window.__kwLag.max) window.__kwLag.max = late; \
             if (late > 100) window.__kwLag.over100++; window.__kwLag.ticks++; last = now; }}, {TICK_MS});"
        );
        c.execute(&script, vec![]).await.unwrap();
        let page = WebProcess::newest();
        let before = page.sched();
        Watch { page, before }
    }

    /// Stops the watch; what it saw, as a sentence (`the main thread's longest stall …`).
    pub async fn report(self, c: &Client) -> String {
        let seen = c
            .execute(
                "clearInterval(window.__kwLagTimer); const l = window.__kwLag; return [l.max, l.over100, l.ticks];",
                vec![],
            )
            .await
            .unwrap();
        let n = |i: usize| seen[i].as_f64().unwrap_or(f64::NAN);
        format!(
            "the main thread's longest stall {:.0} ms, {} of {} {TICK_MS} ms ticks late by over 100 ms; the page's main \
             thread {}",
            n(0),
            n(1),
            n(2),
            self.before.until(self.page.sched())
        )
    }
}

/// Clicks `selector` twice every `every` until `done` (a CSS selector) appears or `timeout` passes.
pub async fn clicks_until(c: &Client, selector: &str, done: &str, every: Duration, timeout: Duration) -> Clicks {
    let deadline = Instant::now() + timeout;
    let initially = crate::selected(c, selector).await;
    let mut clicks = Vec::new();
    while Instant::now() < deadline {
        if c.find(fantoccini::Locator::Css(done)).await.is_ok() {
            break;
        }
        click_twice(c, selector, &mut clicks).await;
        tokio::time::sleep(every).await;
    }
    // a pair cut short by a re-render leaves the box changed: put it back
    let checkbox = crate::css(c, selector).await;
    if checkbox.is_selected().await.unwrap() != initially {
        checkbox.click().await.unwrap();
    }
    clicks.sort_by(f64::total_cmp);
    Clicks(clicks)
}

/// The page's process (WebKitWebProcess, the newest: the app this test started) — to tell the page's own work from
/// a machine too busy to run it: the kernel's scheduler statistics of its main thread.
pub struct WebProcess {
    pid: u32,
}

/// A main thread's time on a CPU and waiting in a run queue for one (`/proc/PID/schedstat`), in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Sched {
    pub on_cpu: f64,
    pub waiting: f64,
}

impl WebProcess {
    /// The newest WebKitWebProcess on this machine (started by the app under test).
    pub fn newest() -> WebProcess {
        let out = std::process::Command::new("pgrep").args(["-n", "-x", "WebKitWebProces"]).output().unwrap();
        let pid = String::from_utf8_lossy(&out.stdout).trim().parse().expect("a WebKitWebProcess is running");
        WebProcess { pid }
    }

    pub fn sched(&self) -> Sched {
        let text = std::fs::read_to_string(format!("/proc/{}/schedstat", self.pid)).unwrap();
        let ns: Vec<f64> = text.split_whitespace().map(|f| f.parse().unwrap()).collect();
        Sched { on_cpu: ns[0] / 1e9, waiting: ns[1] / 1e9 }
    }
}

impl Sched {
    /// `on a CPU … s, waiting for one … s` between `self` (before) and `after`.
    pub fn until(self, after: Sched) -> String {
        format!("on a CPU {:.1} s, waiting for one {:.1} s", after.on_cpu - self.on_cpu, after.waiting - self.waiting)
    }
}
