"""Parse one Compose YAML file into plain containers that remember where each key was written.

Compose reads YAML the way go-yaml v3 does: only `true`/`false` are booleans
(`restart: no` stays the string "no"), duplicate keys are errors, merge keys
(`<<: *anchor`) are honoured, and the tags `!reset` / `!override` mark values for
the merge stage.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import yaml

from compose_translate.errors import Loc, NumericKeyLoc, fail
from compose_translate.values import MAX_FILE_BYTES, read_bounded

if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


SCALARS = frozenset({str, int, float, bool, type(None)})  # what a YAML scalar is loaded as: nothing beneath it


class YMap(dict[Any, Any]):
    """A mapping with the location of itself and of each key."""

    __slots__ = ("loc", "key_locs")

    def __init__(self, items: Any = (), loc: Loc | None = None, key_locs: dict[str, Any] | None = None):
        super().__init__(items)
        self.loc = loc
        self.key_locs: dict[Any, Loc | None] = dict(key_locs or {})

    def loc_of(self, key: Any) -> Loc | None:
        """Where a key was written, else where the mapping starts."""
        return self.key_locs.get(key, self.loc)


class YList(list[Any]):
    """A sequence with the location of itself and of each item."""

    __slots__ = ("loc", "item_locs")

    def __init__(self, items: Any = (), loc: Loc | None = None, item_locs: list[Any] | None = None):
        super().__init__(items)
        self.loc = loc
        self.item_locs: list[Loc | None] = list(item_locs) if item_locs is not None else [loc] * len(self)

    def loc_of(self, index: int) -> Loc | None:
        """Where an item was written, else where the list starts."""
        return self.item_locs[index] if 0 <= index < len(self.item_locs) else self.loc


@dataclass(frozen=True)
class Reset:
    """`!reset`: remove the value the files merged so far hold at this key."""

    value: Any
    loc: Loc | None = None


@dataclass(frozen=True)
class Override:
    """`!override`: replace the merged value at this key instead of merging into it."""

    value: Any
    loc: Loc | None = None


class _Loader(_BaseLoader):
    """SafeLoader with YAML 1.2 booleans, located containers and Compose's tags."""

    file: str = "<unknown>"
    locs: dict[int, Loc]
    root: yaml.Node | None = None  # the document being constructed: where a key's path is found


# go-yaml v3 (Compose) reads yes/no/on/off as strings: keep only true/false as booleans.
# Nor are dates anything but strings there (`D: 2001-12-14` is the text 2001-12-14).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^0o[0-7]+$"), list("0"))  # YAML 1.2 octal
MAX_INT_DIGITS = 30  # no Compose value needs more; a number of thousands of digits is refused, not parsed
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
for _first in "tTfF":
    _Loader.yaml_implicit_resolvers.setdefault(_first, []).insert(0, ("tag:yaml.org,2002:bool", _BOOL))


def _loc(loader: _Loader, node: yaml.Node) -> Loc:
    line = node.start_mark.line + 1
    loc = loader.locs.get(line)  # one Loc per line: large files have tens of thousands of nodes
    if loc is None:
        loc = loader.locs[line] = Loc(loader.file, line)
    return loc


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> YMap:
    """A mapping with its keys' lines kept; duplicate and non-string keys are errors naming the key path, since
    PyYAML would keep the last silently."""
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:  # duplicates among the keys written here, before merge keys add theirs
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:null":
            raise fail(
                "mapping keys must be strings",
                loc=_loc(loader, key_node),
                hint="quote the key or write it as a plain word",
            )
        key = key_node.value
        if key in seen:
            raise fail(
                f'duplicate key "{key}" (first defined on line {seen[key].start_mark.line + 1})',
                _key_path(loader.root, key_node) or "",
                loc=_loc(loader, key_node),
                hint="remove one of the two entries",
            )
        seen[key] = key_node
    loader.flatten_mapping(node)
    result = YMap(loc=_loc(loader, node))
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        loc = _loc(loader, key_node)
        if not isinstance(key, str):
            if isinstance(key, (int, float)) and not isinstance(key, bool):
                loc = NumericKeyLoc(loc.file, loc.line)
            key = str(key).lower() if isinstance(key, bool) else str(key)
        result[key] = _construct(loader, value_node)
        result.key_locs[key] = loc
    return result


_STR = "tag:yaml.org,2002:str"


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    """A node's value: a plain string is the node's own text (what PyYAML's string constructor answers), taken
    without its dispatch, since most of a Compose file is strings; anything else as PyYAML constructs it."""
    if node.tag == _STR and type(node) is yaml.ScalarNode:
        return node.value
    return loader.construct_object(node, deep=True)


def _key_path(root: yaml.Node | None, target: yaml.Node) -> str | None:
    """`services.app.image` for a key node of the document: errors found while building it name the path."""
    stack: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
    visited: set[int] = set()  # an alias shares its node: each node is walked once
    while stack:
        node, path = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                here = f"{path}.{key_node.value}" if path else str(key_node.value)
                if key_node is target:
                    return here
                stack.append((value_node, here))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(node.value))
    return None


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode, deep: bool = False) -> YList:
    return YList(
        [_construct(loader, child) for child in node.value],
        loc=_loc(loader, node),
        item_locs=[_loc(loader, child) for child in node.value],
    )


