"""The call history on real SQLite files: saving turn by turn, concurrent writers, killed calls, bad files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from simulator.history.migrations import LATEST_VERSION, MIGRATIONS, migrate, schema_version
from simulator.history.store import CallNotFound, HistoryError, HistoryStore
from simulator.history.trend import halves_trend, score_trends
from simulator.transcript import Latency, Turn

REPO = Path(__file__).resolve().parent.parent
REPORT = {
    "scores": {"rigidity": 35.0, "value_added": 70.0, "next_step": 55.5},
    "evidence": {"value_added": [{"turn": 2, "text": "I saw your Q3 report", "note": "research"}]},
    "tips": {"next_step": "Propose a day and time."},
    "metrics": {"talk_ratio": 0.45},
}


def turn(speaker: str, text: str, start: float) -> Turn:
    return Turn.model_validate({"speaker": speaker, "text": text, "start": start, "end": start + 1.5})


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


def save_call(store: HistoryStore, opening: str, scenario: str = "gatekeeper-screen", **kwargs: object) -> int:
    call_id = store.start_call(scenario, ["They opened a Leeds office"], "lines", **kwargs)  # type: ignore[arg-type]
    store.add_turn(call_id, 0, turn("gatekeeper", "Acme, Dana speaking.", 0.0))
    store.add_turn(call_id, 1, turn("caller", opening, 2.0))
    return call_id


# -- opening -------------------------------------------------------------------------------------


def test_a_new_history_creates_its_folder_in_wal_mode_at_the_latest_schema(db: Path) -> None:
    with HistoryStore(db) as store:
        assert store.list_calls() == []
    assert db.is_file()
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_version(connection) == LATEST_VERSION == len(MIGRATIONS)
    connection.close()


def test_an_empty_file_becomes_a_history(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    with HistoryStore(db) as store:
        save_call(store, "Hello")
        assert len(store.list_calls()) == 1


# -- saving and reading a call -------------------------------------------------------------------


def test_a_call_round_trips_with_its_turns_scores_and_report(db: Path) -> None:
    started = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    persona = Turn(
        speaker="executive",
        text="I have two minutes.",
        start=4.0,
        end=5.5,
        interrupted=True,
        heard=0.6,
        latency=Latency(end_of_speech=3.6, transcript_ready=3.7, reply_chosen=3.71, first_audio=4.0),
    )
    with HistoryStore(db) as store:
        call_id = store.start_call("exec-busy", ["fact one", "fact two"], "mic", started_at=started)
        store.add_turn(call_id, 0, turn("caller", "Hi Ms Reed, I saw your Q3 report.", 0.0))
        store.add_turn(call_id, 1, persona)
        store.finish_call(call_id, "meeting_booked", REPORT)
        stored = store.get_call(call_id)

    assert stored.report == REPORT
    assert stored.transcript.scenario == "exec-busy"
    assert stored.transcript.research == ["fact one", "fact two"]
    assert stored.transcript.outcome == "meeting_booked"
    assert stored.transcript.turns[1] == persona
    assert [t.text for t in stored.transcript.turns] == ["Hi Ms Reed, I saw your Q3 report.", "I have two minutes."]
    summary = stored.summary
    assert (summary.id, summary.started_at, summary.mode, summary.complete, summary.turns) == (
        call_id,
        started,
        "mic",
        True,
        2,
    )
    assert summary.finished_at is not None and summary.finished_at >= started
    assert summary.scores is not None and summary.scores.to_dict() == REPORT["scores"]


def test_each_turn_is_visible_to_other_readers_as_soon_as_it_is_added(db: Path) -> None:
    with HistoryStore(db) as store:
        call_id = store.start_call("gatekeeper-screen", [], "typed")
        store.add_turn(call_id, 0, turn("gatekeeper", "Acme, Dana speaking.", 0.0))
        reader = sqlite3.connect(db)
        assert reader.execute("SELECT count(*) FROM turns WHERE call_id = ?", (call_id,)).fetchone()[0] == 1
        reader.close()


def test_an_unfinished_call_is_incomplete_and_unscored(db: Path) -> None:
    with HistoryStore(db) as store:
        call_id = save_call(store, "Hi, is Ms Reed in?")
        [summary] = store.list_calls()
    assert summary.id == call_id
    assert summary.complete is False
    assert summary.scores is None
    assert summary.outcome is None
    assert summary.turns == 2


def test_a_report_without_scores_is_kept_and_the_call_listed_unscored(db: Path) -> None:
    with HistoryStore(db) as store:
        call_id = save_call(store, "Hello")
        store.finish_call(call_id, "hung_up", {"scores": {"rigidity": 40}, "tips": {}})
        stored = store.get_call(call_id)
    assert stored.summary.complete is True
    assert stored.summary.scores is None
    assert stored.report == {"scores": {"rigidity": 40}, "tips": {}}


def test_calls_are_listed_oldest_first_and_filtered_by_scenario(db: Path) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with HistoryStore(db) as store:
        late = save_call(store, "b", started_at=base + timedelta(days=2))
        early = save_call(store, "a", started_at=base)
        other = save_call(store, "c", scenario="exec-busy", started_at=base + timedelta(days=1))
        assert [call.id for call in store.list_calls()] == [early, other, late]
        assert [call.id for call in store.list_calls("gatekeeper-screen")] == [early, late]
        assert store.list_calls("nobody") == []
        assert store.scenario_ids() == ["exec-busy", "gatekeeper-screen"]


def test_unknown_calls_are_refused(db: Path) -> None:
    with HistoryStore(db) as store:
        with pytest.raises(CallNotFound, match="no call 7"):
            store.get_call(7)
        with pytest.raises(CallNotFound):
            store.add_turn(7, 0, turn("caller", "hi", 0.0))
        with pytest.raises(CallNotFound):
            store.finish_call(7, None, None)


def test_earlier_openings_are_the_first_caller_turn_of_earlier_calls_on_the_scenario(db: Path) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with HistoryStore(db) as store:
        save_call(store, "Hi, it's Sam from Northwind.", started_at=base)
        silent = store.start_call("gatekeeper-screen", [], "lines", started_at=base + timedelta(hours=1))
        store.add_turn(silent, 0, turn("gatekeeper", "Hello?", 0.0))
        save_call(store, "Other scenario opening", scenario="exec-busy", started_at=base + timedelta(hours=2))
        second = save_call(store, "Hi Dana, Sam again.", started_at=base + timedelta(hours=3))
        store.add_turn(second, 2, turn("caller", "A later caller turn", 6.0))
        current = save_call(store, "Hi, this is Sam.", started_at=base + timedelta(hours=4))

        assert store.earlier_openings("gatekeeper-screen", exclude=current) == [
            "Hi, it's Sam from Northwind.",
            "Hi Dana, Sam again.",
        ]
        # Scoring an old call again compares it only with the calls before it.
        assert store.earlier_openings("gatekeeper-screen", exclude=second) == ["Hi, it's Sam from Northwind."]
        assert len(store.earlier_openings("gatekeeper-screen")) == 3
        assert store.earlier_openings(None) == []


def test_the_store_can_be_used_from_a_worker_thread(db: Path) -> None:
    with HistoryStore(db) as store:
        call_id = store.start_call("gatekeeper-screen", [], "typed")
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for index in range(5):
                    store.add_turn(call_id, index, turn("caller", f"line {index}", float(index)))
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
        assert errors == []
        assert store.get_call(call_id).summary.turns == 5


# -- several processes ---------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from simulator.history.store import HistoryStore
    from simulator.transcript import Turn

    path, name, calls, start_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    time.sleep(max(0.0, start_at - time.time()))
    with HistoryStore(path) as store:
        for number in range(calls):
            call_id = store.start_call("gatekeeper-screen", [name], name)
            for index in range(4):
                speaker = "caller" if index % 2 else "gatekeeper"
                text = f"{name} call {number} turn {index}"
                store.add_turn(call_id, index, Turn(speaker=speaker, text=text, start=index, end=index + 1))
            scores = {"rigidity": number, "value_added": 50, "next_step": 50}
            store.finish_call(call_id, "transferred", {"scores": scores})
            if number == 0:  # wait for the other writer's first call, so the two surely overlap
                deadline = time.time() + 60
                while len(store.list_calls()) < 2 and time.time() < deadline:
                    time.sleep(0.001)
    print("saved", calls)
    """
)


