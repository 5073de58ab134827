#!/usr/bin/env bash
# tests/world/signing-key.sh — the test world's release-signing key, made once (as the release managers' are:
# an RSA primary key that certifies, with an RSA signing subkey), so the mirror can sign what it serves like Apache.
# Owns: $KW_SIGNING_HOME (default $KW_CACHE/signing-key as root; as another user, who cannot write there — the
# mirror tests run without root — ${XDG_CACHE_HOME:-~/.cache}/kafka-wizard-tests/signing-key): gnupg/ (the key's GNUPGHOME, 0700; no passphrase —
# a test key, never trusted outside the tests) and KEYS (its public key, armored, as a KEYS file holds it).
# Prints the GNUPGHOME path as the last line of stdout. Cached: a second run only prints the path.
# Needs gpg (Debian package gnupg; prepare.sh installs it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$HERE/lib.sh"
if [ "$(id -u)" = 0 ]; then
    HOME_DIR=${KW_SIGNING_HOME:-$KW_CACHE/signing-key}
else
    HOME_DIR=${KW_SIGNING_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-wizard-tests/signing-key}
fi
GNUPG="$HOME_DIR/gnupg"
if [ -f "$HOME_DIR/.ok" ] && [ -s "$HOME_DIR/KEYS" ]; then
    echo "$GNUPG"
    exit 0
fi
command -v gpg >/dev/null || kw_die "gpg is missing: apt-get install gnupg (tests/world/prepare.sh does)"
rm -rf "$HOME_DIR"
mkdir -p "$HOME_DIR"
mkdir -m 0700 "$GNUPG"
gpg --homedir "$GNUPG" --batch --quiet --gen-key <<PARAMS
%no-protection
Key-Type: RSA
Key-Length: 3072
Key-Usage: cert
Subkey-Type: RSA
Subkey-Length: 3072
Subkey-Usage: sign
Name-Real: kafka-wizard test release manager
Name-Email: test-rm@kafka-wizard.invalid
Expire-Date: 0
%commit
PARAMS
gpg --homedir "$GNUPG" --batch --armor --export >"$HOME_DIR/KEYS.tmp"
mv "$HOME_DIR/KEYS.tmp" "$HOME_DIR/KEYS"
# the agent started for key generation is not needed any more
gpgconf --homedir "$GNUPG" --kill all 2>/dev/null || true
touch "$HOME_DIR/.ok"
echo "signing-key: made $(gpg --homedir "$GNUPG" --batch --with-colons --list-keys | awk -F: '/^fpr/ {print $10; exit}') in $HOME_DIR" >&2
echo "$GNUPG"
