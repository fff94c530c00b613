"""The pieces that make a file a user was sent safe: terminal text, bounded reading, the error family,
the history's read-only and full-disk words, and export -> score giving the history's own scores."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import callsim_in_process as callsim

from simulator.bounded_read import FileRefused, read_bounded
from simulator.config import database_path
from simulator.errors import CallsimError
from simulator.history.store import HistoryError, HistoryStore
from simulator.terminal_text import SafeStream, is_terminal_safe, one_line, terminal_safe

REPO = Path(__file__).resolve().parent.parent


# -- terminal text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("title \x1b]52;c;SGk=\x07 end", "title \\u001b]52;c;SGk=\\u0007 end"),
        ("\x1b[2J\x1b[H", "\\u001b[2J\\u001b[H"),
        ("C1 \x9b2J", "C1 \\u009b2J"),
        ("bell\a back\b cr\r", "bell\\u0007 back\\u0008 cr\\u000d"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("bidi \u202egnp.exe", "bidi \\u202egnp.exe"),
        ("del \x7f nul \x00", "del \\u007f nul \\u0000"),
        ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
        ("café, 日本, emoji 👍🏽 and [bold]markup[/]", "café, 日本, emoji 👍🏽 and [bold]markup[/]"),
    ],
)
def test_terminal_safe_shows_every_control_as_text(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown
    assert is_terminal_safe(terminal_safe(text))
    assert terminal_safe(shown) == shown  # escaping twice changes nothing more


def test_one_line_escapes_line_breaks_too() -> None:
    assert one_line("a\nb\tc\u2028d") == "a\\u000ab\\u0009c\\u2028d"


def test_json_through_a_safe_stream_stays_json_with_the_same_strings() -> None:
    value = {"text": "Hi \x9b2J \u202e \x1b]0;x\x07 end", "lone": "\udc80"}
    buffer = io.StringIO()
    SafeStream(buffer).write(json.dumps(value, ensure_ascii=False))
    assert is_terminal_safe(buffer.getvalue())
    assert json.loads(buffer.getvalue()) == value


def test_an_escape_split_over_two_writes_is_still_caught() -> None:
    buffer = io.StringIO()
    stream = SafeStream(buffer)
    stream.write("start \x1b")
    stream.write("]52;c;SGk=\x07")
    assert "\x1b" not in buffer.getvalue() and "\x07" not in buffer.getvalue()
    assert not stream.isatty()
    with pytest.raises(AttributeError):
        stream.buffer  # noqa: B018  - no way around the filter


# -- bounded reading --------------------------------------------------------------------------------


def test_read_bounded_refuses_what_is_not_a_regular_file_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(FileRefused, match="not a regular file"):
        read_bounded(fifo, 1000, "scenario file")  # opened without blocking: no writer is needed
    with pytest.raises(FileRefused, match="not a regular file"):
        read_bounded(Path("/dev/zero"), 1000, "scenario file")
    with pytest.raises(FileRefused, match="is a folder, not a scenario file"):
        read_bounded(tmp_path, 1000, "scenario file")
    with pytest.raises(FileRefused, match="no such file"):
        read_bounded(tmp_path / "missing", 1000, "scenario file")


def test_read_bounded_stops_one_byte_past_the_limit(tmp_path: Path) -> None:
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * 1000)
    assert read_bounded(exact, 1000, "file") == b"x" * 1000
    sparse = tmp_path / "sparse"
    with sparse.open("wb") as file:
        file.truncate(50_000_000_000)  # 50 GB on paper: refused after reading 1,001 bytes
    with pytest.raises(FileRefused, match=r"too large for a transcript \(the limit is 1 KB\)"):
        read_bounded(sparse, 1000, "transcript")


# -- one error family ---------------------------------------------------------------------------------


def test_every_expected_error_is_a_callsim_error() -> None:
    from simulator.cli.errors import UserError
    from simulator.config import SettingsError
    from simulator.scenario.loader import ScenarioError
    from simulator.transcript import TranscriptError
    from simulator.tui.mic_check import MicrophoneMissing
    from simulator.voice.capture import AudioFileError
    from simulator.voice.devices import AudioUnavailable
    from simulator.voice.stt import ModelUnavailable
    from simulator.voice.tts import SpeechError

    for kind in (UserError, SettingsError, ScenarioError, TranscriptError, HistoryError, MicrophoneMissing,
                 AudioFileError, AudioUnavailable, ModelUnavailable, SpeechError, FileRefused):  # fmt: skip
        assert issubclass(kind, CallsimError), kind


def test_a_new_callsim_error_is_one_line_with_no_list_to_update(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.call.failures import one_line

    class BrandNew(CallsimError):
        exit_code = 3

    assert one_line(BrandNew("first line \x1b]0;x\x07\nsecond line")) == "first line \\u001b]0;x\\u0007"
    import simulator.cli.records as records

    def explode(*_args: object, **_kwargs: object) -> None:
        raise BrandNew("it went wrong \x9b in words")

    monkeypatch.setattr(records, "_history_exists", explode)
    code, out, err = callsim(capsys, monkeypatch, "history")
    assert (code, out, err) == (3, "", "callsim: it went wrong \\u009b in words\n")


# -- the history: read-only, full disk, checked before writing --------------------------------------


def _history_with_calls(path: Path, count: int) -> None:
    from simulator.transcript import Turn

    with HistoryStore(path) as store:
        for number in range(count):
            call_id = store.start_call(
                "gatekeeper-screen", [], "lines", started_at=datetime(2026, 3, 1, 9, number, tzinfo=UTC)
            )
            store.add_turn(call_id, 0, Turn(speaker="caller", text="Hello there", start=0, end=1))
            store.finish_call(call_id, "rejected", None)


def test_reading_opens_read_only_and_a_write_says_read_only(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    _history_with_calls(path, 2)
    before = path.read_bytes()
    with HistoryStore(path, read_only=True) as store:
        assert [call.id for call in store.list_calls()] == [1, 2]
        with pytest.raises(HistoryError, match=r"^the history is read-only: "):
            store.start_call("gatekeeper-screen", [], "lines")
    assert path.read_bytes() == before


def test_reading_a_missing_history_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nothing" / "history.sqlite3"
    with HistoryStore(path, read_only=True) as store:
        assert store.list_calls() == []
    assert not path.parent.exists()


def test_a_history_without_its_turns_table_is_refused_before_a_call_row_is_written(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    _history_with_calls(path, 1)
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE turns")
    connection.commit()
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="its turns table is missing"):
        HistoryStore(path)
    assert path.read_bytes() == before


def test_a_damaged_date_is_skipped_with_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _history_with_calls(database_path(), 3)
    connection = sqlite3.connect(database_path())
    connection.execute("UPDATE calls SET started_at = 'last tuesday' WHERE id = 2")
    connection.commit()
    connection.close()
    code, out, err = callsim(capsys, monkeypatch, "history", "--json")
    assert code == 0 and [call["id"] for call in json.loads(out)["calls"]] == [1, 3]
    assert err.startswith("callsim: skipped call 2 in the history (") and "is damaged" in err
    code, out, err = callsim(capsys, monkeypatch, "export")
    assert code == 0 and [call["id"] for call in json.loads(out)] == [1, 3] and "skipped call 2" in err


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a tiny tmpfs: a real full disk")
def test_a_full_disk_is_said_in_words_and_reading_still_works(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True)
    assert mounted.returncode == 0, mounted.stderr
    try:
        path = disk / "history.sqlite3"
        _history_with_calls(path, 2)
        for extra in ("-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        descriptor = os.open(disk / "fill", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(descriptor, b"\0" * 4096):  # until the disk is full
                pass
        except OSError:
            pass
        finally:
            os.close(descriptor)
        before = path.read_bytes()
        with pytest.raises(HistoryError, match=r"^the disk is full: "), HistoryStore(path) as store:
            for number in range(50):  # a write that needs a new page finds no room
                store.start_call("gatekeeper-screen", ["x" * 4000], "lines")
                del number
        with HistoryStore(path, read_only=True) as store:
            assert len(store.list_calls()) >= 2
        assert path.read_bytes()[:100] == before[:100]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


# -- export -> score ----------------------------------------------------------------------------------


def test_scoring_an_export_gives_the_scores_the_history_gave(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Calls that repeat their opening: the history counts it against rigidity, and so must the export."""
    from simulator.scoring import score_transcript
    from simulator.transcript import Transcript, Turn

    openings = ["Hi, it's Sam from Brightline, can I speak to Daniel?"] * 3 + ["Good morning Priya, Sam here."] * 2
    store = HistoryStore(database_path())
    base = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    expected = []
    for number, (scenario, opening) in enumerate(
        [("gatekeeper-screen", text) for text in openings] + [("referral", openings[0])]
    ):
        turns = [
            Turn(speaker="gatekeeper", text="Halden Freight, Priya speaking.", start=0, end=1),
            Turn(speaker="caller", text=opening, start=1.5, end=4),
            Turn(speaker="gatekeeper", text="What is it regarding?", start=4.5, end=5.5),
            Turn(speaker="caller", text="Route costs at your Leeds hub. Could we talk Tuesday at ten?", start=6, end=9),
        ]
        call_id = store.start_call(scenario, [], "lines", started_at=base + timedelta(minutes=number))
        for index, turn in enumerate(turns):
            store.add_turn(call_id, index, turn)
        earlier = store.earlier_openings(scenario, exclude=call_id)  # what a finished call is scored with
        transcript = Transcript(scenario=scenario, outcome="callback_scheduled", turns=turns)
        report = score_transcript(transcript, earlier_openings=earlier).to_dict()
        store.finish_call(call_id, "callback_scheduled", report)
        expected.append(report["scores"])
    store.close()
    assert len({json.dumps(scores, sort_keys=True) for scores in expected}) > 1  # the repeats did count

    export = tmp_path / "export.json"
    assert callsim(capsys, monkeypatch, "export", "--out", str(export))[0] == 0
    code, out, err = callsim(capsys, monkeypatch, "score", str(export), "--json")
    assert code == 0, err
    assert [report["scores"] for report in json.loads(out)] == expected
    code, out, err = callsim(capsys, monkeypatch, "score", str(export), "--call", "3", "--json")
    assert code == 0 and json.loads(out)["scores"] == expected[2]
