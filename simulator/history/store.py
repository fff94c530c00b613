"""Every call kept in one SQLite file, so that progress shows over weeks.

Each finished turn is committed at once (a call that is killed keeps what was said and shows as
incomplete); the scores come at the end. WAL mode, short `BEGIN IMMEDIATE` transactions and a retry on
SQLITE_BUSY let two callsim processes save calls at the same time. A database that is corrupt, from a
newer callsim or locked for too long raises `HistoryError` and is never written to, let alone reset.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

from simulator.errors import CallsimError
from simulator.history.migrations import LATEST_VERSION, migrate, schema_version
from simulator.transcript import Heard, Latency, Transcript, Turn

SCORE_NAMES = ("rigidity", "value_added", "next_step")
SQLITE_HEADER = b"SQLite format 3\x00"
REQUIRED_TABLES = ("calls", "turns")
DEFAULT_LOCK_TIMEOUT = 10.0

T = TypeVar("T")

CallKind = Literal["practice", "recorded"]
CALL_KINDS: tuple[CallKind, ...] = ("practice", "recorded")


class HistoryError(CallsimError):
    """The history cannot be used; the message is one line naming the database file."""

    exit_code = 1


class DamagedCall(HistoryError):
    """One call's rows cannot be read back; the other calls are unaffected."""


class CallNotFound(HistoryError):
    """A call id that is not in the history."""


@dataclass(frozen=True)
class Scores:
    rigidity: float
    value_added: float
    next_step: float

    def to_dict(self) -> dict[str, float]:
        return {"rigidity": self.rigidity, "value_added": self.value_added, "next_step": self.next_step}


