"""One diagnostic type for every stage, so each problem names file, line and key path.

Errors and warnings share the shape; a `ComposeError` carries one or more error
diagnostics so a user sees every problem of one pass at once.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable


@dataclass(frozen=True, order=True)
class Loc:
    """Where a value was written: absolute file path and 1-based line."""

    file: str
    line: int


@dataclass(frozen=True, order=True)
class NumericKeyLoc(Loc):
    """Where a mapping key was written that YAML reads as a number (`123:`): it is kept as a string, and
    where compose-go refuses such keys (service names, environment variables) the location says so."""


class KeyPath:
    """A key path and where it was written, carried together (compose-go's tree.Path, located), so a
    diagnostic names both without each caller joining strings and looking up lines.

    `KeyPath("services").key("web", services)` is `services.web` at the line `web` was written in
    the YAML mapping `services`; a key its container does not locate stays where its parent is.

    A step is only recorded; its text and line are worked out when first asked for. The pipeline makes a
    path for every key it reads (60,000 for 2,000 services) and a diagnostic asks for a handful: joining
    and locating each at once was a tenth of `plan`. The containers (the loaded YAML) are never changed,
    so the answer is the same later.
    """

    __slots__ = ("_parent", "_kind", "_step", "_container", "_path", "_loc", "_located")

    def __init__(self, path: str = "", loc: Loc | None = None):
        self._parent: KeyPath | None = None
        self._kind = _GIVEN
        self._step: Any = None  # a key, an index, or (for `at`) a Loc | None
        self._container: object = None
        self._path: str | None = path
        self._loc: Loc | None = loc
        self._located = True

    def _after(self, kind: int, step: Any, container: object) -> KeyPath:
        child = KeyPath.__new__(KeyPath)
        child._parent, child._kind, child._step, child._container = self, kind, step, container
        child._path, child._loc, child._located = None, None, False
        return child

    def key(self, name: object, container: object = None) -> KeyPath:
        """The path one key deeper, located at that key's line when the container knows it."""
        return self._after(_KEY, name, container)

    def item(self, index: int, container: object = None) -> KeyPath:
        """An entry of a sequence: `ports[0]`."""
        return self._after(_ITEM, index, container)

    def at(self, loc: Loc | None) -> KeyPath:
        """The same path, written at `loc` (kept where it is when `loc` is None)."""
        return self._after(_AT, loc, None)

    @property
    def path(self) -> str:
        """`services.web.ports[1]`: the parent's path and this step, joined once, when first asked for."""
        if self._path is None:
            parent = self._parent
            assert parent is not None
            if self._kind == _AT:
                self._path = parent.path
            elif self._kind == _ITEM:
                self._path = f"{parent.path}[{self._step}]"
            else:
                self._path = f"{parent.path}.{self._step}" if parent.path else str(self._step)
        return self._path

    @property
    def loc(self) -> Loc | None:
        """Where the key was written: the container's line for it, else the parent's place; `at`'s own place."""
        if not self._located:
            parent = self._parent
            assert parent is not None
            if self._kind == _AT:
                self._loc = self._step or parent.loc
            else:
                loc_of = getattr(self._container, "loc_of", None)  # a located YAML mapping or sequence
                found: Loc | None = loc_of(self._step) if loc_of is not None else None
                self._loc = found or parent.loc
            self._located = True
        return self._loc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeyPath) and (self.path, self.loc) == (other.path, other.loc)

    def __hash__(self) -> int:
        return hash((self.path, self.loc))

    def __repr__(self) -> str:
        return f"KeyPath(path={self.path!r}, loc={self.loc!r})"

    def __str__(self) -> str:
        return self.path


_GIVEN, _KEY, _ITEM, _AT = range(4)  # how a KeyPath follows from its parent (`at`: the same path, elsewhere)


Where = str | KeyPath  # what a diagnostic is about: a plain path, or a KeyPath that also says where


def _split(where: Where, loc: Loc | None) -> tuple[str, Loc | None]:
    if isinstance(where, KeyPath):
        return where.path, loc or where.loc
    return where, loc


