"""A real call, from a dialer's recording to the same report as a practice call.

The recording is read (two channels, or two files), each party's speech found and transcribed with word
times, the words merged into turns, the prospect's role set or guessed, and the transcript scored by the
very scorer practice calls use, on the call's real timings. Everything is saved at the end in one
transaction, so a cancelled or failed import leaves nothing behind; a recording already in the history
is not transcribed again (its fingerprint finds the stored transcript) and is scored again in place.
The CLI and the app both run an import through `import_recording`.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.call.prospect_role import Role, RoleGuess, prospect_roles
from simulator.call.recorded_turns import Party, conversation
from simulator.transcript import Speaker, Transcript, Turn
from simulator.voice.recorded_speech import Cancelled, TrackTranscriber, speech_spans
from simulator.voice.recording import (
    Recording,
    RecordingError,
    Side,
    read_two_channel,
    read_two_files,
    two_channel_fingerprint,
    two_files_fingerprint,
)

__all__ = ["Cancelled", "ImportPlan", "ImportResult", "Progress", "import_recording"]


@dataclass(frozen=True)
class Progress:
    """How far an import is: a stage in words, the share done (0..1) and an estimate of the seconds left."""

    stage: str
    done: float
    seconds_left: float | None = None


@dataclass(frozen=True)
class ImportPlan:
    recording: Path | None = None  # a two-channel file...
    caller_side: Side = "left"
    caller_audio: Path | None = None  # ...or one file per party
    prospect_audio: Path | None = None
    research: tuple[str, ...] = ()
    scenario_id: str | None = None
    role: Role | None = None
    keep_audio_in: Path | None = None  # copy the audio into this folder (only when the user asked)


@dataclass(frozen=True)
class ImportResult:
    call_id: int | None  # None when nothing was saved (save=False)
    transcript: Transcript
    report: dict[str, Any]
    roles: str  # who the prospect was, and why
    reused: bool  # the transcript came from the history: this recording had been transcribed before
    seconds: float  # length of the recording


def read_recording(plan: ImportPlan) -> Recording:
    if plan.recording is not None:
        return read_two_channel(plan.recording, plan.caller_side)
    caller, prospect = _two_files(plan)
    return read_two_files(caller, prospect)


def fingerprint(plan: ImportPlan) -> str:
    """The recording's fingerprint from its bytes alone (no decoding), to find it in the history."""
    if plan.recording is not None:
        return two_channel_fingerprint(plan.recording, plan.caller_side)
    return two_files_fingerprint(*_two_files(plan))


def _two_files(plan: ImportPlan) -> tuple[Path, Path]:
    if plan.caller_audio is None or plan.prospect_audio is None:
        raise RecordingError("name a two-channel recording, or both --caller-audio and --prospect-audio")
    return plan.caller_audio, plan.prospect_audio


def transcribe_turns(
    recording: Recording,
    transcriber: Any,
    on_progress: Callable[[Progress], None],
    cancel: threading.Event,
) -> list[tuple[Party, Turn]]:
    """The call's turns, each with its party ("caller" or "prospect"); prospect turns say "executive" for now."""
    on_progress(Progress("finding speech", 0.0))
    caller_spans = speech_spans(recording.caller)
    if cancel.is_set():
        raise Cancelled("cancelled")
    prospect_spans = speech_spans(recording.prospect)
    total = sum(span.seconds for span in caller_spans + prospect_spans)
    if not caller_spans or not prospect_spans:
        party = "caller" if not caller_spans else "prospect"
        raise RecordingError(f"{recording.source}: no speech from the {party}; nothing was saved")
    on_progress(Progress("loading the speech model", 0.0))
    transcriber.load()
    started = time.perf_counter()
    done = 0.0

    def advance(seconds: float) -> None:
        nonlocal done
        done += seconds
        share = done / total if total else 1.0
        elapsed = time.perf_counter() - started
        left = elapsed * (1 - share) / share if share > 0 else None
        on_progress(Progress("transcribing", min(1.0, share), left))

    tracks = TrackTranscriber(transcriber, cancel)
    on_progress(Progress("transcribing", 0.0))
    caller_words = tracks.words(recording.caller, caller_spans, advance)
    prospect_words = tracks.words(recording.prospect, prospect_spans, advance)
    turns: list[tuple[Party, Turn]] = []
    for utterance in conversation(caller_words, prospect_words):
        speaker: Speaker = "caller" if utterance.party == "caller" else "executive"
        turn = Turn(
            speaker=speaker,
            text=utterance.text,
            start=round(utterance.start, 2),
            end=round(utterance.end, 2),
            interrupted=utterance.interrupted,
        )
        turns.append((utterance.party, turn))
    return turns


