"""Scoring a real recorded call: recordings made here (espeak-ng voices and real speech, one party a
channel, known turns), through the real decoder, Silero VAD, tiny.en, the scorer and SQLite."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import callsim_in_process as callsim
from jiwer import wer
from recorded_calls import JFK_TEXT, Line, PlacedLine, make_call, write_audio

from simulator.call.recorded import Cancelled, ImportPlan, Progress, import_recording
from simulator.history.store import HistoryStore
from simulator.scoring import score_transcript
from simulator.scoring.language import normalise
from simulator.transcript import Transcript, Turn
from simulator.voice.stt import Transcriber

GB = "en-gb"
EXEC = "en-us+f3"

# A screened call: the assistant answers, asks, hands over after a hold; the executive takes the call.
SCREENED = [
    Line("prospect", "Good morning, Daniel Reyes's office, Priya speaking. How can I help?", voice=GB),
    Line("caller", "Hi Priya, this is Sam Carter from Brightline Analytics. I wonder if you could help me?"),
    Line("prospect", "I'm afraid he isn't taking calls he isn't expecting. What is this regarding?", voice=GB),
    Line(
        "caller",
        "I'm calling because Halden just opened the new Leeds hub, and we've benchmarked route costs for twelve "
        "similar hubs. I'd be happy to share the findings with Daniel.",
    ),
    Line("prospect", "That does sound relevant. Putting you through.", voice=GB),
    Line("prospect", "Daniel Reyes speaking.", gap=6.0, voice=EXEC),  # a long silence: the hold
    Line("caller", "Thanks for taking my call. Could we meet on Tuesday at ten, or Thursday at two?"),
    Line("prospect", "That works for me. Please send me the invite.", voice=EXEC),
]
SCREENED_SPEAKERS = ["gatekeeper", "caller", "gatekeeper", "caller", "gatekeeper", "executive", "caller", "executive"]
RESEARCH = ["Halden Freight opened a new cross-dock hub in Leeds in September."]


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    model = Transcriber()
    model.load()
    return model


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[PlacedLine]]:
    path = tmp_path_factory.mktemp("recorded") / "screened.flac"
    return path, make_call(SCREENED, path, rate=44_100)


def turns_of(placed: list[PlacedLine], speakers: list[str]) -> Transcript:
    """The same conversation given as a transcript: the words as written, the times as placed."""
    turns = [
        Turn(speaker=speaker, text=line.text, start=line.start, end=line.end)  # type: ignore[arg-type]
        for line, speaker in zip(placed, speakers, strict=True)
    ]
    return Transcript(research=RESEARCH, turns=turns)


def run(plan: ImportPlan, transcriber: Transcriber, store: HistoryStore | None = None, **options: object):  # noqa: ANN201
    return import_recording(plan, transcriber, store, **options)  # type: ignore[arg-type]


def test_a_screened_call_comes_back_as_its_turns_speakers_and_times(
    screened: tuple[Path, list[PlacedLine]], transcriber: Transcriber
) -> None:
    path, placed = screened
    result = run(ImportPlan(recording=path, research=tuple(RESEARCH)), transcriber)
    turns = result.transcript.turns
    assert [turn.speaker for turn in turns] == SCREENED_SPEAKERS, [(t.speaker, t.text) for t in turns]
    assert "hand-off" in result.roles and "putting you through" in result.roles
    for turn, line in zip(turns, placed, strict=True):
        assert abs(turn.start - line.start) < 0.35, (turn, line)
        assert abs(turn.end - line.end) < 0.35, (turn, line)
    said = " ".join(normalise(line.text) for line in placed)
    heard = " ".join(normalise(turn.text) for turn in turns)
    assert wer(said, heard) < 0.3, heard  # tiny.en on espeak voices: about 20 % here (names, mostly)
    assert not any(turn.interrupted for turn in turns)
    assert turns[5].start - turns[4].end > 5.5  # the hold is kept as silence, not folded into a turn


def test_scores_equal_those_of_the_same_conversation_as_a_transcript(
    screened: tuple[Path, list[PlacedLine]], transcriber: Transcriber
) -> None:
    path, placed = screened
    result = run(ImportPlan(recording=path, research=tuple(RESEARCH)), transcriber)
    written = score_transcript(turns_of(placed, SCREENED_SPEAKERS)).to_dict()
    for name, value in written["scores"].items():
        assert abs(result.report["scores"][name] - value) <= 5, (name, result.report["scores"], written["scores"])
    heard = {name: metric["value"] for name, metric in result.report["metrics"].items()}
    truth = {name: metric["value"] for name, metric in written["metrics"].items()}
    assert abs(heard["talk_ratio"] - truth["talk_ratio"]) < 5
    assert abs(heard["longest_monologue"] - truth["longest_monologue"]) < 0.5
    assert abs(heard["mean_answer_gap"] - truth["mean_answer_gap"]) < 0.3
    assert heard["interruptions"] == truth["interruptions"] == 0


@pytest.mark.parametrize(
    ("suffix", "rate", "caller_side"),
    [(".wav", 16_000, "right"), (".mp3", 22_050, "left"), (".m4a", 48_000, "left"), (".ogg", 24_000, "right")],
)
def test_every_format_and_rate_and_either_channel(
    tmp_path: Path, transcriber: Transcriber, suffix: str, rate: int, caller_side: str
) -> None:
    lines = [
        Line("prospect", "Hello, this is Dana.", voice=EXEC),
        Line("caller", "Hi Dana, this is Sam from Brightline. Do you have a minute?"),
        Line("prospect", "Sure, go ahead.", voice=EXEC),
    ]
    path = tmp_path / f"call{suffix}"
    placed = make_call(lines, path, rate=rate, caller_side=caller_side)
    result = run(ImportPlan(recording=path, caller_side=caller_side), transcriber)  # type: ignore[arg-type]
    assert [turn.speaker for turn in result.transcript.turns] == ["executive", "caller", "executive"]
    assert "executive" in result.roles and "guessed" in result.roles
    for turn, line in zip(result.transcript.turns, placed, strict=True):
        assert abs(turn.start - line.start) < 0.35 and abs(turn.end - line.end) < 0.35


def test_real_speech_and_an_interruption(tmp_path: Path, transcriber: Transcriber) -> None:
    """jfk.flac as the caller's long turn; the prospect starts over the caller, who stops."""
    lines = [
        Line("prospect", "Hello, Dana Price speaking.", voice=EXEC),
        Line("caller", JFK_TEXT, real_speech=True),
        Line("prospect", "Sorry, I have to stop you there, what is this about?", gap=-2.5, voice=EXEC),
        Line("caller", "It is about your warehouse in Leeds."),
    ]
    path = tmp_path / "jfk-call.wav"
    placed = make_call(lines, path)
    result = run(ImportPlan(recording=path, role="executive"), transcriber)
    turns = result.transcript.turns
    assert [turn.speaker for turn in turns] == ["executive", "caller", "executive", "caller"], [
        (t.speaker, t.start, t.end, t.text) for t in turns
    ]
    assert wer(normalise(JFK_TEXT), normalise(turns[1].text)) < 0.15, turns[1].text
    assert turns[2].start < turns[1].end  # the overlap is kept in the times
    assert turns[1].start == pytest.approx(placed[1].start, abs=0.35)
    assert result.roles == "prospect: executive (set with --role)"


