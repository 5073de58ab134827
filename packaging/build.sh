#!/usr/bin/env bash
# packaging/build.sh — the desktop app's two packages, offline: the .deb and the AppImage.
# Owns: building the release app (tauri's bundler, .deb only: its AppImage bundler downloads linuxdeploy and
# AppRun from GitHub) and assembling the AppImage ourselves from that .deb's contents:
#   1. the AppImage runtime — the official AppImageKit type-2 runtime shipped in the crates.io crate
#      `appimage` 0.4.0 (MIT/Apache-2.0): downloaded once, both the .crate and the runtime checked against
#      pinned SHA-256s before use, cached under target/appimage/cache (never committed);
#   2. an AppDir: the .deb's files (binary, .desktop, icons) + AppRun + .DirIcon, and every shared library
#      the binary, WebKitGTK's helper processes and injected bundle, the gdk-pixbuf loaders and the GIO
#      modules need (DT_NEEDED, transitively), except the ones that must come from the host (HOST_LIBS below)
#      and what only those need;
#      each bundled ELF gets RUNPATH $ORIGIN/... (patchelf), so the bundled libraries find each other
#      without LD_LIBRARY_PATH (which would leak into the programs the app starts, e.g. for local hosts);
#   3. WebKitGTK finds its helpers by a compile-time absolute path (/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1):
#      the bundled libwebkit2gtk gets `/usr` patched to `././` (same length; as tauri's own AppImages do),
#      and AppRun runs the app from $APPDIR/usr so the relative path lands in the image. The app resolves a
#      relative project path on its command line against $OWD, the directory it was started from;
#   4. a check that ldd finds everything every ELF in the AppDir needs, bundled libraries inside the AppDir, and
#      the newest glibc / libstdc++ symbol versions they need (the oldest host the AppImage runs on);
#   5. mksquashfs appended to the runtime. gzip with 128 KiB blocks: the runtime reads only gzip and xz, and
#      measured here xz (81 MB instead of 106) took ~30 s to open the window, 1 MiB gzip blocks ~9 s, this ~2.5 s.
# Output: target/release/bundle/deb/*.deb and target/release/bundle/appimage/Kafka_Cluster_Wizard_<version>_amd64.AppImage
# Usage: bash packaging/build.sh [--skip-build]   (--skip-build: package the existing release build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=SCRIPTDIR/../src-tauri/packages.sh
. "$ROOT/src-tauri/packages.sh"

SKIP_BUILD=0
for arg in "$@"; do
    case "$arg" in
        --skip-build) SKIP_BUILD=1 ;;
        *) echo "packaging: unknown argument $arg (usage: bash packaging/build.sh [--skip-build])" >&2; exit 2 ;;
    esac
done
[ "$(uname -m)" = x86_64 ] || { echo "packaging: only x86_64 is supported (the pinned runtime is x86_64)" >&2; exit 1; }

# The AppImage runtime, pinned (the .crate's SHA-256 is the one crates.io's index lists for appimage 0.4.0).
RUNTIME_CRATE_URL=https://static.crates.io/crates/appimage/appimage-0.4.0.crate
RUNTIME_CRATE_SHA256=567a4da6b94a2ac20a27620933c80fc14cf475b5fe7d7b137d20eb237d6b1920
RUNTIME_SHA256=328e0d745c5c6817048c27bc3e8314871703f8f47ffa81a37cb06cd95a94b323

# Libraries taken from the host, never bundled (sonames, shell patterns): the AppImage project's excludelist —
# glibc (must match the host's ld.so and NSS setup), libgcc_s/libstdc++ (the host's are at least as new as any
# glibc-2.36 system needs), the GPU stack (matches the host's kernel driver), X11/xcb (the host's display
# server), fontconfig/freetype/harfbuzz/fribidi/thai (the host's fonts and their configuration), sound, and a few
# core libraries every desktop has (expat, z, uuid, gpg-error, com_err, p11-kit, usb, ICE/SM).
HOST_LIBS=(
    'ld-linux*' libc.so.6 libm.so.6 libmvec.so.1 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2
    'libnss_*' libutil.so.1 libanl.so.1 libBrokenLocale.so.1 libcidn.so.1 libthread_db.so.1
    libgcc_s.so.1 'libstdc++.so.6'
    libGL.so.1 libEGL.so.1 libGLX.so.0 libGLdispatch.so.0 libOpenGL.so.0 'libGLES*' libglapi.so.0 libdrm.so.2 libgbm.so.1
    libX11.so.6 libX11-xcb.so.1 libxcb.so.1 libxcb-dri2.so.0 libxcb-dri3.so.0 libICE.so.6 libSM.so.6
    libfontconfig.so.1 libfreetype.so.6 libharfbuzz.so.0 libfribidi.so.0 libthai.so.0
    libasound.so.2 libjack.so.0
    libexpat.so.1 libz.so.1 libuuid.so.1 libgpg-error.so.0 libcom_err.so.2 libp11-kit.so.0 libusb-1.0.so.0
)
MULTIARCH=/usr/lib/x86_64-linux-gnu
WEBKIT_LIBEXEC=$MULTIARCH/webkit2gtk-4.1              # PKGLIBEXECDIR of Debian's libwebkit2gtk-4.1-0
PIXBUF_DIR=$MULTIARCH/gdk-pixbuf-2.0/2.10.0
GIO_MODULES=(libgiognutls.so libdconfsettings.so)   # TLS for WebKit's network process; the user's GSettings

