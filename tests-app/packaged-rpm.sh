#!/usr/bin/env bash
# tests-app/packaged-rpm.sh — the RPM packaging/build.sh made, against the .deb of the same build (tests-app/run.sh
# step `pkg-rpm`, after `pkg-cli`; seconds). Read with Debian's `rpm` (rpm -qp, rpm2cpio) and cpio, no RPM system
# needed. Checks, each failing the run with what is wrong:
#   1. its header: name kafka-cluster-wizard, the version in src-tauri/tauri.conf.json, arch x86_64;
#   2. its digests are right (rpm -K); its files (rpm -qlp) are exactly the .deb's files at the Fedora paths (the zsh completion in
#      /usr/share/zsh/site-functions/ instead of Debian's vendor-completions/; every other path the same), and each
#      one, extracted (rpm2cpio | cpio), is byte-identical to the .deb's with the same mode (the app: but for the
#      package type tauri's bundlers write into it, RPM instead of DEB);
#   3. its requirements (rpm -qp --requires): the Fedora name of each of the .deb's dependencies (FEDORA_NAME below:
#      a .deb dependency with no Fedora name known fails), none of the Debian names, and for the app and the CLI
#      inside it, each library they link (DT_NEEDED) as `SONAME()(64bit)` and the newest glibc symbol version they
#      use as `libc.so.6(GLIBC_x)(64bit)`, as Fedora's own packages say it;
#   4. the CLI extracted from it, with no display, prints `kafka-wizard <crate version> (…)` for --version and its
#      usage for --help, exit 0.
# Packages: under $CARGO_TARGET_DIR (else target/)/release/bundle/, the version in src-tauri/tauri.conf.json.
# Usage: bash tests-app/packaged-rpm.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
VERSION=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' src-tauri/tauri.conf.json | head -1)
CRATE_VERSION=$(sed -n 's/^version = "\([^"]*\)"/\1/p' Cargo.toml | head -1)
say() { echo "packaged-rpm: $*"; }
fail() { echo "packaged-rpm: FAILED: $*" >&2; exit 1; }
headless() { env -u DISPLAY -u WAYLAND_DISPLAY "$@"; }   # headless CMD...: CMD with no display to talk to
T0=$(date +%s%N)
ms() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }
for tool in rpm rpm2cpio cpio dpkg-deb objdump; do
    command -v "$tool" >/dev/null || fail "$tool not found (src-tauri/packages.sh APP_PACKAGE_PACKAGES installs it)"
done

