#!/usr/bin/env bash
# tests/judges/prepare.sh — the third-party judges of `export --as ansible|strimzi` (tests/graduation_judges.rs),
# cached under $KW_CACHE/judges (idempotent; warm: a second). Run by tests/world/prepare.sh, i.e. by the test command.
# Owns:
#   - a venv with ansible-core (ansible-inventory) and jsonschema, pinned;
#   - Strimzi's own CRD schemas of Kafka, KafkaNodePool and KafkaUser: the api, crd-annotations and crd-generator jars of
#     each Strimzi release below from Maven Central (this machine reaches Maven Central, not GitHub; the api jar carries
#     no CRD YAML), SHA-256 pinned here, run through Strimzi's CrdGenerator — the tool Strimzi's build makes the CRD
#     files it ships with — into crds-RELEASE/kafka.yaml, nodepool.yaml and user.yaml. Nothing fetched is committed.
# Two Strimzi releases, one per API version the export writes (docs/facts/strimzi.md §1): 0.45.0 serves
# kafka.strimzi.io/v1beta2 and its generator runs on Java 17; 1.2.0 serves only kafka.strimzi.io/v1 and its generator
# needs Java 21 or newer (the machine's second JDK under /usr/lib/jvm; refused clearly when there is none).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../world/lib.sh
. "$HERE/../world/lib.sh"
JUDGES="${KW_CACHE:?}/judges"
PY_PINS="ansible-core==2.19.14 jsonschema==4.26.0"
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

java_at_least() {   # java_at_least MAJOR: a java binary of that major version or newer (the default first)
    local j v
    for j in java /usr/lib/jvm/*/bin/java; do
        command -v "$j" >/dev/null 2>&1 || continue
        v=$("$j" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { print $2 }')
        [ "${v%%.*}" -ge "$1" ] 2>/dev/null && { echo "$j"; return; }
    done
    echo "judges: Strimzi's CRD generator needs Java $1 or newer: none found (java, /usr/lib/jvm/*)" >&2
    return 1
}

fetch() {   # fetch RELEASE ARTIFACT SHA256: io.strimzi:ARTIFACT:RELEASE into $JUDGES/jars, checked against the pinned digest
    local jar="$JUDGES/jars/$2-$1.jar"
    if [ -f "$jar" ] && echo "$3  $jar" | sha256sum -c --quiet 2>/dev/null; then return; fi
    mkdir -p "$JUDGES/jars"
    curl -fsSL --retry 3 -o "$jar.part" "$MAVEN/io/strimzi/$2/$1/$2-$1.jar"
    if ! echo "$3  $jar.part" | sha256sum -c --quiet; then
        echo "judges: $2-$1.jar does not match its pinned SHA-256 — refusing it" >&2
        rm -f "$jar.part"
        return 1
    fi
    mv "$jar.part" "$jar"
}

crds() {   # crds RELEASE API JAVA_MAJOR: the release's Kafka, KafkaNodePool and KafkaUser CRDs (API served and stored)
    local crds="$JUDGES/crds-$1" cp java
    if [ -s "$crds/kafka.yaml" ] && [ -s "$crds/nodepool.yaml" ] && [ -s "$crds/user.yaml" ]; then return; fi
    java=$(java_at_least "$3")
    echo "judges: generating Strimzi $1's Kafka, KafkaNodePool and KafkaUser CRDs ($2, with $java)"
    rm -rf "$crds.tmp" && mkdir -p "$crds.tmp"
    cp="$JUDGES/jars/crd-generator-$1.jar:$JUDGES/jars/api-$1.jar:$JUDGES/jars/crd-annotations-$1.jar"
    "$java" -cp "$cp" io.strimzi.crdgenerator.CrdGenerator --yaml --api-versions "$2" --storage-version "$2" \
        io.strimzi.api.kafka.model.kafka.Kafka="$crds.tmp/kafka.yaml" \
        io.strimzi.api.kafka.model.nodepool.KafkaNodePool="$crds.tmp/nodepool.yaml" \
        io.strimzi.api.kafka.model.user.KafkaUser="$crds.tmp/user.yaml" 2>&1 | grep -v '^SLF4J' || true
    [ -s "$crds.tmp/kafka.yaml" ] && [ -s "$crds.tmp/nodepool.yaml" ] && [ -s "$crds.tmp/user.yaml" ]
    rm -rf "$crds" && mv "$crds.tmp" "$crds"
}

fetch 0.45.0 api 7112a02ebf29d38b2eb2ad8da90353d2a3922aea2fe2bddc2abe4e5956fdfe9a
fetch 0.45.0 crd-annotations a0f4e6cf97f07a64665397b5202e12ef1a5fd76d36f5c089eb085759b1cf2cce
fetch 0.45.0 crd-generator f03aab1b83d29bbd340ce484a4bb651faac7685c685865a30351a636da6008ea
crds 0.45.0 v1beta2 17
fetch 1.2.0 api 566961ae5e5646a001ae91312beda5cba3a5d467e740e205e1b761754335fe4e
fetch 1.2.0 crd-annotations 00963443b04dbb28397f56798adbe97be0a37686a2e6884e69e54117657208a9
fetch 1.2.0 crd-generator 76bb2430e702a1e6a24c071d26c865d5e9572cbc630d176d3b912033ae23ed00
crds 1.2.0 v1 21
echo "judges: ansible-core and jsonschema in $venv, Strimzi CRDs in $JUDGES/crds-0.45.0 (v1beta2) and $JUDGES/crds-1.2.0 (v1)"
