"""Distributed-mode benchmark driver (run by scripts/bench-distributed with KAFKA_BOOTSTRAP_SERVERS set).

Measures `swift-connect distributed` worker processes against the broker:
  - failover: SIGKILL of one of 3 workers running a 6-task connector -> every task of the connector
    RUNNING on the other workers (status polled every 50 ms from a survivor), several rounds;
  - throughput with 1, 2 and 3 workers of the two halves of a pipeline that split into 6 tasks:
      source: the data generator, tasks.max=6, as fast as it can, into a 6-partition topic; the
              records counted are those the tasks' committed offsets cover (sum of the 6 sequences);
      sink:   FileStreamSink, tasks.max=6, reading a 6-partition topic preloaded with fixed-length
              100 B lines (by confluent-kafka) into one file (O_APPEND, one write per batch); done
              when the file has every byte.
    FileStreamSource is one task per file, so it cannot spread over workers and is not measured here
    (scripts/bench-pipeline measures it).
Prints one JSON line per measurement and a table at the end.
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

BOOTSTRAP = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
CLI = sys.argv[1]
ROUNDS = int(os.environ.get("BENCH_DISTRIBUTED_ROUNDS", "3"))
DELAY_MS = int(os.environ.get("BENCH_DISTRIBUTED_DELAY_MS", "3000"))
SESSION_MS = int(os.environ.get("BENCH_DISTRIBUTED_SESSION_MS", "6000"))
SOURCE_RECORDS = int(os.environ.get("BENCH_DISTRIBUTED_SOURCE_RECORDS", "600000"))
SINK_LINES = int(os.environ.get("BENCH_DISTRIBUTED_SINK_LINES", "600000"))
LINE_BYTES = 100  # including the newline
TASKS = 6
RUN = os.getpid()


def log(message):
    print(f"bench-distributed: {message}", file=sys.stderr, flush=True)


def emit(**fields):
    print(json.dumps(fields), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout_s, what, interval=0.05):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"bench-distributed: timed out after {timeout_s}s waiting for {what}")
        time.sleep(interval)


def rest(url, method="GET", body=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read().decode()
        return response.status, (json.loads(text) if text else None)


def try_rest(url, method="GET", body=None):
    try:
        return rest(url, method, body, timeout=2)
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        return None, None


def create_topic(name, partitions):
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    for future in admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)]).values():
        future.result(30)


def delete_topics(names):
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    for future in admin.delete_topics(names).values():
        try:
            future.result(30)
        except Exception as error:  # noqa: BLE001 - cleanup only
            if "UNKNOWN_TOPIC" not in str(error):  # never created (a worker failed first)
                log(f"could not delete a topic: {error}")


class Worker:
    def __init__(self, cluster, index):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.worker_id = f"127.0.0.1:{self.port}"
        props = os.path.join(cluster.work, f"worker-{index}.properties")
        with open(props, "w") as f:
            for key, value in cluster.settings(self.port).items():
                f.write(f"{key}={value}\n")
        self.log_path = os.path.join(cluster.work, f"worker-{index}.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([CLI, "distributed", props], stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)

    def healthy(self):
        if self.process.poll() is not None:
            raise SystemExit(f"bench-distributed: worker {self.url} exited ({self.process.returncode}); "
                             f"log {self.log_path}")
        status, _ = try_rest(self.url + "/health")
        return status == 200

    def kill(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.log.close()


class Cluster:
    """A group of worker processes with fresh internal topics."""

    def __init__(self, name, work):
        self.work = os.path.join(work, name)
        os.makedirs(self.work)
        self.group = f"bench-{name}-{RUN}"
        self.workers = []

    def settings(self, port):
        return {
            "bootstrap.servers": BOOTSTRAP,
            "group.id": self.group,
            "config.storage.topic": f"{self.group}-configs",
            "offset.storage.topic": f"{self.group}-offsets",
            "status.storage.topic": f"{self.group}-status",
            "config.storage.replication.factor": "1",
            "offset.storage.replication.factor": "1",
            "status.storage.replication.factor": "1",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "listeners": f"http://127.0.0.1:{port}",
            "rest.advertised.host.name": "127.0.0.1",
            "rest.advertised.port": str(port),
            "scheduled.rebalance.max.delay.ms": str(DELAY_MS),
            "session.timeout.ms": str(SESSION_MS),
            "heartbeat.interval.ms": "1000",
            # Frequent commits: the source throughput is read from the committed offsets.
            "offset.flush.interval.ms": "100",
            "producer.batch.size": "1000000",
            "producer.linger.ms": "5",
            "consumer.session.timeout.ms": "6000",
            "consumer.heartbeat.interval.ms": "1000",
        }

    def start(self, count):
        started = [Worker(self, len(self.workers) + i) for i in range(count)]
        self.workers += started
        for worker in started:
            wait_until(worker.healthy, 120, f"{worker.url}/health", interval=0.1)
        return started

    def running(self):
        return [w for w in self.workers if w.process.poll() is None]

    def stop(self):
        for worker in self.workers:
            worker.kill()
        delete_topics([f"{self.group}-configs", f"{self.group}-offsets", f"{self.group}-status"])


def task_placements(worker, connector):
    """{task id: (state, worker_id)} and the connector's state, or (None, None) when unanswered."""
    status, body = try_rest(f"{worker.url}/connectors/{connector}/status")
    if status != 200 or not body:
        return None, None
    return {t["id"]: (t["state"], t.get("worker_id")) for t in body.get("tasks", [])}, body["connector"]["state"]


