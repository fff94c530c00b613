"""`callsim run` and `callsim practice --text` as a user runs them: real processes, real history."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

CALLERS = Path(__file__).parent / "data" / "callers"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLSIM_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def callsim(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args], capture_output=True, text=True, input=input, timeout=120
    )


def test_run_with_caller_lines_prints_json_with_turns_outcome_scores_and_metrics(home: Path) -> None:
    result = callsim(
        "run", "gatekeeper-screen", "--caller-lines", str(CALLERS / "gatekeeper-screen.good.txt"), "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["scenario"] == "gatekeeper-screen"
    assert data["outcome"] in ("meeting_booked", "callback_scheduled")
    assert data["success"] is True
    assert {turn["speaker"] for turn in data["turns"]} == {"caller", "gatekeeper"}
    assert all({"speaker", "text", "start", "end"} <= set(turn) for turn in data["turns"])
    assert set(data["scores"]) == {"rigidity", "value_added", "next_step"}
    assert "talk_ratio" in json.dumps(data["metrics"]) or data["metrics"]
    # saved in the history
    history = json.loads(callsim("history", "--json").stdout)
    calls = history["calls"] if isinstance(history, dict) else history
    assert len(calls) == 1


def test_run_with_a_pushy_caller_is_not_a_success_and_no_save_keeps_no_history(home: Path) -> None:
    lines = str(CALLERS / "gatekeeper-screen.pushy.txt")
    result = callsim("run", "gatekeeper-screen", "--caller-lines", lines, "--json", "--no-save")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["success"] is False
    assert data["call_id"] is None
    assert not (home / "history.sqlite3").exists()


def test_run_prints_a_readable_transcript(home: Path) -> None:
    result = callsim("run", "referral", "--caller-lines", str(CALLERS / "referral.good.txt"))
    assert result.returncode == 0, result.stderr
    assert "You: " in result.stdout
    assert "Outcome: " in result.stdout
    assert "rigidity" in result.stdout and "lower is better" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "no-such-scenario", "--caller-lines", "x.txt"], "no-such-scenario"),
        (["run", "gatekeeper-screen", "--caller-lines", "missing-file.txt"], "missing-file.txt"),
        (["run", "gatekeeper-screen"], "choose exactly one caller"),
    ],
)
def test_bad_run_arguments_give_one_line_and_no_traceback(home: Path, args: list[str], message: str) -> None:
    result = callsim(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuchcmd"], "No such command 'nosuchcmd'"),
        (["run", "gatekeeper-screen", "--caller-lines", "x.txt", "--foo"], "No such option: --foo"),
        (["run", "gatekeeper-screen", "--seed", "abc"], "'--seed'"),
        (["report", "abc"], "'ID'"),
        (["export", "--format", "xml"], "'xml'"),
        (["run"], "Missing argument 'SCENARIO'"),
    ],
)
def test_command_line_mistakes_show_usage_and_exit_2_not_a_crash(home: Path, args: list[str], message: str) -> None:
    result = callsim(*args)
    assert result.returncode == 2, result.stderr
    assert "Usage: " in result.stderr and message in result.stderr
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr
    assert not (home / "callsim.log").exists()  # a typo is not a crash to log


def test_version_and_short_help(home: Path) -> None:
    version = callsim("--version")
    assert version.returncode == 0 and re.fullmatch(r"callsim \d+\.\d+\.\d+\S*\n", version.stdout)
    short_help = callsim("run", "-h")
    assert short_help.returncode == 0 and "--caller-lines" in short_help.stdout


def test_practice_text_reads_typed_turns_and_scores_the_call(home: Path) -> None:
    lines = (CALLERS / "gatekeeper-screen.good.txt").read_text()
    result = callsim("practice", "gatekeeper-screen", "--text", input=lines)
    assert result.returncode == 0, result.stderr
    assert "Priya" in result.stdout  # the gatekeeper speaks
    assert "Offer: Route-cost benchmarks" in result.stdout  # the brief, with the research to use
    assert "  - Halden Freight opened a new cross-dock hub in Leeds in September." in result.stdout
    assert "Outcome: " in result.stdout
    assert "Saved as call 1" in result.stdout


def test_a_killed_practice_call_keeps_its_finished_turns(home: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "practice", "gatekeeper-screen", "--text"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ},
    )
    assert process.stdin is not None
    process.stdin.write("Hi Priya, this is Sam Carter from Brightline Analytics.\n")
    process.stdin.write("I'm calling because Halden just opened the new Leeds hub.\n")
    process.stdin.flush()
    database = home / "history.sqlite3"
    deadline = time.monotonic() + 60
    saved = 0
    while time.monotonic() < deadline:
        if database.exists():
            try:
                with sqlite3.connect(database) as db:
                    saved = db.execute("select count(*) from turns").fetchone()[0]
            except sqlite3.OperationalError:
                saved = 0
        if saved >= 4:  # opening, caller, reply, caller (the last reply is being "spoken" or finished)
            break
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert saved >= 4
    history = callsim("history", "--json")
    assert history.returncode == 0, history.stderr
    calls = json.loads(history.stdout)
    calls = calls["calls"] if isinstance(calls, dict) else calls
    assert len(calls) == 1 and calls[0]["complete"] is False
    report = callsim("report", str(calls[0]["id"]), "--json")
    assert report.returncode == 0, report.stderr
    texts = [turn["text"] for turn in json.loads(report.stdout)["turns"]]
    assert "Hi Priya, this is Sam Carter from Brightline Analytics." in texts
    assert "I'm calling because Halden just opened the new Leeds hub." in texts


def _espeak(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return path


@pytest.mark.model
def test_run_with_caller_audio_files_hears_each_file_and_writes_the_personas_as_wav(home: Path, tmp_path: Path) -> None:
    import wave

    import jiwer
    import numpy as np

    said = [
        "Hi Priya, this is Sam Carter from Brightline Analytics.",
        "I saw that Halden opened a new cross dock hub in Leeds in September.",
    ]
    files = [str(_espeak(line, tmp_path / f"caller-{n}.wav")) for n, line in enumerate(said)]
    out = tmp_path / "personas"
    result = callsim("run", "gatekeeper-screen", "--caller-audio", *files, "--persona-audio-out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    heard = [turn["text"] for turn in data["turns"] if turn["speaker"] == "caller"]
    assert len(heard) == 2
    normal = [" ".join(re.findall(r"[a-z0-9']+", text.lower())) for text in (" ".join(said), " ".join(heard))]
    assert jiwer.wer(*normal) <= 0.35, heard
    persona_turns = [turn for turn in data["turns"] if turn["speaker"] != "caller"]
    (out / "09-executive.wav").write_bytes(b"from an earlier, longer call")
    (out / "notes.wav").write_bytes(b"not ours")
    again = callsim("run", "gatekeeper-screen", "--caller-audio", *files, "--persona-audio-out", str(out), "--json")
    assert again.returncode == 0, again.stderr
    assert (out / "notes.wav").exists()  # only the files a call writes are replaced
    (out / "notes.wav").unlink()
    wavs = sorted(out.glob("*.wav"))
    assert [path.name for path in wavs] == [f"{n:02d}-gatekeeper.wav" for n in range(1, len(persona_turns) + 1)]
    for path in wavs:
        with wave.open(str(path)) as wav:
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        assert wav.getnframes() > wav.getframerate() * 0.5 and np.abs(samples).max() > 1000
    # each answer records how fast it came: end of speech, transcript, reply, first audio
    for turn in persona_turns[1:]:
        latency = turn["latency"]
        assert latency["end_of_speech"] <= latency["transcript_ready"] <= latency["reply_chosen"]
        assert latency["first_audio"] >= latency["reply_chosen"]


def test_a_bad_audio_file_is_reported_before_the_call_starts(home: Path, tmp_path: Path) -> None:
    good = _espeak("Hello there.", tmp_path / "hello.wav")
    fake = tmp_path / "fake.wav"
    fake.write_text("this is not audio", encoding="utf-8")
    result = callsim("run", "gatekeeper-screen", "--caller-audio", str(good), str(fake))
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"callsim: {fake}: cannot decode this audio")
    assert len(result.stderr.splitlines()) == 1
    assert "gatekeeper" not in result.stdout.lower()  # no persona spoke: the call never began
    assert callsim("history").stdout.startswith("No calls yet")
    folder = callsim("run", "gatekeeper-screen", "--caller-audio", str(tmp_path))
    assert folder.returncode == 1 and f"{tmp_path}: is a folder, not an audio file" in folder.stderr


def test_an_unknown_speech_model_is_one_line(home: Path, tmp_path: Path) -> None:
    audio = _espeak("Hello there.", tmp_path / "hello.wav")
    result = callsim("run", "gatekeeper-screen", "--caller-audio", str(audio), "--model", "no-such-model")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("callsim: speech model 'no-such-model'")
    assert len(result.stderr.strip().splitlines()) == 1
