#!/usr/bin/env bash
# tests/world/assemble-kafka.sh VERSION — assemble a release-shaped Apache Kafka tarball from Maven Central.
# Owns: $KW_CACHE/releases/<VERSION>-<key>/kafka_2.13-<VERSION>.tgz (key = hash of this script,
# the fixture launchers in kafka/bin and the config templates in kafka/config-*), and the
# project-local Maven repository $KW_CACHE/m2.
#
# The broker in the official tarball is org.apache.kafka:kafka_2.13 plus its runtime
# dependencies; this script resolves them with `mvn dependency:copy-dependencies` on a
# throwaway pom, adds the logging backend the real tarball ships (3.x: reload4j +
# slf4j-reload4j; 4.x: log4j2 core/api/1.2-api + the slf4j binding that matches slf4j-api,
# + jackson-dataformat-yaml for config/log4j2.yaml), lays it out as kafka_2.13-<v>/{bin,config,libs}
# with our launcher scripts (same interface as Apache's) and packs it. Prints the tarball's
# absolute path as the last line of stdout. Cached: a second run only prints the path.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$HERE/lib.sh"
V=${1:?usage: assemble-kafka.sh VERSION (e.g. 3.9.2 or 4.1.1)}
[[ "$V" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || kw_die "bad version: $V"
MAJOR=${V%%.*}
case "$MAJOR" in 3|4) ;; *) kw_die "only Kafka 3.x and 4.x releases can be assembled (got $V)" ;; esac

