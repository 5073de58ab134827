//! Renders engine events for a terminal: one progress line per host (its current step, a bar for uploads and the
//! download), finished steps printed above the bars; or, with `--json`, one JSON event per line on stdout.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use kafka_wizard::events::{Event, EventSink, Outcome, Target};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct Renderer {
    multi: MultiProgress,
    /// stderr is a terminal: draw bars; otherwise print plain lines (CI logs, pipes).
    tty: bool,
    bars: Mutex<HashMap<Target, ProgressBar>>,
    /// Print unchanged steps too.
    verbose: bool,
}

fn style_step() -> ProgressStyle {
    ProgressStyle::with_template("{spinner:.cyan} {prefix:<16.bold} {wide_msg}").expect("template")
}

fn style_bytes() -> ProgressStyle {
    ProgressStyle::with_template(
        "{spinner:.cyan} {prefix:<16.bold} {msg} [{bar:30.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec}",
    )
    .expect("template")
    .progress_chars("=> ")
}

impl Renderer {
    pub fn new(verbose: bool) -> Arc<Renderer> {
        use std::io::IsTerminal;
        let tty = std::io::stderr().is_terminal();
        let target = if tty { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let multi = MultiProgress::with_draw_target(target);
        Arc::new(Renderer { multi, tty, bars: Mutex::new(HashMap::new()), verbose })
    }

    fn bar(&self, target: &Target) -> ProgressBar {
        let mut bars = self.bars.lock().expect("bars");
        bars.entry(target.clone())
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new_spinner());
                bar.set_style(style_step());
                bar.set_prefix(target.to_string());
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                bar
            })
            .clone()
    }

    fn println(&self, line: String) {
        if self.tty {
            let _ = self.multi.println(line);
        } else {
            eprintln!("{line}");
        }
    }

    pub fn handle(&self, event: Event) {
        match event {
            Event::PhaseStarted { title, targets, .. } => {
                let hosts = targets.iter().filter(|t| matches!(t, Target::Host(_))).count();
                let on = if hosts == 0 { "on this machine".to_string() } else { format!("{hosts} host(s)") };
                self.println(format!("\n== {title} ({on})"))
            }
            Event::PhaseFinished { .. } => {}
            Event::StepStarted { target: host, step } => {
                let bar = self.bar(&host);
                bar.set_style(style_step());
                bar.set_message(step);
            }
            Event::Progress { target: host, step, done, total } => {
                let bar = self.bar(&host);
                if let Some(total) = total {
                    if bar.length() != Some(total) {
                        bar.set_style(style_bytes());
                        bar.set_length(total);
                        bar.set_message(step);
                    }
                }
                bar.set_position(done);
            }
            Event::StepFinished { target: host, step, outcome } => {
                let bar = self.bar(&host);
                bar.set_style(style_step());
                match outcome {
                    Outcome::Changed { detail } => self.println(format!("  {host:<16} ✔ {step}: {detail}")),
                    Outcome::Unchanged { reason } if self.verbose => {
                        self.println(format!("  {host:<16} · {step}: unchanged ({reason})"))
                    }
                    Outcome::Unchanged { .. } => {}
                }
                bar.set_message(format!("done: {step}"));
            }
            Event::StepFailed { target: host, step, error } => {
                self.println(format!("  {host:<16} ✘ {step}: {error}"));
                self.bar(&host).set_message(format!("FAILED: {step}"));
            }
            Event::Warning { target: host, message } => self.println(format!("  {host:<16} ! {message}")),
            Event::Log { target: host, message } => self.println(format!("  {host:<16}   {message}")),
        }
    }

    pub fn finish(&self) {
        for bar in self.bars.lock().expect("bars").values() {
            bar.finish_and_clear();
        }
    }
}

/// The event sink for a command: terminal rendering, or JSON lines.
pub fn sink(renderer: &Arc<Renderer>, json: bool) -> EventSink {
    if json {
        Arc::new(|event: Event| super::write_stdout(&format!("{}\n", event.json_line())))
    } else {
        let r = renderer.clone();
        Arc::new(move |event| r.handle(event))
    }
}
