#!/usr/bin/env bash
# tests-app/without-host-webkit.sh CMD... — runs CMD (as root) with this machine's WebKitGTK 4.1 hidden from it:
# in a new private mount namespace of its own (unshare -m), empty files are bind-mounted over libwebkit2gtk-4.1
# and libjavascriptcoregtk-4.1 and an empty directory over WebKit's helper processes
# (/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1). For the AppImage test: whatever WebKit runs must be the image's.
# The rest of the machine keeps seeing its WebKitGTK: the script mounts nothing unless it is verifiably inside
# the namespace it made.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: bash $0 CMD..." >&2; exit 2; }
here=$(readlink /proc/self/ns/mnt) || { echo "without-host-webkit: cannot read this process's mount namespace" >&2; exit 1; }
if [ -z "${KW_OUTER_MNT_NS:-}" ]; then
    KW_OUTER_MNT_NS=$here exec unshare --mount --propagation private bash "$0" "$@"
fi
if [ "$here" = "$KW_OUTER_MNT_NS" ]; then
    echo "without-host-webkit: still in the outer mount namespace ($here): refusing to hide anything" >&2
    exit 1
fi
unset KW_OUTER_MNT_NS
LIBDIR=/usr/lib/x86_64-linux-gnu
EMPTY=$(mktemp -d)
touch "$EMPTY/file"
mkdir "$EMPTY/dir"
for so in libwebkit2gtk-4.1.so.0 libjavascriptcoregtk-4.1.so.0; do
    real=$(readlink -f "$LIBDIR/$so")
    [ -f "$real" ] || { echo "without-host-webkit: $LIBDIR/$so not found" >&2; exit 1; }
    mount --bind "$EMPTY/file" "$real"
done
mount --bind "$EMPTY/dir" "$LIBDIR/webkit2gtk-4.1"
echo "without-host-webkit: hidden from CMD: $(readlink -f "$LIBDIR/libwebkit2gtk-4.1.so.0") $(readlink -f "$LIBDIR/libjavascriptcoregtk-4.1.so.0") $LIBDIR/webkit2gtk-4.1/" >&2
set +e
"$@"
rc=$?
rm -rf "$EMPTY"
exit $rc
