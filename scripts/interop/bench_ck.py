#!/usr/bin/env python3
"""librdkafka (confluent-kafka) side of scripts/bench-client. Run it with .venv/bin/python.

  bench_ck.py produce --bootstrap B --topic T --records N --record-size S
  bench_ck.py consume --bootstrap B --topic T --records N
      Print ONE JSON line {"records": N, "bytes": total_value_bytes, "seconds": elapsed}, the same
      shape as `swift-connect kafka perf produce|consume`. Produce: linger.ms=5, large batches,
      acks=1 (or --idempotent: enable.idempotence=true), no compression, timed from the first
      produce() to flush() returning. --transaction-size K: transactional (acks=all), transactions
      of K records one after another, each committed before the next begins. Consume: assign
      all partitions at the beginning, consume(10000) in a loop until N records, count only.
  bench_ck.py consume --bootstrap B --topic T --records N --group G [--session-timeout-ms MS]
      As the single member of the (fresh) group G: subscribe, wait for the assignment, read N
      records, commit synchronously (auto-commit off, auto.offset.reset=earliest); "seconds" covers
      subscribe to commit, "join_seconds" subscribe to the first assignment, as
      `swift-connect kafka perf consume --group`.
  bench_ck.py create --bootstrap B --topic T --partitions P
  bench_ck.py delete --bootstrap B --topic T
  bench_ck.py record --results F --case C --op O --client X (--status RC [--stderr E] | --error MSG)
      Appends one result line to F from a run's stdout (on stdin) and exit status; exits 3 when
      that line records a failure. --minus-key K: the time is "seconds" minus field K (e.g.
      join_seconds, to rate the reading after a group assignment).
  bench_ck.py report RESULTS.jsonl
      Markdown table from the result lines scripts/bench-client collects.
"""

import argparse
import json
import sys
import time
import uuid

import confluent_kafka
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def fail(message: str) -> int:
    print(f"bench_ck.py: {message}", file=sys.stderr)
    return 1


