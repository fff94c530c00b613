"""A YAML file read as plain data that remembers where each node was, so problems can say FILE:LINE:COL.

ruamel.yaml's round-trip loader keeps the line and column of every key and value. Tags that would build
Python objects (or any other non-standard tag) are refused before anything is constructed, so a scenario
file is always plain data. Pydantic errors are mapped back to the YAML node they are about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from simulator.bounded_read import FileRefused, read_bounded
from simulator.errors import CallsimError
from simulator.scenario.suggest import did_you_mean, model_fields_at

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

# Tags a plain YAML document may carry (implicitly or spelled out).
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
_MAX_VALUES = 200_000  # aliases can expand a small file into a huge one ("billion laughs")
_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file. line and col are 1-based; line 0 means the whole file."""

    file: str
    line: int
    col: int
    message: str

    def __post_init__(self) -> None:
        if any(mark in self.message for mark in "\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85"):
            object.__setattr__(self, "message", " ".join(self.message.split()))  # one line per problem

    def __str__(self) -> str:
        if not self.file:
            return self.message
        if self.line <= 0:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class ScenarioError(CallsimError):
    """A scenario (or intent library) that cannot be used; str() is one line per problem."""

    exit_code = 1

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(shown_problems(self.problems)))

    def one_line(self) -> str:
        if len(self.problems) <= 1:
            return super().one_line()
        first = str(self.problems[0])
        more = len(self.problems) - 1
        return f"{first} (and {more} more problem{'s' * (more != 1)}: `callsim scenarios validate` lists them)"


MAX_PROBLEMS_SHOWN = 50  # 60,000 unknown keys are one mistake repeated: the first ones say what it is


def shown_problems(problems: Sequence[Problem], limit: int = MAX_PROBLEMS_SHOWN) -> list[str]:
    """The problems as lines, at most limit of them, then "... and N more problems" when there are more."""
    lines = [str(problem) for problem in problems[:limit]]
    if len(problems) > limit:
        more = len(problems) - limit
        lines.append(f"... and {more} more problem{'s' * (more != 1)}")
    return lines


@dataclass(frozen=True)
class Position:
    """Where the node at a loc is: its key (for mapping entries) and its value, both 0-based."""

    key: tuple[int, int]
    value: tuple[int, int]
    applied: Loc  # the part of the loc that exists in the document
    skipped: Loc  # parts that did not (a missing key, or pydantic's union branch names)


class YamlSource:
    """A parsed YAML document: the round-trip tree (positions) and its plain-data form (for pydantic)."""

    def __init__(self, filename: str, tree: Any) -> None:
        self.filename = filename
        self.tree = tree
        self.data = _plain(tree, filename)

    def locate(self, loc: Loc) -> Position:
        """Follow loc as far as the document goes; strings that match nothing are skipped, not fatal.

        A string step into a list picks the item whose `id` is that string, so ("states", "reception")
        finds the state with id reception.
        """
        node = self.tree
        start = _own_position(node)
        key_pos = value_pos = start
        applied: list[str | int] = []
        skipped: list[str | int] = []
        for step in loc:
            if isinstance(node, dict) and _has_key(node, step):
                key_pos = _lc(node, "key", step) or value_pos
                value_pos = _lc(node, "value", step) or key_pos
                if node[step] is None or value_pos < key_pos:  # empty value or alias: the key is clearer
                    value_pos = key_pos
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                key_pos = value_pos = _lc(node, "item", step) or value_pos
                node = node[step]
            elif isinstance(node, list) and isinstance(step, str) and (index := _index_by_id(node, step)) >= 0:
                key_pos = value_pos = _lc(node, "item", index) or value_pos
                node = node[index]
            else:
                skipped.append(step)
                continue
            applied.append(step)
        return Position(key_pos, value_pos, tuple(applied), tuple(skipped))

    def problem(self, loc: Loc, message: str, *, at_key: bool = False) -> Problem:
        position = self.locate(loc)
        line, col = position.key if at_key else position.value
        return Problem(self.filename, line + 1, col + 1, message)

    def validate(self, model: type[M]) -> tuple[M | None, list[Problem]]:
        """Validate the plain data with a pydantic model; every error becomes a Problem at its node."""
        try:
            return model.model_validate(self.data), []
        except ValidationError as error:
            return None, _problems_from(self, model, error)
        except RecursionError:
            return None, [Problem(self.filename, 1, 1, "the document refers to itself (a recursive alias)")]


