#!/bin/bash
# kafka-server-stop.sh — test-fixture version of Apache Kafka's script: sends SIGNAL
# (default TERM) to every kafka.Kafka JVM on this host; "No kafka server to stop" and
# exit 1 when there is none.
SIGNAL=${SIGNAL:-TERM}
PIDS=$(pgrep -f 'java.* kafka\.Kafka ')
if [ -z "$PIDS" ]; then
    echo "No kafka server to stop"
    exit 1
fi
# shellcheck disable=SC2086
kill -s "$SIGNAL" $PIDS
