//! `tests/world/roll_load.py` driven from a test: started (it prints READY once records are acknowledged), then
//! told to stop, its summary (sent, acked, consumed, duplicates, lost, errors, longest_stall) read back as JSON.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

/// The load while it runs.
pub struct RollLoad {
    child: Child,
    out: BufReader<ChildStdout>,
}

impl RollLoad {
    /// Starts `roll_load.py args…` with `python` (tests/world/prepare.sh's venv) and waits for READY.
    pub fn start(python: &Path, args: &[&str]) -> RollLoad {
        let mut child = Command::new(python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/roll_load.py"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start roll_load.py");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "READY", "roll_load.py did not start producing");
        RollLoad { child, out }
    }

    /// Stops producing, waits until every acknowledged record is consumed (or its deadline), returns the figures.
    pub fn stop(mut self) -> serde_json::Value {
        writeln!(self.child.stdin.take().unwrap(), "stop").unwrap();
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        assert!(self.child.wait().unwrap().success(), "roll_load.py failed");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("roll_load.py summary {line:?}: {e}"))
    }
}
