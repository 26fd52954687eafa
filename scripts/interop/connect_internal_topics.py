#!/usr/bin/env python3
"""Writes Kafka Connect's internal topic records exactly as a Java worker (Kafka 3.9) writes them,
for the Swift stores' interop test. Run it with .venv/bin/python.

  connect_internal_topics.py --bootstrap B --config-topic C --offset-topic O --status-topic S

Keys and values are the literal bytes of Kafka's JsonConverter (schemas disabled): compact JSON,
Struct fields in schema order, map members in the Java map's order (which need not be sorted).
Records are partitioned with murmur2 like Java's default partitioner. Prints one line per topic:
"<topic> <records written>". Exit status 1 if a record failed.
"""

import argparse
import sys

from confluent_kafka import Producer

CONFIG = [
    ("target-state-java-source", '{"state":"PAUSED","state.v2":"STOPPED"}'),
    (
        "connector-java-source",
        '{"properties":{"connector.class":"FileStreamSource","tasks.max":"2","name":"java-source",'
        '"file":"/tmp/in.txt","topic":"orders"}}',
    ),
    ("task-java-source-0", '{"properties":{"task.class":"FileStreamSourceTask","file":"/tmp/in.txt"}}'),
    ("task-java-source-1", '{"properties":{"task.class":"FileStreamSourceTask","file":"/tmp/in-2.txt"}}'),
    ("commit-java-source", '{"tasks":2}'),
    # A worker older than STOPPED writes only "state".
    ("connector-old-sink", '{"properties":{"connector.class":"FileStreamSink","name":"old-sink"}}'),
    ("target-state-old-sink", '{"state":"PAUSED"}'),
    # Written after the commit and never committed: readers must not apply it.
    ("task-java-source-2", '{"properties":{"task.class":"FileStreamSourceTask","file":"/tmp/in-3.txt"}}'),
]

OFFSETS = [
    ('["java-source",{"filename":"/tmp/in.txt"}]', '{"position":42}'),
    # Members not in sorted order, as a Java HashMap may iterate them.
    ('["java-source",{"topic":"t","partition":3}]', '{"offset":7}'),
    ('["java-source",{"filename":"/tmp/gone.txt"}]', '{"position":1}'),
    ('["java-source",{"filename":"/tmp/gone.txt"}]', None),
]

STATUS = [
    ("status-connector-java-source", '{"state":"RUNNING","trace":null,"worker_id":"10.0.0.7:8083","generation":3}'),
    (
        "status-task-java-source-0",
        '{"state":"FAILED","trace":"java.lang.RuntimeException: boom\\n\\tat X.y(X.java:1)",'
        '"worker_id":"10.0.0.8:8083","generation":3}',
    ),
    (
        "status-topic-orders:connector-java-source",
        '{"topic":{"name":"orders","connector":"java-source","task":0,"discoverTimestamp":1700000000000}}',
    ),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--config-topic", required=True)
    parser.add_argument("--offset-topic", required=True)
    parser.add_argument("--status-topic", required=True)
    args = parser.parse_args()
    producer = Producer(
        {
            "bootstrap.servers": args.bootstrap,
            "partitioner": "murmur2_random",
            "acks": "all",
            "enable.idempotence": True,
        }
    )
    errors = []

    def report(err, _msg):
        if err is not None:
            errors.append(str(err))

    for topic, records in (
        (args.config_topic, CONFIG),
        (args.offset_topic, OFFSETS),
        (args.status_topic, STATUS),
    ):
        for key, value in records:
            producer.produce(
                topic,
                key=key.encode(),
                value=None if value is None else value.encode(),
                on_delivery=report,
            )
        producer.flush(30)
        print(f"{topic} {len(records)}")
    if producer.flush(30) != 0 or errors:
        print("failed: " + "; ".join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
