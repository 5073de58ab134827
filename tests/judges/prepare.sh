#!/usr/bin/env bash
# tests/judges/prepare.sh — the third-party judges of `export --as ansible|strimzi` (tests/graduation_judges.rs),
# cached under $KW_CACHE/judges (idempotent; warm: a second). Run by tests/world/prepare.sh, i.e. by the test command.
# Owns:
#   - a venv with ansible-core (ansible-inventory) and jsonschema, pinned;
#   - Strimzi's own CRD schemas of Kafka, KafkaNodePool and KafkaUser: the api, crd-annotations and crd-generator jars of one
#     Strimzi release from Maven Central (this machine reaches Maven Central, not GitHub; the api jar carries no CRD
#     YAML), SHA-256 pinned here, run through Strimzi's CrdGenerator — the tool Strimzi's build makes the CRD files it
#     ships with — into crds/kafka.yaml, nodepool.yaml and user.yaml. Nothing fetched is committed.
# Strimzi 0.45.0: the pair runs on Java 17 (the crd-generator of 0.46+ needs Java 21); it serves
# kafka.strimzi.io/v1beta2, the API the export writes (docs/facts/strimzi.md §1).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../world/lib.sh
. "$HERE/../world/lib.sh"
JUDGES="${KW_CACHE:?}/judges"
PY_PINS="ansible-core==2.19.14 jsonschema==4.26.0"
STRIMZI=0.45.0
MAVEN=${KW_MAVEN_URL:-https://repo1.maven.org/maven2}
mkdir -p "$JUDGES"

venv="$JUDGES/venv"
if [ "$(cat "$venv/.pinned" 2>/dev/null)" != "$PY_PINS" ] || ! "$venv/bin/ansible-inventory" --version >/dev/null 2>&1; then
    echo "judges: installing $PY_PINS into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    # shellcheck disable=SC2086
    "$venv/bin/pip" install -q $PY_PINS
    echo "$PY_PINS" >"$venv/.pinned"
fi

fetch() {   # fetch ARTIFACT SHA256: io.strimzi:ARTIFACT:$STRIMZI into $JUDGES/jars, checked against the pinned digest
    local jar="$JUDGES/jars/$1-$STRIMZI.jar"
    if [ -f "$jar" ] && echo "$2  $jar" | sha256sum -c --quiet 2>/dev/null; then return; fi
    mkdir -p "$JUDGES/jars"
    curl -fsSL --retry 3 -o "$jar.part" "$MAVEN/io/strimzi/$1/$STRIMZI/$1-$STRIMZI.jar"
    if ! echo "$2  $jar.part" | sha256sum -c --quiet; then
        echo "judges: $1-$STRIMZI.jar does not match its pinned SHA-256 — refusing it" >&2
        rm -f "$jar.part"
        return 1
    fi
    mv "$jar.part" "$jar"
}
fetch api 7112a02ebf29d38b2eb2ad8da90353d2a3922aea2fe2bddc2abe4e5956fdfe9a
fetch crd-annotations a0f4e6cf97f07a64665397b5202e12ef1a5fd76d36f5c089eb085759b1cf2cce
fetch crd-generator f03aab1b83d29bbd340ce484a4bb651faac7685c685865a30351a636da6008ea

crds="$JUDGES/crds-$STRIMZI"
if [ ! -s "$crds/kafka.yaml" ] || [ ! -s "$crds/nodepool.yaml" ] || [ ! -s "$crds/user.yaml" ]; then
    echo "judges: generating Strimzi $STRIMZI's Kafka, KafkaNodePool and KafkaUser CRDs"
    rm -rf "$crds.tmp" && mkdir -p "$crds.tmp"
    cp="$JUDGES/jars/crd-generator-$STRIMZI.jar:$JUDGES/jars/api-$STRIMZI.jar:$JUDGES/jars/crd-annotations-$STRIMZI.jar"
    java -cp "$cp" io.strimzi.crdgenerator.CrdGenerator --yaml --api-versions v1beta2 --storage-version v1beta2 \
        io.strimzi.api.kafka.model.kafka.Kafka="$crds.tmp/kafka.yaml" \
        io.strimzi.api.kafka.model.nodepool.KafkaNodePool="$crds.tmp/nodepool.yaml" \
        io.strimzi.api.kafka.model.user.KafkaUser="$crds.tmp/user.yaml" 2>&1 | grep -v '^SLF4J' || true
    [ -s "$crds.tmp/kafka.yaml" ] && [ -s "$crds.tmp/nodepool.yaml" ] && [ -s "$crds.tmp/user.yaml" ]
    rm -rf "$crds" && mv "$crds.tmp" "$crds"
fi
echo "judges: ansible-core and jsonschema in $venv, Strimzi $STRIMZI CRDs in $crds"