def test_the_caller_cutting_in_counts_as_an_interruption(tmp_path: Path, transcriber: Transcriber) -> None:
    lines = [
        Line("prospect", "Hello, Dana speaking. I only have a minute before my next meeting starts.", voice=EXEC),
        Line("caller", "Hi Dana, this is Sam from Brightline.", gap=-1.5),
    ]
    path = tmp_path / "cut-in.flac"
    make_call(lines, path)
    result = run(ImportPlan(recording=path), transcriber)
    metrics = {name: metric["value"] for name, metric in result.report["metrics"].items()}
    assert [turn.speaker for turn in result.transcript.turns] == ["executive", "caller"]
    assert metrics["interruptions"] == 1


def test_two_files_one_per_party(tmp_path: Path, transcriber: Transcriber) -> None:
    from faster_whisper import decode_audio

    lines = [Line("caller", "Hi, is this Dana?"), Line("prospect", "Yes, speaking.", voice=EXEC)]
    both = tmp_path / "both.wav"
    placed = make_call(lines, both)
    left, right = decode_audio(str(both), split_stereo=True)
    write_audio(tmp_path / "me.wav", left[np.newaxis, :], 16_000)
    write_audio(tmp_path / "them.mp3", right[np.newaxis, :], 16_000)
    plan = ImportPlan(caller_audio=tmp_path / "me.wav", prospect_audio=tmp_path / "them.mp3")
    result = run(plan, transcriber)
    assert [turn.speaker for turn in result.transcript.turns] == ["caller", "executive"]
    assert result.transcript.turns[1].start == pytest.approx(placed[1].start, abs=0.35)