# The shipped scenarios are at most 12 KB and the intent library 19 KB; parsing YAML with positions takes
# about 14 ms a KB, so 150 KB is checked in about 2 s at worst and a bigger file is refused before parsing.
MAX_SCENARIO_BYTES = 150_000
MAX_SCENARIO_CHARS = MAX_SCENARIO_BYTES


def read_yaml(path: Path) -> YamlSource:
    """Read and parse a file; every way it can fail becomes a ScenarioError naming the file."""
    return parse_yaml_bytes(read_file_bytes(path), str(path))


def read_file_bytes(path: Path) -> bytes:
    """A scenario file's bytes; a missing file, a folder or an unreadable one is a ScenarioError."""
    try:
        return read_bounded(path, MAX_SCENARIO_BYTES, "scenario file")
    except FileRefused as refused:
        raise ScenarioError([Problem(str(path), 0, 0, str(refused))]) from None


def parse_yaml_bytes(raw: bytes, name: str) -> YamlSource:
    """Decode (UTF-8, a BOM allowed) and parse; a byte that is not UTF-8 is a problem at its line and column."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        bad = raw[error.start : error.start + 1].hex()
        message = f"not UTF-8 text (byte 0x{bad}); save the file as UTF-8"
        raise ScenarioError([Problem(name, line, col, message)]) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, filename: str) -> YamlSource:
    """Parse one YAML document into a YamlSource, refusing non-plain tags; raises ScenarioError."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if len(text) > MAX_SCENARIO_CHARS:  # an editor's buffer: refuse before parsing, as for a file
        size = f"{len(text):,} characters"
        limit = f"{MAX_SCENARIO_CHARS:,}"
        raise ScenarioError([Problem(filename, 0, 0, f"too large for a scenario ({size}; the limit is {limit})")])
    if (surrogate := _LONE_SURROGATE.search(text)) is not None:  # an editor's buffer can hold one
        line = text.count("\n", 0, surrogate.start()) + 1
        col = surrogate.start() - (text.rfind("\n", 0, surrogate.start()) + 1) + 1
        raise ScenarioError([Problem(filename, line, col, "not valid Unicode text (a lone surrogate)")])
    yaml = YAML(typ="rt")
    root = None
    try:
        root = yaml.compose(text)
        if root is not None:
            tag_problems = [
                Problem(filename, node.start_mark.line + 1, node.start_mark.column + 1, _tag_message(node.tag))
                for node in _nodes(root)
                if str(node.tag) not in _PLAIN_TAGS and not str(node.tag).startswith("tag:yaml.org,2002:merge")
            ]
            if tag_problems:
                raise ScenarioError(sorted(tag_problems, key=lambda p: (p.line, p.col)))
        tree = None if root is None else yaml.constructor.construct_document(root)  # parse once, build from nodes
    except MarkedYAMLError as error:
        raise ScenarioError([_yaml_problem(filename, error, text)]) from None
    except YAMLError as error:  # e.g. a ReaderError on control characters: it carries a character offset
        raise ScenarioError([_reader_problem(filename, text, error)]) from None
    except RecursionError:
        raise ScenarioError([Problem(filename, 1, 1, "the document is nested too deeply")]) from None
    except (TypeError, ValueError, AttributeError, IndexError) as error:
        # ruamel's constructor fails this way on input it cannot build, e.g. a mapping used as a key
        raise ScenarioError([_construction_problem(filename, root, error)]) from None
    if tree is None:
        raise ScenarioError([Problem(filename, 1, 1, "the file is empty; expected a mapping of keys")])
    if not isinstance(tree, dict):
        raise ScenarioError([Problem(filename, 1, 1, f"expected a mapping of keys at the top, got {_kind(tree)}")])
    return YamlSource(filename, tree)


