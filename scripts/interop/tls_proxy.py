#!/usr/bin/env python3
"""A proxy in front of a plaintext Kafka broker that adds what the test broker lacks: TLS
termination (optionally requiring a client certificate) and SASL authentication (PLAIN,
SCRAM-SHA-256, SCRAM-SHA-512), so that the client's security code runs against the real broker.

  tls_proxy.py --listen PORT [--listen-host HOST ...] --upstream HOST:PORT
               [--cert server.pem --key server.key [--client-ca ca.pem]]
               [--sasl PLAIN,SCRAM-SHA-256,SCRAM-SHA-512 --user USER --password PASSWORD]

With --sasl each connection must authenticate as a Kafka broker requires: ApiVersions (forwarded;
the broker's answer gets SaslHandshake and SaslAuthenticate appended if it lacks them), then
SaslHandshake v0/v1 and SaslAuthenticate v0-v2, answered here; any other request before
authentication closes the connection, as Kafka does. After that, bytes are forwarded unchanged.
Start the broker with --advertised-listener-url pointing at this proxy so that every connection
of a client comes through it.

Prints "ready" on stdout once listening; runs until killed.
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import os
import ssl
import struct
import sys

API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 17, 36
SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE = 58, 33, 34
HASHES = {"SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}
ITERATIONS = 4096


def uvarint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class Reader:
    def __init__(self, data, offset=0):
        self.data, self.offset = data, offset

    def take(self, n):
        if self.offset + n > len(self.data):
            raise ValueError("truncated")
        chunk = self.data[self.offset:self.offset + n]
        self.offset += n
        return chunk

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        shift = value = 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def tagged_fields(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


async def read_frame(reader):
    size = struct.unpack(">i", await reader.readexactly(4))[0]
    return await reader.readexactly(size)


def send_frame(writer, body):
    writer.write(struct.pack(">i", len(body)) + body)


def parse_request_header(frame, flexible):
    r = Reader(frame)
    api_key, version, correlation = r.int16(), r.int16(), r.int32()
    client_id_length = r.int16()
    if client_id_length > 0:
        r.take(client_id_length)
    if flexible:
        r.tagged_fields()
    return api_key, version, correlation, r


def patch_api_versions(body, version):
    """Appends SaslHandshake 0-1 and SaslAuthenticate 0-2 when the broker does not list them."""
    r = Reader(body)
    if r.int16() != 0:
        return body
    flexible = version >= 3
    count = r.uvarint() - 1 if flexible else r.int32()
    keys = set()
    for _ in range(count):
        keys.add(r.int16())
        r.take(4)
        if flexible:
            r.tagged_fields()
    end = r.offset
    extra = [(k, lo, hi) for k, lo, hi in ((SASL_HANDSHAKE, 0, 1), (SASL_AUTHENTICATE, 0, 2)) if k not in keys]
    if not extra:
        return body
    entries = b"".join(struct.pack(">hhh", *e) + (b"\x00" if flexible else b"") for e in extra)
    header = struct.pack(">h", 0) + (uvarint(count + len(extra) + 1) if flexible else struct.pack(">i", count + len(extra)))
    first_entry = 2 + (len(uvarint(count + 1)) if flexible else 4)
    return header + body[first_entry:end] + entries + body[end:]


class ScramServer:
    def __init__(self, mechanism, user, password):
        self.hash = HASHES[mechanism]
        self.user = user
        self.salt = os.urandom(16)
        salted = hashlib.pbkdf2_hmac(self.hash, password.encode(), self.salt, ITERATIONS)
        client_key = hmac.new(salted, b"Client Key", self.hash).digest()
        self.stored_key = hashlib.new(self.hash, client_key).digest()
        self.server_key = hmac.new(salted, b"Server Key", self.hash).digest()
        self.step = 0

    def respond(self, token):
        """Returns (response token, done); raises ValueError on a failed authentication."""
        message = token.decode()
        if self.step == 0:
            if not message.startswith("n,,"):
                raise ValueError("channel binding is not supported")
            self.client_first_bare = message[3:]
            attributes = dict(part.split("=", 1) for part in self.client_first_bare.split(","))
            user = attributes["n"].replace("=2C", ",").replace("=3D", "=")
            if user != self.user:
                raise ValueError("unknown user")
            self.nonce = attributes["r"] + base64.b64encode(os.urandom(18)).decode()
            self.server_first = f"r={self.nonce},s={base64.b64encode(self.salt).decode()},i={ITERATIONS}"
            self.step = 1
            return self.server_first.encode(), False
        without_proof, _, proof = message.rpartition(",p=")
        attributes = dict(part.split("=", 1) for part in without_proof.split(","))
        if attributes.get("c") != "biws" or attributes.get("r") != self.nonce:
            raise ValueError("bad client-final message")
        auth_message = f"{self.client_first_bare},{self.server_first},{without_proof}".encode()
        signature = hmac.new(self.stored_key, auth_message, self.hash).digest()
        client_key = bytes(a ^ b for a, b in zip(base64.b64decode(proof), signature))
        if not hmac.compare_digest(hashlib.new(self.hash, client_key).digest(), self.stored_key):
            raise ValueError("invalid credentials")
        server_signature = hmac.new(self.server_key, auth_message, self.hash).digest()
        return b"v=" + base64.b64encode(server_signature), True


def sasl_authenticate_response(correlation, version, error, message, token):
    if version >= 2:
        body = struct.pack(">h", error)
        body += uvarint(0) if message is None else uvarint(len(message.encode()) + 1) + message.encode()
        body += uvarint(len(token) + 1) + token + struct.pack(">q", 0) + b"\x00"
        return struct.pack(">i", correlation) + b"\x00" + body
    body = struct.pack(">h", error)
    body += struct.pack(">h", -1) if message is None else struct.pack(">h", len(message.encode())) + message.encode()
    body += struct.pack(">i", len(token)) + token
    if version >= 1:
        body += struct.pack(">q", 0)
    return struct.pack(">i", correlation) + body


async def authenticate(args, client_reader, client_writer, broker_reader, broker_writer):
    """Runs the pre-authentication part of a connection; True once the client is authenticated."""
    mechanisms = args.sasl.split(",")
    mechanism = server = None
    while True:
        frame = await read_frame(client_reader)
        api_key, version = struct.unpack(">hh", frame[:4])
        if api_key == API_VERSIONS:
            send_frame(broker_writer, frame)
            correlation = frame[4:8]
            response = await read_frame(broker_reader)
            send_frame(client_writer, correlation + patch_api_versions(response[4:], version))
        elif api_key == SASL_HANDSHAKE:
            _, _, correlation, r = parse_request_header(frame, False)
            requested = r.take(r.int16()).decode()
            error = 0 if requested in mechanisms and mechanism is None else UNSUPPORTED_SASL_MECHANISM
            body = struct.pack(">ih", correlation, error) + struct.pack(">i", len(mechanisms))
            body += b"".join(struct.pack(">h", len(m)) + m.encode() for m in mechanisms)
            send_frame(client_writer, body)
            if error:
                return False
            mechanism = requested
            if mechanism in HASHES:
                server = ScramServer(mechanism, args.user, args.password)
        elif api_key == SASL_AUTHENTICATE and mechanism is not None:
            _, version, correlation, r = parse_request_header(frame, version >= 2)
            token = r.take(r.uvarint() - 1) if version >= 2 else r.take(r.int32())
            try:
                if server is None:
                    _, user, password = token.decode().split("\x00")
                    if (user, password) != (args.user, args.password):
                        raise ValueError("Invalid username or password")
                    answer, done = b"", True
                else:
                    answer, done = server.respond(token)
            except (ValueError, KeyError, UnicodeDecodeError) as error:
                message = f"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}"
                send_frame(client_writer, sasl_authenticate_response(correlation, version, SASL_AUTHENTICATION_FAILED, message, b""))
                await client_writer.drain()
                return False
            send_frame(client_writer, sasl_authenticate_response(correlation, version, 0, None, answer))
            if done:
                return True
        else:
            return False  # Kafka closes a connection that skips authentication
        await client_writer.drain()


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def handle(args, client_reader, client_writer):
    host, port = args.upstream.rsplit(":", 1)
    try:
        broker_reader, broker_writer = await asyncio.open_connection(host, int(port))
    except OSError:
        client_writer.close()
        return
    try:
        if args.sasl and not await authenticate(args, client_reader, client_writer, broker_reader, broker_writer):
            raise ConnectionError("not authenticated")
        await client_writer.drain()
        await asyncio.gather(pipe(client_reader, broker_writer), pipe(broker_reader, client_writer))
    except (ConnectionError, asyncio.IncompleteReadError, ValueError, ssl.SSLError):
        pass
    finally:
        client_writer.close()
        broker_writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--listen-host", action="append")
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca")
    parser.add_argument("--sasl")
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)
    server = await asyncio.start_server(
        lambda r, w: handle(args, r, w), args.listen_host or ["127.0.0.1"], args.listen, ssl=context
    )
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
