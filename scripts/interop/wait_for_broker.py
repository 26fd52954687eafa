#!/usr/bin/env python3
"""Waits until a Kafka broker answers an ApiVersions v0 request with error code 0.

Standard library only, raw socket, so it works before any client library is installed.
Exit status: 0 ready, 1 timed out, 2 the broker process (--pid) exited first.
"""

import argparse
import os
import socket
import struct
import sys
import time

API_VERSIONS = 18
CORRELATION_ID = 0x5C0FFEE


def recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by broker")
        buf += chunk
    return buf


def probe(host: str, port: int, timeout: float) -> str | None:
    """Returns None when the broker answered ApiVersions without error, else what went wrong."""
    client_id = b"wait_for_broker"
    # Request header v1 (api_key, api_version, correlation_id, client_id); ApiVersions v0 has no body.
    body = struct.pack(">hhih", API_VERSIONS, 0, CORRELATION_ID, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(struct.pack(">i", len(body)) + body)
            (size,) = struct.unpack(">i", recv_exact(sock, 4))
            if size < 6:
                return f"short response ({size} bytes)"
            correlation_id, error_code = struct.unpack(">ih", recv_exact(sock, 6))
            recv_exact(sock, size - 6)
    except OSError as e:
        return f"{type(e).__name__}: {e}"
    if correlation_id != CORRELATION_ID:
        return f"unexpected correlation id {correlation_id}"
    if error_code != 0:
        return f"ApiVersions error code {error_code}"
    return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) still answers kill(0).
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("address", help="HOST:PORT of the broker")
    parser.add_argument("--timeout-s", type=float, default=30.0, help="give up after this many seconds (30)")
    parser.add_argument("--pid", type=int, help="stop waiting if this process exits")
    args = parser.parse_args()

    host, _, port = args.address.rpartition(":")
    deadline = time.monotonic() + args.timeout_s
    while True:
        last_error = probe(host, int(port), timeout=2.0)
        if last_error is None:
            return 0
        if args.pid is not None and not pid_alive(args.pid):
            print(f"wait_for_broker: broker process {args.pid} exited ({last_error})", file=sys.stderr)
            return 2
        if time.monotonic() >= deadline:
            print(
                f"wait_for_broker: no ApiVersions answer from {args.address} within {args.timeout_s:g} s "
                f"(last: {last_error})",
                file=sys.stderr,
            )
            return 1
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
