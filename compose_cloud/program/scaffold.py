"""`compose-cloud init`: make the folder of a Compose project a Pulumi project that deploys it.

What it writes is the smallest program that uses the library (`compose_cloud.program.run`), so the
user's repository runs exactly the code path this repository's own `__main__.py` does. It never
overwrites a file: an existing one is reported as skipped and left as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import yaml

PROGRAM = '''\
"""Deploys this folder's Compose application to AWS with compose-cloud.

Settings live in Pulumi.<stack>.yaml (compose-cloud:files, aws:region, ...); see
`compose-cloud --help` to preview offline before `pulumi up`.
"""

from compose_cloud.program import run

run()
'''


@dataclass(frozen=True)
class Written:
    path: Path
    created: bool


def requirement() -> str:
    """How the program's own virtualenv installs compose-cloud: from where this copy came, if not an index."""
    try:
        dist = distribution("compose-cloud")
    except PackageNotFoundError:
        return "compose-cloud>=0.1,<1"
    origin = dist.read_text("direct_url.json")
    url = json.loads(origin).get("url") if origin else None
    if isinstance(url, str) and url.startswith(("file://", "git+", "https://")):
        return f"compose-cloud @ {url}"  # a checkout or a wheel, as pip recorded it (PEP 610)
    return f"compose-cloud>={dist.version},<1"


def files_for(folder: Path, name: str, stack: str, region: str, compose_files: list[str]) -> dict[Path, str]:
    """Each file `init` writes and its text."""
    project = {
        "name": name,
        "description": f"{name}: a Compose application deployed with compose-cloud",
        "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}},
    }
    stack_config = {"config": {"aws:region": region, "compose-cloud:files": compose_files}}
    return {
        folder / "Pulumi.yaml": yaml.safe_dump(project, sort_keys=False),
        folder / "requirements.txt": "# Pulumi installs these into .venv before running __main__.py\n"
        f"{requirement()}\n",
        folder / "__main__.py": PROGRAM,
        folder / f"Pulumi.{stack}.yaml": yaml.safe_dump(stack_config, sort_keys=False),
    }


def ignore_virtualenv(folder: Path) -> bool:
    """Add `.venv/` (where Pulumi installs the program's packages) to the folder's .gitignore, once;
    True when it was added."""
    path = folder / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if any(line.strip().strip("/") == ".venv" for line in text.splitlines()):
        return False
    path.write_text(text + ("" if not text or text.endswith("\n") else "\n") + ".venv/\n", encoding="utf-8")
    return True


def write(files: dict[Path, str]) -> list[Written]:
    """Create each file that does not exist yet (exclusively: a file appearing meanwhile is kept)."""
    written = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
            written.append(Written(path, True))
        except FileExistsError:
            written.append(Written(path, False))
    return written
