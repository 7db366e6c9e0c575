"""Fake model servers on 127.0.0.1 for the gateway test: llama.cpp's OpenAI API and SageMaker runtime.

The SageMaker side answers InvokeEndpoint with a chat completion and
InvokeEndpointWithResponseStream with AWS's event-stream framing (each PayloadPart a binary
message: prelude, headers, payload, CRC32s), packing several server-sent events into one part as
AWS may. Every request is recorded so the test can check what the gateway sent.
"""

from __future__ import annotations

import binascii
import json
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = "Hello from the model."
WORDS = ["Hello", " from", " the", " model", "."]


def event_message(payload: bytes, event_type: str = "PayloadPart") -> bytes:
    """One AWS event-stream message (the vnd.amazon.eventstream encoding botocore decodes)."""
    headers = b""
    for name, value in (
        (":event-type", event_type),
        (":content-type", "application/octet-stream"),
        (":message-type", "event"),
    ):
        encoded = value.encode()
        headers += bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(encoded)) + encoded
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + headers + payload
    return message + struct.pack(">I", binascii.crc32(message) & 0xFFFFFFFF)


def completion(model: str) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": REPLY}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8},
    }


def sse_events(model: str) -> list[bytes]:
    events = []
    for i, word in enumerate(WORDS):
        chunk = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "delta": {"content": word} if i else {"role": "assistant", "content": word},
                    "finish_reason": None,
                }
            ],
        }
        events.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    final = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": model,
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    }
    events.append(b"data: " + json.dumps(final).encode() + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return events


ASLEEP_SAGEMAKER = {
    "message": "Inference Component has no capacity to process this request. ApplicationAutoScaling "
    "may be in-progress (if configured) or try to increase the capacity by invoking "
    "UpdateInferenceComponentRuntimeConfig API."
}
ASLEEP_ECS = b"no healthy upstream"  # what Service Connect's proxy answers while a service has no task


class Upstream:
    def __init__(self, asleep: int = 0, down: frozenset[str] = frozenset()):
        """`asleep`: how many first requests to each model are answered as by a model at zero instances;
        `down`: models (or SageMaker endpoint paths) answered so for ever."""
        self.requests: list[dict] = []
        self.asleep: dict[str, int] = {key: 10**9 for key in down}
        self.asleep_for = asleep
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                upstream.requests.append({"method": "GET", "path": self.path, "headers": dict(self.headers)})
                if self.path.rstrip("/").endswith("/health"):
                    self._send(200, b'{"status": "ok"}')
                elif self.path.rstrip("/").endswith("/v1/models"):
                    self._send(
                        200, json.dumps({"object": "list", "data": [{"id": "served", "object": "model"}]}).encode()
                    )
                else:
                    self._send(404, b"{}")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                upstream.requests.append(
                    {"method": "POST", "path": self.path, "body": body, "headers": dict(self.headers)}
                )
                key = self.path.split("/invocations")[0] if "/endpoints/" in self.path else str(body.get("model"))
                if upstream.asleep.setdefault(key, upstream.asleep_for) > 0:
                    upstream.asleep[key] -= 1
                    if "/endpoints/" in self.path:
                        self.send_response(400)
                        self.send_header("x-amzn-ErrorType", "ValidationError:http://internal.amazon.com/coral/")
                        body = json.dumps(ASLEEP_SAGEMAKER).encode()
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    else:
                        self._send(503, ASLEEP_ECS, "text/plain")
                    return
                if "/endpoints/" in self.path:
                    self._sagemaker(body)
                elif self.path.endswith("/chat/completions"):
                    if body.get("stream"):
                        self._send(200, b"".join(sse_events(body.get("model", ""))), "text/event-stream")
                    else:
                        self._send(200, json.dumps(completion(body.get("model", ""))).encode())
                elif self.path.endswith("/embeddings"):
                    inputs = body.get("input")
                    count = len(inputs) if isinstance(inputs, list) else 1
                    self._send(
                        200,
                        json.dumps(
                            {
                                "object": "list",
                                "model": body.get("model"),
                                "data": [
                                    {"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
                                    for i in range(count)
                                ],
                                "usage": {"prompt_tokens": 2, "total_tokens": 2},
                            }
                        ).encode(),
                    )
                else:
                    self._send(404, b"{}")

            def _sagemaker(self, body: dict) -> None:
                if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256"):
                    self._send(403, b'{"message": "missing signature"}')
                elif self.path.endswith("/invocations-response-stream"):
                    events = sse_events("llama")
                    # AWS packs several events into one part, and splits others across parts
                    first, second = events[0] + events[1] + events[2][:10], events[2][10:] + events[3]
                    parts = [first, second, b"".join(events[4:])]
                    self._send(200, b"".join(event_message(p) for p in parts), "application/vnd.amazon.eventstream")
                else:
                    self._send(200, json.dumps(completion("llama")).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Upstream":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
