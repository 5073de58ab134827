#!/usr/bin/env bash
# tests-app/packaged-cli.sh — the CLI as the packages packaging/build.sh made carry it (tests-app/run.sh step
# `pkg-cli`, after `package`; a few seconds). Checks, each failing the run with what is wrong:
#   1. the .deb lists /usr/bin/kafka-wizard (executable), its man page and its bash/zsh/fish completions at Debian's
#      places (dpkg-deb -c);
#   2. that CLI, extracted (dpkg-deb -x) and run with no display (DISPLAY and WAYLAND_DISPLAY unset), prints
#      `kafka-wizard <crate version> (…)` for --version and validates the shipped example by a relative path, exit 0;
#      the packaged man page and completions are exactly what this binary generates (so they cannot drift from it),
#      the man page is gzip'd roff titled kafka-wizard(1), bash loads the completions;
#   3. the .deb's MIME type (/usr/share/mime/packages/kafka-wizard.xml, from src-tauri/kafka-wizard-mime.xml): compiled with
#      freedesktop.org's into a private database, GIO types every example and fixture project as
#      application/x-kafka-wizard-project and Cargo.toml or rustfmt.toml as application/toml; the .desktop entry
#      claims only the project type;
#   4. the AppImage, also with no display: `--cli --version` and `--version` through a symlink named
#      `kafka-wizard` print the .deb's version; through the symlink it validates the example by a relative path
#      (the CLI runs in the caller's directory); started by its own name without `--cli` it runs the app, not the
#      CLI. Mounted with FUSE where this machine can, else
#      APPIMAGE_EXTRACT_AND_RUN=1 (appimage_can_mount, src-tauri/packages.sh).
# Packages: under $CARGO_TARGET_DIR (else target/)/release/bundle/, the version in src-tauri/tauri.conf.json.
# Usage: bash tests-app/packaged-cli.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=../src-tauri/packages.sh
. "$ROOT/src-tauri/packages.sh"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
VERSION=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' src-tauri/tauri.conf.json | head -1)
CRATE_VERSION=$(sed -n 's/^version = "\([^"]*\)"/\1/p' Cargo.toml | head -1)
EXAMPLE=kraft-cluster.toml   # in examples/
say() { echo "packaged-cli: $*"; }
fail() { echo "packaged-cli: FAILED: $*" >&2; exit 1; }
headless() { env -u DISPLAY -u WAYLAND_DISPLAY "$@"; }   # headless CMD...: CMD with no display to talk to
T0=$(date +%s%N)
ms() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }

DEB=$(ls -t "$TARGET/release/bundle/deb/"*_"${VERSION}"_amd64.deb 2>/dev/null | head -1 || true)
[ -n "$DEB" ] || fail "no .deb of version $VERSION under $TARGET/release/bundle/deb (bash packaging/build.sh)"
APPIMAGE=$TARGET/release/bundle/appimage/Kafka_Cluster_Wizard_${VERSION}_amd64.AppImage
[ -x "$APPIMAGE" ] || fail "no $APPIMAGE (bash packaging/build.sh)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- 1. the .deb's file list ---
declare -A SHIPPED=(
    [usr/bin/kafka-wizard]=cli
    [usr/share/man/man1/kafka-wizard.1.gz]=man
    [usr/share/bash-completion/completions/kafka-wizard]=bash
    [usr/share/zsh/vendor-completions/_kafka-wizard]=zsh
    [usr/share/fish/vendor_completions.d/kafka-wizard.fish]=fish
)
listing=$(dpkg-deb -c "$DEB") || fail "dpkg-deb -c $DEB"
for path in "${!SHIPPED[@]}"; do
    line=$(awk -v p="$path" '$6 == p || $6 == "./" p' <<<"$listing")   # tauri's tar: no ./ prefix
    [ -n "$line" ] || fail "$DEB does not list /$path"
done
mode=$(awk '$6 == "usr/bin/kafka-wizard" || $6 == "./usr/bin/kafka-wizard" { print $1 }' <<<"$listing")
[ "$mode" = -rwxr-xr-x ] || fail "$DEB: /usr/bin/kafka-wizard has mode $mode, not -rwxr-xr-x"
say "ok: $(basename "$DEB") lists /usr/bin/kafka-wizard (-rwxr-xr-x), its man page and bash/zsh/fish completions ($(ms))"

# --- 2. the .deb's CLI, extracted ---
dpkg-deb -x "$DEB" "$TMP/deb"
cli=$TMP/deb/usr/bin/kafka-wizard
version=$(headless "$cli" --version) || fail "the .deb's kafka-wizard --version failed: $version"
case "$version" in
    "kafka-wizard $CRATE_VERSION ("*")") ;;
    *) fail "the .deb's kafka-wizard --version printed '$version', expected 'kafka-wizard $CRATE_VERSION (<build>)'" ;;
esac
out=$(cd examples && headless "$cli" validate "$EXAMPLE" 2>&1) || fail "the .deb's kafka-wizard validate $EXAMPLE (in examples/) failed, exit $?: $out"
grep -q "^$EXAMPLE: valid" <<<"$out" || fail "the .deb's kafka-wizard validate $EXAMPLE printed no '$EXAMPLE: valid' line: $out"
say "ok: the .deb's CLI, no display: '$version'; validate examples/$EXAMPLE exit 0 ($(ms))"

