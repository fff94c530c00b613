"""A call as a list of turns, and its JSON form (used by run --json, score, export and import).

It sits at the bottom of the package, beside the scenario format, because scoring and history read
transcripts and must not depend on the call session that writes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from simulator.errors import CallsimError

Speaker = Literal["caller", "gatekeeper", "executive"]


class Latency(BaseModel):
    """When each step of answering the caller happened, in seconds from the start of the call."""

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


class Turn(BaseModel):
    speaker: Speaker
    text: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    interrupted: bool = False
    heard: float | None = Field(default=None, description="Share of an interrupted persona line that was played.")
    yielded: bool = Field(
        default=False,
        description="The persona stopped because the caller was still talking: a pause inside the caller's "
        "turn had been taken for its end. Not an interruption by the caller.",
    )
    latency: Latency | None = Field(default=None, description="On persona turns: how fast they answered.")

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


class Transcript(BaseModel):
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
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TranscriptError(f"{path}: cannot read: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise TranscriptError(f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x})") from error
    except json.JSONDecodeError as error:
        raise TranscriptError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from error
    except RecursionError as error:
        raise TranscriptError(f"{path}: JSON nested too deeply to be a transcript") from error


def _transcript(path: Path, data: Any, where: tuple[int, ...]) -> Transcript:
    try:
        return Transcript.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        place = ".".join(str(part) for part in (*where, *first["loc"])) or "top level"
        raise TranscriptError(f"{path}: {place}: {first['msg']}") from error