mapfile -t cfgs < <(find "$HERE/kafka/config-$MAJOR" -type f | sort)
KEY=$(cat "$HERE/assemble-kafka.sh" "$HERE"/kafka/bin/* "${cfgs[@]}" | sha256sum | cut -c1-12)
NAME="kafka_2.13-$V"
DIR="$KW_CACHE/releases/$V-$KEY"
OUT="$DIR/$NAME.tgz"
if [ -f "$DIR/.ok" ] && [ -f "$OUT" ]; then
    echo "$OUT"
    exit 0
fi
command -v mvn >/dev/null || kw_die "mvn is missing; run tests/world/prepare.sh (installs maven)"
command -v java >/dev/null || kw_die "java is missing; run tests/world/prepare.sh (installs openjdk-17-jdk-headless)"

mkdir -p "$KW_CACHE/releases" "$KW_CACHE/m2"
WORK=$(mktemp -d "$KW_CACHE/releases/.work-$V.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
MVN=(mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$KW_CACHE/m2")
mvn_run() {   # $1 = directory with pom.xml, $2.. = goals; output only on failure (stdout stays clean)
    local d=$1; shift
    (cd "$d" && "${MVN[@]}" "$@") > "$d/mvn.log" 2>&1 || { tail -n 40 "$d/mvn.log" >&2; return 1; }
}
t0=$(date +%s)

pom() {   # $1 = extra <dependency> xml, $2 = <dependencyManagement> xml
    cat <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kafka-wizard.tests</groupId>
  <artifactId>kafka-release-fixture</artifactId>
  <version>$V</version>
  <packaging>pom</packaging>
  <dependencyManagement><dependencies>$2</dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$V</version></dependency>
    $1
  </dependencies>
</project>
EOF
}
dep() { echo "<dependency><groupId>$1</groupId><artifactId>$2</artifactId><version>$3</version></dependency>"; }
ver_of() {   # version of artifact $1 in directory $2 (from the jar name), empty if absent
    find "$2" -maxdepth 1 -name "$1-[0-9]*.jar" -printf '%f\n' | sed -E "s/^$1-(.*)\.jar$/\1/" | sort -V | tail -n1
}

# phase 1: what kafka_2.13 itself pulls in (to pin slf4j / jackson versions for phase 2)
mkdir -p "$WORK/p1"
pom "" "" > "$WORK/p1/pom.xml"
mvn_run "$WORK/p1" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=libs \
    || kw_die "maven could not resolve org.apache.kafka:kafka_2.13:$V"
SLF4J=$(ver_of slf4j-api "$WORK/p1/libs")
JACKSON=$(ver_of jackson-databind "$WORK/p1/libs")
[ -n "$SLF4J" ] || kw_die "kafka_2.13:$V pulled no slf4j-api?"
pins=$(dep org.slf4j slf4j-api "$SLF4J")
if [ "$MAJOR" = 3 ]; then
    extra="$(dep ch.qos.reload4j reload4j 1.2.25)$(dep org.slf4j slf4j-reload4j "$SLF4J")"
else
    LOG4J2=${KW_LOG4J2_VERSION:-2.24.3}
    case "$SLF4J" in
        1.*) binding=log4j-slf4j-impl ;;
        *) binding=log4j-slf4j2-impl ;;
    esac
    extra="$(dep org.apache.logging.log4j log4j-api "$LOG4J2")$(dep org.apache.logging.log4j log4j-core "$LOG4J2")"
    extra+="$(dep org.apache.logging.log4j log4j-1.2-api "$LOG4J2")$(dep org.apache.logging.log4j "$binding" "$LOG4J2")"
    [ -n "$JACKSON" ] || kw_die "kafka_2.13:$V pulled no jackson-databind?"
    extra+="$(dep com.fasterxml.jackson.dataformat jackson-dataformat-yaml "$JACKSON")"
    pins+="$(dep com.fasterxml.jackson.core jackson-databind "$JACKSON")$(dep com.fasterxml.jackson.core jackson-core "$JACKSON")"
fi

# phase 2: the release's libs/
mkdir -p "$WORK/p2"
pom "$extra" "$pins" > "$WORK/p2/pom.xml"
R="$WORK/$NAME"
mkdir -p "$R/bin" "$R/config" "$R/libs"
mvn_run "$WORK/p2" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$R/libs" \
    || kw_die "maven could not resolve the logging backend for $V"
t1=$(date +%s)

# the launcher's classpath excludes these anyway; the real tarball's libs/ has none of sources/javadoc
rm -f "$R"/libs/*-sources.jar "$R"/libs/*-javadoc.jar "$R"/libs/*-scaladoc.jar
dups=$(find "$R/libs" -name '*.jar' -printf '%f\n' | sed -E 's/-[0-9][^-]*(-[A-Za-z0-9.]+)?\.jar$//' | sort | uniq -d | grep -vx metrics-core || true)
[ -z "$dups" ] || echo "assemble: warning: several versions of: $dups" >&2

cp -r "$HERE/kafka/config-$MAJOR/." "$R/config/"
for s in kafka-run-class.sh kafka-server-start.sh kafka-server-stop.sh kafka-storage.sh kafka-topics.sh; do
    install -m 755 "$HERE/kafka/bin/$s" "$R/bin/$s"
done
if [ "$MAJOR" = 3 ]; then
    [ -n "$(ver_of zookeeper "$R/libs")" ] || kw_die "kafka_2.13:$V has no zookeeper jar; ZooKeeper mode needs one"
    install -m 755 "$HERE/kafka/bin/zookeeper-server-start.sh" "$R/bin/zookeeper-server-start.sh"
    install -m 755 "$HERE/kafka/bin/zookeeper-server-stop.sh" "$R/bin/zookeeper-server-stop.sh"
fi
cat > "$R/README.fixture" <<EOF
Test fixture for kafka-wizard: Apache Kafka $V assembled from Maven Central
(org.apache.kafka:kafka_2.13:$V and its runtime dependencies, slf4j-api $SLF4J) by
tests/world/assemble-kafka.sh, in the layout of the official binary tarball.
The bin/ scripts are the test world's own launchers with the interface of Apache's.
Not an Apache release: no LICENSE/NOTICE bundle, no site-docs, no Connect/Streams tools.
EOF

# smoke: the classpath works and the storage tool answers
uuid=$(LOG_DIR="$WORK/logs" KAFKA_HEAP_OPTS=-Xmx128m "$R/bin/kafka-storage.sh" random-uuid 2>"$WORK/uuid.err" | tail -n1) || true
[[ "$uuid" =~ ^[A-Za-z0-9_-]{22}$ ]] || { cat "$WORK/uuid.err" >&2; kw_die "assembled $V but kafka-storage.sh random-uuid printed '$uuid'"; }
rm -rf "$R/logs"

mkdir -p "$DIR"
tar -C "$WORK" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -cf - "$NAME" | gzip -n > "$DIR/$NAME.tgz.part"
mv "$DIR/$NAME.tgz.part" "$OUT"
t2=$(date +%s)
echo "assembled $V key=$KEY jars=$(find "$R/libs" -name '*.jar' | wc -l) slf4j=$SLF4J maven=$((t1 - t0))s total=$((t2 - t0))s size=$(du -h "$OUT" | cut -f1) $(date -u +%FT%TZ)" > "$DIR/.ok"
echo "assemble: $(cat "$DIR/.ok")" >&2
# drop older assemblies of this version (other keys)
for old in "$KW_CACHE/releases/$V"-*; do
    [ "$old" != "$DIR" ] && [ -d "$old" ] && rm -rf "$old"
done
echo "$OUT"
