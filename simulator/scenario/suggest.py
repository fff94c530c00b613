"""Did-you-mean hints: the closest known name to a misspelt one, and the names a model allows at a loc."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz, process


def closest(word: str, choices: Iterable[str], *, limit: int = 1, cutoff: float = 60) -> list[str]:
    """Known names that look like word, best first (rapidfuzz ratio, ignoring case)."""
    unique = list(dict.fromkeys(choices))
    matches = process.extract(word, unique, scorer=fuzz.ratio, processor=str.casefold, limit=limit, score_cutoff=cutoff)
    return [match[0] for match in matches]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' or '' when nothing is close."""
    best = closest(word, choices)
    return f" (did you mean '{best[0]}'?)" if best else ""


def model_fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys allowed in the mapping at loc, found by walking the model's field annotations."""
    current: list[Any] = [model]
    for step in loc:
        following: list[Any] = []
        for annotation in current:
            for kind in _members(annotation):
                origin = typing.get_origin(kind)
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    if isinstance(step, str) and step in kind.model_fields:
                        following.append(kind.model_fields[step].annotation)
                elif origin in (list, tuple, set, frozenset) and isinstance(step, int):
                    following.extend(typing.get_args(kind)[:1])
                elif origin is dict:
                    following.extend(typing.get_args(kind)[1:2])
        current = following or current  # a union branch name in the loc: stay where we are
    names: list[str] = []
    for annotation in current:
        for kind in _members(annotation):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                names.extend(kind.model_fields)
    return names


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a union (X | None gives [X, None]); anything else as itself."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return list(typing.get_args(annotation))
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    return [annotation]
