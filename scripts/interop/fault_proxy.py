#!/usr/bin/env python3
"""A TCP proxy between Kafka clients and a broker that injects one fault: it forwards the Nth
Produce request to the broker, throws the broker's response away and closes the client's
connection, as if the network failed after the broker wrote the records. A producer that retries
then sends the same batch again; only an idempotent producer avoids writing it twice.

  fault_proxy.py --listen PORT --upstream HOST:PORT [--drop-produce-response N]

Prints "ready" on stdout once listening; runs until killed.
"""

import argparse
import socket
import struct
import sys
import threading

PRODUCE = 0


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(sock):
    size = read_exact(sock, 4)
    if size is None:
        return None
    body = read_exact(sock, struct.unpack(">i", size)[0])
    return None if body is None else size + body


class Faults:
    def __init__(self, drop_nth):
        self.lock = threading.Lock()
        self.produce_seen = 0
        self.drop_nth = drop_nth

    def should_drop(self):
        with self.lock:
            self.produce_seen += 1
            return self.produce_seen == self.drop_nth


def serve(client, upstream, faults):
    broker = socket.create_connection(upstream)
    drop = set()
    drop_lock = threading.Lock()

    def broker_to_client():
        try:
            while True:
                frame = read_frame(broker)
                if frame is None:
                    break
                correlation = struct.unpack(">i", frame[4:8])[0]
                with drop_lock:
                    dropped = correlation in drop
                if dropped:
                    client.shutdown(socket.SHUT_RDWR)
                    break
                client.sendall(frame)
        except OSError:
            pass
        finally:
            for s in (client, broker):
                try:
                    s.close()
                except OSError:
                    pass

    threading.Thread(target=broker_to_client, daemon=True).start()
    try:
        while True:
            frame = read_frame(client)
            if frame is None:
                break
            api_key, _, correlation = struct.unpack(">hhi", frame[4:12])
            if api_key == PRODUCE and faults.should_drop():
                with drop_lock:
                    drop.add(correlation)
            broker.sendall(frame)
    except OSError:
        pass
    finally:
        try:
            broker.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--drop-produce-response", type=int, default=1)
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    faults = Faults(args.drop_produce_response)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", args.listen))
    server.listen()
    print("ready", flush=True)
    while True:
        client, _ = server.accept()
        threading.Thread(target=serve, args=(client, (host, int(port)), faults), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
