"""Pipeline benchmark driver (run by scripts/bench-pipeline with KAFKA_BOOTSTRAP_SERVERS set).

Measures, in one run against the same broker:
  - file -> topic: our FileStreamSource connector vs a confluent-kafka producer reading the file;
  - topic -> file: our FileStreamSink connector vs a confluent-kafka consumer writing the file;
  - the worker's start-up time to a healthy /health, and its RSS idle and under load.
Prints one JSON line per measurement and a summary table.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

BOOTSTRAP = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
CLI = sys.argv[1]
LINES = int(os.environ.get("BENCH_PIPELINE_LINES", "1000000"))
LINE_BYTES = 100  # including the newline
ROUNDS = int(os.environ.get("BENCH_PIPELINE_ROUNDS", "5"))
PARTITIONS = 1  # FileStreamSource has one task; one partition keeps the order comparable


def log(message):
    print(f"bench-pipeline: {message}", file=sys.stderr, flush=True)


def emit(**fields):
    print(json.dumps(fields), flush=True)


def make_input(path):
    body = "x" * (LINE_BYTES - 1 - 8)
    with open(path, "w") as f:
        for i in range(LINES):
            f.write(f"{i:08d}{body}\n")


def create_topics(names):
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    futures = admin.create_topics([NewTopic(n, num_partitions=PARTITIONS, replication_factor=1) for n in names])
    for future in futures.values():
        future.result(30)


class LastRecordProbe:
    """Whether record LINES-1 of a topic exists yet. Fetches it directly: the test broker's
    ListOffsets(latest), which get_watermark_offsets uses, is wrong (docs/compatibility.md)."""

    def __init__(self, topic):
        self.topic = topic
        self.consumer = Consumer({
            "bootstrap.servers": BOOTSTRAP, "group.id": f"bench-probe-{os.getpid()}",
            "enable.auto.commit": False, "auto.offset.reset": "error", "fetch.wait.max.ms": 50,
        })
        self.consumer.assign([TopicPartition(topic, 0, LINES - 1)])

    def arrived(self):
        message = self.consumer.poll(0.05)
        if message is None:
            return False
        if message.error():
            # Not produced yet (offset out of range): look again from the same offset.
            self.consumer.assign([TopicPartition(self.topic, 0, LINES - 1)])
            return False
        return True

    def close(self):
        self.consumer.close()


def wait_until(predicate, timeout_s, what, interval=0.02):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench-pipeline: timed out after {timeout_s}s waiting for {what}")
        time.sleep(interval)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def rest(url, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
        return response.status, (json.loads(text) if text else None)


def healthy(url):
    try:
        status, body = rest(url + "/health")
        return status == 200
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        return False


def reference_source(path, topic):
    # librdkafka's defaults include batch.size=1000000; our worker's producer gets the same batch size
    # and linger (producer.* in the worker properties) instead of the Java client's 16384-byte batches.
    producer = Producer({"bootstrap.servers": BOOTSTRAP, "linger.ms": 5, "acks": "all", "enable.idempotence": True})
    start = time.monotonic()
    with open(path, "rb") as f:
        for line in f:
            while True:
                try:
                    producer.produce(topic, line[:-1])
                    break
                except BufferError:
                    producer.poll(0.01)
            producer.poll(0)
    producer.flush(120)
    return time.monotonic() - start


def reference_sink(topic, path):
    consumer = Consumer({
        "bootstrap.servers": BOOTSTRAP,
        "group.id": f"bench-ref-sink-{topic}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 1000,
    })
    start = time.monotonic()
    consumer.subscribe([topic])
    written = 0
    with open(path, "wb") as out:
        while written < LINES:
            for message in consumer.consume(10000, 1.0):
                if message.error():
                    continue
                out.write(message.value() + b"\n")
                written += 1
        out.flush()
    elapsed = time.monotonic() - start
    consumer.close()
    return elapsed


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main():
    work = tempfile.mkdtemp(prefix="bench-pipeline-")
    source_file = os.path.join(work, "input.txt")
    log(f"writing {LINES} x {LINE_BYTES} B lines to {source_file}")
    make_input(source_file)
    run = os.getpid()

    # Start-up: process start to /health OK, with no connectors.
    port = 18083 + run % 1000
    url = f"http://127.0.0.1:{port}"
    worker_props = os.path.join(work, "worker.properties")
    with open(worker_props, "w") as f:
        f.write(f"""bootstrap.servers={BOOTSTRAP}