zcat "$TMP/deb/usr/share/man/man1/kafka-wizard.1.gz" > "$TMP/man.1" || fail "the .deb's man page is not gzip"
grep -q '^\.TH kafka-wizard 1 ' "$TMP/man.1" || fail "the .deb's man page has no '.TH kafka-wizard 1' title"
cmp -s "$TMP/man.1" <(headless "$cli" man) || fail "the .deb's man page differs from what its kafka-wizard man prints"
for sh in bash zsh fish; do
    case $sh in
        bash) f=usr/share/bash-completion/completions/kafka-wizard ;;
        zsh) f=usr/share/zsh/vendor-completions/_kafka-wizard ;;
        fish) f=usr/share/fish/vendor_completions.d/kafka-wizard.fish ;;
    esac
    cmp -s "$TMP/deb/$f" <(headless "$cli" completions $sh) || fail "the .deb's /$f differs from what its kafka-wizard completions $sh prints"
done
bash -c 'source "$1" && complete -p kafka-wizard' _ "$TMP/deb/usr/share/bash-completion/completions/kafka-wizard" >/dev/null \
    || fail "bash does not load the .deb's completions for kafka-wizard"
say "ok: the man page (roff, kafka-wizard(1)) and the completions are what that CLI generates; bash loads its completions ($(ms))"

# --- 3. the .deb's MIME type for project files ---
# The package's MIME definition compiled with the system's freedesktop.org one into a database of its own, asked
# through GIO (what file managers and GTK's chooser use): each shipped example and test fixture project is a project,
# every other .toml stays application/toml, and the .desktop entry claims only the project type.
mime_xml=usr/share/mime/packages/kafka-wizard.xml
[ -f "$TMP/deb/$mime_xml" ] || fail "$DEB does not carry /$mime_xml"
desktop=$(ls "$TMP"/deb/usr/share/applications/*.desktop 2>/dev/null | head -1)
[ -n "$desktop" ] || fail "$DEB has no .desktop file"
claimed=$(sed -n 's/^MimeType=//p' "$desktop")
[ "$claimed" = "application/x-kafka-wizard-project;" ] \
    || fail "$(basename "$desktop") claims MimeType=$claimed, expected only application/x-kafka-wizard-project;"
mkdir -p "$TMP/xdg/mime/packages"
cp /usr/share/mime/packages/freedesktop.org.xml "$TMP/deb/$mime_xml" "$TMP/xdg/mime/packages/"
XDG_DATA_HOME="$TMP/xdg" XDG_DATA_DIRS="$TMP/xdg" update-mime-database "$TMP/xdg/mime" || fail "update-mime-database refused the .deb's $mime_xml"
content_type() {   # content_type FILE: what GIO says FILE is, with only the private database
    local info
    info=$(XDG_DATA_HOME="$TMP/xdg" XDG_DATA_DIRS="$TMP/xdg" gio info -a standard::content-type "$1" 2>&1) \
        || fail "gio info $1: $info"
    sed -n 's/^ *standard::content-type: //p' <<<"$info"
}
projects=0
for f in examples/*.toml tests/fixtures/*.toml; do
    first=$(head -c 4096 "$f")
    grep -q '^format = 1' <<<"$first" || continue
    got=$(content_type "$f")
    [ "$got" = application/x-kafka-wizard-project ] || fail "GIO says $f is '$got', not application/x-kafka-wizard-project"
    projects=$((projects + 1))
done
[ "$projects" -gt 3 ] || fail "only $projects project files found to check the MIME type with"
for f in Cargo.toml src-tauri/Cargo.toml rustfmt.toml; do
    got=$(content_type "$f")
    [ "$got" = application/toml ] || fail "GIO says $f is '$got': the project type must not claim every .toml"
done
say "ok: the .deb's MIME type: $projects project files are application/x-kafka-wizard-project, Cargo.toml, src-tauri/Cargo.toml and rustfmt.toml stay application/toml (GIO); the .desktop claims only the project type ($(ms))"

# --- 4. the AppImage's CLI ---
if appimage_can_mount; then
    mode="FUSE mount"
    unset APPIMAGE_EXTRACT_AND_RUN
else
    mode="extract-and-run (no FUSE 2 here)"
    export APPIMAGE_EXTRACT_AND_RUN=1
fi
got=$(headless "$APPIMAGE" --cli --version) || fail "$(basename "$APPIMAGE") --cli --version failed: $got"
[ "$got" = "$version" ] || fail "$(basename "$APPIMAGE") --cli --version printed '$got', the .deb's CLI '$version'"
mkdir "$TMP/bin"
ln -s "$APPIMAGE" "$TMP/bin/kafka-wizard"
got=$(PATH="$TMP/bin:$PATH" headless kafka-wizard --version) || fail "kafka-wizard (a symlink to the AppImage) --version failed: $got"
[ "$got" = "$version" ] || fail "kafka-wizard (a symlink to the AppImage) --version printed '$got', the .deb's CLI '$version'"
out=$(cd examples && PATH="$TMP/bin:$PATH" headless kafka-wizard validate "$EXAMPLE" 2>&1) \
    || fail "kafka-wizard (a symlink to the AppImage) validate $EXAMPLE (in examples/) failed, exit $?: $out"
grep -q "^$EXAMPLE: valid" <<<"$out" || fail "kafka-wizard (a symlink to the AppImage) validate $EXAMPLE printed no '$EXAMPLE: valid' line: $out"
# started by its own name without --cli it is the app (which, with no display, fails to open GTK), not the CLI
got=$(headless "$APPIMAGE" --version 2>&1 || true)
[ "$got" != "$version" ] || fail "$(basename "$APPIMAGE") --version (no --cli, not named kafka-wizard) ran the CLI, not the app"
say "ok: the AppImage ($mode), no display: --cli --version and a 'kafka-wizard' symlink print '$version'; validate by a relative path exit 0; without either it is the app ($(ms))"
