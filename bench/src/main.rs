//! `kw-bench`: the two things of the benchmark (`bench/run.sh`, `bench/bench.py`) that need Rust.
//!
//! - `kw-bench verify FILE SIGNATURE KEYS`: the wizard's own verification code timed on one file — the SHA-512 alone
//!   (`verify::sha512_of_file`), then the check a deploy makes (`download::signed::fetch_signed_release`): the
//!   signature prepared (`verify::signature::prepare`) and ONE read of the file that yields both its SHA-512 and the
//!   signature's verdict (`verify::one_pass::check_file`) — printed as one JSON object (seconds, bytes, MB/s).
//! - `kw-bench plot RESULTS.json OUT.png FONT.ttf`: install-only time against the number of hosts, with and without
//!   the shaped uplink (median, min–max whiskers), drawn with `plotters`' bitmap backend; text through `ab_glyph`
//!   from the font file given (no fontconfig), so the picture is the same on any machine with that file.

use plotters::prelude::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["verify", file, sig, keys] => verify(Path::new(file), Path::new(sig), Path::new(keys)),
        ["plot", results, out, font] => plot(Path::new(results), Path::new(out), Path::new(font)),
        _ => Err("usage: kw-bench verify FILE SIGNATURE KEYS | kw-bench plot RESULTS.json OUT.png FONT.ttf".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kw-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Times the wizard's SHA-512 alone and its one-pass release check of `file`; prints
/// `{"bytes", "sha512_s", "verify_s", "sha512_mb_s", "verify_mb_s", …}`.
fn verify(file: &Path, sig: &Path, keys: &Path) -> Result<(), String> {
    use kafka_wizard::verify::one_pass::check_file;
    use kafka_wizard::verify::signature::{prepare, Keyring};
    let bytes = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?.len();
    let text = std::fs::read_to_string(keys).map_err(|e| format!("{}: {e}", keys.display()))?;
    let ring = Keyring::from_armored(&text, &keys.display().to_string()).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let digest = kafka_wizard::verify::sha512_of_file(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let sha512_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let prepared = prepare(file, sig, &ring).map_err(|e| e.to_string())?;
    let checked = check_file(file, &prepared, &mut |_| true).map_err(|e| e.to_string())?;
    let signed = checked.signature.map_err(|e| e.to_string())?;
    let verify_s = started.elapsed().as_secs_f64();
    if checked.sha512 != digest {
        return Err(format!("the one pass's SHA-512 {} is not sha512_of_file's {digest}", checked.sha512));
    }
    let mb = bytes as f64 / 1e6;
    let out = json!({
        "bytes": bytes,
        "sha512": digest.as_hex(),
        "signed_by": signed.primary.as_str(),
        "signature_hash": prepared.hash_algorithm().map(|h| format!("{h:?}")),
        "sha512_s": sha512_s,
        "verify_s": verify_s,
        "sha512_mb_s": mb / sha512_s,
        "verify_mb_s": mb / verify_s,
    });
    println!("{out}");
    Ok(())
}

/// One line of the plot: `(hosts, median, min, max)` of the install-only entries with `shaped`.
fn series(results: &Value, shaped: bool) -> Vec<(f64, f64, f64, f64)> {
    let mut points: Vec<_> = results["install_only"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["shaped"].as_bool() == Some(shaped) && e["median"].is_number())
        .map(|e| {
            let f = |k: &str| e[k].as_f64().unwrap_or(0.0);
            (f("hosts"), f("median"), f("min"), f("max"))
        })
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points
}

fn plot(results: &Path, out: &Path, font: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(results).map_err(|e| format!("{}: {e}", results.display()))?;
    let results: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", results.display()))?;
    let font_bytes: &'static [u8] =
        Box::leak(std::fs::read(font).map_err(|e| format!("{}: {e}", font.display()))?.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, font_bytes)
        .map_err(|_| format!("{}: not a font ab_glyph can read", font.display()))?;
    let lines = [(false, "direct uplink", BLUE), (true, "uplink shaped to 100 Mbit/s", RED)];
    let all: Vec<_> = lines.iter().flat_map(|(shaped, _, _)| series(&results, *shaped)).collect();
    if all.is_empty() {
        return Err("no install-only figures in the results".into());
    }
    let max_hosts = all.iter().map(|p| p.0).fold(1.0, f64::max);
    let max_secs = all.iter().map(|p| p.3).fold(1.0, f64::max) * 1.15;
    let root = BitMapBackend::new(out, (900, 560)).into_drawing_area();
    let draw = |e: DrawingAreaErrorKind<_>| e.to_string();
    root.fill(&WHITE).map_err(draw)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("kafka-wizard: install-only time vs hosts (median, min-max)", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..max_hosts * 1.08, 0.0..max_secs)
        .map_err(draw)?;
    chart.configure_mesh().x_desc("hosts").y_desc("seconds").label_style(("sans-serif", 15)).draw().map_err(draw)?;
    for (shaped, label, color) in lines {
        let points = series(&results, shaped);
        if points.is_empty() {
            continue;
        }
        chart
            .draw_series(LineSeries::new(points.iter().map(|p| (p.0, p.1)), color.stroke_width(2)))
            .map_err(draw)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(points.iter().map(|p| Circle::new((p.0, p.1), 4, color.filled()))).map_err(draw)?;
        chart
            .draw_series(points.iter().map(|p| ErrorBar::new_vertical(p.0, p.2, p.1, p.3, color.stroke_width(1), 8)))
            .map_err(draw)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 15))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(draw)?;
    root.present().map_err(draw)?;
    Ok(())
}
