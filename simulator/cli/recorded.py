"""Command 'score-call': score a real call from its recording, as a practice call is scored, and save it."""

from __future__ import annotations

import json
import sys
import threading
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli.errors import UserError

PROGRESS_STEP = 0.1  # without a terminal, a progress line every tenth of the work


class Side(StrEnum):
    left = "left"
    right = "right"


class ProspectRole(StrEnum):
    gatekeeper = "gatekeeper"
    executive = "executive"


def register(app: typer.Typer) -> None:
    app.command("score-call")(score_call)


def score_call(
    recording: Annotated[
        Path | None,
        typer.Argument(metavar="RECORDING", help="A two-channel recording (wav, flac, mp3, m4a, ogg), one party each."),
    ] = None,
    caller: Annotated[Side, typer.Option("--caller", help="The channel the caller (you) is on.")] = Side.left,
    caller_audio: Annotated[
        Path | None, typer.Option("--caller-audio", help="Instead of RECORDING: the caller's own file...")
    ] = None,
    prospect_audio: Annotated[Path | None, typer.Option("--prospect-audio", help="...and the prospect's.")] = None,
    research: Annotated[
        Path | None, typer.Option("--research", help="Research facts: one a line, or a YAML list.")
    ] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Take the research facts from this scenario (id or path).")
    ] = None,
    role: Annotated[
        ProspectRole | None,
        typer.Option("--role", help="Who answered; without it, guessed from a hand-off or screening words."),
    ] = None,
    keep_audio: Annotated[
        bool, typer.Option("--keep-audio", help="Keep a copy of the audio with the history (not kept by default).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the call and its report as JSON.")] = False,
) -> None:
    """Score a real recorded call: transcribed here, offline, scored like a practice call, saved as 'recorded'.

    Transcribing takes a while for a long call (progress is shown); Ctrl-C stops it and saves nothing. The
    same recording scored again reuses its transcript and replaces its scores.
    """
    from simulator.call.recorded import ImportPlan

    if recording is not None and (caller_audio or prospect_audio):
        raise UserError("name either one two-channel RECORDING or --caller-audio and --prospect-audio, not both")
    if recording is None and not (caller_audio and prospect_audio):
        raise UserError(
            "name a two-channel RECORDING (one party a channel), or both --caller-audio A and --prospect-audio B"
        )
    facts, scenario_id = _research(research, scenario)
    plan = ImportPlan(
        recording=recording,
        caller_side="right" if caller is Side.right else "left",
        caller_audio=caller_audio,
        prospect_audio=prospect_audio,
        research=tuple(facts),
        scenario_id=scenario_id,
        role=None if role is None else ("gatekeeper" if role is ProspectRole.gatekeeper else "executive"),
        keep_audio_in=_kept_recordings() if keep_audio else None,
    )
    result = _run(plan, quiet=as_json)
    if as_json:
        payload = {
            "id": result.call_id,
            "kind": "recorded",
            "reused_transcript": result.reused,
            "prospect": result.roles,
            "seconds": round(result.seconds, 2),
            **json.loads(result.transcript.to_json()),
            **result.report,
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    _print_result(result)


def _research(path: Path | None, scenario: str | None) -> tuple[list[str], str | None]:
    """The research facts (a file's, else the scenario's) and the scenario id."""
    facts: list[str] = []
    scenario_id = None
    if scenario is not None:
        from simulator.scenario.loader import load_scenario, resolve_scenario

        loaded = load_scenario(resolve_scenario(scenario))
        scenario_id = loaded.id
        facts = [fact.fact for fact in loaded.research]
    if path is not None:
        from simulator.scenario.facts import load_facts

        facts = load_facts(path)
    return facts, scenario_id


def _kept_recordings() -> Path:
    from simulator.config import data_dir

    return data_dir() / "recordings"


def _run(plan: Any, quiet: bool) -> Any:
    from simulator.call.recorded import Cancelled, fingerprint, import_recording
    from simulator.config import load_settings
    from simulator.history.store import open_history
    from simulator.voice.stt import Transcriber

    transcriber = Transcriber(load_settings().stt)
    meter = ProgressMeter(sys.stderr)
    cancel = threading.Event()
    fingerprint(plan)  # a file that is missing or unreadable is refused before the history is opened (or made)
    try:
        with open_history() as store:
            result = import_recording(plan, transcriber, store, meter.show, cancel)
    except (KeyboardInterrupt, Cancelled):
        cancel.set()
        meter.clear()
        print("callsim: cancelled: nothing was saved", file=sys.stderr)
        raise SystemExit(130) from None
    except BaseException:
        meter.clear()
        raise
    meter.clear()
    if not quiet and result.reused:
        typer.echo(f"This recording was transcribed before (call {result.call_id}): its transcript is reused.")
    return result


class ProgressMeter:
    """Percent done and time left on one line of a terminal (redrawn), or a line per tenth elsewhere."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self._drawn = False
        self._last_shown = -1.0
        self._last_stage = ""
        self._started = time.monotonic()

    def show(self, progress: Any) -> None:
        line = _progress_line(progress, self.live)
        if self.live:
            self.stream.write("\r\x1b[2K" + line)
            self._drawn = True
        elif progress.stage != self._last_stage or progress.done >= self._last_shown + PROGRESS_STEP:
            self.stream.write(line + "\n")
            self._last_shown = progress.done
        self._last_stage = progress.stage
        self.stream.flush()

    def clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._drawn = False


def _progress_line(progress: Any, live: bool) -> str:
    line = f"{progress.stage} {progress.done * 100:3.0f}%"
    if progress.seconds_left is not None and progress.stage == "transcribing" and progress.done < 1:
        line += f", about {_duration(progress.seconds_left)} left"
    return line + " (Ctrl-C stops it; nothing is saved)" if live and progress.done < 1 else line


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


def _print_result(result: Any) -> None:
    from simulator.scoring.report import format_report

    minutes = result.seconds / 60
    typer.echo(f"Recorded call, {minutes:.1f} min · {result.roles}")
    typer.echo("")
    for number, turn in enumerate(result.transcript.turns, start=1):
        cut = " [talked over]" if turn.interrupted else ""
        typer.echo(f"  {number:>3}  [{turn.start:6.1f}s] {turn.speaker}: {turn.text}{cut}")
    typer.echo("")
    typer.echo(format_report(result.report))
    if result.call_id is not None:
        typer.echo("")
        typer.echo(
            f"Saved as call {result.call_id} (recorded): `callsim report {result.call_id}` shows it again, "
            "`callsim history --kind recorded` lists the recorded calls."
        )