@dataclass(frozen=True)
class Diagnostic:
    message: str
    path: str = ""
    loc: Loc | None = None
    hint: str = ""

    def render(self, root: Path | None = None) -> str:
        """`file:line: key.path: message`, paths shown relative to `root`, and the hint on its own line."""
        where = _display_file(self.loc.file, root) + f":{self.loc.line}" if self.loc else "<input>"
        message, hint = _relative_text(self.message, root), _relative_text(self.hint, root)
        text = f"{where}: {self.path}: {message}" if self.path else f"{where}: {message}"
        return f"{text}\n  hint: {hint}" if hint else text

    def as_dict(self, root: Path | None = None) -> dict[str, Any]:
        """The diagnostic for JSON output, paths relative to `root`."""
        return {
            "file": _display_file(self.loc.file, root) if self.loc else None,
            "line": self.loc.line if self.loc else None,
            "path": self.path,
            "message": _relative_text(self.message, root),
            "hint": _relative_text(self.hint, root) or None,
        }

    def sort_key(self) -> tuple[Any, ...]:
        """File, line, key path and message: diagnostics print in the order of the files."""
        return (self.loc.file if self.loc else "", self.loc.line if self.loc else 0, self.path, self.message)


def _display_file(file: str, root: Path | None) -> str:
    """Paths relative to the project folder keep output identical across machines."""
    if root is None:
        return file
    # outside the folder (a file of the repository above it): `../name`, still no absolute path
    return Path(os.path.relpath(Path(file).resolve(), root.resolve())).as_posix()


def _relative_text(text: str, root: Path | None) -> str:
    """A message naming a file by its absolute path names it from the project folder instead: the runner's
    checkout (or a diff's scratch copy of the base) never reaches printed output, and the same tree gives
    the same words on both sides of a diff."""
    if root is None or not text:
        return text
    folder = str(root.resolve())
    return text.replace(folder + "/", "").replace(folder, ".")


class ComposeError(Exception):
    """The only exception the loader and planner raise for bad input."""

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = sorted(diagnostics, key=Diagnostic.sort_key)
        if not self.diagnostics:
            raise ValueError("ComposeError needs at least one diagnostic")
        super().__init__("\n".join(d.render() for d in self.diagnostics))

    @property
    def first(self) -> Diagnostic:
        """The first problem, for one-line summaries."""
        return self.diagnostics[0]

    def render(self, root: Path | None = None) -> str:
        """Every diagnostic, one `error:` line each."""
        return "\n".join("error: " + d.render(root) for d in self.diagnostics)


def fail(message: str, path: Where = "", loc: Loc | None = None, hint: str = "") -> ComposeError:
    """A ComposeError of one diagnostic, to raise where reading cannot go on."""
    return ComposeError(Diagnostic(message, *_split(path, loc), hint))


@dataclass
class Report:
    """Collects warnings and errors of one pass; one channel for every stage."""

    warnings: list[Diagnostic] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    files_loaded: int = 0  # Compose files read so far (include fan-out is bounded by it)
    # values interpolated from credential-named or process-environment variables: deployed as secrets,
    # and never printed (errors included)
    sensitive_values: dict[str, str] = field(default_factory=dict)  # value -> the variable it came from

    def warn(self, message: str, path: Where = "", loc: Loc | None = None, hint: str = "") -> None:
        """Record a warning once: the same problem reached twice (an extended service) is said once."""
        diag = Diagnostic(message, *_split(path, loc), hint)
        if diag not in self.warnings:
            self.warnings.append(diag)

    def error(self, message: str, path: Where = "", loc: Loc | None = None, hint: str = "") -> None:
        """Record an error; reading goes on so that all errors are reported together."""
        self.errors.append(Diagnostic(message, *_split(path, loc), hint))

    def add(self, err: ComposeError) -> None:
        """Record every diagnostic of a ComposeError raised by a stage that stops at its first."""
        self.errors.extend(err.diagnostics)

    def raise_if_errors(self) -> None:
        """End the stage if anything was wrong, with every error at once."""
        if self.errors:
            raise ComposeError(self.errors)

    def sorted_warnings(self) -> list[Diagnostic]:
        """Warnings in file and line order, as they print."""
        return sorted(self.warnings, key=Diagnostic.sort_key)


def did_you_mean(word: str, choices: Iterable[Any], limit: int = 3) -> str:
    """A hint naming the closest valid spellings (at most `limit`, best first), or "" when none is close."""
    close = difflib.get_close_matches(word, sorted(str(c) for c in choices), n=limit, cutoff=0.6)
    return "did you mean " + " or ".join(f'"{c}"' for c in close) + "?" if close else ""