def test_saved_once_reused_on_a_second_score_and_kept_apart(
    screened: tuple[Path, list[PlacedLine]], transcriber: Transcriber, tmp_path: Path
) -> None:
    path, _placed = screened
    with HistoryStore(tmp_path / "history.db") as store:
        practice = store.start_call("gatekeeper-screen", [], "typed")
        store.finish_call(practice, "hung_up", {"scores": {"rigidity": 10, "value_added": 90, "next_step": 90}})
        first = run(ImportPlan(recording=path, scenario_id="gatekeeper-screen"), transcriber, store)
        fresh = Transcriber()
        again = run(ImportPlan(recording=path, research=tuple(RESEARCH)), fresh, store)
        assert not fresh.loaded  # the stored transcript was used: no model, no transcription
        assert not first.reused and again.reused and again.call_id == first.call_id
        assert again.transcript.turns == first.transcript.turns
        assert [call.kind for call in store.list_calls()] == ["practice", "recorded"]
        assert [call.id for call in store.list_calls(kind="recorded")] == [first.call_id]
        assert first.call_id is not None
        saved = store.get_call(first.call_id)
        assert saved.transcript.research == RESEARCH and saved.report == again.report
        assert saved.recording is not None and saved.recording["files"] == [str(path.resolve())]
        assert "audio" not in saved.recording  # the audio is not copied unless asked


def test_cancelling_saves_nothing(
    screened: tuple[Path, list[PlacedLine]], transcriber: Transcriber, tmp_path: Path
) -> None:
    path, _placed = screened
    cancel = threading.Event()
    seen: list[Progress] = []

    def progress(update: Progress) -> None:
        seen.append(update)
        if update.stage == "transcribing" and update.done > 0:
            cancel.set()  # the user pressed Ctrl-C or Cancel after the first window

    with HistoryStore(tmp_path / "history.db") as store:
        with pytest.raises(Cancelled):
            run(ImportPlan(recording=path), transcriber, store, on_progress=progress, cancel=cancel)
        assert store.list_calls() == []
    assert any(update.seconds_left is not None for update in seen)


# -- the command line --------------------------------------------------------------------------------


