#!/usr/bin/env python3
"""Consumer-group helper for the Swift integration tests, on confluent-kafka (librdkafka).
Run it with .venv/bin/python.

  group_member.py commit --bootstrap B --group G --topic T --offsets 0=3,1=4
      Commits the offsets for group G without joining it (a group that only stores offsets),
      then exits 0.

  group_member.py member --bootstrap B --group G --topic T [--client-id C] [--commit 0=6]
                         [--timeout-s 30]
      Joins group G subscribed to T (range assignor, short session for the test broker), waits
      for its assignment, commits the --commit offsets, prints one line
        ASSIGNED T:0,T:1,...
      and keeps heartbeating until standard input closes; then leaves the group and exits 0.
      Exit status 1 if no assignment arrives within the timeout.
"""

import argparse
import sys
import threading
import time

from confluent_kafka import Consumer, TopicPartition


def parse_offsets(topic, text):
    offsets = []
    for item in filter(None, (text or "").split(",")):
        partition, offset = item.split("=")
        offsets.append(TopicPartition(topic, int(partition), int(offset)))
    return offsets


def commit(args) -> int:
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False})
    consumer.commit(offsets=parse_offsets(args.topic, args.offsets), asynchronous=False)
    consumer.close()
    return 0


def member(args) -> int:
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "client.id": args.client_id,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "range",
        # The test broker holds each join for about half the session timeout.
        "session.timeout.ms": 2000,
        "heartbeat.interval.ms": 500,
    })
    assigned = []
    consumer.subscribe([args.topic], on_assign=lambda _, partitions: assigned.extend(partitions))
    deadline = time.monotonic() + args.timeout_s
    while not assigned:
        if time.monotonic() > deadline:
            print("no assignment within the timeout", file=sys.stderr)
            consumer.close()
            return 1
        consumer.poll(0.1)
    offsets = parse_offsets(args.topic, args.commit)
    if offsets:
        consumer.commit(offsets=offsets, asynchronous=False)
    names = ",".join(f"{p.topic}:{p.partition}" for p in sorted(assigned, key=lambda p: p.partition))
    print(f"ASSIGNED {names}", flush=True)

    stdin_closed = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stdin_closed.set()), daemon=True).start()
    while not stdin_closed.is_set():
        consumer.poll(0.1)
    consumer.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("commit", "member"):
        command = sub.add_parser(name)
        command.add_argument("--bootstrap", required=True)
        command.add_argument("--group", required=True)
        command.add_argument("--topic", required=True)
    sub.choices["commit"].add_argument("--offsets", required=True)
    sub.choices["member"].add_argument("--client-id", default="interop-member")
    sub.choices["member"].add_argument("--commit", default="")
    sub.choices["member"].add_argument("--timeout-s", type=float, default=30)
    args = parser.parse_args()
    return commit(args) if args.command == "commit" else member(args)


if __name__ == "__main__":
    sys.exit(main())