@dataclass(frozen=True)
class CallSummary:
    """One line of the history: what `callsim history` lists."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    scenario: str | None
    mode: str
    outcome: str | None
    complete: bool
    turns: int
    scores: Scores | None
    kind: CallKind = "practice"


@dataclass(frozen=True)
class StoredCall:
    """A whole call: its summary, its transcript and the score report saved with it (if any)."""

    summary: CallSummary
    transcript: Transcript
    report: dict[str, Any] | None
    recording: dict[str, Any] | None = None  # a recorded call's source: file, caller's channel, prospect, audio copy


class HistoryStore:
    """The call history in the SQLite file at `path` (usually `config.database_path()`).

    Safe to share between threads (the TUI saves turns from its call worker): one connection, one lock.
    """

    def __init__(self, path: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT, read_only: bool = False) -> None:
        self.path = Path(path)
        self._lock_timeout = lock_timeout
        self._lock = threading.Lock()
        self._read_only = read_only  # history, report and export only read: a read-only file works for them
        self.skipped: list[str] = []  # damaged rows list_calls left out, one line each
        self._connection = self._open()

    # -- opening ---------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self._read_only:
            reader = self._open_read_only()
            if reader is not None:
                return reader
            self._read_only = False  # an older schema: it is upgraded first, which writes
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise HistoryError(f"{self.path}: cannot create its folder: {error.strerror or error}") from error
        existed = self._check_header()
        try:
            connection = sqlite3.connect(
                self.path, timeout=self._lock_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise self._failed(error) from error
        try:
            self._check_readable(connection, existed)
            self._retry(lambda: connection.execute("PRAGMA journal_mode = WAL").fetchone())
            connection.execute("PRAGMA synchronous = NORMAL")  # in WAL mode a killed process loses nothing
            connection.execute("PRAGMA foreign_keys = ON")
            if schema_version(connection) < LATEST_VERSION:
                self._retry(lambda: migrate(connection))
        except BaseException:
            connection.close()
            raise
        return connection

    def _open_read_only(self) -> sqlite3.Connection | None:
        """A connection that cannot write, on a checked database; None if its schema must be upgraded first."""
        existed = self._check_header()
        if not existed:  # no history yet: an empty one in memory, nothing created on disk
            connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            migrate(connection)
            return connection
        try:
            connection = self._connect_read_only("mode=ro")
        except HistoryError as refused:
            # A WAL database needs its -shm file even to be read; on a read-only folder or a full disk it
            # cannot be made, so the file is read as it is on disk (what is still only in a -wal is not seen).
            if not str(refused).startswith(("the history is read-only", "the disk is full", f"{self.path}: cannot")):
                raise
            connection = self._connect_read_only("mode=ro&immutable=1")
        if schema_version(connection) < LATEST_VERSION:
            connection.close()
            return None
        return connection

    def _connect_read_only(self, options: str) -> sqlite3.Connection:
        uri = f"{self.path.resolve().as_uri()}?{options}"
        try:
            connection = sqlite3.connect(
                uri, uri=True, timeout=self._lock_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise self._failed(error) from error
        try:
            self._check_readable(connection, True)
        except BaseException:
            connection.close()
            raise
        return connection

    def _check_header(self) -> bool:
        """Refuse a file that is not SQLite before SQLite touches it; True if there is a database already."""
        try:
            with self.path.open("rb") as file:
                header = file.read(len(SQLITE_HEADER))
        except FileNotFoundError:
            return False
        except OSError as error:
            raise HistoryError(f"{self.path}: cannot read the history: {error.strerror or error}") from error
        if not header:
            return False
        if header != SQLITE_HEADER:
            raise self._corrupt("not a SQLite database")
        return True

    def _check_readable(self, connection: sqlite3.Connection, existed: bool) -> None:
        """Everything here only reads: a file that fails is left exactly as it was."""
        try:
            version = schema_version(connection)
            if version > LATEST_VERSION:
                raise HistoryError(
                    f"{self.path}: written by a newer callsim (history schema {version}, this one knows "
                    f"up to {LATEST_VERSION}); upgrade callsim to use it"
                )
            if not existed:
                return
            problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
            if problems != ["ok"]:
                raise self._corrupt(f"damaged ({problems[0]})")
            if version == 0 and connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise HistoryError(
                    f"{self.path}: a SQLite database that is not a callsim history; left untouched "
                    f"(point CALLSIM_HOME elsewhere or move the file away)"
                )
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = [name for name in REQUIRED_TABLES if name not in tables]
            if version > 0 and missing:  # checked before anything is written: no call row without its turns
                raise self._corrupt(f"its {missing[0]} table is missing")
        except sqlite3.OperationalError as error:
            if _is_busy(error):
                raise self._locked() from error
            failed = self._failed(error)
            if str(failed).startswith(("the history is read-only", "the disk is full")):
                raise failed from error
            raise self._corrupt(str(error)) from error
        except sqlite3.DatabaseError as error:
            raise self._corrupt(str(error)) from error

    def _corrupt(self, why: str) -> HistoryError:
        why = (why.strip().splitlines() or ["damaged"])[0]  # quick_check reports one problem per line
        return HistoryError(
            f"{self.path}: the history database is unreadable ({why}); it was left untouched: "
            f"move it away to start a new history"
        )

    def _locked(self) -> HistoryError:
        return HistoryError(
            f"{self.path}: the history is locked by another program (waited {self._lock_timeout:g} s); "
            f"try again when it has finished"
        )

    # -- transactions ----------------------------------------------------------------------------

    def _retry(self, work: Callable[[], T]) -> T:
        """Run `work`, again after a short random pause while the database is busy, up to the timeout."""
        deadline = time.monotonic() + self._lock_timeout
        while True:
            try:
                return work()
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise self._failed(error) from error
                if time.monotonic() >= deadline:
                    raise self._locked() from error
                time.sleep(random.uniform(0.005, 0.05))
            except sqlite3.DatabaseError as error:
                raise self._failed(error) from error

    def _failed(self, error: sqlite3.Error) -> HistoryError:
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code == sqlite3.SQLITE_READONLY or "readonly" in str(error):
            return HistoryError(
                f"the history is read-only: {self.path} cannot be written (check its permissions and its folder's)"
            )
        if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and _disk_nearly_full(self.path)):
            return HistoryError(f"the disk is full: {self.path} cannot be written; free some space and try again")
        if code == sqlite3.SQLITE_CANTOPEN:
            return HistoryError(f"{self.path}: cannot open the history ({error})")
        if isinstance(error, sqlite3.DatabaseError) and "malformed" in str(error):
            return self._corrupt(str(error))
        return HistoryError(f"{self.path}: {error}")

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """One short write transaction, taking the write lock up front so it never deadlocks."""

        def attempt() -> T:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            return result

        with self._lock:
            return self._retry(attempt)

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """A read in one transaction, so a call and its turns come from the same moment."""

        def attempt() -> T:
            connection = self._connection
            connection.execute("BEGIN")
            try:
                return work(connection)
            finally:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")

        with self._lock:
            return self._retry(attempt)

    # -- saving a call ---------------------------------------------------------------------------

    def start_call(
        self, scenario_id: str | None, research: list[str], mode: str, started_at: datetime | None = None
    ) -> int:
        """Record a call as it begins (incomplete until `finish_call`); returns its id."""
        when = _timestamp(started_at or datetime.now(UTC))

        def insert(connection: sqlite3.Connection) -> int:
            cursor = connection.execute(
                "INSERT INTO calls (scenario_id, research, mode, started_at) VALUES (?, ?, ?, ?)",
                (scenario_id, json.dumps(list(research)), mode, when),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        return self._write(insert)

    def add_turn(self, call_id: int, index: int, turn: Turn) -> None:
        """Save one finished turn at once (saving the same index again replaces it)."""
        latency = turn.latency.model_dump_json() if turn.latency else None
        reading = turn.reading.model_dump_json() if turn.reading else None
        row = (
            call_id,
            index,
            turn.speaker,
            turn.text,
            turn.start,
            turn.end,
            turn.interrupted,
            turn.heard,
            latency,
            turn.yielded,
            reading,
        )

        def insert(connection: sqlite3.Connection) -> None:
            self._require_call(connection, call_id)
            connection.execute(
                "INSERT OR REPLACE INTO turns (call_id, idx, speaker, text, start, end_time, interrupted, heard,"
                " latency, yielded, reading) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

        self._write(insert)

    def finish_call(self, call_id: int, outcome: str | None, report: dict[str, Any] | None) -> None:
        """Mark the call complete with its outcome and score report (the three scores also go in columns)."""
        scores = report.get("scores", {}) if report else {}
        values = [_number(scores.get(name)) if isinstance(scores, dict) else None for name in SCORE_NAMES]
        report_json = json.dumps(report) if report is not None else None
        finished = _timestamp(datetime.now(UTC))

        def update(connection: sqlite3.Connection) -> None:
            self._require_call(connection, call_id)
            connection.execute(
                "UPDATE calls SET outcome = ?, complete = 1, finished_at = ?, rigidity = ?, value_added = ?,"
                " next_step = ?, report = ? WHERE id = ?",
                (outcome, finished, *values, report_json, call_id),
            )

        self._write(update)

    def forget_call(self, call_id: int) -> None:
        """Remove a call and its turns (a call in which the caller said nothing is no attempt to keep)."""

        def delete(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM turns WHERE call_id = ?", (call_id,))
            connection.execute("DELETE FROM calls WHERE id = ?", (call_id,))

        self._write(delete)

    def _require_call(self, connection: sqlite3.Connection, call_id: int) -> None:
        if connection.execute("SELECT 1 FROM calls WHERE id = ?", (call_id,)).fetchone() is None:
            raise CallNotFound(f"no call {call_id} in the history ({self.path})")

    def save_recorded_call(
        self,
        transcript: Transcript,
        report: dict[str, Any] | None,
        fingerprint: str,
        recording: dict[str, Any],
        replace: int | None = None,
    ) -> int:
        """Save a call scored from a recording in one transaction (all of it or nothing); returns its id.

        `replace` is the id of the call this recording was saved as before: it is scored again in place, so
        scoring the same file twice leaves one call in the history.
        """
        scores = report.get("scores", {}) if report else {}
        values = [_number(scores.get(name)) if isinstance(scores, dict) else None for name in SCORE_NAMES]
        now = _timestamp(datetime.now(UTC))
        fields = (
            transcript.scenario,
            json.dumps(list(transcript.research)),
            transcript.outcome,
            *values,
            json.dumps(report) if report is not None else None,
            fingerprint,
            json.dumps(recording),
        )

        def save(connection: sqlite3.Connection) -> int:
            if replace is not None:
                self._require_call(connection, replace)
                connection.execute(
                    "UPDATE calls SET scenario_id = ?, research = ?, outcome = ?, rigidity = ?, value_added = ?,"
                    " next_step = ?, report = ?, source_fingerprint = ?, recording = ?, finished_at = ?,"
                    " complete = 1, kind = 'recorded' WHERE id = ?",
                    (*fields, now, replace),
                )
                connection.execute("DELETE FROM turns WHERE call_id = ?", (replace,))
                call_id = replace
            else:
                cursor = connection.execute(
                    "INSERT INTO calls (scenario_id, research, outcome, rigidity, value_added, next_step, report,"
                    " source_fingerprint, recording, mode, kind, started_at, finished_at, complete)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'recording', 'recorded', ?, ?, 1)",
                    (*fields, now, now),
                )
                assert cursor.lastrowid is not None
                call_id = cursor.lastrowid
            connection.executemany(
                "INSERT INTO turns (call_id, idx, speaker, text, start, end_time, interrupted)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (call_id, index, turn.speaker, turn.text, turn.start, turn.end, turn.interrupted)
                    for index, turn in enumerate(transcript.turns)
                ],
            )
            return call_id

        return self._write(save)

    def find_recording(self, fingerprint: str) -> int | None:
        """The id of the recorded call saved from this recording (its fingerprint), if any."""
        row = self._read(
            lambda connection: connection.execute(
                "SELECT id FROM calls WHERE kind = 'recorded' AND source_fingerprint = ? ORDER BY id DESC LIMIT 1",
                (fingerprint,),
            ).fetchone()
        )
        return int(row[0]) if row else None

    # -- reading ---------------------------------------------------------------------------------

    def list_calls(self, scenario: str | None = None, kind: CallKind | None = None) -> list[CallSummary]:
        """Calls oldest first (the order trends are read in), optionally on one scenario or of one kind only."""
        conditions = [(" c.scenario_id = ?", scenario), (" c.kind = ?", kind)]
        chosen = [(condition, value) for condition, value in conditions if value is not None]
        query = _SUMMARY_QUERY + (" WHERE" + " AND".join(condition for condition, _ in chosen) if chosen else "")
        query += " ORDER BY c.started_at, c.id"
        parameters = tuple(value for _, value in chosen)
        rows = self._read(lambda connection: connection.execute(query, parameters).fetchall())
        calls = []
        self.skipped = []
        for row in rows:
            try:
                calls.append(_summary(row))
            except (ValueError, TypeError) as error:  # a row edited or damaged by hand: the others still show
                reason = " ".join(str(error).split())[:160]
                self.skipped.append(f"call {row[0]} in the history ({self.path}) is damaged: {reason}")
        return calls

    def scenario_ids(self) -> list[str]:
        """The scenarios that have calls in the history (to suggest one when a filter matches nothing)."""
        rows = self._read(
            lambda connection: connection.execute(
                "SELECT DISTINCT scenario_id FROM calls WHERE scenario_id IS NOT NULL ORDER BY scenario_id"
            ).fetchall()
        )
        return [row[0] for row in rows]

    def get_call(self, call_id: int) -> StoredCall:
        def load(connection: sqlite3.Connection) -> tuple[tuple[Any, ...], str, str | None, str | None, list[Any]]:
            row = connection.execute(_SUMMARY_QUERY + " WHERE c.id = ?", (call_id,)).fetchone()
            if row is None:
                raise CallNotFound(f"no call {call_id} in the history ({self.path}); `callsim history` lists them")
            extra = connection.execute(
                "SELECT research, report, recording FROM calls WHERE id = ?", (call_id,)
            ).fetchone()
            turns = connection.execute(
                "SELECT speaker, text, start, end_time, interrupted, heard, latency, yielded, reading FROM turns"
                " WHERE call_id = ? ORDER BY idx",
                (call_id,),
            ).fetchall()
            return row, extra[0], extra[1], extra[2], turns

        row, research, report, recording, turn_rows = self._read(load)
        try:
            summary = _summary(row)
            transcript = Transcript(
                scenario=summary.scenario,
                research=json.loads(research),
                outcome=summary.outcome,
                turns=[_turn(turn_row) for turn_row in turn_rows],
            )
            return StoredCall(
                summary=summary,
                transcript=transcript,
                report=json.loads(report) if report else None,
                recording=json.loads(recording) if recording else None,
            )
        except (ValueError, TypeError) as error:  # JSON and pydantic errors: a row edited or damaged by hand
            reason = " ".join(str(error).split())[:160]
            raise DamagedCall(f"call {call_id} in the history ({self.path}) is damaged: {reason}") from error

    def earlier_openings(self, scenario_id: str | None, exclude: int | None = None) -> list[str]:
        """The first caller turn of each earlier call on this scenario, oldest first (rigidity across calls).

        `exclude` is the call being scored: it and any call started after it are left out.
        """
        if scenario_id is None:
            return []
        before = ""
        parameters: tuple[Any, ...] = (scenario_id,)
        if exclude is not None:
            before = " AND (c.started_at, c.id) < (SELECT started_at, id FROM calls WHERE id = ?) AND c.id != ?"
            parameters = (scenario_id, exclude, exclude)
        query = (
            "SELECT t.text FROM calls c JOIN turns t ON t.call_id = c.id"
            " AND t.idx = (SELECT min(idx) FROM turns WHERE call_id = c.id AND speaker = 'caller'"
            " AND trim(text) != '')"
            f" WHERE c.scenario_id = ?{before} ORDER BY c.started_at, c.id"
        )
        rows = self._read(lambda connection: connection.execute(query, parameters).fetchall())
        return [row[0] for row in rows]

    # -- closing ---------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


@contextmanager
def open_history(path: Path | None = None, *, read_only: bool = False) -> Iterator[HistoryStore]:
    """The user's history (CALLSIM_HOME or the platform data folder), closed afterwards."""
    from simulator.config import database_path

    store = HistoryStore(path or database_path(), read_only=read_only)
    try:
        yield store
    finally:
        store.close()