listeners={url}
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename={work}/connect.offsets
offset.flush.interval.ms=10000
producer.batch.size=1000000
producer.linger.ms=5
consumer.session.timeout.ms=6000
consumer.heartbeat.interval.ms=1000
""")
    log_file = open(os.path.join(work, "worker.log"), "w")
    started = time.monotonic()
    worker = subprocess.Popen([CLI, "standalone", worker_props], stdout=log_file, stderr=subprocess.STDOUT)
    probes = []
    try:
        wait_until(lambda: healthy(url), 30, "/health", interval=0.002)
        startup = time.monotonic() - started
        emit(bench="worker-startup-to-health", seconds=round(startup, 4), target_seconds=0.5)
        time.sleep(2)
        idle_rss = rss_kib(worker.pid)
        emit(bench="worker-rss-idle", mib=round(idle_rss / 1024, 1), target_mib=50)
        peak = [idle_rss]
        times = {"ours-source": [], "ref-source": [], "ours-sink": [], "ref-sink": []}

        for round_number in range(ROUNDS):
            ours_topic, ref_topic = f"bench-ours-{run}-{round_number}", f"bench-ref-{run}-{round_number}"
            create_topics([ours_topic, ref_topic])
            probe = LastRecordProbe(ours_topic)
            probes.append(probe)

            def ours_source():
                t0 = time.monotonic()
                rest(url + "/connectors", "POST", {"name": f"bench-source-{round_number}", "config": {
                    "connector.class": "FileStreamSource", "tasks.max": "1", "file": source_file,
                    "topic": ours_topic}})

                def sourced():
                    peak[0] = max(peak[0], rss_kib(worker.pid))
                    return probe.arrived()
                wait_until(sourced, 600, "the source connector's records", interval=0.05)
                elapsed = time.monotonic() - t0
                rest(url + f"/connectors/bench-source-{round_number}", "DELETE")
                return elapsed

            sink_file = os.path.join(work, f"ours-output-{round_number}.txt")

            def ours_sink():
                expected_bytes = LINES * LINE_BYTES
                t0 = time.monotonic()
                rest(url + "/connectors", "POST", {"name": f"bench-sink-{round_number}", "config": {
                    "connector.class": "FileStreamSink", "tasks.max": "1", "file": sink_file,
                    "topics": ours_topic}})

                def sunk():
                    peak[0] = max(peak[0], rss_kib(worker.pid))
                    return os.path.exists(sink_file) and os.path.getsize(sink_file) >= expected_bytes
                wait_until(sunk, 600, "the sink connector's file", interval=0.05)
                elapsed = time.monotonic() - t0
                rest(url + f"/connectors/bench-sink-{round_number}", "DELETE")
                return elapsed

            # Alternate which side goes first: whoever follows the other meets a broker still busy
            # with the previous million records.
            ref_output = os.path.join(work, f"ref-output-{round_number}.txt")
            steps = [
                ("ref-source", lambda: reference_source(source_file, ref_topic)),
                ("ours-source", ours_source),
            ]
            if round_number % 2 == 1:
                steps.reverse()
            sink_steps = [("ref-sink", lambda: reference_sink(ref_topic, ref_output)), ("ours-sink", ours_sink)]
            if round_number % 2 == 1:
                sink_steps.reverse()
            for name, step in steps + sink_steps:
                log(f"round {round_number + 1}/{ROUNDS}: {name}")
                times[name].append(step())
            with open(sink_file, "rb") as a, open(source_file, "rb") as b:
                if a.read() != b.read():
                    raise SystemExit("bench-pipeline: the sink file differs from the source file")
            os.remove(sink_file)
            os.remove(ref_output)

        for case, ours, ref in (("file-source-1M-100B", "ours-source", "ref-source"),
                                ("file-sink-1M-100B", "ours-sink", "ref-sink")):
            ours_s, ref_s = median(times[ours]), median(times[ref])
            emit(bench=case.replace("1M", f"{LINES // 1000}k") if LINES != 1000000 else case, rounds=ROUNDS,
                 ours_seconds=round(ours_s, 3), reference_seconds=round(ref_s, 3),
                 ours_records_per_sec=round(LINES / ours_s), reference_records_per_sec=round(LINES / ref_s),
                 ratio=round(ref_s / ours_s, 2),
                 ours_all=[round(t, 2) for t in times[ours]], reference_all=[round(t, 2) for t in times[ref]])
        emit(bench="worker-rss-under-load", peak_mib=round(peak[0] / 1024, 1))
    finally:
        worker.kill()
        worker.wait()
        for probe in probes:
            probe.close()


if __name__ == "__main__":
    main()