def produce(args) -> int:
    errors = []

    def on_error(err, _msg):
        errors.append(str(err))

    config = {
        "bootstrap.servers": args.bootstrap,
        "linger.ms": 5,
        "batch.size": 4 * 1024 * 1024,
        "message.max.bytes": 8 * 1024 * 1024,
        "compression.type": "none",
        "queue.buffering.max.messages": 1_000_000,
        "queue.buffering.max.kbytes": 1024 * 1024,
        "delivery.report.only.error": True,
        "on_delivery": on_error,
    }
    if args.transaction_size:
        return produce_transactions(args, config, errors)
    if args.idempotent:
        # The ordering guarantee swift-connect gives by default: acks=all, sequence numbers.
        config["enable.idempotence"] = True
    else:
        # librdkafka's fastest path: leader acks only, no idempotence, unbounded pipelining.
        config["acks"] = 1
        config["enable.idempotence"] = False
    producer = Producer(config)
    value = (b"0123456789abcdef" * (args.record_size // 16 + 1))[: args.record_size]
    topic = args.topic
    produce_one = producer.produce
    start = time.perf_counter()
    for _ in range(args.records):
        try:
            produce_one(topic, value)
        except BufferError:
            producer.poll(0.01)
            produce_one(topic, value)
    remaining = producer.flush(args.timeout_s)
    seconds = time.perf_counter() - start
    if remaining or errors:
        return fail(f"produce: {remaining} undelivered, {len(errors)} errors (first: {errors[:1]})")
    print(json.dumps({"records": args.records, "bytes": args.records * args.record_size, "seconds": seconds}))
    return 0


def produce_transactions(args, config, errors) -> int:
    """Transactions of --transaction-size records one after the other: begin, produce, commit
    (commit flushes), as `swift-connect kafka perf produce --transaction-size` does."""
    config["transactional.id"] = f"bench-ck-{uuid.uuid4()}"
    producer = Producer(config)
    producer.init_transactions(30)
    value = (b"0123456789abcdef" * (args.record_size // 16 + 1))[: args.record_size]
    topic = args.topic
    produce_one = producer.produce
    start = time.perf_counter()
    sent = 0
    while sent < args.records:
        count = min(args.transaction_size, args.records - sent)
        sent += count
        producer.begin_transaction()
        for _ in range(count):
            try:
                produce_one(topic, value)
            except BufferError:
                producer.poll(0.01)
                produce_one(topic, value)
        producer.commit_transaction(args.timeout_s)
    seconds = time.perf_counter() - start
    if errors:
        return fail(f"produce: {len(errors)} errors (first: {errors[:1]})")
    print(json.dumps({"records": args.records, "bytes": args.records * args.record_size, "seconds": seconds}))
    return 0


def consume(args) -> int:
    if args.group:
        return consume_group(args)
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": f"bench-ck-{uuid.uuid4()}",  # required by librdkafka; unused with assign()
            "enable.auto.commit": False,
            "enable.partition.eof": False,
        }
    )
    try:
        metadata = consumer.list_topics(args.topic, timeout=10).topics[args.topic]
        if metadata.error is not None:
            return fail(f"consume: metadata for {args.topic}: {metadata.error}")
        partitions = [TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in sorted(metadata.partitions)]
        error_of = confluent_kafka.Message.error
        count = 0
        total_bytes = 0
        start = time.perf_counter()
        deadline = start + args.timeout_s
        consumer.assign(partitions)
        while count < args.records:
            if time.perf_counter() > deadline:
                return fail(f"consume: timed out after {args.timeout_s:g} s with {count} of {args.records} records")
            msgs = consumer.consume(num_messages=10000, timeout=1.0)
            if any(map(error_of, msgs)):
                return fail(f"consume: {next(m.error() for m in msgs if m.error() is not None)}")
            count += len(msgs)
            total_bytes += sum(map(len, msgs))
        seconds = time.perf_counter() - start
        print(json.dumps({"records": count, "bytes": total_bytes, "seconds": seconds}))
        return 0
    finally:
        consumer.close()


def consume_group(args) -> int:
    joined = []

    def on_assign(_consumer, partitions):
        if partitions and not joined:
            joined.append(time.perf_counter())

    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": args.group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "enable.partition.eof": False,
            "session.timeout.ms": args.session_timeout_ms,
            "heartbeat.interval.ms": max(100, args.session_timeout_ms // 4),
        }
    )
    try:
        # Metadata first, so the timing covers the group and the reading only (as ours).
        consumer.list_topics(args.topic, timeout=10)
        error_of = confluent_kafka.Message.error
        count = 0
        total_bytes = 0
        start = time.perf_counter()
        deadline = start + args.timeout_s
        consumer.subscribe([args.topic], on_assign=on_assign)
        while count < args.records:
            if time.perf_counter() > deadline:
                return fail(f"consume: timed out after {args.timeout_s:g} s with {count} of {args.records} records")
            msgs = consumer.consume(num_messages=10000, timeout=0.1)
            if any(map(error_of, msgs)):
                return fail(f"consume: {next(m.error() for m in msgs if m.error() is not None)}")
            count += len(msgs)
            total_bytes += sum(map(len, msgs))
        consumer.commit(asynchronous=False)
        end = time.perf_counter()
        join_seconds = (joined[0] if joined else end) - start
        print(json.dumps({"records": count, "bytes": total_bytes, "seconds": end - start, "join_seconds": join_seconds}))
        return 0
    finally:
        consumer.close()


def admin(args) -> AdminClient:
    return AdminClient({"bootstrap.servers": args.bootstrap, "log_level": 4})  # no notices on close


def create(args) -> int:
    client = admin(args)  # must outlive the future
    futures = client.create_topics([NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)])
    futures[args.topic].result(timeout=30)
    return 0


def delete(args) -> int:
    client = admin(args)  # must outlive the future
    futures = client.delete_topics([args.topic], operation_timeout=30)
    futures[args.topic].result(timeout=30)
    return 0