def with_roles(turns: Sequence[tuple[Party, Turn]], role: Role | None) -> tuple[list[Turn], RoleGuess]:
    """The turns with each prospect turn given its role (set, or guessed from a hand-off)."""
    guess = prospect_roles([turn.text for party, turn in turns if party == "prospect"], role)
    roles = iter(guess.roles)
    labelled = [
        turn if party == "caller" else turn.model_copy(update={"speaker": next(roles)}) for party, turn in turns
    ]
    return labelled, guess


def import_recording(
    plan: ImportPlan,
    transcriber: Any,
    store: Any | None,
    on_progress: Callable[[Progress], None] = lambda _progress: None,
    cancel: threading.Event | None = None,
) -> ImportResult:
    """Read, transcribe (or reuse), score and save one recorded call; raises Cancelled or RecordingError."""
    from simulator.scoring import score_transcript

    cancel = cancel or threading.Event()
    on_progress(Progress("reading the recording", 0.0))
    identity = fingerprint(plan)
    previous = store.find_recording(identity) if store is not None else None
    reused = previous is not None
    seconds: float
    turns: list[tuple[Party, Turn]]
    if store is not None and previous is not None:
        stored = store.get_call(previous)
        turns = [("caller" if turn.speaker == "caller" else "prospect", turn) for turn in stored.transcript.turns]
        seconds = float((stored.recording or {}).get("seconds") or max(turn.end for _, turn in turns))
    else:
        recording = read_recording(plan)
        seconds = recording.seconds
        turns = transcribe_turns(recording, transcriber, on_progress, cancel)
        del recording  # an hour of audio is 230 MB: not kept while scoring and saving
    labelled, guess = with_roles(turns, plan.role)
    transcript = Transcript(scenario=plan.scenario_id, research=list(plan.research), outcome=None, turns=labelled)
    if not transcript.caller_spoke():
        raise RecordingError(f"{_source(plan)}: no words from the caller could be made out; nothing was saved")
    on_progress(Progress("scoring", 1.0, 0.0))
    report: dict[str, Any] = score_transcript(transcript).to_dict()
    if cancel.is_set():
        raise Cancelled("cancelled")
    call_id = None
    if store is not None:
        details = _recording_details(plan, seconds, guess)
        if plan.keep_audio_in is not None:
            details["audio"] = [str(path) for path in _keep_audio(plan, identity)]
        call_id = store.save_recorded_call(transcript, report, identity, details, replace=previous)
    return ImportResult(call_id, transcript, report, guess.note, reused, seconds)


def _sources(plan: ImportPlan) -> list[Path]:
    candidates = [plan.recording] if plan.recording is not None else [plan.caller_audio, plan.prospect_audio]
    return [path for path in candidates if path is not None]


def _source(plan: ImportPlan) -> str:
    return " + ".join(str(path) for path in _sources(plan))


def _recording_details(plan: ImportPlan, seconds: float, guess: RoleGuess) -> dict[str, Any]:
    return {
        "files": [str(path.resolve()) for path in _sources(plan)],
        "caller": plan.caller_side if plan.recording is not None else "caller file",
        "seconds": round(seconds, 2),
        "prospect": guess.note,
    }


def _keep_audio(plan: ImportPlan, identity: str) -> list[Path]:
    """Copies of the audio in the kept-recordings folder (named by fingerprint, so never copied twice)."""
    assert plan.keep_audio_in is not None
    kept = []
    try:
        plan.keep_audio_in.mkdir(parents=True, exist_ok=True)
        for number, source in enumerate(_sources(plan)):
            target = plan.keep_audio_in / f"{identity[:16]}-{number}{source.suffix.lower()}"
            if not target.exists():
                partial = target.with_suffix(target.suffix + ".part")
                shutil.copyfile(source, partial)
                partial.replace(target)
            kept.append(target)
    except OSError as error:
        raise RecordingError(
            f"{plan.keep_audio_in}: cannot keep a copy of the audio: {error.strerror or error}; nothing was saved"
        ) from error
    return kept