def all_running(worker, connector, count, exclude=None, balanced_over=None):
    tasks, state = task_placements(worker, connector)
    if tasks is None or state != "RUNNING" or len(tasks) != count:
        return None
    if any(s != "RUNNING" or w == exclude for s, w in tasks.values()):
        return None
    if balanced_over is not None:
        per_worker = {}
        for _, w in tasks.values():
            per_worker[w] = per_worker.get(w, 0) + 1
        if len(per_worker) != balanced_over or max(per_worker.values()) - min(per_worker.values()) > 1:
            return None
    return tasks


def datagen(topic, records_per_second, max_records=-1):
    return {
        "connector.class": "DataGenSource", "topic": topic, "tasks.max": str(TASKS),
        "records.per.second": str(records_per_second), "max.records": str(max_records),
        "key.converter": "org.apache.kafka.connect.json.JsonConverter", "key.converter.schemas.enable": "false",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
    }


def bench_failover(work):
    cluster = Cluster("failover", work)
    topic = f"bench-failover-{RUN}"
    create_topic(topic, TASKS)
    times = []
    try:
        cluster.start(3)
        entry = cluster.workers[0]
        rest(entry.url + "/connectors", "POST", {"name": "gen", "config": datagen(topic, 60)})
        for round_number in range(ROUNDS):
            running = cluster.running()
            wait_until(lambda: all_running(running[0], "gen", TASKS, balanced_over=3), 120,
                       "6 tasks RUNNING, 2 per worker")
            victim = running[round_number % 3]
            survivor = next(w for w in running if w is not victim)
            victim.kill()
            killed = time.monotonic()
            wait_until(lambda: all_running(survivor, "gen", TASKS, exclude=victim.worker_id), 180,
                       "the killed worker's tasks RUNNING elsewhere")
            elapsed = time.monotonic() - killed
            times.append(elapsed)
            emit(bench="failover-sigkill-to-all-running", round=round_number + 1, seconds=round(elapsed, 3),
                 delay_ms=DELAY_MS, session_timeout_ms=SESSION_MS)
            log(f"failover round {round_number + 1}/{ROUNDS}: {elapsed:.2f} s")
            cluster.start(1)  # back to 3 workers for the next round
    finally:
        cluster.stop()
        delete_topics([topic])
    return times


def preload(topic, lines):
    producer = Producer({"bootstrap.servers": BOOTSTRAP, "linger.ms": 5, "acks": "all"})
    body = "x" * (LINE_BYTES - 1 - 8)
    for i in range(lines):
        while True:
            try:
                producer.produce(topic, f"{i:08d}{body}".encode())
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    if producer.flush(120) != 0:
        raise SystemExit("bench-distributed: could not preload the sink topic")


