"""Every file in the hostile corpus (tests/hostile/) through the real command line, in a subprocess.

For each case: the exit code (0 for a valid file with hostile text, 1 for bad input, 2 for usage), the
error as one line naming the file (FILE:LINE:COL where the file has a place to point at), no traceback,
no byte that a terminal would act on, at most 5 s of CPU and 500 MB of memory (measured by the kernel
for the child process: os.wait4's rusage, not a wall-clock timer), and a history database that must be
refused left byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "hostile"
CPU_SECONDS = 5.0
MEMORY_BYTES = 500_000_000
WALL_SECONDS = 120  # only a hang would reach it: the budget is checked in CPU time
# A terminal acts on C0 controls (but tab and newline), DEL, C1 controls (UTF-8 \xc2\x80-\x9f) and the
# bidirectional overrides; none may reach the output, whatever the file held.
UNSAFE_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")

LINES = CORPUS / "lines" / "ok-osc52.txt"


@dataclass(frozen=True)
class Case:
    """One command on one hostile file. {file} is the file, {home} the CALLSIM_HOME of the run."""

    name: str
    file: str  # a path in the corpus, or a special: FIFO, DEV_ZERO, FOLDER, SPARSE, SYMLINK_ZERO
    args: tuple[str, ...]
    exit: int
    at: bool = False  # the message points at FILE:LINE:COL
    shows: tuple[str, ...] = ()  # text the output must show literally
    database: str | None = None  # installed as the history before the command
    unchanged: bool = False  # the history's bytes must not change
    before: tuple[tuple[str, ...], ...] = ()  # commands run first (not measured)
    stdin: str = ""
    user_scenarios: tuple[str, ...] = field(default=())  # corpus scenarios copied into the user's folder


ESCAPED_OSC52 = "\\u001b]52;c;SGFja2Vk\\u0007"


def _scenario_cases() -> list[Case]:
    cases: list[Case] = []
    folder = CORPUS / "scenarios"
    literal = {
        "ok-osc52-persona-name.yaml": ESCAPED_OSC52,
        "ok-osc0-title.yaml": "\\u001b]0;pwned\\u0007",
        "ok-csi-clear-say.yaml": "\\u001b[2J\\u001b[H",
        "ok-c1-csi-title.yaml": "\\u009b2J",
        "ok-bel-bs-cr-name.yaml": "\\u0007\\u0008\\u000dfake",
        "ok-bidi-title.yaml": "\\u202egnp.exe",
        "ok-markup-close-title.yaml": "Cold call [/] warm lead",
        "ok-markup-draft-title.yaml": "[Draft] Gatekeeper practice",
        "ok-markup-bold-title.yaml": "Calling [bold red]hi[/]",
        "ok-markup-link-name.yaml": "[link=https://x.test]click[/link]",
        "ok-markup-backslash-title.yaml": "ends in a backslash \\",
        "ok-osc52-brief.yaml": ESCAPED_OSC52,
        "ok-nul-in-say.yaml": "\\u0000",
        "ok-bom.yaml": "",
    }
    # What each command prints of a scenario: the title (list, practice) or the persona's lines (run).
    in_title = {"ok-osc0-title.yaml", "ok-c1-csi-title.yaml", "ok-bidi-title.yaml", "ok-markup-close-title.yaml"}
    in_title |= {"ok-markup-draft-title.yaml", "ok-markup-bold-title.yaml", "ok-markup-backslash-title.yaml"}
    in_run = {"ok-osc52-persona-name.yaml", "ok-bel-bs-cr-name.yaml", "ok-markup-link-name.yaml"}
    in_run |= {"ok-csi-clear-say.yaml", "ok-nul-in-say.yaml"}
    for name, shown in literal.items():
        path = f"scenarios/{name}"
        cases.append(Case(f"validate-{name}", path, ("scenarios", "validate", "--strict", "{file}"), 0))
        run_shows = (shown, "\\u001b]52;c;SGFja2Vk\\u0007 from Brightline") if name in in_run else ()
        cases.append(
            Case(
                f"run-{name}", path, ("run", "{file}", "--caller-lines", str(LINES), "--seed", "1"), 0, shows=run_shows
            )
        )
        if name in in_title or name == "ok-osc52-brief.yaml":
            cases.append(
                Case(f"practice-text-{name}", path, ("practice", "{file}", "--text"), 0, shows=(shown,), stdin="Hi\n")
            )
    cases.append(
        Case(
            "scenarios-list-hostile-titles",
            "scenarios/ok-osc0-title.yaml",
            ("scenarios", "list"),
            0,
            shows=("Cold call [/] warm lead", "[Draft] Gatekeeper practice", "Calling [bold red]hi[/]"),
            user_scenarios=tuple(f"scenarios/{n}" for n in in_title),
        )
    )
    cases.append(
        Case(
            "scenarios-list-json-hostile-titles",
            "scenarios/ok-osc0-title.yaml",
            ("scenarios", "list", "--json"),
            0,
            shows=("\\u001b]0;pwned\\u0007",),
            user_scenarios=tuple(f"scenarios/{n}" for n in in_title),
        )
    )
    positioned = {
        "patience-true.yaml", "patience-float.yaml", "patience-inf.yaml", "patience-string.yaml",
        "start-infinity.yaml", "start-null.yaml", "lone-surrogate-say.yaml", "lone-surrogate-title.yaml",
        "raw-escape-byte.yaml", "raw-c1-byte.yaml", "raw-nul-byte.yaml", "not-utf8.yaml", "binary-junk.yaml",
        "bad-id-osc.yaml", "unknown-key-osc.yaml", "unknown-key-markup.yaml", "bad-state-ref-osc.yaml",
        "python-tag.yaml", "custom-tag.yaml", "deep-nesting.yaml", "deep-mapping.yaml", "empty.yaml",
        "only-comment.yaml", "top-level-list.yaml", "top-level-string.yaml", "duplicate-key.yaml",
        "tab-indent.yaml", "unclosed-quote.yaml", "complex-key.yaml", "many-unknown-keys.yaml",
        "many-states.yaml", "many-intents.yaml", "many-examples.yaml", "many-say-variants.yaml",
        "long-say-line.yaml", "long-title.yaml", "missing-everything.yaml", "wrong-types.yaml",
        "billion-laughs.yaml", "patience-huge-int.yaml",
    }  # fmt: skip
    for path in sorted(folder.iterdir()):
        if path.name.startswith("ok-"):
            continue
        rel = f"scenarios/{path.name}"
        at = path.name in positioned
        cases.append(Case(f"validate-{path.name}", rel, ("scenarios", "validate", "{file}"), 1, at=at))
        cases.append(Case(f"strict-{path.name}", rel, ("scenarios", "validate", "--strict", "{file}"), 1, at=at))
        cases.append(
            Case(
                f"run-{path.name}",
                rel,
                ("run", "{file}", "--caller-lines", str(LINES)),
                1,
                at=at,
                database="databases/ok-history.sqlite3",
                unchanged=True,
            )
        )
    for special in ("FIFO", "DEV_ZERO", "FOLDER", "SPARSE", "SYMLINK_ZERO", "MISSING"):
        cases.append(Case(f"validate-{special}", special, ("scenarios", "validate", "--strict", "{file}"), 1))
        cases.append(Case(f"run-{special}", special, ("run", "{file}", "--caller-lines", str(LINES)), 1))
    return cases


def _transcript_cases() -> list[Case]:
    cases: list[Case] = []
    shows = {
        "ok-osc52-text.json": (ESCAPED_OSC52,),
        "ok-c1-bidi-text.json": ("\\u009b2J \\u202e Priya",),
        "ok-markup-text.json": ("[bold red]hi[/] [/] [Draft]",),
        "ok-osc-outcome.json": (),
        "ok-export-two-calls.json": ("== Call 2 ==",),
        "bom.json": (),  # a byte-order mark is no reason to refuse a transcript (as for scenarios)
    }
    positioned = {"not-json.json", "trailing-comma.json", "truncated.json"}
    for path in sorted((CORPUS / "transcripts").iterdir()):
        rel = f"transcripts/{path.name}"
        if path.name in shows:
            cases.append(Case(f"score-{path.name}", rel, ("score", "{file}"), 0, shows=shows[path.name]))
            cases.append(Case(f"score-json-{path.name}", rel, ("score", "{file}", "--json"), 0))
            continue
        cases.append(Case(f"score-{path.name}", rel, ("score", "{file}"), 1, at=path.name in positioned))
    for special in ("FIFO", "DEV_ZERO", "FOLDER", "SPARSE", "SYMLINK_ZERO", "MISSING"):
        cases.append(Case(f"score-{special}", special, ("score", "{file}"), 1))
    return cases


def _settings_cases() -> list[Case]:
    cases = []
    for path in sorted((CORPUS / "settings").iterdir()):
        rel = f"settings/{path.name}"
        args = ("run", "gatekeeper-screen", "--caller-lines", str(LINES))
        cases.append(
            Case(f"settings-{path.name}", rel, args, 1, database="databases/ok-history.sqlite3", unchanged=True)
        )
    cases.append(Case("option-threads-100000", "MISSING", ("run", "gatekeeper-screen", "--threads", "100000",
                                                           "--caller-lines", str(LINES)), 2))  # fmt: skip
    cases.append(Case("option-device-gpu", "MISSING", ("run", "gatekeeper-screen", "--device", "gpu",
                                                       "--caller-lines", str(LINES)), 2))  # fmt: skip
    return cases


def _audio_cases() -> list[Case]:
    cases = []
    for path in sorted((CORPUS / "audio").iterdir()):
        rel = f"audio/{path.name}"
        cases.append(Case(f"audio-{path.name}", rel, ("run", "gatekeeper-screen", "--caller-audio", "{file}"), 1))
    for special in ("FIFO", "DEV_ZERO", "FOLDER", "SYMLINK_ZERO", "MISSING"):
        cases.append(Case(f"audio-{special}", special, ("run", "gatekeeper-screen", "--caller-audio", "{file}"), 1))
    return cases


def _lines_cases() -> list[Case]:
    run = ("run", "gatekeeper-screen", "--caller-lines", "{file}")
    return [
        Case("lines-ok-osc52.txt", "lines/ok-osc52.txt", run, 0, shows=(ESCAPED_OSC52,)),
        Case("lines-ok-markup.txt", "lines/ok-markup.txt", run, 0, shows=("[bold red]hi[/] [/]",)),
        Case("lines-long-line.txt", "lines/long-line.txt", run, 1, at=True),
        Case("lines-only-comments.txt", "lines/only-comments.txt", run, 1),
        Case("lines-not-utf8.txt", "lines/not-utf8.txt", run, 1),
        Case("lines-many-lines.txt", "lines/many-lines.txt", run, 1),
        Case("lines-FIFO", "FIFO", run, 1),
        Case("lines-DEV_ZERO", "DEV_ZERO", run, 1),
        Case("lines-FOLDER", "FOLDER", run, 1),
        Case(
            "typed-100kb-turn",
            "MISSING",
            ("practice", "gatekeeper-screen", "--text"),
            0,
            shows=("Too long: a turn may have at most 2,000 characters",),
            stdin="word " * 20_000 + "\nHello, it's Sam from Brightline.\n",
        ),
        Case(
            "typed-osc52-turn",
            "MISSING",
            ("practice", "gatekeeper-screen", "--text"),
            0,
            stdin="Hi \x1b]52;c;SGFja2Vk\x07 Priya\n\x9b2J\n\xff\n",
        ),
    ]


def _database_cases() -> list[Case]:
    cases = []
    run = ("run", "gatekeeper-screen", "--caller-lines", str(LINES))
    refused = [
        "turns-table-gone.sqlite3", "calls-table-gone.sqlite3", "newer-schema.sqlite3", "not-callsim.sqlite3",
        "truncated.sqlite3", "garbled-page.sqlite3", "not-sqlite.sqlite3",
    ]  # fmt: skip
    for name in refused:
        db = f"databases/{name}"
        for command in (run, ("history",), ("export",), ("report", "1")):
            cases.append(Case(f"db-{name}-{command[0]}", db, command, 1, database=db, unchanged=True))
    for name in ("bad-date.sqlite3", "bad-finished-date.sqlite3"):  # the list itself cannot show the row
        db = f"databases/{name}"
        for command in (("history",), ("history", "--json"), ("export",)):
            cases.append(Case(f"db-{name}-{'-'.join(command)}", db, command, 0, database=db, shows=("skipped call",)))
    # damage the list does not read: listed; the call itself is refused in one line; export skips it
    for name, damaged in (("bad-research-json.sqlite3", 1), ("bad-report-json.sqlite3", 2), ("bad-speaker.sqlite3", 1)):
        db = f"databases/{name}"
        cases.append(Case(f"db-{name}-history", db, ("history", "--json"), 0, database=db))
        cases.append(Case(f"db-{name}-export", db, ("export",), 0, database=db, shows=(f"skipped call {damaged}",)))
        cases.append(Case(f"db-{name}-report", db, ("report", str(damaged)), 1, database=db, unchanged=True))
    db = "databases/ok-osc-in-rows.sqlite3"
    for command in (("history",), ("report", "1"), ("export",), ("export", "--format", "csv")):
        cases.append(Case(f"db-osc-rows-{'-'.join(command)}", db, command, 0, database=db))
    cases.append(Case("db-header-only-history", "databases/header-only.sqlite3", ("history",), 1,
                      database="databases/header-only.sqlite3", unchanged=True))  # fmt: skip
    return cases


CASES = [*_scenario_cases(), *_transcript_cases(), *_settings_cases(), *_audio_cases(), *_lines_cases()]
CASES += _database_cases()


def test_the_corpus_is_big_enough_and_every_case_names_a_real_file() -> None:
    files = [path for path in CORPUS.rglob("*") if path.is_file() and path.suffix != ".py"]
    assert len(files) >= 100
    kinds = {path.parent.name for path in files}
    assert kinds >= {"scenarios", "transcripts", "settings", "audio", "databases", "lines"}
    used = {case.file for case in CASES} | {case.database for case in CASES if case.database}
    for name in used:
        assert name in SPECIALS or (CORPUS / name).is_file(), name
    assert {f"{p.parent.name}/{p.name}" for p in files} <= used | {f"lines/{LINES.name}"}, "a corpus file no case uses"


SPECIALS = {"FIFO", "DEV_ZERO", "FOLDER", "SPARSE", "SYMLINK_ZERO", "MISSING"}


def _target(case: Case, work: Path) -> Path:
    if case.file == "FIFO":
        path = work / "pipe.yaml"
        os.mkfifo(path)
    elif case.file == "DEV_ZERO":
        path = Path("/dev/zero")
    elif case.file == "FOLDER":
        path = work / "folder.yaml"
        path.mkdir()
    elif case.file == "SPARSE":
        path = work / "sparse.yaml"
        with path.open("wb") as file:
            file.truncate(8_000_000_000)  # 8 GB of nothing, taking no room on disk
    elif case.file == "SYMLINK_ZERO":
        path = work / "zero.wav"
        path.symlink_to("/dev/zero")
    elif case.file == "MISSING":
        path = work / "missing.yaml"
    elif case.file.startswith("settings/"):
        path = work / "home" / "settings.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / case.file, path)
    else:
        path = work / Path(case.file).name
        shutil.copyfile(CORPUS / case.file, path)
    return path


def _run_fresh(args: list[str], home: Path, stdin: str) -> tuple[int, bytes, bytes, float, int]:
    """Exit code, stdout, stderr, CPU seconds and peak memory (bytes) of one fresh callsim process.

    tests/hostile/launch.py starts it and reaps it with os.wait4, so its own rusage is read: not the sum over
    every child so far, and not the test run's size that a process forked from it would keep as its peak.
    """
    env = {**os.environ, "CALLSIM_HOME": str(home), "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    env.pop("FORCE_COLOR", None)
    report = home.parent / "fresh-process.json"
    process = subprocess.Popen(
        [sys.executable, str(CORPUS / "launch.py"), str(report), sys.executable, "-m", "simulator", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=home.parent,
        start_new_session=True,
    )
    outputs: dict[str, bytes] = {}

    def drain(name: str, stream: IO[bytes]) -> None:
        outputs[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=("out", process.stdout)),
        threading.Thread(target=drain, args=("err", process.stderr)),
    ]
    for reader in readers:
        reader.start()
    assert process.stdin is not None
    try:
        process.stdin.write(stdin.encode("utf-8", "surrogateescape"))
        process.stdin.close()
    except BrokenPipeError:
        pass
    timer = threading.Timer(WALL_SECONDS, lambda: os.killpg(process.pid, signal.SIGKILL))
    timer.start()
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    for reader in readers:
        reader.join()
    if os.waitstatus_to_exitcode(status) == -signal.SIGKILL or not report.exists():
        pytest.fail(f"callsim {' '.join(args)} hung for {WALL_SECONDS} s")
    measured = json.loads(report.read_text(encoding="utf-8"))  # the callsim process's own figures (launch.py)
    return measured["code"], outputs["out"], outputs["err"], measured["cpu"], measured["peak"]


class ForkServer:
    """tests/hostile/runner.py: callsim imported once, each command run in its own fork (see there)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(CORPUS / "runner.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )

    def run(self, args: list[str], home: Path, stdin: str) -> tuple[int, bytes, bytes, float, int]:
        files = home.parent
        (files / "stdin.txt").write_bytes(stdin.encode("utf-8", "surrogateescape"))
        env = {**os.environ, "CALLSIM_HOME": str(home), "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
        env.pop("FORCE_COLOR", None)
        request = {
            "args": args,
            "env": env,
            "cwd": str(files),
            "stdin": str(files / "stdin.txt"),
            "stdout": str(files / "stdout.bin"),
            "stderr": str(files / "stderr.bin"),
            "timeout": WALL_SECONDS,
        }
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        if reply["timed_out"]:
            pytest.fail(f"callsim {' '.join(args)} hung for {WALL_SECONDS} s")
        out, err = (files / "stdout.bin").read_bytes(), (files / "stderr.bin").read_bytes()
        return reply["code"], out, err, reply["cpu"], reply["maxrss"]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def forks() -> Iterator[ForkServer]:
    server = ForkServer()
    yield server
    server.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_file_is_handled(case: Case, tmp_path: Path, forks: ForkServer) -> None:
    check(case, tmp_path, forks.run)


FRESH = ["run-FIFO", "score-deep-nesting.json", "audio-rate-1hz.wav", "db-turns-table-gone.sqlite3-run"]


@pytest.mark.parametrize("name", FRESH)
def test_a_fresh_process_handles_it_the_same(name: str, tmp_path: Path) -> None:
    """The fork server's results hold for a real `python -m simulator` process too (start-up included)."""
    (case,) = [case for case in CASES if case.name == name]
    check(case, tmp_path, _run_fresh)


Runner = Callable[[list[str], Path, str], tuple[int, bytes, bytes, float, int]]


def check(case: Case, tmp_path: Path, run: Runner) -> None:
    work = tmp_path / "work"
    work.mkdir()
    home = work / "home"
    home.mkdir(exist_ok=True)
    target = _target(case, work)
    for number, scenario in enumerate(case.user_scenarios):  # each under its own id, so all are listed
        (home / "scenarios").mkdir(exist_ok=True)
        text = (CORPUS / scenario).read_text(encoding="utf-8").replace("id: gatekeeper-screen", f"id: hostile-{number}")
        (home / "scenarios" / Path(scenario).name).write_text(text, encoding="utf-8")
    database = home / "history.sqlite3"
    if case.database:
        shutil.copyfile(CORPUS / case.database, database)
    for command in case.before:
        run([part.format(file=target, home=home) for part in command], home, "")
    before = _digest(database)
    args = [part.format(file=target, home=home) for part in case.args]
    code, out, err, cpu, peak = run(args, home, case.stdin)
    text = out.decode("utf-8", "replace") + err.decode("utf-8", "replace")
    shown = f"$ callsim {' '.join(args)}\n--- stdout\n{out[:3000]!r}\n--- stderr\n{err[:3000]!r}"

    assert code == case.exit, shown
    assert "Traceback" not in text and "unexpected error" not in text, shown
    assert not UNSAFE_BYTES.search(out) and not UNSAFE_BYTES.search(err), shown
    assert cpu < CPU_SECONDS, f"{cpu:.1f} s of CPU\n{shown}"
    assert peak < MEMORY_BYTES, f"{peak / 1e6:.0f} MB at peak\n{shown}"
    for literal in case.shows:
        assert literal in text, f"{literal!r} not shown\n{shown}"
    if case.exit != 0:
        lines = err.decode("utf-8", "replace").splitlines()
        named = str(target) if case.file not in SPECIALS or case.file == "MISSING" else str(target)
        if case.file.startswith("settings/") or case.file.startswith("databases/"):
            named = str(home / ("settings.toml" if case.file.startswith("settings/") else "history.sqlite3"))
        if case.args[:2] == ("scenarios", "validate"):
            problems = out.decode("utf-8", "replace").splitlines()
            assert 1 <= len(problems) <= 51 and len(lines) == 1, shown
            assert all(line.startswith(named) or line.startswith("... and ") for line in problems), shown
            error = problems[0]
        elif case.exit == 2:
            assert lines and any(option in text for option in ("--threads", "--device")), shown
            error = ""
        else:
            assert len(lines) == 1 and lines[0].startswith("callsim: "), shown
            error = lines[0]
        if case.exit == 1 and case.file != "MISSING":
            assert named in error or (case.file == "MISSING"), shown
        if case.at:
            assert re.search(re.escape(named) + r":\d+(:\d+)?: ", error), shown
    if case.unchanged:
        assert _digest(database) == before, f"the history changed\n{shown}"
    if stat.S_ISFIFO(target.lstat().st_mode if target.exists() or target.is_symlink() else 0):
        target.unlink()
