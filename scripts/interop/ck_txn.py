#!/usr/bin/env python3
"""Transactions with the reference client (confluent-kafka) for the Swift integration tests.
Run it with .venv/bin/python.

  ck_txn.py consume --bootstrap B --topic T [--partitions 0,1] [--timeout-s 30]
      Assigns the partitions (default: all) at the beginning with isolation.level=read_committed
      and reads until every partition reports its end (the last stable offset). Prints one JSON
      line per record: {"partition", "offset", "value"} with the value as UTF-8 text.
      Exit status 1 on a consumer error or if the end is not reached within the timeout.

  ck_txn.py transact --bootstrap B --topic T --transactional-id X --commit a,b --abort c,d
      One transactional producer: a transaction with the --commit values (partition 0) that is
      committed, then one with the --abort values that is aborted. Prints {"ok": true}.

  ck_txn.py committed --bootstrap B --group G --topic T --partitions 0,1
      The group's committed offsets: one JSON line {"partition", "offset"} per partition
      (offset -1001 when none).
"""

import argparse
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition


def partitions_of(consumer, topic, wanted):
    if wanted:
        return [int(p) for p in wanted.split(",")]
    metadata = consumer.list_topics(topic, timeout=10)
    return sorted(metadata.topics[topic].partitions.keys())


def consume(args) -> int:
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": "ck-txn-unused",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
        }
    )
    partitions = partitions_of(consumer, args.topic, args.partitions)
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])
    at_end = set()
    deadline = time.monotonic() + args.timeout_s
    try:
        while len(at_end) < len(partitions):
            if time.monotonic() > deadline:
                print(f"end not reached for partitions {set(partitions) - at_end}", file=sys.stderr)
                return 1
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(message.partition())
                    continue
                print(f"consumer error: {message.error()}", file=sys.stderr)
                return 1
            at_end.discard(message.partition())
            value = message.value()
            print(
                json.dumps(
                    {
                        "partition": message.partition(),
                        "offset": message.offset(),
                        "value": None if value is None else value.decode("utf-8"),
                    }
                )
            )
    finally:
        consumer.close()
    return 0


def transact(args) -> int:
    producer = Producer({"bootstrap.servers": args.bootstrap, "transactional.id": args.transactional_id})
    producer.init_transactions(30)
    for values, commit in ((args.commit, True), (args.abort, False)):
        producer.begin_transaction()
        for value in [v for v in values.split(",") if v]:
            producer.produce(args.topic, value.encode("utf-8"), partition=0)
        producer.flush(30)
        if commit:
            producer.commit_transaction(30)
        else:
            producer.abort_transaction(30)
    print(json.dumps({"ok": True}))
    return 0


def committed(args) -> int:
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False})
    try:
        offsets = consumer.committed(
            [TopicPartition(args.topic, int(p)) for p in args.partitions.split(",")], timeout=20
        )
        for tp in offsets:
            print(json.dumps({"partition": tp.partition, "offset": tp.offset}))
    finally:
        consumer.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("consume")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--partitions")
    p.add_argument("--timeout-s", type=float, default=30.0)
    p.set_defaults(func=consume)
    p = sub.add_parser("transact")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--transactional-id", required=True)
    p.add_argument("--commit", default="")
    p.add_argument("--abort", default="")
    p.set_defaults(func=transact)
    p = sub.add_parser("committed")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--group", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--partitions", required=True)
    p.set_defaults(func=committed)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
