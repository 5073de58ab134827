#!/usr/bin/env python3
"""tests/world/secure_client.py — a third-party client (kafka-python) through a SASL_SSL listener.

Owns: producing RECORDS records to TOPIC and reading them back, over TLS that verifies the broker against the CA
file with hostname checking on, authenticated with SCRAM-SHA-512 as USER; the password comes from the environment
variable KW_SCRAM_PASSWORD (never an argument, never printed). Prints one JSON line: produced, consumed.

Usage: secure_client.py BOOTSTRAP CA_FILE USER TOPIC   (run with the venv of tests/world/prepare.sh)
       secure_client.py --properties CLIENT_PROPERTIES TOPIC
The second form takes everything from a Java client.properties (`kafka-wizard client-config`): bootstrap.servers,
security.protocol, sasl.mechanism, the user and password inside sasl.jaas.config, ssl.truststore.location; it first
creates TOPIC with replication factor 3 (3 partitions) and also prints the replicas of its partitions.
"""

import json
import os
import re
import sys
import time

from kafka import KafkaConsumer, KafkaProducer

RECORDS = 20


def from_properties(path):
    """The kafka-python settings a Java client.properties describes (simple `key=value` lines)."""
    props = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                props[key] = value.replace("\\\\", "\\")
    login = re.search(r'username="([^"]*)" password="([^"]*)"', props["sasl.jaas.config"])
    assert props["ssl.truststore.type"] == "PEM"
    return dict(
        bootstrap_servers=props["bootstrap.servers"].split(","),
        security_protocol=props["security.protocol"],
        ssl_cafile=props["ssl.truststore.location"],
        ssl_check_hostname=True,
        sasl_mechanism=props["sasl.mechanism"],
        sasl_plain_username=login.group(1),
        sasl_plain_password=login.group(2),
    )


def create_rf3_topic(security, topic):
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(**security)
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])
    # The broker asked may not have the new topic's metadata yet (KRaft propagates it): ask again until it has.
    for _ in range(40):
        described = admin.describe_topics([topic])
        replicas = sorted({len(p["replicas"]) for t in described for p in t["partitions"]})
        if replicas:
            break
        time.sleep(0.25)
    admin.close()
    return replicas


def roundtrip(security, topic, extra):
    producer = KafkaProducer(acks="all", **security)
    for i in range(RECORDS):
        producer.send(topic, f"record-{i}".encode()).get(timeout=60)
    producer.close()
    consumer = KafkaConsumer(topic, auto_offset_reset="earliest", consumer_timeout_ms=20000, **security)
    consumed = sum(1 for _ in zip(range(RECORDS), consumer))
    consumer.close()
    print(json.dumps({"produced": RECORDS, "consumed": consumed, **extra}), flush=True)


def main():
    if sys.argv[1] == "--properties":
        path, topic = sys.argv[2:4]
        security = from_properties(path)
        roundtrip(security, topic, {"replicas": create_rf3_topic(security, topic)})
        return
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
    roundtrip(security, topic, {})

if __name__ == "__main__":
    main()
