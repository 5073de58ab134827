//! Build script: stamps the build into `KAFKA_WIZARD_BUILD` (`<git short hash>[-dirty] <UTC date>`) for
//! `kafka-wizard --version`. Without git (a source tarball, no `git` binary) the parts read "unknown"; it never fails
//! the build. `SOURCE_DATE_EPOCH` (reproducible builds) wins over the clock for the date.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_string()).filter(|s| !s.is_empty())
}

/// The commit: short hash, `-dirty` when tracked files differ from it; "unknown" outside a git checkout.
fn commit() -> String {
    let Some(hash) = git(&["rev-parse", "--short=12", "HEAD"]) else { return "unknown".into() };
    // Tracked files changed (staged or not)? `GIT_OPTIONAL_LOCKS=0`: never rewrite the index from a build.
    let status = Command::new("git")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output();
    let dirty = status.map(|o| o.status.success() && !o.stdout.is_empty());
    if dirty.unwrap_or(false) {
        format!("{hash}-dirty")
    } else {
        hash
    }
}

/// The build date `YYYY-MM-DD` (UTC), from `SOURCE_DATE_EPOCH` when set, else now.
fn date() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs()));
    let Some(secs) = secs else { return "unknown".into() };
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Watches a file that exists (cargo reruns the script on every build for a path that does not).
fn watch(path: &str) {
    if std::path::Path::new(path).exists() {
        println!("cargo:rerun-if-changed={path}");
    }
}

fn main() {
    println!("cargo:rustc-env=KAFKA_WIZARD_BUILD={} {}", commit(), date());
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    // Re-stamp when the sources change (dirty or not) or HEAD moves (a commit, a checkout). In a worktree HEAD
    // and the index live in its own git dir, the branch refs in the common one.
    for path in ["src", "Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={path}");
    }
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        for file in ["HEAD", "index"] {
            watch(&format!("{dir}/{file}"));
        }
    }
    if let (Some(common), Some(head_ref)) =
        (git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]), git(&["symbolic-ref", "-q", "HEAD"]))
    {
        watch(&format!("{common}/{head_ref}")); // absent when packed: then HEAD and the index still move
    }
}
