#!/bin/bash
# kafka-storage.sh random-uuid | info -c FILE | format -t ID -c FILE [--standalone|--ignore-formatted ...]
# Test-fixture launcher (kafka-wizard test world): passes everything to kafka.tools.StorageTool,
# as Apache Kafka's script does.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
