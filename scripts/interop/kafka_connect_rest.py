#!/usr/bin/env python3
"""Drives a SwiftConnect worker's REST API with kafka-connect-py (its KafkaConnect client class), as
a user of that library would. Run it with .venv/bin/python.

  kafka_connect_rest.py --url http://127.0.0.1:PORT --name NAME --file PATH --topic TOPIC

Creates a FileStreamSource connector, reads its status, pauses, resumes, restarts (plain and with
includeTasks) and deletes it, checking every answer; prints one JSON line per step to stdout and
exits 1 (with the reason on stderr) on the first unexpected answer.
"""

import argparse
import json
import sys
import time

from kafka_connect import KafkaConnect
from requests.exceptions import HTTPError


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def wait_for(client, name, connector_state, task_state, timeout_s=15.0):
    deadline = time.monotonic() + timeout_s
    status = None
    while time.monotonic() < deadline:
        status = client.get_connector_status(name)
        tasks = [task["state"] for task in status.get("tasks", [])]
        if status["connector"]["state"] == connector_state and tasks and all(t == task_state for t in tasks):
            return status
        time.sleep(0.05)
    fail(f"{name} never reached {connector_state}/{task_state}: {status}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--topic", required=True)
    args = parser.parse_args()

    client = KafkaConnect(url=args.url)
    info = client.get_cluster_info()
    if "version" not in info or "kafka_cluster_id" not in info:
        fail(f"unexpected server info: {info}")
    print(json.dumps({"step": "info", "version": info["version"]}))

    created = client.create_connector({
        "name": args.name,
        "config": {
            "connector.class": "FileStreamSource",
            "tasks.max": "1",
            "file": args.file,
            "topic": args.topic,
        },
    })
    if created.get("name") != args.name or created.get("type") != "source" or len(created.get("tasks", [])) != 1:
        fail(f"unexpected create answer: {created}")
    print(json.dumps({"step": "create", "tasks": len(created["tasks"])}))

    if args.name not in client.list_connectors():
        fail("created connector not listed")
    status = wait_for(client, args.name, "RUNNING", "RUNNING")
    print(json.dumps({"step": "status", "state": status["connector"]["state"]}))

    client.pause_connector(args.name)
    wait_for(client, args.name, "PAUSED", "PAUSED")
    print(json.dumps({"step": "pause"}))
    client.resume_connector(args.name)
    wait_for(client, args.name, "RUNNING", "RUNNING")
    print(json.dumps({"step": "resume"}))

    if client.restart_connector(args.name) is not None:
        fail("plain restart answered with a body")
    plan = client.restart_connector(args.name, include_tasks=True)
    if plan["connector"]["state"] != "RESTARTING" or [t["state"] for t in plan["tasks"]] != ["RESTARTING"]:
        fail(f"unexpected restart plan: {plan}")
    wait_for(client, args.name, "RUNNING", "RUNNING")
    print(json.dumps({"step": "restart"}))

    client.delete_connector(args.name)
    if args.name in client.list_connectors():
        fail("deleted connector still listed")
    try:
        client.get_connector(args.name)
        fail("deleted connector still answered")
    except HTTPError as error:
        if error.response is not None and error.response.status_code != 404:
            fail(f"expected 404 after delete, got {error.response.status_code}")
    print(json.dumps({"step": "delete"}))


if __name__ == "__main__":
    main()
