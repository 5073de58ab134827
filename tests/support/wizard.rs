//! The real `kafka-wizard` binary run by an end-to-end test, with its download cache and data directory (the
//! secrets store) and its run logs under the test's own `home`.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

/// Runs the wizard; its output (stdout then stderr) is printed with the time it took and returned as text.
pub fn run_wizard(home: &Path, args: &[&str]) -> (Output, String) {
    run_wizard_with_input(home, args, None)
}

/// [`run_wizard`] with `stdin` fed to it (a pipe, so not a terminal), else stdin closed.
pub fn run_wizard_with_input(home: &Path, args: &[&str], stdin: Option<&[u8]>) -> (Output, String) {
    use std::io::Write;
    use std::process::Stdio;
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", super::world::trusting_config_home())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kafka-wizard");
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input).expect("feed kafka-wizard's stdin");
    }
    let out = child.wait_with_output().expect("wait for kafka-wizard");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("[wizard] {} -> {} in {:.1}s\n{text}", args.join(" "), out.status, started.elapsed().as_secs_f64());
    (out, text)
}