def record(args) -> int:
    row = {"case": args.case, "op": args.op, "client": args.client}
    error = args.error
    if error is None:
        lines = [line for line in sys.stdin.read().splitlines() if line.strip()]
        try:
            result = json.loads(lines[-1])
            seconds = float(result["seconds"]) - (float(result[args.minus_key]) if args.minus_key else 0.0)
            row.update(records=int(result["records"]), bytes=int(result["bytes"]), seconds=seconds)
        except (IndexError, ValueError, KeyError, TypeError):
            result = None
        if args.status == 124:
            error = "timed out"
        elif args.status != 0 or result is None:
            last = ""
            if args.stderr:
                with open(args.stderr, errors="replace") as f:
                    tail = [line.strip() for line in f.read().splitlines() if line.strip()]
                last = tail[-1] if tail else ""
            error = f"failed (exit {args.status}): {last or 'no JSON result on stdout'}"
    if error is not None:
        row["error"] = error.replace("|", "/")
        print(f"    {args.op:<8} {args.client:<14} {row['error']}", file=sys.stderr)
    else:
        print(
            f"    {args.op:<8} {args.client:<14} {row['records'] / row['seconds']:>12,.0f} rec/s "
            f"{row['bytes'] / row['seconds'] / 1e6:>8,.1f} MB/s  ({row['records']:,} records in {row['seconds']:.2f} s)"
        )
    with open(args.results, "a") as f:
        f.write(json.dumps(row) + "\n")
    return 0 if error is None else 3


def report(args) -> int:
    """Rows: {"case", "op", "client", "records", "bytes", "seconds"} or {..., "error"}. A case run
    several times (rounds) is reported by its median rate, with the number of rounds."""
    with open(args.results) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    keys = []
    by_key = {}
    for row in rows:
        key = (row["case"], row["op"])
        if key not in by_key:
            keys.append(key)
            by_key[key] = {}
        by_key[key].setdefault(row["client"], []).append(row)

    def rate(row):
        if row is None or row.get("error") or not row.get("seconds"):
            return None
        return row["records"] / row["seconds"], row["bytes"] / row["seconds"] / 1e6

    def median_rate(client_rows):
        rates = sorted(r for r in (rate(row) for row in client_rows or []) if r is not None)
        if not rates:
            return None, 0
        return rates[len(rates) // 2], len(rates)

    lines = [
        "| case | op | client | records/s | MB/s | runs | ours/librdkafka | ours/librdkafka idempotent |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for case, op in keys:
        clients = by_key[(case, op)]
        base, _ = median_rate(clients.get("librdkafka"))
        base_idempotent, _ = median_rate(clients.get("librdkafka-idempotent"))
        for client, client_rows in clients.items():
            r, runs = median_rate(client_rows)
            if r is None:
                error = next((row.get("error") for row in client_rows if row.get("error")), "no result")
                lines.append(f"| {case} | {op} | {client} | - | - | 0 | {error} | |")
                continue
            ratio = ratio_idempotent = ""
            if client == "swift-connect" and base is not None:
                ratio = f"{r[0] / base[0]:.2f}"
            if client == "swift-connect" and base_idempotent is not None:
                ratio_idempotent = f"{r[0] / base_idempotent[0]:.2f}"
            lines.append(
                f"| {case} | {op} | {client} | {r[0]:,.0f} | {r[1]:,.1f} | {runs} | {ratio} | {ratio_idempotent} |"
            )
    print("\n".join(lines))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def with_topic(name, func, help):
        p = sub.add_parser(name, help=help)
        p.add_argument("--bootstrap", required=True)
        p.add_argument("--topic", required=True)
        p.set_defaults(run=func)
        return p

    p = with_topic("produce", produce, "time producing N records of S bytes")
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--record-size", type=int, required=True)
    p.add_argument("--timeout-s", type=float, default=600.0)
    p.add_argument("--idempotent", action="store_true", help="enable.idempotence=true (acks=all)")
    p.add_argument("--transaction-size", type=int, default=0, help="records per transaction (0: none)")
    p = with_topic("consume", consume, "time consuming N records from the beginning")
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--timeout-s", type=float, default=600.0)
    p.add_argument("--group", help="consume as the single member of this fresh consumer group")
    p.add_argument("--session-timeout-ms", type=int, default=2000, help="with --group")
    p = with_topic("create", create, "create a topic")
    p.add_argument("--partitions", type=int, required=True)
    with_topic("delete", delete, "delete a topic")
    r = sub.add_parser("record", help="append one run's result to a results file")
    r.add_argument("--results", required=True)
    r.add_argument("--case", required=True)
    r.add_argument("--op", required=True)
    r.add_argument("--client", required=True)
    r.add_argument("--status", type=int, default=0)
    r.add_argument("--stderr")
    r.add_argument("--error")
    r.add_argument("--minus-key", help="subtract this result field from seconds")
    r.set_defaults(run=record)
    r = sub.add_parser("report", help="markdown table from collected results")
    r.add_argument("results")
    r.set_defaults(run=report)

    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
