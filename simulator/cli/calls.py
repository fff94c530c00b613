"""`callsim run` (a whole call from a file, the microphone or audio files) and `callsim practice`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli.errors import UserError


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("practice")(practice)


ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model", help="Speech-to-text model: 'embedded' (tiny.en, bundled), a faster-whisper name or a folder."
    ),
]
DeviceOption = Annotated[str | None, typer.Option("--device", help="Where the model runs: cpu, cuda, auto.")]
ComputeTypeOption = Annotated[
    str | None, typer.Option("--compute-type", help="Model precision, e.g. int8 (default on CPU), float16.")
]
ThreadsOption = Annotated[int | None, typer.Option("--threads", help="CPU threads for speech-to-text (0: automatic).")]


def _settings(model: str | None, device: str | None, compute_type: str | None, threads: int | None) -> Any:
    """The settings file's values, with any speech-to-text choices given on the command line on top."""
    from pydantic import ValidationError

    from simulator.config import load_settings

    settings = load_settings()
    chosen = {"model": model, "device": device, "compute_type": compute_type, "threads": threads}
    overrides = {name: value for name, value in chosen.items() if value is not None}
    if threads is not None and not 0 <= threads <= 64:
        raise typer.BadParameter(f"{threads} is out of range; allowed: 0 (automatic) to 64", param_hint="--threads")
    try:  # checked as the settings file is: `--device gpu` is refused here, not deep in the model
        stt = type(settings.stt).model_validate({**settings.stt.model_dump(), **overrides}, strict=True)
    except ValidationError as error:
        first = error.errors()[0]
        option = "--" + str(first["loc"][0]).replace("_", "-")
        raise typer.BadParameter(first["msg"], param_hint=option) from None
    return settings.model_copy(update={"stt": stt})


MAX_LINES_BYTES = 1_000_000


def _read_lines(path: Path) -> list[str]:
    from simulator.bounded_read import FileRefused, read_bounded
    from simulator.transcript import MAX_TURN_CHARS, MAX_TURNS

    try:
        text = read_bounded(path, MAX_LINES_BYTES, "caller lines file").decode("utf-8")
    except FileRefused as refused:
        raise UserError(f"{path}: {refused}") from None
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x})") from None
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line.strip()) > MAX_TURN_CHARS:
            size = f"{len(line.strip()):,} characters"
            raise UserError(f"{path}:{number}: a caller turn of {size}; at most {MAX_TURN_CHARS:,} (split it)")
        lines.append(line.strip())
    if not lines:
        raise UserError(f"{path}: no caller lines in this file (one caller turn per line)")
    if len(lines) > MAX_TURNS // 2:
        raise UserError(f"{path}: {len(lines)} caller lines; a call may have at most {MAX_TURNS // 2}")
    return lines


def _label(scenario: Any, speaker: str) -> str:
    if speaker == "caller":
        return "You"
    persona = scenario.persona(speaker)
    return f"{persona.name} ({speaker})"


def _print_turn(scenario: Any, turn: Any) -> None:
    cut = " [interrupted]" if turn.interrupted else ""
    typer.echo(f"[{turn.start:6.1f}s] {_label(scenario, turn.speaker)}: {turn.text}{cut}")


def _print_summary(result: Any) -> None:
    outcome = result.transcript.outcome
    if outcome is None:
        typer.echo("\nOutcome: none (the call ended before the persona decided)")
    else:
        verdict = "success" if result.success else "not a success for this scenario"
        typer.echo(f"\nOutcome: {outcome} ({verdict})")
    if result.report is None:
        typer.echo("Not scored: you said nothing in this call.")
    else:
        scores = result.report["scores"]
        typer.echo(
            f"Scores: rigidity {scores['rigidity']} (lower is better), value added {scores['value_added']}, "
            f"next step {scores['next_step']}"
        )
    if result.call_id is not None:
        shows = "its turns" if result.report is None else "the evidence and tips"
        typer.echo(f"Saved as call {result.call_id}: `callsim report {result.call_id}` shows {shows}.")


def _result_json(result: Any) -> dict[str, Any]:
    data = json.loads(result.transcript.to_json())
    return {
        "scenario": data["scenario"],
        "outcome": data["outcome"],
        "success": result.success,
        "call_id": result.call_id,
        "research": data["research"],
        "turns": data["turns"],
        "scores": result.report["scores"] if result.report else None,
        "metrics": result.report["metrics"] if result.report else None,
    }


