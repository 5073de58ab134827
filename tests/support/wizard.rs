//! The real `kafka-wizard` binary run by an end-to-end test, with its download cache and data directory (the
//! secrets store) and its run logs under the test's own `home`.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

/// Runs the wizard; its output (stdout then stderr) is printed with the time it took and returned as text.
pub fn run_wizard(home: &Path, args: &[&str]) -> (Output, String) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", super::world::trusting_config_home())
        .output()
        .expect("run kafka-wizard");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("[wizard] {} -> {} in {:.1}s\n{text}", args.join(" "), out.status, started.elapsed().as_secs_f64());
    (out, text)
}
