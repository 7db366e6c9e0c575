"""The real Compose files beside the clone (../shared/corpus/wild), and the ones that must fail to load."""

from __future__ import annotations

from support.common import WILD

# Files that Docker Compose itself would refuse on their own, with the reason we must give.
EXPECTED_ERRORS = {
    # partial override files meant to be merged onto a base that does not define their service
    "ajeetraina__ai-agent-hackathon-recommender/compose.offload.yaml": "neither an image nor a build",
    "ajeetraina__ai-agent-hackathon-recommender/compose.openai.yaml": "neither an image nor a build",
    "dockersamples__labspace-ai-fundamentals/compose.override.yaml": "neither an image nor a build",
    # docker/compose's fixture for `config --no-consistency`: deliberately incomplete
    "docker-compose-testdata/pkg__e2e__testdata__TestLocalComposeConfigNoConsistency__compose.yaml": "neither an image nor a build",  # noqa: E501
    "dockersamples__labspace-ai-fundamentals/compose.yaml": "cannot be resolved offline",
    # --verbose-prompt is an option of llama.cpp's CLI tools, not of llama-server (common/arg.cpp): refused
    "Compose-and-Dragons__dungeon.v1/deck__300-DOCKERIZE-GENAI-APP__demos__2-advanced-model-configuration__compose.yaml": "--verbose-prompt: not on the allow-list",  # noqa: E501
    # env_file .env is git-ignored upstream (.env-sample is its template): see the test below
    "dockersamples__docker-cerebras-demo/compose.yml": "env file not found",
}


FILES = sorted(str(p.relative_to(WILD)) for p in WILD.glob("*/*.y*ml")) if WILD.is_dir() else []