def _construct_tagged(wrapper: Callable[[Any, Loc | None], Any]) -> Callable[[_Loader, yaml.Node], Any]:
    def construct(loader: _Loader, node: yaml.Node) -> Any:
        value: Any
        if isinstance(node, yaml.MappingNode):
            value = _construct_mapping(loader, node)
        elif isinstance(node, yaml.SequenceNode):
            value = _construct_sequence(loader, node)
        else:
            raw = loader.construct_scalar(node)  # type: ignore[arg-type]  # a scalar node here
            value = None if raw in ("", "~", "null", "Null", "NULL") else yaml.safe_load(raw)
        return wrapper(value, _loc(loader, node))

    return construct


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = str(node.value)
    if len(text.lstrip("+-")) > MAX_INT_DIGITS:
        raise fail(
            f"a number of {len(text)} digits is too large",
            loc=_loc(loader, node),
            hint=f"Compose values fit in {MAX_INT_DIGITS} digits; quote it if it is text",
        )
    if text.startswith("0o"):
        return int(text[2:], 8)
    return loader.construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_constructor("!reset", _construct_tagged(Reset))
_Loader.add_constructor("!override", _construct_tagged(Override))


# A few hundred bytes of nested aliases expand to billions of nodes ("billion laughs"); compose-go
# refuses such documents ("excessive aliasing"). Every later stage walks the expanded tree.
MAX_EXPANDED_NODES = 1_000_000


def _check_aliases(root: yaml.Node, file: str) -> None:
    """Count the nodes the document expands to (an alias counts as what it stands for), iteratively: each
    node once (a shared node's size is reused), scalars without a visit of their own."""
    sizes: dict[int, int] = {}
    pending: set[int] = set()  # on the way from the root to here: met again, an alias contains itself
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if not done and key in pending:
            raise fail(
                "recursive alias: an anchored value contains an alias to itself",
                loc=Loc(file, node.start_mark.line + 1),
                hint="write the value out instead of referring to it from inside itself",
            )
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
        if done:
            pending.discard(key)
            size = 1 + sum(sizes[id(child)] for child in children)
            sizes[key] = size
            if size > MAX_EXPANDED_NODES:
                raise fail(
                    f"excessive aliasing: the document expands to more than {MAX_EXPANDED_NODES:,} values",
                    loc=Loc(file, node.start_mark.line + 1),
                    hint="write the repeated parts out, or use fewer nested anchors",
                )
            continue
        pending.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) not in sizes:
                if isinstance(child, yaml.ScalarNode):
                    sizes[id(child)] = 1
                else:
                    stack.append((child, False))


def parse_yaml(text: str, file: str) -> YMap:
    """Parse a Compose document; an empty file is an empty project. Several documents (`---`): the first."""
    documents = parse_yaml_all(text, file)
    return documents[0] if documents else YMap(loc=Loc(file, 1))


def parse_yaml_all(text: str, file: str) -> list[YMap]:
    """Every document of a file (`---` separates them), empty ones left out."""
    loader = _Loader(text)
    loader.file = file
    loader.locs = {}
    documents: list[YMap] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if "*" in text:  # without an alias the document is as large as its text, which is bounded
                _check_aliases(node, file)
            loader.root = node
            data = loader.construct_document(node)
            if data is None:
                continue
            if not isinstance(data, YMap):
                raise fail(
                    "a Compose file must be a mapping at the top level",
                    loc=Loc(file, 1),
                    hint="start the file with keys such as 'services:' and 'models:'",
                )
            documents.append(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise fail(
            f"invalid YAML: {problem}{context}",
            loc=Loc(file, line),
            hint="check indentation, quoting and that every key is followed by ':'",
        ) from None
    except yaml.YAMLError as exc:
        raise fail(f"invalid YAML: {exc}", loc=Loc(file, 1)) from None
    except RecursionError:
        raise fail("invalid YAML: nesting is too deep", loc=Loc(file, 1)) from None
    finally:
        loader.dispose()
    return documents


def read_yaml(path: Path) -> YMap:
    """The first document of a YAML file (an empty mapping for an empty file)."""
    documents = read_yaml_all(path)
    return documents[0] if documents else YMap(loc=Loc(str(path), 1))


def read_yaml_all(path: Path) -> list[YMap]:
    """Every document of a Compose file (or standard input for `-f -`), size-bounded, with errors that name the
    file."""
    if path.name == "-" and not path.exists():  # `-f -`: the Compose file on standard input, as docker compose
        return parse_yaml_all(_stdin(), str(path))
    try:
        text = read_bounded(path, "Compose file")
    except ValueError as exc:  # not a regular file, or too large
        raise fail(str(exc), loc=Loc(str(path), 1), hint="point -f at a Compose file") from None
    except FileNotFoundError:
        raise fail(f"file not found: {path}", hint="check the -f path") from None
    except IsADirectoryError:
        raise fail(f"{path} is a folder, not a Compose file", hint="name the compose.yaml inside it") from None
    except UnicodeDecodeError as exc:
        raise fail(f"{path} is not UTF-8 text ({exc.reason})", loc=Loc(str(path), 1)) from None
    except OSError as exc:
        raise fail(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_yaml_all(text, str(path))


def _stdin() -> str:
    """Standard input, bounded like a file; read once even when `-f -` is parsed twice."""
    global _STDIN
    if _STDIN is None:
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise fail(f"standard input is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", hint="pass a file")
        try:
            _STDIN = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(f"standard input is not UTF-8 text ({exc.reason})") from None
    return _STDIN


_STDIN: str | None = None


def plain(value: Any) -> Any:
    """Located containers (YMap, YList) -> plain JSON-ready data."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
