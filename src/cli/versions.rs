//! `kafka-wizard versions [--json]`: the release catalog.

use kafka_wizard::catalog::{self, KraftSupport};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct VersionsArgs {
    /// Print the catalog as JSON (with download URLs).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: VersionsArgs) -> ExitCode {
    let mut out = String::new();
    if args.json {
        let releases: Vec<serde_json::Value> = catalog::RELEASES
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).expect("releases serialise");
                let downloads: serde_json::Map<String, serde_json::Value> = r
                    .scala
                    .iter()
                    .map(|s| {
                        let urls = serde_json::json!({ "tarball": r.tarball_urls(s), "sha512": r.checksum_urls(s), "asc": r.signature_urls(s) });
                        (s.to_string(), urls)
                    })
                    .collect();
                v["downloads"] = serde_json::Value::Object(downloads);
                v
            })
            .collect();
        outln!(out, "{}", serde_json::to_string_pretty(&releases).expect("json"));
        super::write_stdout(&out);
        return ExitCode::SUCCESS;
    }
    outln!(out, "{:<8} {:<16} {:<11} {:<18} {:<7} notes", "version", "scala", "zookeeper", "kraft", "java");
    for r in catalog::RELEASES.iter().rev() {
        let kraft = match r.kraft {
            KraftSupport::None => "-",
            KraftSupport::EarlyAccess => "early access",
            KraftSupport::Preview => "preview",
            KraftSupport::Production => "yes",
        };
        let mut notes = Vec::new();
        if r.withdrawn {
            notes.push("WITHDRAWN — do not use");
        }
        if r.current {
            notes.push("current");
        }
        outln!(
            out,
            "{:<8} {:<16} {:<11} {:<18} {:<7} {}",
            r.version.to_string(),
            r.scala.join(", "),
            if r.zookeeper { "yes" } else { "removed" },
            kraft,
            format!("{}–{}", r.java.min, r.java.max),
            notes.join("; ")
        );
    }
    super::write_stdout(&out);
    ExitCode::SUCCESS
}
