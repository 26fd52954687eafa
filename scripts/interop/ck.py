#!/usr/bin/env python3
"""Reference-client helper for the Swift integration tests: produce and consume with librdkafka
(confluent-kafka), speaking JSON lines with bytes in base64. Run it with .venv/bin/python.

  ck.py produce --bootstrap B --topic T [--compression none|gzip|snappy|lz4|zstd]
                [--partitioner murmur2_random|consistent_random|...]
      stdin, one JSON object per line:
        {"partition": int|null, "key": b64|null, "value": b64|null,
         "headers": [[name, b64|null], ...], "timestamp": ms|null}
      stdout, one line per input record, in input order:
        {"partition": p, "offset": o, "error": null|"..."}
      Exit status 1 if any record failed.

  ck.py consume --bootstrap B --topic T --count N [--partitions 0,1,2] [--timeout-s 30]
      Assigns the partitions (default: all, from metadata) at the beginning and prints exactly N
      records as JSON lines:
        {"partition", "offset", "key", "value", "headers", "timestamp", "timestamp_type"}
      key/value/header values in base64 (null when null), headers as [[name, b64|null], ...] in
      order, timestamp_type "CreateTime" | "LogAppendTime" | null. CRCs are checked.
      Exit status 1 if fewer than N records arrive within the timeout or on a consumer error.

  Both take --property NAME=VALUE (repeatable) for further librdkafka settings, e.g.
  security.protocol=SSL ssl.ca.location=ca.pem.
"""

import argparse
import base64
import json
import sys
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

MAX_BYTES = 64 * 1024 * 1024  # room for the 1-5 MiB records the tests send


def b64decode(s):
    return None if s is None else base64.b64decode(s)


def b64encode(b):
    return None if b is None else base64.b64encode(b).decode("ascii")


def produce(args) -> int:
    config = {
        "bootstrap.servers": args.bootstrap,
        "linger.ms": 5,
        "enable.idempotence": False,
        "compression.type": args.compression,
        "message.max.bytes": MAX_BYTES,
        "batch.size": MAX_BYTES,
        "receive.message.max.bytes": MAX_BYTES + 1024,
        "message.timeout.ms": int(args.timeout_s * 1000),
    }
    if args.partitioner:
        config["partitioner"] = args.partitioner
    config.update(extra_properties(args))
    producer = Producer(config)

    records = [json.loads(line) for line in sys.stdin if line.strip()]
    results = [None] * len(records)

    def delivered(index):
        def callback(err, msg):
            if err is not None:
                results[index] = {"partition": msg.partition(), "offset": None, "error": str(err)}
            else:
                results[index] = {"partition": msg.partition(), "offset": msg.offset(), "error": None}

        return callback

    for i, record in enumerate(records):
        kwargs = {
            "key": b64decode(record.get("key")),
            "value": b64decode(record.get("value")),
            "on_delivery": delivered(i),
        }
        headers = record.get("headers")
        if headers:
            kwargs["headers"] = [(name, b64decode(value)) for name, value in headers]
        if record.get("partition") is not None:
            kwargs["partition"] = record["partition"]
        if record.get("timestamp") is not None:
            kwargs["timestamp"] = record["timestamp"]
        while True:
            try:
                producer.produce(args.topic, **kwargs)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)

    remaining = producer.flush(args.timeout_s)
    failed = 0
    for i, result in enumerate(results):
        if result is None:
            result = {"partition": records[i].get("partition"), "offset": None, "error": "not delivered (flush timed out)"}
        failed += result["error"] is not None
        print(json.dumps(result))
    if failed or remaining:
        print(f"ck.py produce: {failed} of {len(records)} records failed", file=sys.stderr)
        return 1
    return 0


TIMESTAMP_TYPES = {TIMESTAMP_CREATE_TIME: "CreateTime", TIMESTAMP_LOG_APPEND_TIME: "LogAppendTime"}


def consume(args) -> int:
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": f"ck-py-{uuid.uuid4()}",  # required by librdkafka; unused with assign()
            "enable.auto.commit": False,
            "enable.partition.eof": False,
            "check.crcs": True,
            "isolation.level": args.isolation_level,
            "fetch.message.max.bytes": MAX_BYTES // 4,
            "fetch.max.bytes": MAX_BYTES,
            "receive.message.max.bytes": MAX_BYTES + 1024,
        }
        | extra_properties(args)
    )
    try:
        if args.partitions:
            partitions = [int(p) for p in args.partitions.split(",")]
        else:
            metadata = consumer.list_topics(args.topic, timeout=args.timeout_s).topics[args.topic]
            if metadata.error is not None:
                print(f"ck.py consume: metadata for {args.topic}: {metadata.error}", file=sys.stderr)
                return 1
            partitions = sorted(metadata.partitions)
        consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])

        got = 0
        deadline = time.monotonic() + args.timeout_s
        while got < args.count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                print(f"ck.py consume: timed out after {args.timeout_s:g} s with {got} of {args.count} records", file=sys.stderr)
                return 1
            msg = consumer.poll(min(remaining, 1.0))
            if msg is None:
                continue
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                print(f"ck.py consume: error after {got} records: {msg.error()}", file=sys.stderr)
                return 1
            ts_type, ts = msg.timestamp()
            print(
                json.dumps(
                    {
                        "partition": msg.partition(),
                        "offset": msg.offset(),
                        "key": b64encode(msg.key()),
                        "value": b64encode(msg.value()),
                        "headers": [[name, b64encode(value)] for name, value in (msg.headers() or [])],
                        "timestamp": ts if ts_type in TIMESTAMP_TYPES else None,
                        "timestamp_type": TIMESTAMP_TYPES.get(ts_type),
                    }
                ),
                flush=True,
            )
            got += 1
        return 0
    finally:
        consumer.close()


def extra_properties(args):
    """The --property NAME=VALUE options (security settings and the like) as a librdkafka config."""
    return dict(item.split("=", 1) for item in args.property or [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("produce", help="produce JSON-line records from stdin")
    p.add_argument("--bootstrap", required=True, help="bootstrap servers, HOST:PORT[,...]")
    p.add_argument("--topic", required=True)
    p.add_argument("--compression", default="none", choices=["none", "gzip", "snappy", "lz4", "zstd"])
    p.add_argument("--partitioner", help="librdkafka partitioner, e.g. murmur2_random (Java's default)")
    p.add_argument("--timeout-s", type=float, default=30.0, help="delivery timeout (30)")
    p.add_argument("--property", action="append", help="extra librdkafka setting NAME=VALUE (repeatable)")
    p.set_defaults(run=produce)

    c = sub.add_parser("consume", help="consume N records from the beginning as JSON lines")
    c.add_argument("--bootstrap", required=True, help="bootstrap servers, HOST:PORT[,...]")
    c.add_argument("--topic", required=True)
    c.add_argument("--count", type=int, required=True, help="records to read, exactly")
    c.add_argument("--partitions", help="comma-separated partition ids (default: all)")
    c.add_argument("--timeout-s", type=float, default=30.0, help="give up after this many seconds (30)")
    c.add_argument(
        "--isolation-level", default="read_committed", choices=["read_committed", "read_uncommitted"]
    )
    c.add_argument("--property", action="append", help="extra librdkafka setting NAME=VALUE (repeatable)")
    c.set_defaults(run=consume)

    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
