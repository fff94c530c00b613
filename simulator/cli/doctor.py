"""`callsim doctor`: is this machine ready for a spoken call? One line per check, ok or FAIL.

It lists the audio devices, finds the microphone and the speaker, loads the speech model and has it
transcribe a phrase a persona voice has just synthesised (so no sample file is needed), plays a test tone
while recording, and explains headset and speaker mode with the one that is set.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer

SAMPLE_PHRASE = "Good morning, thank you for calling. How can I help you today?"


@dataclass
class Report:
    """Collects check results as they print, so the exit code reflects every one."""

    failed: int = 0

    def ok(self, check: str, detail: str) -> None:
        typer.echo(f"ok    {check}: {detail}")

    def fail(self, check: str, detail: str) -> None:
        self.failed += 1
        typer.echo(f"FAIL  {check}: {detail}")

    def info(self, check: str, detail: str) -> None:
        typer.echo(f"info  {check}: {detail}")

    def run(self, check: str, action: Callable[[], str]) -> bool:
        """Run one check; its exception (one line) is the FAIL reason, never a traceback."""
        try:
            detail = action()
        except Exception as error:
            self.fail(check, _one_line(error))
            return False
        self.ok(check, detail)
        return True


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def heard_share(expected: str, heard: str) -> float:
    """Share of the expected words found in what was heard (order aside): enough to tell a working model."""
    want = _words(expected)
    got = set(_words(heard))
    return sum(1 for word in want if word in got) / max(1, len(want))


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    tone: bool = typer.Option(True, "--tone/--no-tone", help="Play and record a short test tone."),
) -> None:
    """Check the microphone, the speaker, the speech model and the persona voices."""
    from simulator.config import Settings, SettingsError, load_settings, settings_path

    report = Report()
    try:
        settings = load_settings()
        report.ok("settings", f"{settings_path()}" if settings_path().exists() else "defaults (no settings file)")
    except SettingsError as error:
        report.fail("settings", f"{error} (using the defaults)")
        settings = Settings()

    _history(report)
    _devices(report, settings)
    speech = _persona_voice(report)
    _speech_to_text(report, settings, speech)
    heard = _tone(report, settings) if tone else None
    _mode(report, settings, heard)
    if report.failed:
        typer.echo(f"{report.failed} check(s) failed")
        raise typer.Exit(1)
    typer.echo("all checks passed")


def _history(report: Report) -> None:
    """Where the calls are kept, and whether the database opens (doctor never creates it)."""
    from simulator.config import database_path
    from simulator.history.store import HistoryError, open_history

    path = database_path()
    if not path.exists():
        report.ok("history", f"no calls yet; they will be kept in {path}")
        return
    try:
        with open_history(path) as store:
            count = len(store.list_calls())
    except HistoryError as error:
        report.fail("history", str(error))
        return
    report.ok("history", f"{count} call(s) in {path}")


def _devices(report: Report, settings: Any) -> None:
    from simulator.voice.devices import AudioUnavailable, check_input, check_output, list_devices

    try:
        devices = list_devices()
    except AudioUnavailable as error:
        report.fail("audio devices", str(error))
        return
    typer.echo(f"audio devices ({len(devices)}):")
    for device in devices:
        marks = [
            label
            for flag, label in ((device.default_input, "default input"), (device.default_output, "default output"))
            if flag
        ]
        suffix = f"  [{', '.join(marks)}]" if marks else ""
        typer.echo(
            f"  {device.index:>3} {device.name} ({device.host_api}) in {device.inputs}, out {device.outputs}{suffix}"
        )
    audio = settings.audio
    report.run("microphone", lambda: _describe(check_input(audio.input_device)))
    report.run("speaker", lambda: _describe(check_output(audio.output_device)))


def _describe(device: Any) -> str:
    return f"{device.name} ({device.host_api}), {int(device.default_rate)} Hz"


def _persona_voice(report: Report) -> Any:
    """Synthesise the sample phrase in the default scenario's first persona voice."""
    from simulator.scenario.model import Voice
    from simulator.voice.tts import synthesize

    voice, who = Voice(), "the default voice"
    try:
        from simulator.scenario.loader import DEFAULT_SCENARIO, load_scenario, resolve_scenario

        scenario = load_scenario(resolve_scenario(DEFAULT_SCENARIO))
        persona = scenario.personas.gatekeeper or scenario.personas.executive
        voice, who = persona.voice, f"{persona.name}'s voice ({scenario.id})"
    except Exception as error:  # the voice check still runs with the default voice
        report.info("persona voice", f"default scenario not loaded ({_one_line(error)}); trying the default voice")
    result: dict[str, Any] = {}

    def check() -> str:
        started = time.perf_counter()
        speech = synthesize(SAMPLE_PHRASE, voice)
        took = time.perf_counter() - started
        if speech.seconds < 0.5 or float(abs(speech.samples).max()) < 0.05:
            raise RuntimeError(f"{who} produced no audible speech")
        result["speech"] = speech
        return f"{who} said {speech.seconds:.1f} s of speech in {took:.2f} s"

    report.run("persona voice", check)
    return result.get("speech")


