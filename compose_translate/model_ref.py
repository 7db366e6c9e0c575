"""Model references as Docker Model Runner reads them, and where llama.cpp pulls them from.

Docker Hub artifacts (`ai/smollm2`, `unsloth/...`, `docker.io/...`, bare `qwen2.5:latest`
which means `ai/qwen2.5:latest`) are pulled with llama.cpp's docker-repo option;
Hugging Face ones (`hf.co/org/repo[:quant]`, `huggingface.co/...`) with its hf-repo option.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

SUPPORTED_FORMS = (
    "ai/<name>[:tag]",
    "<namespace>/<name>[:tag] (Docker Hub)",
    "docker.io/<namespace>/<name>[:tag]",
    "<name>[:tag] (read as ai/<name>)",
    "hf.co/<org>/<repo>[:quant]",
    "huggingface.co/<org>/<repo>[:quant]",
)
_HF_HOSTS = ("hf.co", "huggingface.co")
_DOCKER_HOSTS = ("docker.io", "index.docker.io", "registry-1.docker.io")
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_HF_COMPONENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
# Hosted API model names that Docker Hub does not serve; `gpt-oss` is a real ai/ model, `gpt-4o` is not.
_API_NAMES = re.compile(
    r"^(?:gpt-\d|chatgpt-|o\d(?:-|$)|claude-|gemini-|text-embedding-|davinci|babbage|dall-e|"
    r"whisper-\d|tts-\d|command-r|grok-)",
    re.IGNORECASE,
)
_EMBEDDING_HINTS = re.compile(r"embed|minilm|(?:^|[-_/])(?:bge|e5|gte)(?:[-_]|$)", re.IGNORECASE)


class ModelRefError(ValueError):
    pass


class ModelRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    written: str
    source: Literal["docker", "huggingface"]
    repository: str  # "ai/smollm2" or "org/repo" on Hugging Face
    tag: str | None = None
    digest: str | None = None

    @property
    def pull_reference(self) -> str:
        """What llama.cpp's --docker-repo / --hf-repo option takes."""
        suffix = f":{self.tag}" if self.tag else ""
        return f"{self.repository}{suffix}"

    @property
    def looks_like_embedding(self) -> bool:
        """Whether the name says embedding model, which the gateway then routes as embeddings."""
        return bool(_EMBEDDING_HINTS.search(self.repository.split("/", 1)[-1]))


def parse_model_ref(text: str) -> ModelRef:
    """A Compose `model:` reference (Docker Hub `ai/...`, another OCI registry, or `hf.co/...`) split and
    normalised, or a ModelRefError saying which form is supported."""
    written = text
    if not text or text != text.strip() or any(c.isspace() for c in text):
        raise ModelRefError("a model reference cannot be empty or contain spaces")
    if "://" in text:
        raise ModelRefError(f'"{text}" is a URL; write the reference without a scheme')
    first, _, rest = text.partition("/")
    if rest and first in _HF_HOSTS:
        return _huggingface(written, rest)
    if rest and first in _DOCKER_HOSTS:
        text, first, rest = rest, *rest.partition("/")[::2]
    elif rest and ("." in first or ":" in first or first == "localhost"):
        raise ModelRefError(f'registry "{first}" is not supported; models are pulled from Docker Hub or Hugging Face')
    name_part, digest = _split_digest(text)
    path, tag = _split_tag(name_part)
    components = path.split("/")
    if len(components) == 1:
        if _API_NAMES.match(path):
            raise ModelRefError(
                f'"{path}" looks like a hosted API model name, not a model artifact; '
                "pick an open-weights model such as ai/smollm2 or ai/gpt-oss"
            )
        components = ["ai", path]
    if len(components) != 2:
        raise ModelRefError(f'"{written}" has {len(components)} path components; expected <namespace>/<name>')
    for component in components:
        if not _COMPONENT.match(component):
            raise ModelRefError(f'"{component}" is not a valid Docker Hub name (lowercase letters, digits, . _ -)')
    return ModelRef(written=written, source="docker", repository="/".join(components), tag=tag, digest=digest)


def _huggingface(written: str, rest: str) -> ModelRef:
    path, tag = _split_tag(rest)
    parts = path.split("/")
    if len(parts) != 2 or not all(_HF_COMPONENT.match(p) for p in parts):
        raise ModelRefError(f'"{written}" must name a Hugging Face repository as hf.co/<org>/<repo>[:quant]')
    return ModelRef(written=written, source="huggingface", repository=path, tag=tag)


def _split_digest(text: str) -> tuple[str, str | None]:
    name, sep, digest = text.partition("@")
    if sep and not _DIGEST.match(digest):
        raise ModelRefError(f'"{digest}" is not a valid digest (sha256:<64 hex digits>)')
    return name, digest or None


def _split_tag(text: str) -> tuple[str, str | None]:
    path, sep, tag = text.rpartition(":")
    if not sep or "/" in tag:
        return text, None
    if not _TAG.match(tag):
        raise ModelRefError(f'"{tag}" is not a valid tag')
    return path, tag
