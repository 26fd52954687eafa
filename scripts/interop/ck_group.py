#!/usr/bin/env python3
"""A confluent-kafka (librdkafka) consumer-group member for the Swift group integration tests.
Run it with .venv/bin/python.

  ck_group.py --bootstrap B --group G --topic T [--strategy range] [--session-timeout-ms 4000]

Joins group G subscribed to T (auto-commit off) and polls until told to stop. Writes JSON lines:
  {"event": "assigned", "partitions": [..]}   after each assignment (the full set it owns)
  {"event": "revoked", "partitions": [..]}
  {"event": "committed", "offsets": {"p": offset|null, ...}}   answer to "committed"
  {"event": "commit-done"} / {"event": "closed"}
Reads commands from stdin, one per line:
  commit P O        commit offset O for partition P (synchronously)
  committed P,P,..  print the group's committed offsets of these partitions
  close             consumer.close() (LeaveGroup), then exit 0
"""

import argparse
import json
import os
import select
import sys

from confluent_kafka import Consumer, TopicPartition


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--strategy", default="range")
    parser.add_argument("--session-timeout-ms", type=int, default=4000)
    args = parser.parse_args()

    owned = set()

    def on_assign(consumer, partitions):
        owned.update(p.partition for p in partitions)
        emit({"event": "assigned", "partitions": sorted(owned)})

    def on_revoke(consumer, partitions):
        revoked = sorted(p.partition for p in partitions)
        owned.difference_update(revoked)
        emit({"event": "revoked", "partitions": revoked})

    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": args.group,
            "partition.assignment.strategy": args.strategy,
            "session.timeout.ms": args.session_timeout_ms,
            "heartbeat.interval.ms": 500,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke)
    stdin = sys.stdin.fileno()
    buffer = b""
    while True:
        consumer.poll(0.1)
        readable, _, _ = select.select([stdin], [], [], 0)
        if not readable:
            continue
        chunk = os.read(stdin, 4096)
        if not chunk:
            return 0
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            words = line.decode().split()
            if not words:
                continue
            if words[0] == "commit":
                partition, offset = int(words[1]), int(words[2])
                consumer.commit(offsets=[TopicPartition(args.topic, partition, offset)], asynchronous=False)
                emit({"event": "commit-done"})
            elif words[0] == "committed":
                partitions = [TopicPartition(args.topic, int(p)) for p in words[1].split(",")]
                result = consumer.committed(partitions, timeout=10)
                emit(
                    {
                        "event": "committed",
                        "offsets": {str(p.partition): (p.offset if p.offset >= 0 else None) for p in result},
                    }
                )
            elif words[0] == "close":
                consumer.close()
                emit({"event": "closed"})
                return 0


if __name__ == "__main__":
    sys.exit(main())