def committed_records(worker, connector):
    status, body = try_rest(f"{worker.url}/connectors/{connector}/offsets")
    if status != 200 or not body:
        return None
    return sum(int(entry["offset"]["sequence"]) for entry in body.get("offsets", []))


def bench_throughput(work, workers):
    cluster = Cluster(f"throughput-{workers}", work)
    source_topic = f"bench-dist-source-{workers}-{RUN}"
    sink_topic = f"bench-dist-sink-{workers}-{RUN}"
    create_topic(source_topic, TASKS)
    create_topic(sink_topic, TASKS)
    result = {}
    try:
        log(f"{workers} worker(s): preloading {SINK_LINES} lines for the sink")
        preload(sink_topic, SINK_LINES)
        cluster.start(workers)
        entry = cluster.workers[0]

        # Source: from the first committed offsets to all records committed (the start-up and the
        # rebalances that place the tasks are left out; they are seconds on the test broker).
        posted = time.monotonic()
        rest(entry.url + "/connectors", "POST", {"name": "source", "config": datagen(source_topic, 0, SOURCE_RECORDS)})
        def first_offsets():
            committed = committed_records(entry, "source")
            return (time.monotonic(), committed) if committed else None

        first = wait_until(first_offsets, 180, "first source offsets")
        wait_until(lambda: committed_records(entry, "source") == SOURCE_RECORDS, 600, "all source records committed")
        done = time.monotonic()
        tasks, _ = task_placements(entry, "source")
        spread = sorted({w for _, w in (tasks or {}).values()})
        result["source"] = (SOURCE_RECORDS - first[1]) / (done - first[0])
        emit(bench="distributed-datagen-source", workers=workers, tasks=TASKS, records=SOURCE_RECORDS,
             records_per_sec=round(result["source"]), seconds_from_post=round(done - posted, 2),
             task_workers=len(spread))
        rest(entry.url + "/connectors/source", "DELETE")

        # Sink: from the first bytes in the file to all of them.
        sink_file = os.path.join(cluster.work, "sink.txt")
        expected = SINK_LINES * LINE_BYTES
        size = lambda: os.path.getsize(sink_file) if os.path.exists(sink_file) else 0  # noqa: E731
        posted = time.monotonic()
        rest(entry.url + "/connectors", "POST", {"name": "sink", "config": {
            "connector.class": "FileStreamSink", "tasks.max": str(TASKS), "file": sink_file, "topics": sink_topic}})
        first = wait_until(lambda: size() > 0 and (time.monotonic(), size()), 180, "first sink bytes", interval=0.01)
        wait_until(lambda: size() >= expected, 600, "every sink byte", interval=0.02)
        done = time.monotonic()
        tasks, _ = task_placements(entry, "sink")
        spread = sorted({w for _, w in (tasks or {}).values()})
        result["sink"] = (expected - first[1]) / LINE_BYTES / (done - first[0])
        emit(bench="distributed-filestream-sink", workers=workers, tasks=TASKS, lines=SINK_LINES,
             records_per_sec=round(result["sink"]), seconds_from_post=round(done - posted, 2),
             task_workers=len(spread))
        if size() != expected:
            raise SystemExit(f"bench-distributed: the sink file has {size()} bytes, expected {expected}")
    finally:
        cluster.stop()
        delete_topics([source_topic, sink_topic])
    return result


def main():
    work = tempfile.mkdtemp(prefix="bench-distributed-")
    log(f"work directory {work} (worker logs)")
    failover = bench_failover(work)
    throughput = {n: bench_throughput(work, n) for n in (1, 2, 3)}

    print()
    print(f"SIGKILL -> all tasks RUNNING elsewhere (3 workers, 6 tasks, delay {DELAY_MS} ms, "
          f"session {SESSION_MS} ms): median {statistics.median(failover):.2f} s, "
          f"all {', '.join(f'{t:.2f}' for t in failover)} s")
    print()
    print("| workers | datagen source, 6 tasks (rec/s) | FileStreamSink, 6 tasks (rec/s) |")
    print("|---|---|---|")
    for n, values in throughput.items():
        print(f"| {n} | {values['source']:,.0f} | {values['sink']:,.0f} |")


if __name__ == "__main__":
    main()
