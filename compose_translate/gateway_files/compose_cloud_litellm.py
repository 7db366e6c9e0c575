"""compose-cloud's fixes to LiteLLM's `sagemaker_chat` route, applied when the gateway imports this
file (`litellm_settings.callbacks` in the config.yaml beside it); tested against the pinned release
with a fake SageMaker runtime (tests/program/test_gateway_litellm.py).

1. Streams are parsed by server-sent event: AWS may end a PayloadPart inside an event or pack
   several into one; LiteLLM parses the joined parts as one JSON document, so a packed part left
   the reply empty ("Unparseable JSON data remained").
2. Request bodies carry only the chat request: LiteLLM copied `aws_region_name` into them; the
   AWS settings stay in use for signing.
3. Requests to an endpoint that serves an inference component (a model that scales to zero) name it
   (X-Amzn-SageMaker-Inference-Component, signed): LiteLLM takes the name only from a `model_id`
   parameter that its router consumes as the deployment's id. COMPOSE_CLOUD_INFERENCE_COMPONENTS
   maps endpoint names to components.
4. Each request for a model that scales to zero (COMPOSE_CLOUD_WAKE_MODELS) is logged as one JSON
   line, `{"event": "compose-cloud-request", "model": ...}`: a CloudWatch metric filter on the
   gateway's logs counts them, which keeps the model awake.
5. Each attempt that finds a model asleep on ECS (Service Connect's 503: the service has no task) is
   logged as `{"event": "compose-cloud-asleep", "model": ...}`: the metric filter's count wakes it.
6. A Bedrock model that refuses the gateway (403: no access to the model, or the role may not invoke it)
   is logged as one line naming the Bedrock model ID, its Region and what to check
   (`{"event": "compose-cloud-bedrock-denied", ...}`); COMPOSE_CLOUD_BEDROCK_MODELS maps model names to them.
"""

import json
import os
import sys

from botocore.eventstream import EventStreamBuffer
from litellm.integrations.custom_logger import CustomLogger
from litellm.llms.sagemaker.chat.transformation import SagemakerChatConfig
from litellm.llms.sagemaker.common_utils import AWSEventStreamDecoder

_SEPARATORS = (b"\r\n\r\n", b"\n\n")


def _payload(event) -> bytes:
    """The bytes of one PayloadPart; an error event (ModelStreamError, ...) raises."""
    response = event.to_response_dict()
    if response["status_code"] != 200:
        raise ValueError(f"SageMaker stream error: {response.get('body', b'')[:500]!r}")
    return response.get("body") or b""


def _split(pending: bytes) -> tuple[list[bytes], bytes]:
    """Complete events of `pending` and what is left of an event still arriving."""
    events = []
    while True:
        ends = [(pending.find(sep), sep) for sep in _SEPARATORS if pending.find(sep) >= 0]
        if not ends:
            return events, pending
        index, separator = min(ends)
        events.append(pending[:index])
        pending = pending[index + len(separator):]


def _data(event: bytes) -> str | None:
    """The `data:` of one event (several lines joined), or the text itself when it is bare JSON."""
    lines = event.decode("utf-8").splitlines()
    data = [line[5:].removeprefix(" ") for line in lines if line.startswith("data:")]
    text = "\n".join(data) if data else "\n".join(line for line in lines if line and not line.startswith(":"))
    return None if not text.strip() or text.strip() == "[DONE]" else text


def _chunk(decoder: AWSEventStreamDecoder, text: str):
    data = json.loads(text)
    return decoder._chunk_parser_messages_api(chunk_data=data) if decoder.is_messages_api else \
        decoder._chunk_parser(chunk_data=data)


def _chunks(decoder: AWSEventStreamDecoder, buffer: EventStreamBuffer, pending: bytes):
    chunks = []
    for event in buffer:
        pending += _payload(event)
        complete, pending = _split(pending)
        chunks += [_chunk(decoder, text) for text in map(_data, complete) if text is not None]
    return chunks, pending


def _rest(decoder: AWSEventStreamDecoder, pending: bytes):
    text = _data(pending) if pending.strip() else None
    return [_chunk(decoder, text)] if text is not None else []


def iter_bytes(self, iterator):
    buffer, pending = EventStreamBuffer(), b""
    for part in iterator:
        buffer.add_data(part)
        chunks, pending = _chunks(self, buffer, pending)
        yield from chunks
    yield from _rest(self, pending)


async def aiter_bytes(self, iterator):
    buffer, pending = EventStreamBuffer(), b""
    async for part in iterator:
        buffer.add_data(part)
        chunks, pending = _chunks(self, buffer, pending)
        for chunk in chunks:
            yield chunk
    for chunk in _rest(self, pending):
        yield chunk


_transform_request = SagemakerChatConfig.transform_request
_validate_environment = SagemakerChatConfig.validate_environment
_COMPONENTS = json.loads(os.environ.get("COMPOSE_CLOUD_INFERENCE_COMPONENTS") or "{}")


def transform_request(self, *args, **kwargs):
    request = _transform_request(self, *args, **kwargs)
    return {key: value for key, value in request.items() if not key.startswith("aws_")}


def validate_environment(self, headers, model, *args, **kwargs):
    headers = _validate_environment(self, headers, model, *args, **kwargs)
    component = _COMPONENTS.get(model)
    return {**headers, "X-Amzn-SageMaker-Inference-Component": component} if component else headers


SagemakerChatConfig.validate_environment = validate_environment
AWSEventStreamDecoder.iter_bytes = iter_bytes
AWSEventStreamDecoder.aiter_bytes = aiter_bytes
SagemakerChatConfig.transform_request = transform_request

_WAKING = frozenset(json.loads(os.environ.get("COMPOSE_CLOUD_WAKE_MODELS") or "[]"))
_BEDROCK = json.loads(os.environ.get("COMPOSE_CLOUD_BEDROCK_MODELS") or "{}")


def _log(line: dict) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


class RequestLog(CustomLogger):
    """One line per request for a waking model, before routing (so a request held while the model
    starts is counted at once); only configured names are logged, so the metric's dimensions stay bounded."""

    async def async_pre_call_hook(self, user_api_key_dict, cache, data, call_type):
        model = data.get("model") if isinstance(data, dict) else None
        if model in _WAKING:
            _log({"event": "compose-cloud-request", "model": model})
        return data

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        """Called for every failed attempt (the router's retries included)."""
        params = kwargs.get("litellm_params") or {}
        model = (params.get("metadata") or {}).get("model_group") or kwargs.get("model")
        status = getattr(kwargs.get("exception"), "status_code", None)
        if model in _WAKING and status == 503:
            _log({"event": "compose-cloud-asleep", "model": model})
        if model in _BEDROCK and status in (401, 403):
            target = _BEDROCK[model]
            _log(
                {
                    "event": "compose-cloud-bedrock-denied",
                    "model": model,
                    "bedrockModel": target["id"],
                    "region": target["region"],
                    "message": f"Bedrock refused {target['id']} in {target['region']} ({status})",
                    "fix": "run `compose-cloud preflight`: it checks this model's availability and access in the "
                    "account; an administrator may have to grant access to the model (Bedrock console, Model "
                    "access) or allow the gateway's role to invoke it",
                }
            )


handler = RequestLog()  # what `callbacks: compose_cloud_litellm.handler` names
