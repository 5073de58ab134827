#!/bin/bash
# kafka-topics.sh — test-fixture launcher: kafka.admin.TopicCommand (3.x) / org.apache.kafka.tools.TopicCommand (4.x).
base_dir=$(dirname "$0")
if ls "$base_dir"/../libs/kafka-tools-[0-9]*.jar >/dev/null 2>&1; then
    exec "$base_dir/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
fi
exec "$base_dir/kafka-run-class.sh" kafka.admin.TopicCommand "$@"
