# src-tauri/packages.sh — sourced by ui/run.sh, tests-app/run.sh, tests-app/packaged-cli.sh and packaging/build.sh.
# Owns the desktop app's Debian package lists and installs the missing ones (apt-get update first,
# --no-install-recommends, sudo when not root); whether an AppImage can mount itself here (appimage_can_mount).

# to build and run the app (WebKitGTK 4.1 and the C toolchain Tauri links with)
APP_BUILD_PACKAGES=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev librsvg2-dev)
# to test it: a virtual display, the WebKit WebDriver, Chromium for the browser tests, ImageMagick for screenshots,
# xdotool to answer the native file chooser (WebDriver cannot see it), a Korean font (the Korean UI's screenshots)
APP_TEST_PACKAGES=(xvfb xauth webkit2gtk-driver chromium imagemagick xdotool fonts-nanum)
# to package it (packaging/build.sh): squashfs for the AppImage, patchelf for its RUNPATHs; libfuse2 to run an
# AppImage mounted (without it: APPIMAGE_EXTRACT_AND_RUN=1); shared-mime-info and GIO (libglib2.0-bin) to check the
# project MIME type the .deb carries (tests-app/packaged-cli.sh); rpm (rpm -qp, rpm2cpio) and cpio to read the RPM
# (tests-app/packaged-rpm.sh; tauri's bundler writes it without them)
APP_PACKAGE_PACKAGES=(squashfs-tools patchelf python3 curl libfuse2 shared-mime-info libglib2.0-bin rpm cpio)

install_missing_packages() {   # install_missing_packages PKG...: only those not installed yet
    local need=() p
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    [ ${#need[@]} = 0 ] && return 0
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    echo "installing Debian packages: ${need[*]}" >&2
    "${sudo[@]}" apt-get update -q -o DPkg::Lock::Timeout=600
    # another install may hold dpkg's lock (tests/run-all.sh's background release build installs the build packages
    # while the tests run): wait for it instead of failing
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}"
}

appimage_can_mount() {   # appimage_can_mount: can an AppImage mount itself with FUSE 2 here? (else it must run with
                         # APPIMAGE_EXTRACT_AND_RUN=1: extracted into /tmp first)
    [ -c /dev/fuse ] && [ -e /usr/lib/x86_64-linux-gnu/libfuse.so.2 ] && { [ "$(id -u)" = 0 ] || command -v fusermount >/dev/null; }
}

# rustup's cargo first when it is there
if [ -x "$HOME/.cargo/bin/cargo" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi

require_tools() {   # cargo and npm must exist (Rust via rustup, Node.js 20+)
    command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
    command -v npm >/dev/null || { echo "npm not found: install Node.js 20 or newer" >&2; exit 1; }
}

build_ui() {   # build_ui: npm packages from the lockfile, then the bundle the app embeds (ui/public/js)
    (cd "$ROOT/ui" && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)
}
