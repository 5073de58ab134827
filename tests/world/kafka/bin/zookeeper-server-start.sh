#!/bin/bash
# zookeeper-server-start.sh [-daemon] zookeeper.properties
# Test-fixture launcher (kafka-wizard test world), same interface as Apache Kafka 3.x's:
# defaults KAFKA_LOG4J_OPTS to config/log4j.properties and KAFKA_HEAP_OPTS to
# -Xmx512M -Xms512M, then exec's kafka-run-class.sh ... QuorumPeerMain.
if [ $# -lt 1 ]; then
    echo "USAGE: $0 [-daemon] zookeeper.properties"
    exit 1
fi
base_dir=$(dirname "$0")
if [ -z "${KAFKA_LOG4J_OPTS:-}" ]; then
    export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$base_dir/../config/log4j.properties"
fi
if [ -z "${KAFKA_HEAP_OPTS:-}" ]; then
    export KAFKA_HEAP_OPTS="-Xmx512M -Xms512M"
fi
EXTRA_ARGS=(-name zookeeper -loggc)
if [ "$1" = -daemon ]; then
    EXTRA_ARGS=(-daemon "${EXTRA_ARGS[@]}")
    shift
fi
exec "$base_dir/kafka-run-class.sh" "${EXTRA_ARGS[@]}" org.apache.zookeeper.server.quorum.QuorumPeerMain "$@"