APP=kafka-wizard-app
VERSION=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' src-tauri/tauri.conf.json | head -1)
[ -n "$VERSION" ] || { echo "packaging: no version in src-tauri/tauri.conf.json" >&2; exit 1; }
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
WORK=$TARGET/appimage
OUT_DIR=$TARGET/release/bundle/appimage
OUT=$OUT_DIR/Kafka_Cluster_Wizard_${VERSION}_amd64.AppImage
say() { echo "packaging: $*" >&2; }
die() { echo "packaging: error: $*" >&2; exit 1; }
T0=$(date +%s)

install_missing_packages "${APP_BUILD_PACKAGES[@]}" "${APP_PACKAGE_PACKAGES[@]}"

# --- 1. the release build and the .deb (tauri's bundler) ---
DEB_DIR=$TARGET/release/bundle/deb
if [ $SKIP_BUILD = 0 ]; then
    require_tools
    build_ui
    say "tauri build --bundles deb (the release build: ~6 min cold on 2 cores)"
    (cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb)
fi
DEB=$(ls -t "$DEB_DIR"/*_"${VERSION}"_amd64.deb 2>/dev/null | head -1 || true)
[ -n "$DEB" ] || die "no .deb of version $VERSION in $DEB_DIR (run without --skip-build)"

# --- 2. the runtime ---
CACHE=$WORK/cache
RUNTIME=$CACHE/runtime-x86_64
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
if ! sha_ok "$RUNTIME" "$RUNTIME_SHA256"; then
    mkdir -p "$CACHE"
    crate=$CACHE/appimage-0.4.0.crate
    if ! sha_ok "$crate" "$RUNTIME_CRATE_SHA256"; then
        say "downloading the AppImage runtime: $RUNTIME_CRATE_URL"
        curl -fsSL --retry 3 -o "$crate.part" "$RUNTIME_CRATE_URL" || die "cannot download $RUNTIME_CRATE_URL"
        sha_ok "$crate.part" "$RUNTIME_CRATE_SHA256" || { rm -f "$crate.part"; die "$RUNTIME_CRATE_URL: SHA-256 is not the pinned $RUNTIME_CRATE_SHA256"; }
        mv "$crate.part" "$crate"
    fi
    tar -xzOf "$crate" appimage-0.4.0/assets/runtime-x86_64 > "$RUNTIME.part"
    sha_ok "$RUNTIME.part" "$RUNTIME_SHA256" || { rm -f "$RUNTIME.part"; die "the runtime in $crate is not the pinned $RUNTIME_SHA256"; }
    mv "$RUNTIME.part" "$RUNTIME"
fi

# --- 3. the AppDir ---
APPDIR=$WORK/$APP.AppDir
rm -rf "$APPDIR"
mkdir -p "$APPDIR"
dpkg-deb -x "$DEB" "$APPDIR"
[ -x "$APPDIR/usr/bin/$APP" ] || die "$DEB has no usr/bin/$APP"
LIB=$APPDIR/usr/lib
mkdir -p "$LIB"

# WebKitGTK's helper processes and injected bundle, at their Debian path below $APPDIR/usr
HELPERS=$APPDIR/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1
mkdir -p "$HELPERS/injected-bundle"
for p in WebKitWebProcess WebKitNetworkProcess WebKitGPUProcess; do
    [ -x "$WEBKIT_LIBEXEC/$p" ] || die "$WEBKIT_LIBEXEC/$p missing (libwebkit2gtk-4.1-0)"
    cp "$WEBKIT_LIBEXEC/$p" "$HELPERS/"
done
cp "$WEBKIT_LIBEXEC/injected-bundle/libwebkit2gtkinjectedbundle.so" "$HELPERS/injected-bundle/"

# gdk-pixbuf loaders and their cache, paths relative to $APPDIR/usr (AppRun's working directory)
PIXBUF=$APPDIR/usr/lib/gdk-pixbuf-2.0/2.10.0
mkdir -p "$PIXBUF/loaders"
cp "$PIXBUF_DIR"/loaders/*.so "$PIXBUF/loaders/"
sed "s|\"$PIXBUF_DIR/loaders/|\"lib/gdk-pixbuf-2.0/2.10.0/loaders/|" "$PIXBUF_DIR/loaders.cache" > "$PIXBUF/loaders.cache"
! grep -q '^"/.*\.so"$' "$PIXBUF/loaders.cache" || die "loaders.cache still names an absolute loader path"

# GIO modules (GIO_MODULE_DIR makes GIO load only these, never the host's, built for another GLib)
GIO=$APPDIR/usr/lib/gio/modules
mkdir -p "$GIO"
for m in "${GIO_MODULES[@]}"; do cp "$MULTIARCH/gio/modules/$m" "$GIO/"; done
# GStreamer (WebKit links it; the wizard plays no media): no plugins, and never the host's
mkdir -p "$APPDIR/usr/lib/gstreamer-1.0"

is_host_lib() {   # is_host_lib SONAME
    local p
    for p in "${HOST_LIBS[@]}"; do
        # shellcheck disable=SC2254
        case "$1" in $p) return 0 ;; esac
    done
    return 1
}

# what the ELF files above need (DT_NEEDED, followed through the libraries bundled, not through the host's; ldd
# says where each one is on this machine)
needed() { objdump -p "$1" | awk '$1 == "NEEDED" { print $2 }'; }
QUEUE=("$APPDIR/usr/bin/$APP" "$HELPERS"/WebKit* "$HELPERS/injected-bundle/"*.so "$PIXBUF/loaders/"*.so "$GIO/"*.so)
declare -A BUNDLED=()
while [ ${#QUEUE[@]} -gt 0 ]; do
    elf=${QUEUE[0]}
    QUEUE=("${QUEUE[@]:1}")
    out=$(ldd "$elf") || die "ldd $elf failed"
    for name in $(needed "$elf"); do
        is_host_lib "$name" && continue
        [ -n "${BUNDLED[$name]:-}" ] && continue
        path=$(awk -v n="$name" '$1 == n && $2 == "=>" { print $3 }' <<<"$out")
        case "$path" in /*) ;; *) die "${elf#"$APPDIR"/} needs $name, which is not on this machine" ;; esac
        BUNDLED[$name]=$path
        cp -L "$path" "$LIB/$name"
        QUEUE+=("$LIB/$name")
    done
done
say "bundled ${#BUNDLED[@]} libraries"

# WebKit's helpers: `/usr` → `././` in the two compile-time paths (exactly once each, same length)
python3 - "$LIB/libwebkit2gtk-4.1.so.0" <<'EOF'
import sys
path = sys.argv[1]
data = open(path, 'rb').read()
for s in (b'/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1\0', b'/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/injected-bundle/\0'):
    n = data.count(b'\0' + s)
    if n != 1:
        sys.exit(f'packaging: error: {path}: expected the string {s!r} once, found it {n} times')
    data = data.replace(b'\0' + s, b'\0' + b'././' + s[4:])
open(path, 'wb').write(data)
EOF

# RUNPATH: each bundled ELF finds the bundled libraries relative to itself
# shellcheck disable=SC2016   # $ORIGIN is for ld.so, not the shell
O='$ORIGIN'
runpath() { patchelf --set-rpath "$1" "$2" || die "patchelf $2"; }
runpath "$O/../lib" "$APPDIR/usr/bin/$APP"
for f in "$LIB"/*.so*; do runpath "$O" "$f"; done
for f in "$HELPERS"/WebKit*; do runpath "$O/../.." "$f"; done
runpath "$O/../../.." "$HELPERS/injected-bundle/libwebkit2gtkinjectedbundle.so"
for f in "$PIXBUF"/loaders/*.so; do runpath "$O/../../.." "$f"; done
for f in "$GIO"/*.so; do runpath "$O/../.." "$f"; done

# desktop entry and icon at the top, as the AppImage format wants them
desktop=$(ls "$APPDIR"/usr/share/applications/*.desktop 2>/dev/null | head -1)
[ -n "$desktop" ] || die "$DEB has no .desktop file"
grep -q "^Icon=$APP$" "$desktop" || die "$desktop: expected Icon=$APP"
sed -e '/^X-AppImage-Version=/d' -e "/^\[Desktop Entry\]/a X-AppImage-Version=$VERSION" "$desktop" > "$APPDIR/$APP.desktop"
icon=$(ls "$APPDIR"/usr/share/icons/hicolor/*/apps/$APP.png | sort -V | tail -1)
cp "$icon" "$APPDIR/$APP.png"
ln -s "$APP.png" "$APPDIR/.DirIcon"

