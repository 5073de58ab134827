#!/usr/bin/env python3
"""tests/world/roll_load.py — load for a rolling restart, through a real third-party client (kafka-python).

Owns: the topic it creates (RF=3, min.insync.replicas=2), a producer sending continuously with acks=all and
idempotence (retries allowed), and a consumer reading from the start. Prints "READY" once records are being
acknowledged; on "stop" (or end of input) it stops producing, flushes, waits until the consumer has read every
acknowledged record (or a deadline), and prints one JSON line: sent, acked, errors (by kind), consumed, lost, and the
longest time between two acknowledgements (longest_ack_gap_s: the producer's worst stall).

Usage: roll_load.py BOOTSTRAP[,BOOTSTRAP…] TOPIC   (run with the venv of tests/world/prepare.sh)
"""

import collections
import json
import sys
import threading
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

PARTITIONS = 6
SEND_EVERY = 0.005  # seconds: ~200 records/s
CATCH_UP = 120  # seconds the consumer gets to read every acknowledged record


def log(message):
    print(f"[roll_load] {message}", file=sys.stderr, flush=True)


def create_topic(bootstrap, topic):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="roll-load-admin")
    try:
        admin.create_topics(
            [NewTopic(topic, PARTITIONS, 3, topic_configs={"min.insync.replicas": "2"})], timeout_ms=30000
        )
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def main():
    bootstrap, topic = sys.argv[1].split(","), sys.argv[2]
    create_topic(bootstrap, topic)

    lock = threading.Lock()
    acked, consumed = set(), set()
    errors = collections.Counter()
    duplicates = 0
    stop_producing, stop_consuming, consuming = threading.Event(), threading.Event(), threading.Event()

    def consume():
        nonlocal duplicates
        consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            client_id="roll-load-consumer",
        )
        # Assigned by hand: without a group, a subscription made before the new topic's metadata reached this
        # client would only see its partitions at the next metadata refresh (minutes later).
        partitions = None
        while not partitions or len(partitions) < PARTITIONS:
            time.sleep(0.2)
            partitions = consumer.partitions_for_topic(topic)
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        consumer.seek_to_beginning()
        log(f"consuming {topic} partitions {sorted(partitions)}")
        consuming.set()
        while not stop_consuming.is_set():
            for records in consumer.poll(timeout_ms=500).values():
                with lock:
                    for r in records:
                        seq = int(r.value)
                        if seq in consumed:
                            duplicates += 1
                        consumed.add(seq)
        consumer.close()

    consumer_thread = threading.Thread(target=consume, daemon=True)
    consumer_thread.start()
    if not consuming.wait(60):
        sys.exit("the consumer found no partitions of the topic within 60 s")

    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        retries=2**31 - 1,
        max_in_flight_requests_per_connection=1,  # kafka-python requires 1 with idempotence
        delivery_timeout_ms=180000,
        request_timeout_ms=30000,
        linger_ms=5,
        client_id="roll-load-producer",
    )

    # The longest time between two acknowledgements: how long the producer stalled at worst.
    last_ack, longest_gap = None, 0.0

    def on_ack(seq):
        def ack(_metadata):
            nonlocal last_ack, longest_gap
            now = time.monotonic()
            with lock:
                acked.add(seq)
                if last_ack is not None:
                    longest_gap = max(longest_gap, now - last_ack)
                last_ack = now

        return ack

    def on_error(seq):
        def error(exc):
            with lock:
                errors[type(exc).__name__] += 1
            log(f"record {seq} failed: {exc!r}")

        return error

    sent = 0

    def produce():
        nonlocal sent
        while not stop_producing.is_set():
            future = producer.send(topic, value=str(sent).encode())
            future.add_callback(on_ack(sent)).add_errback(on_error(sent))
            sent += 1
            time.sleep(SEND_EVERY)

    producer_thread = threading.Thread(target=produce, daemon=True)
    producer_thread.start()
    while True:
        with lock:
            if acked:
                break
        time.sleep(0.1)
    print("READY", flush=True)

    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop_producing.set()
    producer_thread.join()
    producer.flush(timeout=180)
    producer.close()
    deadline = time.monotonic() + CATCH_UP
    while time.monotonic() < deadline:
        with lock:
            if acked <= consumed:
                break
        time.sleep(0.5)
    stop_consuming.set()
    consumer_thread.join(timeout=10)
    with lock:
        lost = sorted(acked - consumed)
        summary = {
            "sent": sent,
            "acked": len(acked),
            "errors": dict(errors),
            "consumed": len(consumed),
            "duplicates": duplicates,
            "lost": len(lost),
            "lost_first": lost[:20],
            "longest_ack_gap_s": round(longest_gap, 2),
        }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
