//! `kafka-wizard versions [--json] [--refresh [--from URL | --project FILE]]`: the release catalog, plus the
//! releases an Apache-style index listed when last refreshed (cached; `kafka_wizard::release_index`), each marked
//! `catalog` (facts verified when this build was made) or `discovered`.

use kafka_wizard::catalog::{self, KraftSupport, Release, Version, APACHE_DOWNLOADS};
use kafka_wizard::release_index::{self, Discovered, Standing};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct VersionsArgs {
    /// Print the catalog as JSON (with download URLs).
    #[arg(long)]
    pub json: bool,
    /// Read the release list from an Apache-style index first and cache it (default: downloads.apache.org, or
    /// the project's kafka.apache_url / kafka.mirror with --project).
    #[arg(long)]
    pub refresh: bool,
    /// The index to read with --refresh: the Kafka directory of the Apache dist server or a mirror.
    #[arg(long, value_name = "URL", requires = "refresh", conflicts_with = "project")]
    pub from: Option<String>,
    /// Read with --refresh from this project's kafka.apache_url, else its kafka.mirror.
    #[arg(long, value_name = "FILE", requires = "refresh")]
    pub project: Option<PathBuf>,
}

pub fn run(args: VersionsArgs) -> ExitCode {
    let cache = release_index::cache_file();
    let discovered = if args.refresh {
        let Some(cache) = &cache else {
            eprintln!("error: no per-user cache directory to keep the release list in: set HOME or XDG_CACHE_HOME");
            return ExitCode::FAILURE;
        };
        match refresh(&args, cache) {
            Ok(found) => Some(found),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        cache.as_deref().and_then(|cache| {
            release_index::load(cache).unwrap_or_else(|e| {
                eprintln!("warning: {e}");
                None
            })
        })
    };
    let extra: Vec<Version> = discovered
        .as_ref()
        .map(|d| d.parsed().into_iter().filter(|v| release_index::standing(*v) != Standing::Catalog).collect())
        .unwrap_or_default();
    let text = if args.json { json(&extra) } else { table(&extra, discovered.as_ref()) };
    super::write_stdout(&text);
    ExitCode::SUCCESS
}

/// The index to read: `--from`, else the project's `kafka.apache_url`, else its `kafka.mirror`, else Apache's.
fn index_url(args: &VersionsArgs) -> Result<String, String> {
    if let Some(url) = &args.from {
        return Ok(url.clone());
    }
    let Some(path) = &args.project else { return Ok(APACHE_DOWNLOADS.to_string()) };
    let loaded = kafka_wizard::project::load(path).map_err(|e| e.to_string())?;
    let kafka = loaded.draft.kafka;
    Ok(kafka.apache_url.or(kafka.mirror).unwrap_or_else(|| APACHE_DOWNLOADS.to_string()))
}

fn refresh(args: &VersionsArgs, cache: &std::path::Path) -> Result<Discovered, String> {
    let url = index_url(args)?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("{url:?} is not an http(s) URL — give the Kafka directory of an Apache mirror"));
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let versions = runtime.block_on(release_index::fetch_index(&url)).map_err(|e| e.to_string())?;
    let found = Discovered::now(&url, &versions);
    release_index::save(cache, &found).map_err(|e| e.to_string())?;
    let new = versions.iter().filter(|v| release_index::standing(**v) != Standing::Catalog).count();
    eprintln!(
        "{} lists {} release(s), {new} not in this build's catalog; cached in {} ({})",
        found.source,
        versions.len(),
        cache.display(),
        found.date
    );
    Ok(found)
}

/// Every catalog release and every discovered one it lacks, oldest first: `(version, release facts, known)`.
fn merged(extra: &[Version]) -> Vec<(Version, Option<&'static Release>, &'static str)> {
    let mut rows: Vec<_> = catalog::RELEASES.iter().map(|r| (r.version, Some(r), "catalog")).collect();
    rows.extend(extra.iter().map(|v| (*v, catalog::release_for(*v), "discovered")));
    rows.sort_by_key(|row| row.0);
    rows
}

fn json(extra: &[Version]) -> String {
    let releases: Vec<serde_json::Value> = merged(extra)
        .into_iter()
        .map(|(version, release, known)| {
            let Some(r) = release else {
                return serde_json::json!({ "version": version.to_string(), "known": known, "usable": false });
            };
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
            v["known"] = known.into();
            v["usable"] = true.into();
            v
        })
        .collect();
    format!("{}\n", serde_json::to_string_pretty(&releases).expect("json"))
}

fn table(extra: &[Version], discovered: Option<&Discovered>) -> String {
    let mut out = String::new();
    outln!(
        out,
        "{:<8} {:<10} {:<16} {:<11} {:<18} {:<7} notes",
        "version",
        "known",
        "scala",
        "zookeeper",
        "kraft",
        "java"
    );
    for (version, release, known) in merged(extra).into_iter().rev() {
        let Some(r) = release else {
            let note = format!(
                "a {}.{} line this build does not know: not usable until the wizard is updated",
                version.major, version.minor
            );
            outln!(
                out,
                "{:<8} {:<10} {:<16} {:<11} {:<18} {:<7} {note}",
                version.to_string(),
                known,
                "-",
                "-",
                "-",
                "-"
            );
            continue;
        };
        let kraft = match r.kraft {
            KraftSupport::None => "-",
            KraftSupport::EarlyAccess => "early access",
            KraftSupport::Preview => "preview",
            KraftSupport::Production => "yes",
        };
        let mut notes = Vec::new();
        if r.withdrawn {
            notes.push("WITHDRAWN — do not use".to_string());
        }
        if r.current && known == "catalog" {
            notes.push("current".to_string());
        }
        if let Standing::PatchOfKnownLine { line } = release_index::standing(version) {
            notes.push(format!("facts taken from {line} (validation warns)"));
        }
        outln!(
            out,
            "{:<8} {:<10} {:<16} {:<11} {:<18} {:<7} {}",
            version.to_string(),
            known,
            r.scala.join(", "),
            if r.zookeeper { "yes" } else { "removed" },
            kraft,
            format!("{}–{}", r.java.min, r.java.max),
            notes.join("; ")
        );
    }
    match discovered {
        Some(d) => outln!(
            out,
            "\ncatalog: verified when this build was made; discovered: listed by {} on {} (`versions --refresh` updates it)",
            d.source,
            d.date
        ),
        None => outln!(out, "\ncatalog only: `kafka-wizard versions --refresh` also lists releases published since this build"),
    }
    out
}