_SUMMARY_QUERY = (
    "SELECT c.id, c.started_at, c.finished_at, c.scenario_id, c.mode, c.outcome, c.complete,"
    " (SELECT count(*) FROM turns t WHERE t.call_id = c.id), c.kind, c.rigidity, c.value_added, c.next_step"
    " FROM calls c"
)


def _summary(row: tuple[Any, ...]) -> CallSummary:
    call_id, started, finished, scenario, mode, outcome, complete, turns, kind, *values = row
    scores = Scores(*values) if all(value is not None for value in values) else None
    return CallSummary(
        id=call_id,
        started_at=datetime.fromisoformat(started),
        finished_at=datetime.fromisoformat(finished) if finished else None,
        scenario=scenario,
        mode=mode,
        outcome=outcome,
        complete=bool(complete),
        turns=turns,
        scores=scores,
        kind="recorded" if kind == "recorded" else "practice",
    )


def _turn(row: tuple[Any, ...]) -> Turn:
    speaker, text, start, end, interrupted, heard, latency, yielded, reading = row
    return Turn(
        speaker=speaker,
        text=text,
        start=start,
        end=end,
        interrupted=bool(interrupted),
        heard=heard,
        yielded=bool(yielded),
        latency=Latency.model_validate_json(latency) if latency else None,
        reading=Heard.model_validate_json(reading) if reading else None,
    )


def _timestamp(moment: datetime) -> str:
    """UTC, always with microseconds, so that timestamps sort as text (naive times are local time)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _disk_nearly_full(path: Path) -> bool:
    """A write that failed with an I/O error on a disk with almost no room left was a full disk."""
    import shutil

    try:
        return shutil.disk_usage(path.parent if path.parent.exists() else Path.cwd()).free < 1_000_000
    except OSError:
        return False


def _is_busy(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)