def test_two_processes_saving_calls_at_the_same_time_both_succeed(db: Path) -> None:
    calls = 100
    start_at = str(time.time() + 1.5)  # both open the brand-new database at the same moment
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), name, str(calls), start_at],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.strip() == f"saved {calls}"

    with HistoryStore(db) as store:
        saved = store.list_calls()
        assert len(saved) == 2 * calls
        assert all(call.complete and call.turns == 4 and call.scores is not None for call in saved)
        assert sorted(call.mode for call in saved) == ["first"] * calls + ["second"] * calls
        modes_in_order = [call.mode for call in sorted(saved, key=lambda call: call.id)]
    # The two writers really interleaved rather than running one after the other.
    changes = sum(1 for a, b in zip(modes_in_order, modes_in_order[1:], strict=False) if a != b)
    assert changes >= 2


KILLED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from simulator.history.store import HistoryStore
    from simulator.transcript import Turn

    store = HistoryStore(Path(sys.argv[1]))
    call_id = store.start_call("gatekeeper-screen", ["fact"], "typed")
    lines = [("gatekeeper", "Acme, Dana speaking."), ("caller", "Hi Dana, it's Sam."), ("gatekeeper", "Yes?")]
    for index, (speaker, text) in enumerate(lines):
        store.add_turn(call_id, index, Turn(speaker=speaker, text=text, start=index, end=index + 0.5))
    print(call_id, flush=True)
    time.sleep(120)
    """
)


def test_a_call_killed_mid_way_keeps_its_finished_turns_and_shows_incomplete(db: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(db)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        assert line.strip(), process.stderr.read()  # the child died before saving its turns
        call_id = int(line)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
        if process.stderr is not None:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    with HistoryStore(db) as store:
        stored = store.get_call(call_id)
        assert [t.text for t in stored.transcript.turns] == ["Acme, Dana speaking.", "Hi Dana, it's Sam.", "Yes?"]
        assert stored.summary.complete is False
        assert stored.report is None
        # The history goes on working after the crash.
        save_call(store, "Next call")
        assert len(store.list_calls()) == 2


def test_a_database_locked_for_too_long_is_a_one_line_error(db: Path) -> None:
    with HistoryStore(db):
        pass
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with HistoryStore(db, lock_timeout=0.3) as store:
            began = time.monotonic()
            with pytest.raises(HistoryError, match="locked by another program") as caught:
                store.start_call("gatekeeper-screen", [], "typed")
            assert time.monotonic() - began >= 0.3
            assert str(db) in str(caught.value) and "\n" not in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with HistoryStore(db) as store:
        store.start_call("gatekeeper-screen", [], "typed")
        assert len(store.list_calls()) == 1


# -- files that must not be touched --------------------------------------------------------------


def refuse_untouched(db: Path, match: str) -> HistoryError:
    before = db.read_bytes()
    neighbours = sorted(db.parent.iterdir())
    with pytest.raises(HistoryError, match=match) as caught:
        HistoryStore(db)
    assert db.read_bytes() == before
    assert sorted(db.parent.iterdir()) == neighbours
    message = str(caught.value)
    assert "\n" not in message and str(db) in message
    return caught.value


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"these are my notes, not a database\n" * 200)
    refuse_untouched(db, "unreadable")


def test_a_damaged_database_is_refused_and_left_alone(db: Path) -> None:
    with HistoryStore(db) as store:
        for number in range(200):
            save_call(store, f"opening number {number} " + "words " * 30)
    # Fold the WAL back in, then scribble over the pages after the first one (the schema stays readable).
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(1, len(data) // page_size, 2):
        data[page * page_size : page * page_size + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))
    refuse_untouched(db, "unreadable")


def test_a_history_from_a_newer_callsim_is_refused_and_left_alone(db: Path) -> None:
    with HistoryStore(db) as store:
        save_call(store, "hello")
    connection = sqlite3.connect(db)
    connection.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    error = refuse_untouched(db, "newer callsim")
    assert f"schema {LATEST_VERSION + 1}" in str(error)


def test_another_programs_sqlite_database_is_refused_and_left_alone(db: Path) -> None:
    db.parent.mkdir(parents=True)
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.execute("INSERT INTO recipes VALUES ('soup')")
    connection.commit()
    connection.close()
    refuse_untouched(db, "not a callsim history")


# -- migrations ----------------------------------------------------------------------------------


def test_a_version_1_history_is_upgraded_on_open_and_keeps_its_calls(db: Path) -> None:
    db.parent.mkdir(parents=True)
    connection = sqlite3.connect(db, isolation_level=None)
    assert migrate(connection, MIGRATIONS[:1]) == 1  # a history written by the first release
    connection.execute(
        "INSERT INTO calls (id, scenario_id, mode, started_at) VALUES (1, 'gatekeeper-screen', 'typed', '2026-11-01')"
    )
    connection.execute(
        "INSERT INTO turns (call_id, idx, speaker, text, start, end_time) VALUES (1, 0, 'caller', 'hello', 0, 1)"
    )
    connection.close()
    with HistoryStore(db) as store:
        call = store.get_call(1)
    assert call.transcript.turns[0].text == "hello"
    assert call.transcript.turns[0].yielded is False
    connection = sqlite3.connect(db)
    assert schema_version(connection) == LATEST_VERSION == len(MIGRATIONS)
    connection.close()


def test_a_later_migration_upgrades_a_history_and_keeps_its_calls(db: Path) -> None:
    with HistoryStore(db) as store:
        save_call(store, "hello")
    connection = sqlite3.connect(db, isolation_level=None)
    later = (*MIGRATIONS, ("ALTER TABLE calls ADD COLUMN notes TEXT", "UPDATE calls SET notes = 'kept'"))
    assert migrate(connection, later) == LATEST_VERSION + 1
    assert schema_version(connection) == LATEST_VERSION + 1
    assert connection.execute("SELECT scenario_id, notes FROM calls").fetchall() == [("gatekeeper-screen", "kept")]
    connection.close()


def test_a_failing_migration_leaves_the_history_at_its_old_version(db: Path) -> None:
    with HistoryStore(db) as store:
        save_call(store, "hello")
    connection = sqlite3.connect(db, isolation_level=None)
    broken = (*MIGRATIONS, ("ALTER TABLE calls ADD COLUMN notes TEXT", "THIS IS NOT SQL"))
    with pytest.raises(sqlite3.OperationalError):
        migrate(connection, broken)
    assert schema_version(connection) == LATEST_VERSION
    columns = [row[1] for row in connection.execute("PRAGMA table_info(calls)")]
    assert "notes" not in columns
    connection.close()


# -- trends --------------------------------------------------------------------------------------


def test_trends_compare_the_earlier_half_with_the_later_half_and_know_rigidity_is_lower_is_better(
    db: Path,
) -> None:
    with HistoryStore(db) as store:
        for rigid, value in [(60, 30), (50, 40), (99, 99), (40, 20), (30, 10)]:
            call_id = save_call(store, "hi")
            scores = {"rigidity": rigid, "value_added": value, "next_step": 50}
            store.finish_call(call_id, "meeting_booked", {"scores": scores})
        save_call(store, "never finished")  # incomplete calls do not count
        early = save_call(store, "quit after one turn")  # nor calls left before an outcome
        store.finish_call(early, None, {"scores": {"rigidity": 0, "value_added": 100, "next_step": 100}})
        trends = score_trends(store.list_calls())
    rigidity, value_added, next_step = trends["rigidity"], trends["value_added"], trends["next_step"]
    assert rigidity is not None and value_added is not None and next_step is not None
    assert (rigidity.calls, rigidity.earlier, rigidity.later) == (5, 55.0, 35.0)  # the middle call is in neither
    assert (rigidity.direction, rigidity.verdict, rigidity.arrow) == ("down", "better", "↓")
    assert (value_added.earlier, value_added.later) == (35.0, 15.0)
    assert (value_added.direction, value_added.verdict) == ("down", "worse")
    assert (next_step.direction, next_step.verdict) == ("steady", "steady")


def test_a_rising_rigidity_is_worse_and_one_call_has_no_trend() -> None:
    rising = halves_trend("rigidity", [20, 40])
    assert rising is not None and (rising.direction, rising.verdict) == ("up", "worse")
    assert halves_trend("value_added", [50]) is None
