//! `kafka-wizard trust import|list|remove`: the user's own trusted release-signing keys (beside the pinned Apache
//! Kafka release managers' keys, which are built in). Importing shows every key's fingerprint and user ids and asks
//! at a terminal; `--yes` is for scripts, after the fingerprints were checked some other way.

use clap::{Args, Subcommand};
use kafka_wizard::verify::apache_keys;
use kafka_wizard::verify::signature::{Fingerprint, KeySummary};
use kafka_wizard::verify::trust_store::TrustStore;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct TrustArgs {
    #[command(subcommand)]
    pub command: TrustCommand,
}

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Trust the keys of an armored key file (e.g. a KEYS file) to sign Kafka releases: shows each key's
    /// fingerprint and user ids and asks first.
    Import {
        /// The armored public keys (`-----BEGIN PGP PUBLIC KEY BLOCK-----`; text between blocks is ignored).
        file: PathBuf,
        /// Do not ask: trust every key in FILE (for scripts, once the fingerprints were checked).
        #[arg(long)]
        yes: bool,
    },
    /// List the keys trusted to sign Kafka releases: yours, then the built-in Apache release managers'.
    List {
        /// One JSON object: {"dir", "trusted": [...], "pinned": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Stop trusting a key you imported (its full fingerprint; spaces allowed).
    Remove {
        /// The key's fingerprint, as `trust list` shows it.
        fingerprint: String,
    },
}

pub fn run(args: TrustArgs) -> ExitCode {
    let result = match args.command {
        TrustCommand::Import { file, yes } => import(&file, yes),
        TrustCommand::List { json } => list(json),
        TrustCommand::Remove { fingerprint } => remove(&fingerprint),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

type CliResult = Result<(), (u8, String)>;

fn fail(e: impl std::fmt::Display) -> (u8, String) {
    (1, e.to_string())
}

/// `D3DF 932A 0303 …` — gpg's grouping, easier to compare by eye.
fn grouped(fpr: &Fingerprint) -> String {
    let s = fpr.as_str();
    let groups: Vec<&str> = (0..s.len()).step_by(4).map(|i| &s[i..(i + 4).min(s.len())]).collect();
    let half = groups.len() / 2;
    format!("{}  {}", groups[..half].join(" "), groups[half..].join(" "))
}

fn pinned_owner(fpr: &Fingerprint) -> Option<&'static str> {
    apache_keys::PINNED.iter().find(|k| k.fingerprint == fpr.as_str()).map(|k| k.owner)
}

fn import(file: &std::path::Path, yes: bool) -> CliResult {
    let ring = kafka_wizard::verify::trust_store::read_key_file(file).map_err(fail)?;
    let store = TrustStore::open_default().map_err(fail)?;
    let already: Vec<Fingerprint> = store.list().map_err(fail)?.into_iter().map(|k| k.fingerprint).collect();
    for skipped in ring.skipped() {
        eprintln!("warning: {}: skipped {skipped}", file.display());
    }
    let keys = ring.summaries();
    eprintln!("{} key(s) in {}:", keys.len(), file.display());
    for key in &keys {
        let note = match pinned_owner(&key.fingerprint) {
            Some(owner) => format!("  (already built in: Apache Kafka release manager {owner})"),
            None if already.contains(&key.fingerprint) => "  (already trusted)".to_string(),
            None => String::new(),
        };
        eprintln!("  {}{note}", grouped(&key.fingerprint));
        for uid in &key.user_ids {
            eprintln!("      {uid}");
        }
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err((
                1,
                "not imported: nobody at a terminal to confirm — compare the fingerprints above with their owners', \
                 then run again with --yes"
                    .into(),
            ));
        }
        eprint!("Trust these keys to sign the Kafka releases you install? Compare each fingerprint with its owner's first. [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).is_err() || !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Err((1, "not imported: nothing was changed".into()));
        }
    }
    let mut out = String::new();
    for key in &keys {
        let path = store.import(&ring, &key.fingerprint).map_err(fail)?;
        outln!(out, "trusted {} ({})", key.fingerprint, path.display());
    }
    super::write_stdout(&out);
    Ok(())
}

fn list(json: bool) -> CliResult {
    let store = TrustStore::open_default().map_err(fail)?;
    let trusted = store.list().map_err(fail)?;
    if json {
        let pinned: Vec<serde_json::Value> = apache_keys::PINNED
            .iter()
            .map(|k| {
                serde_json::json!({"fingerprint": k.fingerprint, "owner": k.owner, "signed": k.signed,
                                   "evidence": k.evidence_text()})
            })
            .collect();
        let out = serde_json::json!({"dir": store.dir(), "trusted": trusted, "pinned": pinned});
        super::write_stdout(&format!("{out}\n"));
        return Ok(());
    }
    let mut out = trusted_lines(&store, &trusted);
    outln!(
        out,
        "Built in — Apache Kafka release managers (pinned by fingerprint; their keys come from Apache's KEYS):"
    );
    for k in apache_keys::PINNED {
        outln!(out, "  {}  {} (signed {})", k.fingerprint, k.owner, k.signed.join(", "));
        if !k.verified_here() {
            outln!(out, "      {}", k.evidence_text());
        }
    }
    super::write_stdout(&out);
    Ok(())
}

fn trusted_lines(store: &TrustStore, trusted: &[KeySummary]) -> String {
    let mut out = String::new();
    if trusted.is_empty() {
        outln!(out, "Trusted by you ({}): none (`kafka-wizard trust import FILE` adds keys)", store.dir().display());
        return out;
    }
    outln!(out, "Trusted by you ({}):", store.dir().display());
    for key in trusted {
        outln!(out, "  {}  {}", key.fingerprint, key.user_ids.join(", "));
    }
    out
}

fn remove(fingerprint: &str) -> CliResult {
    let fpr = Fingerprint::parse(fingerprint).map_err(|e| (2, e))?;
    let store = TrustStore::open_default().map_err(fail)?;
    match store.remove(&fpr) {
        Ok(path) => {
            super::write_stdout(&format!("no longer trusted: {fpr} (deleted {})\n", path.display()));
            Ok(())
        }
        Err(e) => match pinned_owner(&fpr) {
            Some(owner) => Err(fail(format!(
                "{fpr} is the built-in key of Apache Kafka release manager {owner}, pinned in this build; it is not in \
                 your trusted keys and cannot be removed"
            ))),
            None => Err(fail(e)),
        },
    }
}
