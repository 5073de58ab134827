#!/usr/bin/env python3
"""tests/world/spread.py — how a cluster's replicas and leaders lie across its brokers, read by kafka-python.

Owns: a deliberately lopsided topic for a rebalance to fix, and the per-broker count a judge compares. Both take
their connection from a Java client.properties (`kafka-wizard client-config`, parsed by secure_client.py), as the
user written there (the admin: creating a topic and describing every topic need its rights).

Usage: spread.py --properties CLIENT_PROPERTIES lopsided TOPIC PARTITIONS BROKER,BROKER[,...]
         creates TOPIC with every partition's replicas on exactly the brokers listed (the first leads), then prints
         the spread below
       spread.py --properties CLIENT_PROPERTIES spread
         prints one JSON line: {"brokers": {"ID": {"replicas": N, "leaders": N}}, "topics": {"TOPIC": {"ID": N}}}
         over every topic the user may describe (internal ones included: a rebalance places them too)
"""

import json
import sys
import time

from kafka.admin import KafkaAdminClient, NewTopic

from secure_client import from_properties


def spread(admin):
    brokers, topics = {}, {}
    for b in admin.describe_cluster()["brokers"]:
        brokers[str(b["node_id"])] = {"replicas": 0, "leaders": 0}
    for t in admin.describe_topics():
        per_topic = topics.setdefault(t["topic"], {})
        for p in t["partitions"]:
            for r in p["replicas"]:
                brokers.setdefault(str(r), {"replicas": 0, "leaders": 0})["replicas"] += 1
                per_topic[str(r)] = per_topic.get(str(r), 0) + 1
            if p["leader"] >= 0:
                brokers.setdefault(str(p["leader"]), {"replicas": 0, "leaders": 0})["leaders"] += 1
    return {"brokers": brokers, "topics": topics}


def lopsided(admin, topic, partitions, replicas):
    assignment = {p: replicas for p in range(partitions)}
    admin.create_topics([NewTopic(topic, num_partitions=-1, replication_factor=-1, replica_assignments=assignment)])
    # The broker asked may not know every partition yet: ask again for up to 10 s.
    for _ in range(50):
        described = [p for t in admin.describe_topics([topic]) for p in t["partitions"] if p["leader"] >= 0]
        if len(described) == partitions:
            return
        time.sleep(0.2)
    raise SystemExit(f"{topic}: {partitions} partitions never all had a leader")


def main(argv):
    if len(argv) < 3 or argv[0] != "--properties":
        raise SystemExit(__doc__)
    admin = KafkaAdminClient(**from_properties(argv[1]))
    if argv[2] == "lopsided":
        topic, partitions, replicas = argv[3], int(argv[4]), [int(b) for b in argv[5].split(",")]
        lopsided(admin, topic, partitions, replicas)
    elif argv[2] != "spread":
        raise SystemExit(__doc__)
    print(json.dumps(spread(admin), sort_keys=True))
    admin.close()


if __name__ == "__main__":
    main(sys.argv[1:])