def _speech_to_text(report: Report, settings: Any, speech: Any) -> None:
    from simulator.voice.stt import Transcriber

    transcriber = Transcriber(settings.stt)

    def load() -> str:
        started = time.perf_counter()
        transcriber.load()
        return f"{transcriber.describe()} loaded in {time.perf_counter() - started:.1f} s"

    if not report.run("speech model", load):
        return
    if speech is None:
        report.fail("speech-to-text", "no sample to transcribe (the persona voice check failed)")
        return

    def transcribe() -> str:
        from simulator.voice.playback import resample

        audio = resample(speech.samples, speech.rate, 16000)
        result = transcriber.transcribe(audio)
        share = heard_share(SAMPLE_PHRASE, result.text)
        if share < 0.6:
            raise RuntimeError(f"heard {result.text!r} for {SAMPLE_PHRASE!r}")
        return f"heard {result.text!r} ({share:.0%} of the words) in {result.seconds:.2f} s"

    report.run("speech-to-text", transcribe)


def _tone(report: Report, settings: Any) -> bool | None:
    """Play and record the tone; True when the microphone heard the speaker, None when the check failed."""
    from simulator.voice.devices import play_and_record_tone

    heard_it: list[bool] = []

    def check() -> str:
        result = play_and_record_tone(settings.audio.input_device, settings.audio.output_device)
        heard_it.append(result.heard)
        heard = (
            "the microphone hears the speaker"
            if result.heard
            else "the microphone did not pick the tone up (a headset, or the speaker is turned down)"
        )
        return (
            f"played {result.played_seconds:.1f} s at 1 kHz while recording; tone heard at "
            f"{result.tone_db:.0f} dBFS (room {result.room_db:.0f} dBFS): {heard}"
        )

    report.run("test tone", check)
    return heard_it[0] if heard_it else None


def _mode(report: Report, settings: Any, heard: bool | None) -> None:
    from simulator.config import settings_path

    mode = settings.audio.mode
    path = settings_path()
    where = f"[audio] mode in {path}" if path.exists() else f"default; change it with [audio] mode in {path}"
    if mode == "headset":
        report.info(
            "audio mode",
            f"headset ({where}): talking over a persona stops it at once (full barge-in); with laptop "
            'speakers the persona would hear itself and stop, so set mode = "speaker" there',
        )
        if heard:
            report.info(
                "advice",
                'the microphone hears the speaker: unless you wear a headset, set mode = "speaker" in [audio]',
            )
    else:
        report.info(
            "audio mode",
            f"speaker ({where}): only speech clearly louder than the persona's own voice from the "
            'speakers interrupts it; with a headset, mode = "headset" gives full barge-in',
        )
