"""Who the prospect was on a recorded call: a gatekeeper, the executive, or a gatekeeper who hands over.

Set by the user (`--role`) or guessed from the words in `prospect_roles.yaml`: a hand-off ("putting you
through") splits the prospect's turns into the gatekeeper's before it and the executive's after it; without
one, a first turn with a screener's words ("Dana's office", "who's calling?") is a gatekeeper's. The guess
is always shown, with the words it rests on, so a wrong one is easy to correct.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.errors import CallsimError
from simulator.scoring.language import contains_phrase, normalise, words

Role = Literal["gatekeeper", "executive"]
CUES_FILE = "prospect_roles.yaml"


class RoleCuesError(CallsimError):
    """The role cue file is not valid; one line naming it."""


class RoleCues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    handoff: tuple[str, ...] = Field(min_length=1)
    gatekeeper: tuple[str, ...] = Field(min_length=1)

    def model_post_init(self, _context: object) -> None:
        for name in ("handoff", "gatekeeper"):
            for phrase in getattr(self, name):
                if not phrase.strip() or normalise(phrase) != phrase:
                    raise ValueError(f"{name}: '{phrase}' is not written normalised (lower case, no punctuation)")


@cache
def role_cues() -> RoleCues:
    """The shipped cues, read and checked once."""
    from ruamel.yaml import YAML, YAMLError

    source = files("simulator.call").joinpath(CUES_FILE)
    try:
        data = YAML(typ="safe").load(source.read_text(encoding="utf-8"))
        return RoleCues.model_validate(data)
    except YAMLError as error:
        raise RoleCuesError(f"{CUES_FILE}: not valid YAML: {str(error).splitlines()[0]}") from error
    except (ValidationError, ValueError) as error:
        raise RoleCuesError(f"{CUES_FILE}: {' '.join(str(error).split())[:200]}") from error


@dataclass(frozen=True)
class RoleGuess:
    roles: tuple[Role, ...]  # one per prospect turn, in order
    note: str  # what was decided and why, in words


def prospect_roles(prospect_texts: Sequence[str], role: Role | None = None) -> RoleGuess:
    """The role of each prospect turn (their texts in order), set by `role` or guessed from a hand-off."""
    count = len(prospect_texts)
    if role == "executive":
        return RoleGuess(_all("executive", count), "prospect: executive (set with --role)")
    cues = role_cues()
    for position, text in enumerate(prospect_texts[:-1]):
        phrase = _first_phrase(text, cues.handoff)
        if phrase is not None:
            roles = _all("gatekeeper", position + 1) + _all("executive", count - position - 1)
            how = "set with --role, then guessed" if role else "guessed"
            return RoleGuess(
                roles,
                f'prospect: gatekeeper, then executive after the hand-off ("{phrase}", their turn {position + 1}) '
                f"({how}; --role executive to change)",
            )
    if role == "gatekeeper":
        return RoleGuess(_all("gatekeeper", count), "prospect: gatekeeper (set with --role)")
    screening = _first_phrase(prospect_texts[0], cues.gatekeeper) if prospect_texts else None
    if screening is not None:
        return RoleGuess(
            _all("gatekeeper", count),
            f'prospect: gatekeeper (guessed from "{screening}" in their first turn; --role executive to change)',
        )
    return RoleGuess(
        _all("executive", count),
        "prospect: executive (guessed: no screening words and no hand-off heard; --role gatekeeper to change)",
    )


def _all(role: Role, count: int) -> tuple[Role, ...]:
    return tuple(role for _ in range(count))


def _first_phrase(text: str, phrases: Sequence[str]) -> str | None:
    tokens = words(text)
    found = [(contains_phrase(tokens, phrase), phrase) for phrase in phrases]
    present = [(index, phrase) for index, phrase in found if index >= 0]
    return min(present)[1] if present else None
