"""What a call session tells the screen: events the TUI and CLI render; the session knows no screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simulator.transcript import Transcript, Turn
from simulator.voice.ports import InputLevel, InputStatus, PartialText

CallStatus = Literal["connecting", "listening", "transcribing", "thinking", "speaking", "ended"]


@dataclass(frozen=True)
class StatusChanged:
    status: CallStatus


@dataclass(frozen=True)
class PersonaSpeaking:
    """A persona line has started; `index` is its 0-based place in the transcript."""

    index: int
    turn: Turn
    patience: int
    interest: int


@dataclass(frozen=True)
class TurnFinished:
    """A turn (caller or persona) is complete and saved."""

    index: int
    turn: Turn


@dataclass(frozen=True)
class Interrupted:
    """The caller talked over a persona line; `heard` is the share of it that was played.

    `yielded`: the caller was still in their turn (the reply came in a pause), so the persona gave way.
    """

    index: int
    heard: float
    yielded: bool = False


@dataclass(frozen=True)
class WrapUp:
    """The persona has agreed (`outcome`): the caller's next turn confirms it back, then the persona says goodbye."""

    outcome: str


@dataclass(frozen=True)
class CallEnded:
    transcript: Transcript
    reason: Literal["outcome", "caller_hung_up", "input_ended"]


CallEvent = (
    StatusChanged
    | PersonaSpeaking
    | TurnFinished
    | Interrupted
    | WrapUp
    | CallEnded
    | InputStatus
    | PartialText
    | InputLevel
)