# the .deb's dependencies (tauri's) and their names in Fedora/RHEL
declare -A FEDORA_NAME=(
    [libwebkit2gtk-4.1-0]=webkit2gtk4.1
    [libgtk-3-0]=gtk3
    [libappindicator3-1]=libappindicator-gtk3
    [libayatana-appindicator3-1]=libayatana-appindicator-gtk3
)
fedora_path() {   # fedora_path PATH: where the RPM carries the .deb's PATH (relative, no leading /)
    case "$1" in
        usr/share/zsh/vendor-completions/*) echo "usr/share/zsh/site-functions/${1#usr/share/zsh/vendor-completions/}" ;;
        *) echo "$1" ;;
    esac
}

DEB=$(ls -t "$TARGET/release/bundle/deb/"*_"${VERSION}"_amd64.deb 2>/dev/null | head -1 || true)
[ -n "$DEB" ] || fail "no .deb of version $VERSION under $TARGET/release/bundle/deb (bash packaging/build.sh)"
mapfile -t rpms < <(ls "$TARGET/release/bundle/rpm/"*"${VERSION}"-*.x86_64.rpm 2>/dev/null || true)
[ ${#rpms[@]} = 1 ] || fail "expected one RPM of version $VERSION under $TARGET/release/bundle/rpm, found ${#rpms[@]} (bash packaging/build.sh)"
RPM=${rpms[0]}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- 1. the header ---
header=$(rpm -qp --qf '%{NAME} %{VERSION} %{ARCH}\n' "$RPM" 2>&1) || fail "rpm -qp $RPM: $header"
[ "$header" = "kafka-cluster-wizard $VERSION x86_64" ] \
    || fail "$(basename "$RPM"): name version arch are '$header', expected 'kafka-cluster-wizard $VERSION x86_64'"
say "ok: $(basename "$RPM") ($(du -h "$RPM" | cut -f1)): $header ($(ms))"

# --- 2. the files: the .deb's, at Fedora's paths, byte for byte ---
mkdir "$TMP/deb" "$TMP/rpm"
dpkg-deb -x "$DEB" "$TMP/deb"
# its header and payload digests first (rpm -K); then the payload. rpm2cpio's exit status is not used: rpm 4.18's exits 1
# for a package without the legacy ARCHIVESIZE tag, which the rpm crate (tauri's bundler) does not write, after
# writing the whole archive; cpio's status and the byte-for-byte comparison below say whether it is all there
digests=$(rpm -K "$RPM" 2>&1) || fail "rpm -K $RPM: $digests"
grep -q ': digests OK$' <<<"$digests" || fail "rpm -K $RPM: $digests"
(cd "$TMP/rpm" && { rpm2cpio "$RPM" 2>"$TMP/rpm2cpio.err" || true; } | cpio -idm --quiet 2>"$TMP/cpio.err") \
    || fail "rpm2cpio $RPM | cpio: $(cat "$TMP/rpm2cpio.err" "$TMP/cpio.err")"
deb_files=$(cd "$TMP/deb" && find . ! -type d | sed 's|^\./||' | sort)
[ -n "$deb_files" ] || fail "$DEB has no files"
expected=$(while IFS= read -r f; do fedora_path "$f"; done <<<"$deb_files" | sort)
listed=$(rpm -qlp "$RPM" 2>&1) || fail "rpm -qlp $RPM: $listed"
listed=$(cut -c2- <<<"$listed" | sort)   # each path without its leading /
if [ "$listed" != "$expected" ]; then
    fail "$(basename "$RPM") does not carry exactly the .deb's files at Fedora's paths:
$(diff <(echo "$expected") <(echo "$listed") | sed -n 's/^< /  missing: \//p; s/^> /  not in the .deb: \//p')"
fi
nfiles=0
while IFS= read -r f; do
    r=$(fedora_path "$f")
    [ -f "$TMP/rpm/$r" ] || fail "rpm -qlp lists /$r but rpm2cpio extracts no such file"
    if [ "$f" = usr/bin/kafka-wizard-app ]; then
        # tauri's bundlers write the package type into the app (tauri's bundle_type, for its updater): the 3 bytes
        # of __TAURI_BUNDLE_TYPE_VAR_DEB / _RPM; with those swapped back the app must be the .deb's byte for byte
        python3 - "$TMP/rpm/$r" "$TMP/app-as-deb" <<'EOF' || fail "the RPM's /$r is not marked as tauri's RPM bundle"
import sys
data = open(sys.argv[1], 'rb').read()
if data.count(b'__TAURI_BUNDLE_TYPE_VAR_RPM') != 1:
    sys.exit('packaged-rpm: the marker __TAURI_BUNDLE_TYPE_VAR_RPM is not in it exactly once')
open(sys.argv[2], 'wb').write(data.replace(b'__TAURI_BUNDLE_TYPE_VAR_RPM', b'__TAURI_BUNDLE_TYPE_VAR_DEB'))
EOF
        cmp -s "$TMP/deb/$f" "$TMP/app-as-deb" || fail "the RPM's /$r differs from the .deb's /$f beyond tauri's package-type marker"
    else
        cmp -s "$TMP/deb/$f" "$TMP/rpm/$r" || fail "the RPM's /$r differs from the .deb's /$f"
    fi
    dm=$(stat -c %a "$TMP/deb/$f")
    rm_=$(stat -c %a "$TMP/rpm/$r")
    [ "$dm" = "$rm_" ] || fail "the RPM's /$r has mode $rm_, the .deb's /$f $dm"
    nfiles=$((nfiles + 1))
done <<<"$deb_files"
grep -qx 'usr/bin/kafka-wizard' <<<"$listed" || fail "$(basename "$RPM") does not carry /usr/bin/kafka-wizard"
grep -qx 'usr/share/zsh/site-functions/_kafka-wizard' <<<"$listed" || fail "$(basename "$RPM") has no zsh completion in /usr/share/zsh/site-functions/"
say "ok: the RPM carries the .deb's $nfiles files at Fedora's paths (zsh: /usr/share/zsh/site-functions/), byte-identical (the app but for tauri's package-type marker), same modes ($(ms))"

# --- 3. the requirements ---
requires=$(rpm -qp --requires "$RPM" 2>&1) || fail "rpm -qp --requires $RPM: $requires"
has_req() { grep -qxF "$1" <<<"$requires"; }
deb_depends=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/(.*)//; s/^ *//; s/ *$//' | grep -v '^$' || true)
[ -n "$deb_depends" ] || fail "$DEB declares no Depends (tauri's bundler writes WebKitGTK's and GTK's)"
while IFS= read -r d; do
    fedora=${FEDORA_NAME[$d]:-}
    [ -n "$fedora" ] || fail "the .deb depends on $d, whose Fedora name this test does not know: add it to FEDORA_NAME and to bundle.linux.rpm.depends in src-tauri/tauri.conf.json"
    has_req "$fedora" || fail "$(basename "$RPM") does not require $fedora (Fedora's name of the .deb's dependency $d); it requires:
$requires"
    ! has_req "$d" || fail "$(basename "$RPM") requires $d, a Debian package name"
done <<<"$deb_depends"
nelf=0
for elf in "$TMP/rpm/usr/bin/kafka-wizard-app" "$TMP/rpm/usr/bin/kafka-wizard"; do
    [ -x "$elf" ] || fail "the RPM has no ${elf#"$TMP/rpm"}"
    for soname in $(objdump -p "$elf" | awk '$1 == "NEEDED" { print $2 }'); do
        has_req "$soname()(64bit)" || fail "${elf#"$TMP/rpm"} links $soname but $(basename "$RPM") does not require $soname()(64bit)"
        nelf=$((nelf + 1))
    done
    glibc=$(objdump -T "$elf" | grep -oE 'GLIBC_2\.[0-9.]+' | sort -Vu | tail -1)
    [ -n "$glibc" ] || fail "objdump -T ${elf#"$TMP/rpm"}: no GLIBC symbol version"
    has_req "libc.so.6($glibc)(64bit)" || fail "${elf#"$TMP/rpm"} needs $glibc but $(basename "$RPM") does not require libc.so.6($glibc)(64bit)"
done
say "ok: the RPM requires $(tr '\n' ' ' <<<"$deb_depends" | sed 's/ $//') by their Fedora names ($(for d in $deb_depends; do printf '%s ' "${FEDORA_NAME[$d]}"; done | sed 's/ $//')), every library the app and the CLI link ($nelf DT_NEEDED entries) and their newest glibc; $(wc -l <<<"$requires") requirements in all ($(ms))"

# --- 4. the RPM's CLI ---
cli=$TMP/rpm/usr/bin/kafka-wizard
version=$(headless "$cli" --version 2>&1) || fail "the RPM's kafka-wizard --version failed: $version"
case "$version" in
    "kafka-wizard $CRATE_VERSION ("*")") ;;
    *) fail "the RPM's kafka-wizard --version printed '$version', expected 'kafka-wizard $CRATE_VERSION (<build>)'" ;;
esac
help=$(headless "$cli" --help 2>&1) || fail "the RPM's kafka-wizard --help failed: $help"
grep -q '^Usage: kafka-wizard ' <<<"$help" || fail "the RPM's kafka-wizard --help printed no 'Usage: kafka-wizard' line: $help"
say "ok: the RPM's CLI, no display: '$version'; --help prints its usage ($(ms))"
echo "MEASURE rpm package check: $(basename "$RPM"), $(stat -c %s "$RPM") bytes, $nfiles files, $(wc -l <<<"$requires") requirements, $(ms)"
