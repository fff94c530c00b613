"""A call as a list of turns, and its JSON form (used by run --json, score, export and import).

It sits at the bottom of the package, beside the scenario format, because scoring and history read
transcripts and must not depend on the call session that writes them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.bounded_read import FileRefused, read_bounded
from simulator.errors import CallsimError

Speaker = Literal["caller", "gatekeeper", "executive"]

MAX_TRANSCRIPT_BYTES = 20_000_000  # an export of a few thousand calls
MAX_TURN_CHARS = 2_000  # about two minutes of speech; typed and lines-file turns are held to it too
MAX_TURNS = 1_000  # turns of one call
MAX_SECONDS = 86_400.0  # a call's clock: a day
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_FINITE = ConfigDict(allow_inf_nan=False)


class Latency(BaseModel):
    """When each step of answering the caller happened, in seconds from the start of the call."""

    model_config = _FINITE

    end_of_speech: float
    transcript_ready: float | None = None
    reply_chosen: float | None = None
    first_audio: float | None = None

    @property
    def response_seconds(self) -> float | None:
        """End of the caller's speech to the persona's first audio: the gap a caller feels."""
        if self.first_audio is None:
            return None
        return self.first_audio - self.end_of_speech


class Heard(BaseModel):
    """What the persona understood in a caller turn: the language layer's reading, kept with the turn."""

    intents: list[str] = Field(default_factory=list)
    research: list[str] = Field(default_factory=list, description="Research fact ids referred to.")
    negated_research: list[str] = Field(default_factory=list, description="Fact ids mentioned under a negation.")
    proposals: list[str] = Field(default_factory=list, description='Days and times proposed ("Thu 10:00").')
    minutes: int | None = None
    identity: list[str] = Field(default_factory=list, description="The caller's own name/company words heard.")
    summary: str = ""


class Turn(BaseModel):
    model_config = _FINITE

    speaker: Speaker
    text: str
    start: float = Field(ge=0, le=MAX_SECONDS)
    end: float = Field(ge=0, le=MAX_SECONDS)
    interrupted: bool = False
    heard: float | None = Field(
        default=None, ge=0, le=1, description="Share of an interrupted persona line that was played."
    )
    yielded: bool = Field(
        default=False,
        description="The persona stopped because the caller was still talking: a pause inside the caller's "
        "turn had been taken for its end. Not an interruption by the caller.",
    )
    latency: Latency | None = Field(default=None, description="On persona turns: how fast they answered.")
    reading: Heard | None = Field(default=None, description="On caller turns: what the persona understood.")

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


class Transcript(BaseModel):
    model_config = _FINITE

    scenario: str | None = None
    research: list[str] = Field(default_factory=list)
    outcome: str | None = None
    turns: list[Turn] = Field(default_factory=list)

    def caller_turns(self) -> list[tuple[int, Turn]]:
        """(1-based turn number, turn) for each caller turn; the numbers are those shown as evidence."""
        return [(i, t) for i, t in enumerate(self.turns, start=1) if t.speaker == "caller"]

    def caller_spoke(self) -> bool:
        """Whether the caller said anything: a call without a word from them has nothing to score."""
        return any(turn.text.strip() for _number, turn in self.caller_turns())

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_defaults=False)


class TranscriptError(CallsimError):
    """A transcript file that cannot be read; the message is one line naming the file."""


def load_transcript(path: Path) -> Transcript:
    """One call from a transcript file (`run --json`, or one call of an export)."""
    calls = load_transcripts(path)
    if len(calls) != 1:
        raise TranscriptError(f"{path}: holds {len(calls)} calls; score one with --call ID")
    return calls[0][1]


def load_transcripts(path: Path) -> list[tuple[int | None, Transcript]]:
    """Every call in a file: one transcript, or the list `callsim export` writes (with each call's id)."""
    data = _read_json(path)
    if not isinstance(data, list):
        return [(None, _transcript(path, data, ()))]
    calls = []
    for index, item in enumerate(data):
        call_id = item.get("id") if isinstance(item, dict) else None
        calls.append((call_id if isinstance(call_id, int) else None, _transcript(path, item, (index,))))
    return calls


def _read_json(path: Path) -> Any:
    try:
        # utf-8-sig: a byte-order mark some editors write is not a reason to refuse the file
        return json.loads(read_bounded(path, MAX_TRANSCRIPT_BYTES, "transcript").decode("utf-8-sig"))
    except FileRefused as refused:
        raise TranscriptError(f"{path}: {refused}") from None
    except UnicodeDecodeError as error:
        raise TranscriptError(f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x})") from error
    except json.JSONDecodeError as error:
        raise TranscriptError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from error
    except RecursionError as error:
        raise TranscriptError(f"{path}: JSON nested too deeply to be a transcript") from error
    except ValueError as error:  # a number of more than 4,300 digits
        raise TranscriptError(f"{path}: not a transcript: a number with more digits than any time or count") from error


def _transcript(path: Path, data: Any, where: tuple[int, ...]) -> Transcript:
    """One call, checked strictly (no true for a number, no infinity) and with turns that can be scored."""
    at = ".".join(str(part) for part in where)
    place = f"{at}: " if at else ""
    if not isinstance(data, dict) or "turns" not in data:
        raise TranscriptError(f"{path}: {place}not a transcript (no 'turns')")
    try:
        transcript = Transcript.model_validate(data, strict=True)
    except ValidationError as error:
        first = error.errors()[0]
        where_words = ".".join(str(part) for part in (*where, *first["loc"])) or "top level"
        raise TranscriptError(f"{path}: {where_words}: {first['msg']}") from None
    if not transcript.turns:
        raise TranscriptError(f"{path}: {place}the call has no turns")
    if len(transcript.turns) > MAX_TURNS:
        raise TranscriptError(f"{path}: {place}{len(transcript.turns)} turns; at most {MAX_TURNS} are allowed")
    for number, turn in enumerate(transcript.turns):
        turn_place = ".".join(str(part) for part in (*where, "turns", number))
        if len(turn.text) > MAX_TURN_CHARS:
            message = f"{len(turn.text):,} characters; a turn may have at most {MAX_TURN_CHARS:,}"
            raise TranscriptError(f"{path}: {turn_place}.text: {message}")
        if _LONE_SURROGATE.search(turn.text):
            raise TranscriptError(f"{path}: {turn_place}.text: not valid Unicode text (a lone surrogate)")
    for name, value in (("scenario", transcript.scenario), ("outcome", transcript.outcome)):
        if value is not None and (len(value) > 200 or _LONE_SURROGATE.search(value)):
            raise TranscriptError(f"{path}: {place}{name}: not a short, valid text")
    if any(len(fact) > 200 or _LONE_SURROGATE.search(fact) for fact in transcript.research):
        raise TranscriptError(f"{path}: {place}research: each item must be a short, valid text")
    return transcript