cat > "$APPDIR/AppRun" <<'EOF'
#!/bin/sh
# AppRun — written by packaging/build.sh: the environment the bundled GTK/WebKitGTK need, then the app.
set -e
APPDIR=${APPDIR:-$(dirname "$(readlink -f "$0")")}
# the directory the user started the app from (the runtime sets OWD when it mounts; not when it extracts)
OWD=${OWD:-$PWD}
export APPDIR OWD
export GDK_PIXBUF_MODULE_FILE="$APPDIR/usr/lib/gdk-pixbuf-2.0/2.10.0/loaders.cache"
export GIO_MODULE_DIR="$APPDIR/usr/lib/gio/modules"
export GST_PLUGIN_SYSTEM_PATH_1_0="$APPDIR/usr/lib/gstreamer-1.0"
export XDG_DATA_DIRS="$APPDIR/usr/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
# WebKitGTK starts its helpers from ././/lib/x86_64-linux-gnu/webkit2gtk-4.1 (patched): relative to here
cd "$APPDIR/usr"
exec "$APPDIR/usr/bin/kafka-wizard-app" "$@"
EOF
chmod 755 "$APPDIR/AppRun"

# --- 4. every ELF in the AppDir: ldd finds all it needs, and each library it needs itself is either bundled and
#        resolves inside the AppDir, or on the host list ---
nelf=0
declare -A FROM_HOST=()
while IFS= read -r -d '' f; do
    head -c 4 "$f" | grep -q $'\x7fELF' || continue
    nelf=$((nelf + 1))
    out=$(ldd "$f" 2>&1) || die "ldd $f: $out"
    ! grep -q "not found" <<<"$out" || die "${f#"$APPDIR"/}: $(grep "not found" <<<"$out" | tr -s ' \t' ' ')"
    for name in $(needed "$f"); do
        path=$(awk -v n="$name" '$1 == n && $2 == "=>" { print $3 }' <<<"$out")
        if [ -e "$LIB/$name" ]; then
            case "$(readlink -f "$path")" in "$APPDIR"/*) ;; *) die "${f#"$APPDIR"/}: the bundled $name resolves outside the AppDir ($path)" ;; esac
        else
            is_host_lib "$name" || die "${f#"$APPDIR"/} needs $name: neither bundled nor on the host list"
            FROM_HOST[$name]=1
        fi
    done
done < <(find "$APPDIR" -type f -print0)
newest() { find "$APPDIR" -type f -print0 | xargs -0 objdump -T 2>/dev/null | grep -oE "$1[0-9.]+" | sort -Vu | tail -1; }
say "the host needs at least $(newest 'GLIBC_2\.') and $(newest 'GLIBCXX_3\.')"
say "checked $nelf ELF files: nothing missing, bundled libraries resolve inside the AppDir; from the host (${#FROM_HOST[@]}): $(printf '%s\n' "${!FROM_HOST[@]}" | sort | tr '\n' ' ')"

# --- 5. squashfs + runtime ---
mkdir -p "$OUT_DIR"
rm -f "$WORK/$APP.squashfs"
mksquashfs "$APPDIR" "$WORK/$APP.squashfs" -root-owned -noappend -quiet -comp gzip >/dev/null
find "$OUT_DIR" -maxdepth 1 -name '*.AppImage' ! -path "$OUT" -delete   # one AppImage: this version's
cat "$RUNTIME" "$WORK/$APP.squashfs" > "$OUT.part"
chmod 755 "$OUT.part"
mv "$OUT.part" "$OUT"
rm -f "$WORK/$APP.squashfs"
say "$(du -h "$DEB" | cut -f1)  $DEB"
say "$(du -h "$OUT" | cut -f1)  $OUT  ($(( $(date +%s) - T0 ))s)"
