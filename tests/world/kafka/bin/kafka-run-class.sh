#!/bin/bash
# kafka-run-class.sh [-daemon] [-name NAME] [-loggc] CLASS [ARGS...]
# Test-fixture launcher written for the kafka-wizard test world (not Apache's file). It keeps
# the interface of Apache Kafka's bin/kafka-run-class.sh: classpath = libs/*.jar minus
# test/sources/javadoc jars; JAVA_HOME, KAFKA_HEAP_OPTS (default -Xmx256M),
# KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_GC_LOG_OPTS, KAFKA_JMX_OPTS/JMX_PORT, KAFKA_LOG4J_OPTS,
# LOG_DIR (default <base>/logs, passed as -Dkafka.logs.dir), KAFKA_OPTS, KAFKA_DEBUG.
# Without -daemon it exec's java in the foreground (the JVM becomes the caller's PID, as
# systemd Type=simple needs); with -daemon it runs java under nohup, output in LOG_DIR/NAME.out.
set -u
if [ $# -lt 1 ]; then
    echo "USAGE: $0 [-daemon] [-name servicename] [-loggc] classname [opts]"
    exit 1
fi
base_dir=$(cd "$(dirname "$0")/.." && pwd)

CLASSPATH=${CLASSPATH:-}
for file in "$base_dir"/libs/*; do
    case "$file" in
        *-test.jar|*-test-sources.jar|*-src.jar|*-sources.jar|*-scaladoc.jar|*-javadoc.jar|*.jar.asc|*/connect-file*.jar) continue ;;
        *.jar) CLASSPATH="${CLASSPATH:+$CLASSPATH:}$file" ;;
    esac
done

if [ -z "${KAFKA_JMX_OPTS:-}" ]; then
    KAFKA_JMX_OPTS="-Dcom.sun.management.jmxremote=true -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false"
fi
if [ -n "${JMX_PORT:-}" ]; then
    KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT -Dcom.sun.management.jmxremote.rmi.port=${JMX_RMI_PORT:-$JMX_PORT}"
fi

LOG_DIR=${LOG_DIR:-$base_dir/logs}
if [ -z "${KAFKA_LOG4J_OPTS:-}" ]; then
    if [ -f "$base_dir/config/tools-log4j2.yaml" ]; then
        KAFKA_LOG4J_OPTS="-Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.yaml"
    else
        KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$base_dir/config/tools-log4j.properties"
    fi
else
    mkdir -p "$LOG_DIR" 2>/dev/null || true
fi
KAFKA_LOG4J_CMD_OPTS="-Dkafka.logs.dir=$LOG_DIR $KAFKA_LOG4J_OPTS"
KAFKA_OPTS=${KAFKA_OPTS:-}

if [ "${KAFKA_DEBUG:-}" != "" ]; then
    JAVA_DEBUG_PORT=${JAVA_DEBUG_PORT:-5005}
    DEBUG_SUSPEND_FLAG=${DEBUG_SUSPEND_FLAG:-n}
    KAFKA_OPTS="-agentlib:jdwp=transport=dt_socket,server=y,suspend=$DEBUG_SUSPEND_FLAG,address=$JAVA_DEBUG_PORT $KAFKA_OPTS"
fi

if [ -n "${JAVA_HOME:-}" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx256M}
if [ -z "${KAFKA_JVM_PERFORMANCE_OPTS:-}" ]; then
    KAFKA_JVM_PERFORMANCE_OPTS="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"
fi

DAEMON_MODE=false
DAEMON_NAME=
GC_LOG_ENABLED=false
while [ $# -gt 0 ]; do
    case "$1" in
        -name) DAEMON_NAME=$2; CONSOLE_OUTPUT_FILE=$LOG_DIR/$DAEMON_NAME.out; shift 2 ;;
        -loggc) [ -z "${KAFKA_GC_LOG_OPTS:-}" ] && GC_LOG_ENABLED=true; shift ;;
        -daemon) DAEMON_MODE=true; shift ;;
        *) break ;;
    esac
done

if [ "$GC_LOG_ENABLED" = true ]; then
    mkdir -p "$LOG_DIR" 2>/dev/null || true
    KAFKA_GC_LOG_OPTS="-Xlog:gc*:file=$LOG_DIR/${DAEMON_NAME:-kafka}-gc.log:time,tags:filecount=10,filesize=100M"
fi
KAFKA_GC_LOG_OPTS=${KAFKA_GC_LOG_OPTS:-}

# word splitting of the *_OPTS variables is intended, as in Apache's script
# shellcheck disable=SC2086
if [ "$DAEMON_MODE" = true ]; then
    mkdir -p "$LOG_DIR"
    nohup "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS $KAFKA_LOG4J_CMD_OPTS -cp "$CLASSPATH" $KAFKA_OPTS "$@" > "${CONSOLE_OUTPUT_FILE:-$LOG_DIR/kafka.out}" 2>&1 < /dev/null &
else
    exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS $KAFKA_LOG4J_CMD_OPTS -cp "$CLASSPATH" $KAFKA_OPTS "$@"
fi
