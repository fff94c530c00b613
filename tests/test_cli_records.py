"""`callsim history`, `report` and `export` through the real entry point, on real history files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import callsim_in_process as callsim

from simulator.config import database_path
from simulator.history.migrations import LATEST_VERSION
from simulator.history.store import HistoryStore
from simulator.transcript import Transcript, Turn, load_transcript

REPO = Path(__file__).resolve().parent.parent
BASE = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLSIM_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def report_with(rigidity: float, value_added: float, next_step: float) -> dict[str, object]:
    return {
        "scores": {"rigidity": rigidity, "value_added": value_added, "next_step": next_step},
        "evidence": {
            "value_added": [{"turn": 2, "text": "I read about your Leeds office", "note": "names the research"}],
            "next_step": [{"turn": 4, "text": "Would Tuesday at 10 work?", "note": "a concrete day and time"}],
        },
        "tips": {"rigidity": "Ask Dana what would help her decide.", "next_step": "Confirm who calls whom."},
        "metrics": {"talk_ratio": 0.5},
    }


CALLER_LINES = [
    "Hi Dana, it's Sam from Northwind. I read about your Leeds office.",
    "Would Tuesday at 10 work for a short call with Ms Reed?",
]


def save(
    scenario: str, scores: tuple[float, float, float] | None, hours: int, finish: bool = True, outcome: str = "booked"
) -> int:
    with HistoryStore(database_path()) as store:
        call_id = store.start_call(
            scenario, ["They opened a Leeds office"], "lines", started_at=BASE + timedelta(hours=hours)
        )
        lines = [("gatekeeper", "Acme, Dana speaking."), ("caller", CALLER_LINES[0])]
        lines += [("gatekeeper", "What is it about?"), ("caller", CALLER_LINES[1])]
        for index, (speaker, text) in enumerate(lines):
            store.add_turn(
                call_id,
                index,
                Turn.model_validate({"speaker": speaker, "text": text, "start": index * 3.0, "end": index * 3.0 + 2}),
            )
        if finish:
            store.finish_call(call_id, outcome, report_with(*scores) if scores else None)
    return call_id


@pytest.fixture
def improving() -> list[int]:
    """Four scored calls getting better on every score, plus one that never finished."""
    ids = [
        save("gatekeeper-screen", (70, 30, 20), 0),
        save("gatekeeper-screen", (60, 40, 30), 1),
        save("exec-busy", (40, 60, 60), 2),
        save("gatekeeper-screen", (30, 70, 80), 3),
    ]
    ids.append(save("gatekeeper-screen", None, 4, finish=False))
    return ids


# -- history --------------------------------------------------------------------------------------


def test_history_lists_every_call_with_scores_and_a_trend_that_knows_rigidity(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = callsim(capsys, monkeypatch, "history")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "Date", "Scenario", "Outcome"]
    rows = {int(line.split()[0]): line for line in lines[1:6]}
    assert sorted(rows) == sorted(improving)
    assert rows[improving[0]].split()[-3:] == ["70", "30", "20"]
    assert "exec-busy" in rows[improving[2]]
    assert rows[improving[4]].split()[-4:] == ["incomplete", "—", "—", "—"]  # no label under Rigidity
    trend = {line.split()[0]: line for line in lines[6:] if line.startswith("  ")}
    assert "↓ better" in trend["rigidity"]  # 65 → 35: lower rigidity is better
    assert "↑ better" in trend["value"]
    assert "↑ better" in trend["next"]
    assert "4 calls that ran to an outcome" in out


def test_a_call_ended_before_an_outcome_is_marked_partial_and_left_out_of_the_trend(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save("gatekeeper-screen", (70, 30, 20), 0)
    save("gatekeeper-screen", (46, 0, 0), 1, outcome=None)  # type: ignore[arg-type]  # quit after one turn
    save("gatekeeper-screen", (30, 70, 80), 2)
    save("gatekeeper-screen", None, 3, outcome=None)  # type: ignore[arg-type]  # finished, nothing to score
    code, out, err = callsim(capsys, monkeypatch, "history")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[2].split()[-6:] == ["ended", "early", "(partial)", "46", "0", "0"]
    assert lines[4].split()[-7:] == ["ended", "early,", "not", "scored", "—", "—", "—"]
    assert "Trend over 2 calls that ran to an outcome" in out
    rigidity = next(line for line in lines if line.strip().startswith("rigidity"))
    assert "70" in rigidity and "30" in rigidity and "46" not in rigidity


def test_history_of_one_scenario_and_worse_trends(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save("gatekeeper-screen", (20, 80, 80), 0)
    save("exec-busy", (50, 50, 50), 1)
    save("gatekeeper-screen", (60, 40, 80), 2)
    code, out, _ = callsim(capsys, monkeypatch, "history", "--scenario", "gatekeeper-screen", "--json")
    assert code == 0
    data = json.loads(out)
    assert [call["scenario"] for call in data["calls"]] == ["gatekeeper-screen", "gatekeeper-screen"]
    assert data["trends"]["rigidity"] == {
        "calls": 2,
        "earlier_mean": 20.0,
        "later_mean": 60.0,
        "change": 40.0,
        "direction": "up",
        "verdict": "worse",
        "lower_is_better": True,
    }
    assert data["trends"]["value_added"]["verdict"] == "worse"
    assert data["trends"]["next_step"]["verdict"] == "steady"


def test_history_json_marks_incomplete_calls(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "history", "--json")
    assert code == 0
    calls = {call["id"]: call for call in json.loads(out)["calls"]}
    assert calls[improving[4]]["complete"] is False and calls[improving[4]]["scores"] is None
    assert calls[improving[0]]["scores"] == {"rigidity": 70.0, "value_added": 30.0, "next_step": 20.0}
    assert datetime.fromisoformat(calls[improving[0]]["started_at"]) == BASE
    assert calls[improving[0]]["turns"] == 4


def test_an_empty_history_says_so_without_creating_a_database(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "history")
    assert code == 0
    assert out.startswith("No calls yet")
    assert not database_path().exists()


def test_an_unknown_scenario_filter_suggests_the_close_one(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "history", "--scenario", "gatekeeper-scren")
    assert code == 0
    assert "No calls on scenario 'gatekeeper-scren'. Did you mean 'gatekeeper-screen'?" in out


# -- report ---------------------------------------------------------------------------------------


def test_report_shows_transcript_scores_evidence_and_tips(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = callsim(capsys, monkeypatch, "report", str(improving[3]))
    assert code == 0, err
    assert f"Call {improving[3]} · gatekeeper-screen" in out
    assert "Outcome: booked" in out
    assert f"caller: {CALLER_LINES[1]}" in out
    assert "  rigidity     30  (lower is better)" in out
    assert "  value added  70" in out
    assert '"I read about your Leeds office" · names the research' in out
    assert "rigidity: Ask Dana what would help her decide." in out


def test_report_json_has_the_transcript_and_the_saved_report(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "report", str(improving[0]), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["scored"] == "saved"
    assert data["scores"] == {"rigidity": 70, "value_added": 30, "next_step": 20}
    assert data["tips"]["next_step"] == "Confirm who calls whom."
    assert Transcript.model_validate(data).turns[3].text == CALLER_LINES[1]


def test_report_of_an_incomplete_call_scores_it_now_or_says_not_scored(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "report", str(improving[4]))
    assert code == 0
    assert "Incomplete: the call never finished (4 turns saved)." in out
    code, data_text, _ = callsim(capsys, monkeypatch, "report", str(improving[4]), "--json")
    data = json.loads(data_text)
    assert "worked out now" in out
    assert data["scored"] == "now"
    assert set(data["scores"]) == {"rigidity", "value_added", "next_step"}


def test_report_of_an_unknown_call_is_one_line_and_exit_1(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = callsim(capsys, monkeypatch, "report", "999")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("callsim: no call 999 in the history")


def test_report_with_no_history_at_all_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = callsim(capsys, monkeypatch, "report", "1")
    assert code == 1
    assert err == "callsim: no call 1 in the history: no calls have been saved yet\n"
    assert not database_path().exists()


# -- export ---------------------------------------------------------------------------------------


def test_export_json_can_be_scored_again_one_call_at_a_time(
    improving: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out_file = tmp_path / "history.json"
    code, _, err = callsim(capsys, monkeypatch, "export", "--out", str(out_file))
    assert code == 0
    assert f"Exported 5 calls to {out_file}" in err
    exported = json.loads(out_file.read_text(encoding="utf-8"))
    assert [call["id"] for call in exported] == improving
    first = exported[0]
    assert first["scenario"] == "gatekeeper-screen" and first["research"] == ["They opened a Leeds office"]
    assert first["outcome"] == "booked" and first["scores"]["rigidity"] == 70.0
    assert exported[4]["complete"] is False

    single = tmp_path / "call.json"
    single.write_text(json.dumps(first), encoding="utf-8")
    transcript = load_transcript(single)
    with HistoryStore(database_path()) as store:
        assert transcript == store.get_call(improving[0]).transcript

    code, out, err = callsim(capsys, monkeypatch, "score", str(single), "--json")
    assert code == 0, err
    assert set(json.loads(out)["scores"]) == {"rigidity", "value_added", "next_step"}


def test_a_whole_export_is_scored_call_by_call_or_one_call_with_call_id(
    improving: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out_file = tmp_path / "history.json"
    assert callsim(capsys, monkeypatch, "export", "--out", str(out_file))[0] == 0

    code, out, err = callsim(capsys, monkeypatch, "score", str(out_file), "--json")
    assert code == 0, err
    reports = json.loads(out)
    assert [report["call"] for report in reports] == improving
    assert all(set(report["scores"]) == {"rigidity", "value_added", "next_step"} for report in reports)

    code, out, err = callsim(capsys, monkeypatch, "score", str(out_file), "--call", str(improving[2]), "--json")
    assert code == 0, err
    assert json.loads(out)["scores"] == reports[2]["scores"]

    code, out, _ = callsim(capsys, monkeypatch, "score", str(out_file))
    assert code == 0 and [line for line in out.splitlines() if line.startswith("== Call ")] == [
        f"== Call {number} ==" for number in improving
    ]
    code, _, err = callsim(capsys, monkeypatch, "score", str(out_file), "--call", "999")
    assert code == 1 and err.strip() == f"callsim: {out_file}: no call 999 in this file"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{}", "not UTF-8 text (byte 0xff)"),
        (b"[" * 100_000, "JSON nested too deeply to be a transcript"),
        (b'{"turns": [\n  {"speaker": "caller",}\n]}', ":2:24: not valid JSON"),
        (b'[{"turns": [{"speaker": "robot", "text": "hi", "start": 0, "end": 1}]}]', ": 0.turns.0.speaker: "),
    ],
)
def test_a_bad_transcript_file_is_one_line_naming_it(
    content: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    code, _, err = callsim(capsys, monkeypatch, "score", str(bad))
    assert code == 1 and err.startswith(f"callsim: {bad}") and message in err, err
    assert len(err.strip().splitlines()) == 1


def test_export_json_to_stdout_is_the_transcript_list(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "export")
    assert code == 0
    calls = json.loads(out)
    assert len(calls) == 5
    assert all(Transcript.model_validate(call).turns[1].text == CALLER_LINES[0] for call in calls)


def test_export_csv_has_one_row_per_call(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "export", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(row["id"]) for row in rows] == improving
    assert rows[2]["scenario"] == "exec-busy"
    assert (rows[2]["rigidity"], rows[2]["value_added"], rows[2]["next_step"]) == ("40.0", "60.0", "60.0")
    assert rows[4]["complete"] == "false" and rows[4]["rigidity"] == "" and rows[4]["outcome"] == ""
    assert rows[0]["complete"] == "true" and rows[0]["turns"] == "4"
    assert rows[0]["clock"] == "simulated"  # a lines call: its turn times are not measured


def test_export_to_a_folder_that_does_not_exist_is_one_line(
    improving: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "missing" / "out.csv"
    code, _, err = callsim(capsys, monkeypatch, "export", "--format", "csv", "--out", str(target))
    assert code == 1
    assert err.startswith(f"callsim: {target}: cannot write the export") and err.count("\n") == 1


# -- bad databases, through the real command line --------------------------------------------------


def run_callsim(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        cwd=REPO,
        env={**__import__("os").environ, "CALLSIM_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_corrupt_database_is_one_line_from_the_cli_and_stays_byte_for_byte(home: Path) -> None:
    home.mkdir(parents=True)
    garbage = bytes(range(256)) * 64
    database_path().write_bytes(garbage)
    for args in (["history"], ["report", "1"], ["export", "--format", "csv"]):
        result = run_callsim(home, *args)
        assert result.returncode == 1, result.stderr
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith(f"callsim: {database_path()}: the history database is unreadable")
    assert database_path().read_bytes() == garbage
    assert sorted(path.name for path in home.iterdir()) == ["history.sqlite3"]


def test_a_history_from_a_newer_callsim_is_refused_by_the_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save("gatekeeper-screen", (50, 50, 50), 0)
    import sqlite3

    connection = sqlite3.connect(database_path())
    connection.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    before = database_path().read_bytes()
    code, out, err = callsim(capsys, monkeypatch, "history")
    assert code == 1 and out == ""
    assert "written by a newer callsim" in err and err.count("\n") == 1
    assert database_path().read_bytes() == before


def test_a_damaged_call_is_one_line_and_the_export_keeps_every_other_call(
    improving: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    damaged, robot = improving[1], improving[2]
    connection = sqlite3.connect(database_path())
    connection.execute("UPDATE calls SET report = '{not json' WHERE id = ?", (damaged,))
    connection.execute("UPDATE turns SET speaker = 'robot' WHERE call_id = ?", (robot,))
    connection.commit()
    connection.close()
    for call_id in (damaged, robot):
        code, out, err = callsim(capsys, monkeypatch, "report", str(call_id))
        assert code == 1 and out == "" and err.count("\n") == 1, err
        assert err.startswith(f"callsim: call {call_id} in the history ({database_path()}) is damaged: ")
    code, out, err = callsim(capsys, monkeypatch, "export")
    assert code == 0
    assert [call["id"] for call in json.loads(out)] == [n for n in improving if n not in (damaged, robot)]
    assert err.count("callsim: skipped call") == 2


def test_a_typed_call_report_leaves_out_timing_from_its_simulated_clock(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = save("gatekeeper-screen", None, 0, finish=False)
    metrics = {
        "pace": {"value": 150.0, "unit": "wpm", "good_range": [140, 170], "in_range": True},
        "questions": {"value": 2.0, "unit": "", "good_range": [2, None], "in_range": True},
    }
    with HistoryStore(database_path()) as store:
        store.finish_call(call_id, "booked", {**report_with(30, 60, 70), "metrics": metrics})
    code, out, err = callsim(capsys, monkeypatch, "report", str(call_id))
    assert code == 0, err
    assert "Questions asked" in out and "Speaking pace" not in out
    assert "timing metrics left out: a lines call's clock is simulated" in out
    assert "[   ~0.0s] gatekeeper:" in out  # its turn times are marked as simulated