def test_score_call_prints_the_report_and_saves_it(
    screened: tuple[Path, list[PlacedLine]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _placed = screened
    facts = tmp_path / "facts.yaml"
    facts.write_text("- Halden Freight opened a new cross-dock hub in Leeds in September.\n", encoding="utf-8")
    code, out, err = callsim(capsys, monkeypatch, "score-call", str(path), "--research", str(facts))
    assert code == 0, err
    assert "Saved as call 1 (recorded)" in out and "Rigidity" in out and "hand-off" in out
    assert "transcribing 100%" in err  # progress, on stderr
    _code, listed, _err = callsim(capsys, monkeypatch, "history", "--kind", "recorded")
    assert "recorded" in listed and "(no scenario)" in listed
    assert "No calls" in callsim(capsys, monkeypatch, "history", "--kind", "practice")[1]
    _code, report, _err = callsim(capsys, monkeypatch, "report", "1")
    assert "Recorded call:" in report and "Halden Freight" in report
    assert not (Path(os.environ["CALLSIM_HOME"]) / "recordings").exists()  # no audio copied
    code, again, err = callsim(capsys, monkeypatch, "score-call", str(path), "--keep-audio", "--json")
    assert code == 0, err
    payload = json.loads(again)
    assert payload["id"] == 1 and payload["reused_transcript"] is True and payload["kind"] == "recorded"
    _code, exported, _err = callsim(capsys, monkeypatch, "report", "1", "--json")
    kept = [Path(name) for name in json.loads(exported)["recording"]["audio"]]
    assert len(kept) == 1 and kept[0].read_bytes() == path.read_bytes()


def test_ctrl_c_stops_the_command_and_saves_nothing(screened: tuple[Path, list[PlacedLine]], tmp_path: Path) -> None:
    path, _placed = screened
    environment = {**os.environ, "CALLSIM_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "simulator", "score-call", str(path)]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:  # progress lines; interrupt once transcription is under way
        if line.startswith("transcribing"):
            process.send_signal(signal.SIGINT)
            break
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == "callsim: cancelled: nothing was saved"
    database = tmp_path / "home" / "history.sqlite3"
    if database.exists():  # the command opens the history before it transcribes
        with HistoryStore(database) as store:
            assert store.list_calls() == []


def _write_text(path: Path) -> Path:
    path.write_text("this is not audio\n", encoding="utf-8")
    return path


def _truncated(path: Path, tmp_path: Path) -> Path:
    whole = tmp_path / "whole.wav"
    make_call([Line("caller", "Hello there, this is Sam."), Line("prospect", "Hi Sam.", voice=EXEC)], whole)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _channels(path: Path, count: int, silent: tuple[int, ...] = ()) -> Path:
    rng = np.random.default_rng(1)
    samples = (rng.standard_normal((count, 16_000 * 3)) * 0.1).astype(np.float32)
    for channel in silent:
        samples[channel] = 0
    write_audio(path, samples, 16_000)
    return path


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("empty.wav", lambda p, _t: (p.write_bytes(b""), p)[1], "empty file"),
        ("notes.mp3", lambda p, _t: _write_text(p), "not an audio file"),
        ("cut.wav", _truncated, "truncated"),
        ("six.flac", lambda p, _t: _channels(p, 6), "has 6 channels"),
        ("mono.wav", lambda p, _t: _channels(p, 1), "a mono recording"),
        ("silent.wav", lambda p, _t: _channels(p, 2, silent=(0, 1)), "silent on both channels"),
        ("one-side.wav", lambda p, _t: _channels(p, 2, silent=(1,)), "the right channel (prospect) is silent"),
        ("noise.wav", lambda p, _t: _channels(p, 2), "no speech from the caller"),
    ],
)
def test_a_bad_recording_gets_one_line_and_nothing_is_saved(
    tmp_path: Path,
    name: str,
    make: Callable[[Path, Path], Path],
    reason: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make(tmp_path / name, tmp_path)
    code, _out, err = callsim(capsys, monkeypatch, "score-call", str(path))
    assert code == 1, err
    lines = [line for line in err.splitlines() if line.strip() and "%" not in line]
    assert len(lines) == 1 and lines[0].startswith(f"callsim: {path}: "), err
    assert reason in lines[0]
    if reason in ("a mono recording", "has 6 channels", "not an audio file"):
        assert "two-channel wav, flac, mp3, m4a or ogg" in lines[0]
    assert '"calls": []' in callsim(capsys, monkeypatch, "history", "--json")[1]


def test_a_bad_research_file_is_named_with_its_line(
    screened: tuple[Path, list[PlacedLine]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _placed = screened
    facts = tmp_path / "facts.yaml"
    facts.write_text("- a fact\n- {not: a fact}\n", encoding="utf-8")
    code, _out, err = callsim(capsys, monkeypatch, "score-call", str(path), "--research", str(facts))
    assert code == 1
    assert err.strip() == f"callsim: {facts}:2:3: each fact is a line of text"


def test_a_history_of_version_2_is_migrated_and_keeps_its_calls(tmp_path: Path) -> None:
    from simulator.history.migrations import MIGRATIONS, migrate

    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    migrate(connection, MIGRATIONS[:2])
    connection.execute("INSERT INTO calls (scenario_id, mode, started_at) VALUES ('referral', 'typed', '2026-01-01')")
    connection.close()
    with HistoryStore(path) as store:
        [call] = store.list_calls()
        assert call.kind == "practice"
        assert store.find_recording("nothing") is None
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 4
    columns = {row[1] for row in connection.execute("PRAGMA table_info(turns)")}
    assert "reading" in columns


# -- the app -----------------------------------------------------------------------------------------


def test_the_app_imports_a_recording_and_shows_its_report(tmp_path: Path) -> None:
    import asyncio

    from conftest_tui import until
    from textual.widgets import Input

    from simulator.history.store import open_history
    from simulator.tui.app import create_app
    from simulator.tui.screens.import_call import ImportCallScreen
    from simulator.tui.screens.report import ReportScreen
    from simulator.tui.widgets.transcript_view import TranscriptView

    path = tmp_path / "call.mp3"
    make_call(
        [
            Line("prospect", "Hello, this is Dana.", voice=EXEC),
            Line("caller", "Hi Dana, this is Sam from Brightline. Do you have a minute?"),
        ],
        path,
    )

    async def scenario() -> None:
        app = create_app(typed=True, speak="silent", cursor_blink=False)
        async with app.run_test(size=(100, 32)) as pilot:
            app.action_import_call()
            await until(pilot, lambda: isinstance(app.screen, ImportCallScreen) and bool(app.screen.query("#start")))
            box = app.screen.query_one("#recording", Input)
            box.value = "/no/such/call.wav"
            box.focus()
            await pilot.press("enter")
            await until(pilot, lambda: "no such recording" in str(app.screen.query_one("#import-status").render()))
            box.value = str(path)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ReportScreen), seconds=90)
            view = app.screen.query_one(TranscriptView)
            await until(pilot, lambda: view.shown == 2)

    asyncio.run(scenario())
    with open_history() as store:
        [call] = store.list_calls(kind="recorded")
        assert call.turns == 2
