#!/usr/bin/env python3
"""tests/world/secure_client.py — a third-party client (kafka-python) through a SASL_SSL listener.

Owns: producing RECORDS records to TOPIC and reading them back, over TLS that verifies the broker against the CA
file with hostname checking on, authenticated with SCRAM-SHA-512 as USER; the password comes from the environment
variable KW_SCRAM_PASSWORD (never an argument, never printed). Prints one JSON line: produced, consumed.

Usage: secure_client.py BOOTSTRAP CA_FILE USER TOPIC   (run with the venv of tests/world/prepare.sh)
"""

import json
import os
import sys

from kafka import KafkaConsumer, KafkaProducer

RECORDS = 20


def main():
    bootstrap, ca_file, user, topic = sys.argv[1:5]
    security = dict(
        bootstrap_servers=bootstrap,
        security_protocol="SASL_SSL",
        ssl_cafile=ca_file,
        ssl_check_hostname=True,
        sasl_mechanism="SCRAM-SHA-512",
        sasl_plain_username=user,
        sasl_plain_password=os.environ["KW_SCRAM_PASSWORD"],
    )
    producer = KafkaProducer(acks="all", **security)
    for i in range(RECORDS):
        producer.send(topic, f"record-{i}".encode()).get(timeout=60)
    producer.close()
    consumer = KafkaConsumer(topic, auto_offset_reset="earliest", consumer_timeout_ms=20000, **security)
    consumed = sum(1 for _ in zip(range(RECORDS), consumer))
    consumer.close()
    print(json.dumps({"produced": RECORDS, "consumed": consumed}), flush=True)


if __name__ == "__main__":
    main()
