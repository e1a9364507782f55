"""A local OpenAI-compatible server that replays recorded responses (tests/remote_transcripts.py)
over real HTTP on 127.0.0.1, and misbehaves on request: stall, drop the connection, send 429/401.

    with FakeOpenAI() as fake:
        fake.route("GET", "/v1/models", json=MODELS["vllm"])
        fake.route("POST", "/v1/chat/completions", sse=vllm(reasoning=True))
        fake.url  -> "http://127.0.0.1:PORT/v1"

A streamed reply is sent with chunked transfer encoding, one chunk per SSE event, ``delay_s``
apart. ``stall_after=N`` stops sending after N events (the connection stays open until the test
ends); ``drop_after=N`` resets the connection after N events (no terminating chunk). Every request
is recorded in ``requests`` (method, path, headers, JSON body).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    sse: list[str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    stall_after: int | None = None
    drop_after: int | None = None


class FakeOpenAI:
    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        """``tls``: (certificate file, key file) to serve https."""
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()  # set at close: stalled replies end
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                fake.requests.append({"method": method, "path": self.path, "headers": dict(self.headers),
                                      "json": body})
                replies = fake.routes.get((method, self.path.split("?")[0]))
                if not replies:
                    self._send_json(404, {"detail": "Not Found"})
                    return
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply.sse is None:
                    self._send_json(reply.status, reply.json, reply.headers)
                else:
                    self._stream(reply)

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

            def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, reply: Reply) -> None:
                self.send_response(reply.status)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Transfer-Encoding", "chunked")
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.flush()
                try:
                    for i, event in enumerate(reply.sse or []):
                        if reply.stall_after is not None and i >= reply.stall_after:
                            fake.release.wait(60)
                            self.close_connection = True
                            return
                        if reply.drop_after is not None and i >= reply.drop_after:
                            # a reset, as when a proxy or the host drops it: no terminating chunk. After
                            # a pause, so the client has read what came (a reset discards unread data)
                            time.sleep(0.3)
                            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                            self.connection.close()
                            self.close_connection = True
                            return
                        data = event.encode()
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        self.wfile.flush()
                        if reply.delay_s:
                            time.sleep(reply.delay_s)
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    fake.disconnected.set()  # the client closed the stream (Stop)
                    self.close_connection = True

        self.disconnected = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        # shutdown() waits for serve_forever's next poll: 0.5 s by default, in every test's stop
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def root(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return self.root + "/v1"

    def route(self, method: str, path: str, *replies: Reply, **one: Any) -> None:
        """Replies for ``path``, one per request in order (the last one repeats)."""
        self.routes[(method, path)] = list(replies) if replies else [Reply(**one)]

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def self_signed(folder: Any) -> tuple[str, str]:
    """A certificate for 127.0.0.1 signed by itself (a private server's own CA), and its key."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hearth test CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)
