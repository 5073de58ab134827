#!/usr/bin/env bash
# bench/run.sh — the benchmark: builds the release CLI and `kw-bench`, then runs bench/bench.py on the test world.
# usage: sudo bench/run.sh [--runs N] [--big-runs N] [--hosts 3,6,12,24] [--no-shaped] [--running 24] [--quick] [--out DIR]
# Root (the test world: systemd-nspawn hosts, the bridge's tc qdisc); tests/world/prepare.sh done once before.
# Builds into $CARGO_TARGET_DIR (else the tree's target/). Prints a table; writes bench/out/results.json and
# bench/out/install.png. See bench/README.md for what each figure is, its floor and its goal.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bench: root is required (the test world); run: sudo $0 $*" >&2; exit 1; }
T=${CARGO_TARGET_DIR:-$ROOT/target}
cd "$ROOT"
cargo build --release --locked -p kafka-wizard -p kw-bench
exec python3 "$ROOT/bench/bench.py" --wizard "$T/release/kafka-wizard" --kw-bench "$T/release/kw-bench" "$@"
