#!/bin/bash
# kafka-server-start.sh [-daemon] server.properties [--override property=value]*
# Test-fixture launcher (kafka-wizard test world), same interface as Apache Kafka's:
# defaults KAFKA_LOG4J_OPTS to config/log4j2.yaml (4.x) or config/log4j.properties (3.x)
# and KAFKA_HEAP_OPTS to -Xmx1G -Xms1G, then exec's kafka-run-class.sh kafka.Kafka.
if [ $# -lt 1 ]; then
    echo "USAGE: $0 [-daemon] server.properties [--override property=value]*"
    exit 1
fi
base_dir=$(dirname "$0")
if [ -z "${KAFKA_LOG4J_OPTS:-}" ]; then
    if [ -f "$base_dir/../config/log4j2.yaml" ]; then
        export KAFKA_LOG4J_OPTS="-Dlog4j2.configurationFile=$base_dir/../config/log4j2.yaml"
    else
        export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$base_dir/../config/log4j.properties"
    fi
fi
if [ -z "${KAFKA_HEAP_OPTS:-}" ]; then
    export KAFKA_HEAP_OPTS="-Xmx1G -Xms1G"
fi
EXTRA_ARGS=(-name kafkaServer -loggc)
if [ "$1" = -daemon ]; then
    EXTRA_ARGS=(-daemon "${EXTRA_ARGS[@]}")
    shift
fi
exec "$base_dir/kafka-run-class.sh" "${EXTRA_ARGS[@]}" kafka.Kafka "$@"