def _nodes(root: Any) -> Iterable[Any]:
    """Every node of a composed document once (aliases point at nodes already seen)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node.value, list):
            for item in node.value:
                stack.extend(item if isinstance(item, tuple) else (item,))


def _construction_problem(filename: str, root: Any, error: Exception) -> Problem:
    """Point at the first mapping key that is itself a mapping or list (a stray `?` makes one)."""
    from ruamel.yaml.nodes import CollectionNode, MappingNode, ScalarNode

    for node in _nodes(root) if root is not None else ():
        digits = str(node.value).lstrip("+-").replace("_", "") if isinstance(node, ScalarNode) else ""
        if len(digits) > 4300 and digits.isdigit():  # Python refuses to build such an int
            mark = node.start_mark
            return Problem(filename, mark.line + 1, mark.column + 1, f"a number of {len(digits):,} digits")
    for node in _nodes(root) if root is not None else ():
        if isinstance(node, MappingNode):
            for key, _value in node.value:
                if isinstance(key, CollectionNode):
                    mark = key.start_mark
                    message = "YAML syntax: a key must be text, not a mapping or a list (is there a stray '?'?)"
                    return Problem(filename, mark.line + 1, mark.column + 1, message)
    return Problem(filename, 1, 1, f"YAML that cannot be read as plain data: {error}")


def _tag_message(tag: Any) -> str:
    shown = str(tag).replace("tag:yaml.org,2002:", "!!")
    return f"YAML tag '{shown}' is not allowed: a scenario file holds plain data only"


def _yaml_problem(filename: str, error: Any, text: str) -> Problem:
    from simulator.scenario.yaml_errors import plain_sentence

    line, col, sentence = plain_sentence(error, text)
    return Problem(filename, line, col, sentence)


def _reader_problem(filename: str, text: str, error: Any) -> Problem:
    offset = getattr(error, "position", None)
    if not isinstance(offset, int):
        return Problem(filename, 1, 1, f"not valid YAML: {error}")
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    character = getattr(error, "character", None)
    code = ord(character) if isinstance(character, str) and len(character) == 1 else character
    what = f" U+{code:04X}" if isinstance(code, int) else ""
    return Problem(filename, line, col, f"not a text file: unexpected control character{what}")


def _lc(node: Any, kind: str, step: Any) -> tuple[int, int] | None:
    """Position ruamel recorded for a key, value or item (None for merged keys it has no record of)."""
    try:
        position = getattr(node.lc, kind)(step)
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
    return (int(position[0]), int(position[1]))


def _own_position(node: Any) -> tuple[int, int]:
    try:
        return (int(node.lc.line), int(node.lc.col))
    except (AttributeError, TypeError):
        return (0, 0)


def _has_key(node: dict[Any, Any], step: Any) -> bool:
    try:
        return step in node
    except TypeError:  # an unhashable step cannot be a key
        return False


def _hashable(key: Any) -> Any:
    """A complex YAML key ([a, b]: x) becomes its text, so the mapping stays a dict pydantic can report on."""
    try:
        hash(key)
    except TypeError:
        return str(key)
    return key


def _index_by_id(items: list[Any], wanted: str) -> int:
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == wanted:
            return index
    return -1


def _plain(tree: Any, filename: str) -> Any:
    """Round-trip types (CommentedMap, ScalarFloat...) as plain dict/list/str/int/float/bool."""
    count = 0

    def convert(node: Any, path: tuple[int, ...]) -> Any:
        nonlocal count
        count += 1
        if count > _MAX_VALUES:
            raise ScenarioError([Problem(filename, 1, 1, "the document is too large (aliases expand too far)")])
        if isinstance(node, dict):
            if id(node) in path:
                raise ScenarioError([Problem(filename, 1, 1, "the document refers to itself (a recursive alias)")])
            inner = (*path, id(node))
            return {_hashable(convert(key, inner)): convert(value, inner) for key, value in node.items()}
        if isinstance(node, list | tuple):
            if id(node) in path:
                raise ScenarioError([Problem(filename, 1, 1, "the document refers to itself (a recursive alias)")])
            inner = (*path, id(node))
            return [convert(item, inner) for item in node]
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, str):
            return str(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        return node  # dates and times: pydantic says what it expected instead

    return convert(tree, ())


# --- pydantic errors as problems -------------------------------------------------------------------


def _problems_from(source: YamlSource, model: type[BaseModel], error: ValidationError) -> list[Problem]:
    found: list[tuple[Position, dict[str, Any]]] = []
    for error_detail in error.errors():
        detail: dict[str, Any] = dict(error_detail)
        found.append((source.locate(tuple(detail["loc"])), detail))
    found = _prefer_deepest_union_branch(found)

    # Union branches failing at one node become one problem ("expected text or a list"), and so do
    # the required keys missing from one mapping; everything else is a problem of its own.
    groups: dict[tuple[Loc, str], list[tuple[Position, dict[str, Any]]]] = {}
    for number, (position, detail) in enumerate(found):
        if _is_union_branch(position, detail):
            kind = "union"
        elif detail["type"] == "missing":
            kind = "missing"
        else:
            kind = f"#{number}"
        groups.setdefault((position.applied, kind), []).append((position, detail))

    problems: list[Problem] = []
    for (applied, kind), group in groups.items():
        position, first = group[0]
        if kind == "missing" and len(group) > 1:
            names = ", ".join(f"'{detail['loc'][-1]}'" for _, detail in group)
            message = f"missing required keys {names}" + (f" in {_path(applied)}" if applied else "")
        else:
            message = _join(applied, list(dict.fromkeys(_message(model, pos, detail) for pos, detail in group)))
        at_key = first["type"] in ("extra_forbidden", "invalid_key") or "[key]" in position.skipped
        line, col = position.key if at_key else position.value
        problems.append(Problem(source.filename, line + 1, col + 1, message))
    return problems


def _is_union_branch(position: Position, detail: dict[str, Any]) -> bool:
    skipped = [step for step in position.skipped if step != "[key]"]
    if detail["type"] == "missing" and skipped:
        skipped = skipped[:-1]
    return bool(skipped)


def _prefer_deepest_union_branch(
    found: list[tuple[Position, dict[str, Any]]],
) -> list[tuple[Position, dict[str, Any]]]:
    """`to: [1]` fails both as text and as a list; keep the branch that got furthest into the data."""
    deepest: dict[Loc, int] = {}
    for position, detail in found:
        if _is_union_branch(position, detail):
            union_at = _union_loc(detail["loc"], position)
            deepest[union_at] = max(deepest.get(union_at, 0), len(position.applied))
    kept = []
    for position, detail in found:
        if _is_union_branch(position, detail) and len(position.applied) < deepest[_union_loc(detail["loc"], position)]:
            continue
        kept.append((position, detail))
    return kept


def _union_loc(loc: Loc, position: Position) -> Loc:
    """The loc up to the first union branch name."""
    first_skipped = position.skipped[0]
    return tuple(loc[: list(loc).index(first_skipped)])


def _join(applied: Loc, messages: list[str]) -> str:
    if len(messages) == 1:
        return messages[0]
    # several union branches failed at the same node: "to: expected text or expected a list"
    prefix = f"{_path(applied)}: " if applied else ""
    bodies = [message.removeprefix(prefix) for message in messages]
    expected = [body.split(", got ")[0] for body in bodies]
    # the branch of the right shape says best what was wrong ("a list of at least 1 item, got 0")
    shaped = [body for body in bodies if body.startswith("expected a list of at least")]
    first = shaped[0] if shaped else bodies[0]
    got = first.split(", got ")[1] if ", got " in first else ""
    joined = " or ".join(dict.fromkeys(part.removeprefix("expected ") for part in expected))
    return f"{prefix}expected {joined}" + (f", got {got}" if got else "")


def _path(loc: Loc) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _message(model: type[BaseModel], position: Position, detail: dict[str, Any]) -> str:
    kind = detail["type"]
    loc = tuple(detail["loc"])
    given = detail.get("input")
    ctx = detail.get("ctx") or {}
    key_error = "[key]" in position.skipped
    where = _path(position.applied[:-1] if key_error else position.applied)
    if kind == "missing":
        missing = loc[-1]
        return f"missing required key '{missing}'" + (f" in {where}" if where else "")
    if kind == "invalid_key":
        parent = _path(position.applied[:-1])
        return f"key {loc[-1]!r} must be text (put it in quotes)" + (f" in {parent}" if parent else "")
    if kind == "extra_forbidden":
        unknown = loc[-1]
        return f"unknown key '{unknown}'" + did_you_mean(str(unknown), model_fields_at(model, loc[:-1]))
    if kind == "literal_error":
        expected = str(ctx.get("expected", "one of the allowed values"))
        hint = did_you_mean(str(given), re.findall(r"'([^']*)'", expected)) if isinstance(given, str) else ""
        if key_error:
            body = f"unknown key '{given}': expected {expected}{hint}"
        else:
            body = f"expected {expected}, got {_kind(given)}{hint}"
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") == _ID_PATTERN:
        body = f"{_kind(given)} is not a valid id: use lower-case letters, digits, '-' and '_'"
    elif kind in _EXPECTED:
        body = f"expected {_EXPECTED[kind]}, got {_kind(given)}"
    elif kind == "too_short":
        least = ctx.get("min_length", 1)
        actual = ctx.get("actual_length", 0)
        body = f"expected a list of at least {least} item{'s' if least != 1 else ''}, got {actual or 'none'}"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = next(iter(ctx.values()), "")
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }
        body = f"must be {words[kind]} {limit}, got {given!r}"
    else:
        message = str(detail["msg"])
        body = message[:1].lower() + message[1:]
    return f"{where}: {body}" if where else body


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}


def _kind(value: Any) -> str:
    """How a YAML value looks to the person who wrote it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        value = " ".join(value.split())
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    return f"a {type(value).__name__}"
