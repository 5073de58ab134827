#!/bin/bash
# zookeeper-server-stop.sh — test-fixture version of Apache Kafka's script: sends SIGNAL
# (default TERM) to every QuorumPeerMain JVM on this host.
SIGNAL=${SIGNAL:-TERM}
PIDS=$(pgrep -f 'java.*QuorumPeerMain')
if [ -z "$PIDS" ]; then
    echo "No zookeeper server to stop"
    exit 1
fi
# shellcheck disable=SC2086
kill -s "$SIGNAL" $PIDS