def run(
    scenario: Annotated[
        str, typer.Argument(metavar="SCENARIO", help="Scenario id (see `callsim scenarios list`) or a YAML path.")
    ],
    caller_lines: Annotated[
        Path | None, typer.Option("--caller-lines", help="A text file: one caller turn per line.")
    ] = None,
    more_audio: Annotated[
        list[Path] | None,
        typer.Argument(metavar="AUDIO", help="More caller audio files, after --caller-audio FILE.", show_default=False),
    ] = None,
    caller_audio: Annotated[
        Path | None,
        typer.Option(
            "--caller-audio", help="Audio files (wav, flac, mp3), one caller turn each: --caller-audio A B C."
        ),
    ] = None,
    mic: Annotated[bool, typer.Option("--mic", help="Speak into the microphone; hear the personas.")] = False,
    persona_audio_out: Annotated[
        Path | None, typer.Option("--persona-audio-out", help="Write what the personas say as WAV files here.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the personas' choices (same seed, same call).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the call as JSON.")] = False,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Keep the call in the history.")] = True,
    model: ModelOption = None,
    device: DeviceOption = None,
    compute_type: ComputeTypeOption = None,
    threads: ThreadsOption = None,
) -> None:
    """Run a whole call without a keyboard and print the transcript, outcome and scores."""
    from simulator.call.practice import CallPlan, PracticeCall, load_call_scenario

    audio_files = ([caller_audio] if caller_audio is not None else []) + list(more_audio or [])
    if more_audio and caller_audio is None:
        raise UserError(f"unexpected argument {more_audio[0]}: audio files go after --caller-audio")
    sources = [caller_lines is not None, bool(audio_files), mic]
    if sum(sources) != 1:
        raise UserError("choose exactly one caller: --caller-lines FILE, --caller-audio FILE... or --mic")
    scenario_model, _path = load_call_scenario(scenario)
    if caller_lines is not None:
        plan = CallPlan(scenario, "lines", seed=seed, lines=_read_lines(caller_lines), save=save)
    elif audio_files:
        for path in audio_files:
            if not path.is_file():
                raise UserError(
                    f"{path}: " + ("is a folder, not an audio file" if path.is_dir() else "no such audio file")
                )
        plan = CallPlan(scenario, "audio", seed=seed, audio_files=audio_files, save=save)
    else:
        plan = CallPlan(scenario, "mic", seed=seed, speak=True, save=save)
    plan.persona_audio_out = persona_audio_out

    settings = _settings(model, device, compute_type, threads)
    call = PracticeCall(
        plan, on_event=None if as_json else _live_printer(scenario_model), settings=settings, scenario=scenario_model
    )
    call.warm_up_in_background()
    result = call.run()
    if as_json:
        typer.echo(json.dumps(_result_json(result), indent=2))
    else:
        _print_summary(result)


def _live_printer(scenario: Any) -> Any:
    """Print each turn as it finishes, so a long call shows progress."""
    from simulator.call.events import TurnFinished

    def on_event(event: object) -> None:
        if isinstance(event, TurnFinished):
            _print_turn(scenario, event.turn)

    return on_event


def practice(
    scenario: Annotated[
        str | None, typer.Argument(help="Scenario id or YAML path (default: the gatekeeper screen).")
    ] = None,
    text: Annotated[bool, typer.Option("--text", help="Type your turns in this terminal instead of the app.")] = False,
    seed: Annotated[int, typer.Option(help="Seed for the personas' choices.")] = 0,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Keep the call in the history.")] = True,
    model: ModelOption = None,
    device: DeviceOption = None,
    compute_type: ComputeTypeOption = None,
    threads: ThreadsOption = None,
) -> None:
    """Practise a call: opens the app on a scenario, or a typed call in this terminal with --text."""
    from simulator.scenario.loader import DEFAULT_SCENARIO

    reference = scenario or DEFAULT_SCENARIO
    settings = _settings(model, device, compute_type, threads)
    if not text:
        from simulator.call.practice import load_call_scenario
        from simulator.tui.app import run_app

        load_call_scenario(reference)  # an unknown scenario is one line here, before the screen opens
        run_app(reference, seed=seed, save=save, settings=settings)
        return
    _practice_in_terminal(reference, seed, save)


def _practice_in_terminal(reference: str, seed: int, save: bool) -> None:
    from simulator.call.events import PersonaSpeaking, WrapUp
    from simulator.call.practice import CallPlan, PracticeCall, load_call_scenario

    scenario, _path = load_call_scenario(reference)
    interactive = sys.stdin.isatty()

    from simulator.transcript import MAX_TURN_CHARS

    sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]  # a stray byte is not a crash

    def read_line() -> str | None:
        while True:
            try:
                line = input("You: ") if interactive else sys.stdin.readline(MAX_TURN_CHARS + 2)
            except EOFError:
                return None
            if not line:
                return None
            if len(line.rstrip("\n")) <= MAX_TURN_CHARS:
                return line
            while not interactive and line and not line.endswith("\n"):  # the rest of that line, a piece at a time
                line = sys.stdin.readline(MAX_TURN_CHARS)
            typer.echo(f"(Too long: a turn may have at most {MAX_TURN_CHARS:,} characters. Say it in shorter turns.)")

    def on_event(event: object) -> None:
        if isinstance(event, PersonaSpeaking):
            typer.echo(f"{_label(scenario, event.turn.speaker)}: {event.turn.text}")
        elif isinstance(event, WrapUp) and interactive:
            typer.echo("(Agreed. Say it back: day, time, who calls whom, and goodbye. Ctrl-D hangs up.)")

    typer.echo(f"{scenario.title} ({scenario.difficulty})")
    typer.echo(f"You: {scenario.brief.caller}")
    typer.echo(f"Offer: {scenario.brief.offer}")
    typer.echo(f"Goal: {scenario.brief.goal}")
    if scenario.research:
        typer.echo("Your research:")
        for fact in scenario.research:
            typer.echo(f"  - {fact.fact}")
    typer.echo("Type each turn and press Enter; Ctrl-D hangs up.\n")
    plan = CallPlan(reference, "prompt", seed=seed, read_line=read_line, save=save)
    call = PracticeCall(plan, on_event=on_event, scenario=scenario)
    try:
        result = call.run()
    except KeyboardInterrupt:
        call.hang_up()
        raise
    _print_summary(result)
