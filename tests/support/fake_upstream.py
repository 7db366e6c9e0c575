"""Fake model servers on 127.0.0.1 for the gateway test: llama.cpp's OpenAI API, SageMaker runtime and
Bedrock runtime.

The SageMaker side answers InvokeEndpoint with a chat completion and
InvokeEndpointWithResponseStream with AWS's event-stream framing (each PayloadPart a binary
message: prelude, headers, payload, CRC32s), packing several server-sent events into one part as
AWS may. The Bedrock side (under /bedrock/<region>/) answers Converse, ConverseStream (each event a
binary message named by `:event-type`, sent in HTTP chunks that split one message and coalesce
others) and InvokeModel for Titan embeddings, with tool calls when the request offers tools, and
AWS's AccessDeniedException for models in `denied`. Every request is recorded so the test can check
what the gateway sent.
"""

from __future__ import annotations

import binascii
import json
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = "Hello from the model."
WORDS = ["Hello", " from", " the", " model", "."]


def event_message(
    payload: bytes, event_type: str = "PayloadPart", content_type: str = "application/octet-stream"
) -> bytes:
    """One AWS event-stream message (the vnd.amazon.eventstream encoding botocore decodes)."""
    headers = b""
    for name, value in (
        (":event-type", event_type),
        (":content-type", content_type),
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


TOOL = {"toolUseId": "tooluse_1", "name": "get_weather"}
TOOL_INPUT = {"city": "Paris"}
USAGE = {"inputTokens": 3, "outputTokens": 5, "totalTokens": 8}
ACCESS_DENIED = "You don't have access to the model with the specified model ID."


def converse_reply(tools: bool) -> dict:
    """Bedrock Converse's response: a text answer, or a tool call when the request offered tools."""
    content = [{"toolUse": {**TOOL, "input": TOOL_INPUT}}] if tools else [{"text": REPLY}]
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "tool_use" if tools else "end_turn",
        "usage": USAGE,
        "metrics": {"latencyMs": 12},
    }


def converse_events(tools: bool) -> list[bytes]:
    """ConverseStream's events, each one event-stream message named by its type."""
    events: list[tuple[str, dict]] = [("messageStart", {"role": "assistant"})]
    if tools:
        arguments = json.dumps(TOOL_INPUT)
        events.append(("contentBlockStart", {"contentBlockIndex": 0, "start": {"toolUse": TOOL}}))
        events += [
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": piece}}})
            for piece in (arguments[:9], arguments[9:])
        ]
    else:
        events += [("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": word}}) for word in WORDS]
    events += [
        ("contentBlockStop", {"contentBlockIndex": 0}),
        ("messageStop", {"stopReason": "tool_use" if tools else "end_turn"}),
        ("metadata", {"usage": USAGE, "metrics": {"latencyMs": 12}}),
    ]
    return [event_message(json.dumps(body).encode(), kind, "application/json") for kind, body in events]


ASLEEP_SAGEMAKER = {
    "message": "Inference Component has no capacity to process this request. ApplicationAutoScaling "
    "may be in-progress (if configured) or try to increase the capacity by invoking "
    "UpdateInferenceComponentRuntimeConfig API."
}
ASLEEP_ECS = b"no healthy upstream"  # what Service Connect's proxy answers while a service has no task


class Upstream:
    def __init__(self, asleep: int = 0, down: frozenset[str] = frozenset(), denied: frozenset[str] = frozenset()):
        """`asleep`: how many first requests to each model are answered as by a model at zero instances;
        `down`: models (or SageMaker endpoint paths) answered so for ever; `denied`: Bedrock model IDs
        this account has no access to."""
        self.requests: list[dict] = []
        self.denied = denied
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
                if self.path.startswith("/bedrock/"):
                    self._bedrock(body)
                    return
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

            def _bedrock(self, body: dict) -> None:
                """/bedrock/<region>/model/<model id>/<converse|converse-stream|invoke>, signed for the region."""
                _, _, region, _, model, action = self.path.split("/", 5)
                model = urllib.parse.unquote(model)
                signature = self.headers.get("Authorization", "")
                if f"/{region}/bedrock/aws4_request" not in signature:
                    self._send(403, b'{"message": "missing or wrong signature"}')
                elif model in upstream.denied:
                    self.send_response(403)
                    self.send_header("x-amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/")
                    answer = json.dumps({"message": ACCESS_DENIED}).encode()
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                elif action == "invoke":  # Titan Text Embeddings V2
                    self._send(200, json.dumps({"embedding": [0.1, 0.2, 0.3], "inputTextTokenCount": 2}).encode())
                elif action == "converse":
                    self._send(200, json.dumps(converse_reply("toolConfig" in body)).encode())
                elif action == "converse-stream":
                    self._chunked(converse_events("toolConfig" in body))
                else:
                    self._send(404, b"{}")

            def _chunked(self, messages: list[bytes]) -> None:
                """The stream in HTTP chunks that split a message and pack several into one, as the network may."""
                data = b"".join(messages)
                cuts = sorted({7, len(messages[0]) + 5, len(data) // 2, len(data) - 3})
                pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.amazon.eventstream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for piece in pieces:
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.flush()
                    time.sleep(0.02)
                self.wfile.write(b"0\r\n\r\n")

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
