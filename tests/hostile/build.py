"""Build the hostile corpus: files a careless user or an attacker could hand to callsim.

Run `python tests/hostile/build.py` to (re)write the files beside this script; they are committed, and
tests/test_hostile.py runs every one through the real command line. Special files (a FIFO, /dev/zero, a
folder, a sparse giant) cannot be committed and are made by the test itself.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BASE = (REPO / "scenarios" / "gatekeeper-screen.yaml").read_text(encoding="utf-8")

OSC52 = "\\e]52;c;SGFja2Vk\\a"  # YAML double-quoted escapes: a clipboard write
OSC0 = "\\e]0;pwned\\a"  # window title
CSI_CLEAR = "\\e[2J\\e[H"
C1_CSI = "\\x9b2J"
BEL_BS_CR = "\\a\\b\\rfake"
BIDI = "\\u202egnp.exe"

TITLE = "title: Getting past the executive assistant"
GK_NAME = "    name: Priya Nair"
FIRST_SAY = "      - Good morning, Daniel Reyes's office, Priya speaking. How can I help?"
SAYS = (
    FIRST_SAY + "\n"
    "      - Halden Freight, Daniel Reyes's office, this is Priya. How can I help you?\n"
    "      - Daniel Reyes's office, Priya speaking. What can I do for you?"
)
BRIEF_CALLER = "  caller: Sam Carter, account director at Brightline Analytics."
PATIENCE = "traits: {patience: 3, interest: 0, meeting_threshold: 3, monologue_words: 60}"


def swap(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def scenario_files() -> dict[str, bytes | str]:
    """name -> content. Names starting with ok- are valid scenarios whose text must show literally."""
    files: dict[str, bytes | str] = {
        # valid files with hostile text: they load, and every command must show the text literally
        "ok-osc52-persona-name.yaml": swap(GK_NAME, f'    name: "Priya {OSC52} Nair"'),
        "ok-osc0-title.yaml": swap(TITLE, f'title: "Cold call {OSC0} practice"'),
        "ok-csi-clear-say.yaml": swap(SAYS, f'      - "Good morning {CSI_CLEAR} Priya speaking."'),
        "ok-c1-csi-title.yaml": swap(TITLE, f'title: "Cold call {C1_CSI} practice"'),
        "ok-bel-bs-cr-name.yaml": swap(GK_NAME, f'    name: "Priya {BEL_BS_CR}"'),
        "ok-bidi-title.yaml": swap(TITLE, f'title: "Invoice {BIDI}"'),
        "ok-markup-close-title.yaml": swap(TITLE, 'title: "Cold call [/] warm lead"'),
        "ok-markup-draft-title.yaml": swap(TITLE, 'title: "[Draft] Gatekeeper practice"'),
        "ok-markup-bold-title.yaml": swap(TITLE, 'title: "Calling [bold red]hi[/]"'),
        "ok-markup-link-name.yaml": swap(
            GK_NAME, '    name: "Priya [link=https://x.test]click[/link] [@click=app.quit]q[/]"'
        ),
        "ok-markup-backslash-title.yaml": swap(TITLE, 'title: "ends in a backslash \\\\"'),
        "ok-osc52-brief.yaml": swap(BRIEF_CALLER, f'  caller: "Sam Carter {OSC52} at Brightline."'),
        "ok-nul-in-say.yaml": swap(SAYS, '      - "Good morning\\0 Priya speaking."'),
        "ok-bom.yaml": "\ufeff" + BASE,
        # invalid: each must be one line per problem, FILE:LINE:COL, exit 1
        "patience-true.yaml": swap(PATIENCE, PATIENCE.replace("patience: 3", "patience: true")),
        "patience-float.yaml": swap(PATIENCE, PATIENCE.replace("patience: 3", "patience: 2.5")),
        "patience-inf.yaml": swap(PATIENCE, PATIENCE.replace("patience: 3", "patience: .inf")),
        "patience-huge-int.yaml": swap(PATIENCE, PATIENCE.replace("patience: 3", "patience: " + "9" * 5000)),
        "patience-string.yaml": swap(PATIENCE, PATIENCE.replace("patience: 3", "patience: lots")),
        "start-infinity.yaml": swap("start: screening", "start: 1e999999"),
        "start-null.yaml": swap("start: screening", "start: null"),
        "lone-surrogate-say.yaml": swap(FIRST_SAY, '      - "Good morning \\ud800 Priya."'),
        "lone-surrogate-title.yaml": swap(TITLE, 'title: "a \\udfff b"'),
        "raw-escape-byte.yaml": swap(TITLE, "title: Cold call \x1b]52;c;SGk=\x07 practice"),
        "raw-c1-byte.yaml": swap(TITLE, "title: Cold call \x9b2J practice"),
        "raw-nul-byte.yaml": swap(TITLE, "title: Cold \x00 call"),
        "not-utf8.yaml": swap(TITLE, "title: caf").encode("utf-8").replace(b"title: caf", b"title: caf\xe9", 1),
        "binary-junk.yaml": bytes(range(256)) * 8,
        "bad-id-osc.yaml": swap("id: gatekeeper-screen", f'id: "x{OSC52}"'),
        "unknown-key-osc.yaml": swap(TITLE, f'{TITLE}\n"ti{OSC0}tle": 1'),
        "unknown-key-markup.yaml": swap(TITLE, f'{TITLE}\n"[bold]x[/]": 1'),
        "bad-state-ref-osc.yaml": swap("start: screening", f'start: "scr{OSC52}"'),
        "python-tag.yaml": swap(TITLE, "title: !!python/object/apply:os.system [echo hacked]"),
        "custom-tag.yaml": swap(TITLE, "title: !secret hello"),
        "billion-laughs.yaml": _laughs(),
        "deep-nesting.yaml": "id: x\ntitle: " + "[" * 5000 + "]" * 5000 + "\n",
        "deep-mapping.yaml": "id: x\ntitle: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
        "empty.yaml": "",
        "only-comment.yaml": "# nothing here\n",
        "top-level-list.yaml": "- a\n- b\n",
        "top-level-string.yaml": "hello\n",
        "duplicate-key.yaml": swap(TITLE, f"{TITLE}\ntitle: again"),
        "tab-indent.yaml": swap(GK_NAME, "\tname: Priya"),
        "unclosed-quote.yaml": swap(TITLE, 'title: "never closed'),
        "complex-key.yaml": swap(TITLE, f"{TITLE}\n? [a, b]\n: c"),
        "too-large.yaml": BASE + "# padding to make the file too large to check\n" * 4000,
        "many-unknown-keys.yaml": BASE + "".join(f"unknown_{i}: 1\n" for i in range(5000)),
        "many-states.yaml": _many_states(1500),
        "many-intents.yaml": BASE + "intents:\n" + "".join(f"  i{i}: {{examples: [hello {i}]}}\n" for i in range(60)),
        "many-examples.yaml": BASE
        + "intents:\n"
        + "".join(f"  i{i}: {{examples: [{', '.join(f'phrase {i} {j}' for j in range(40))}]}}\n" for i in range(20)),
        "many-say-variants.yaml": swap(FIRST_SAY, "\n".join(f"      - line {i}" for i in range(500))),
        "long-say-line.yaml": swap(FIRST_SAY, "      - " + "word " * 2000),
        "long-title.yaml": swap(TITLE, "title: " + "x" * 5000),
        "missing-everything.yaml": "id: x\n",
        "wrong-types.yaml": "id: 5\ntitle: [a]\ndifficulty: impossible\nbrief: 3\npersonas: []\nsuccess: {}\n",
        "the-intent-library.yaml": (REPO / "scenarios" / "intents.yaml").read_text(encoding="utf-8"),
    }
    return files


def _laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    return "\n".join(lines) + "\n"


def _many_states(count: int) -> str:
    head = BASE.split("states:")[0]
    states = "".join(f"  - {{id: s{i}, persona: executive, say: [hi], outcome: rejected}}\n" for i in range(count))
    return head.replace("start: screening", "start: s0") + "states:\n" + states


def _turn(speaker: str, text: object, start: object = 0.0, end: object = 1.0, **more: object) -> dict[str, object]:
    return {"speaker": speaker, "text": text, "start": start, "end": end, **more}


GOOD_TURNS = [
    _turn("gatekeeper", "Halden Freight, Priya speaking.", 0.0, 1.5),
    _turn("caller", "Hi Priya, it's Sam from Brightline. I saw the Leeds hub news.", 2.0, 5.0),
    _turn("gatekeeper", "What is it about?", 5.5, 6.5),
    _turn("caller", "Could we find fifteen minutes with Daniel on Tuesday at ten?", 7.0, 10.0),
]


def transcript(**changes: object) -> dict[str, object]:
    call: dict[str, object] = {
        "scenario": "gatekeeper-screen",
        "research": [],
        "outcome": "meeting_booked",
        "turns": GOOD_TURNS,
    }
    call.update(changes)
    return call


def transcript_files() -> dict[str, bytes | str]:
    def dump(value: object) -> str:
        return json.dumps(value, indent=1)

    with_turn = lambda **turn: dump(transcript(turns=[*GOOD_TURNS[:1], {**GOOD_TURNS[1], **turn}]))  # noqa: E731
    files: dict[str, bytes | str] = {
        "ok-osc52-text.json": with_turn(text="Hi \u001b]52;c;SGFja2Vk\u0007 Priya, Tuesday at ten?"),
        "ok-c1-bidi-text.json": with_turn(text="Hi \u009b2J \u202e Priya"),
        "ok-markup-text.json": with_turn(text="Calling [bold red]hi[/] [/] [Draft]"),
        "ok-osc-outcome.json": dump(transcript(outcome="meeting\u001b]0;t\u0007_booked")),
        "ok-export-two-calls.json": dump([{"id": 1, **transcript()}, {"id": 2, **transcript()}]),
        "empty-object.json": "{}",
        "empty-list.json": "[]",
        "no-turns-key.json": dump({"scenario": "x", "outcome": None}),
        "zero-turns.json": dump(transcript(turns=[])),
        "null.json": "null",
        "string.json": '"hello"',
        "number.json": "42",
        "turns-not-list.json": dump(transcript(turns="abc")),
        "turn-not-object.json": dump(transcript(turns=[1, 2])),
        "start-true.json": with_turn(start=True),
        "start-string.json": with_turn(start="2"),
        "start-infinity.json": with_turn(start=1e999999).replace("Infinity", "1e999999"),
        "start-nan.json": with_turn(start=float("nan")),
        "start-negative.json": with_turn(start=-5),
        "start-huge.json": with_turn(start=1e300),
        "digits-5000.json": with_turn(start=0).replace('"start": 0', '"start": ' + "7" * 5000, 1),
        "interrupted-string.json": with_turn(interrupted="yes"),
        "heard-out-of-range.json": with_turn(heard=5),
        "speaker-unknown.json": with_turn(speaker="narrator"),
        "text-number.json": with_turn(text=5),
        "text-lone-surrogate.json": with_turn(text="x").replace('"text": "x"', '"text": "a \\ud800 b"'),
        "text-100kb.json": with_turn(text="word " * 20_000),
        "too-many-turns.json": json.dumps(transcript(turns=GOOD_TURNS * 300)),
        "research-not-list.json": dump(transcript(research="leeds")),
        "research-huge-item.json": dump(transcript(research=["x" * 10_000])),
        "outcome-number.json": dump(transcript(outcome=3)),
        "deep-nesting.json": "[" * 100_000 + "]" * 100_000,
        "deep-object.json": '{"a":' * 50_000 + "1" + "}" * 50_000,
        "not-json.json": "scenario: yaml, not json\n",
        "trailing-comma.json": '{"turns": [1,],}',
        "truncated.json": dump(transcript())[:120],
        "not-utf8.json": b'{"turns": [{"speaker": "caller", "text": "caf\xe9"}]}',
        "bom.json": "\ufeff" + dump(transcript()),
        "export-one-damaged.json": dump([{"id": 1, **transcript()}, {"id": 2, "turns": [{"speaker": 3}]}]),
        "export-items-not-objects.json": dump([1, 2, 3]),
        "latency-infinity.json": with_turn(latency={"end_of_speech": 1e999999}).replace("Infinity", "1e999999"),
    }
    return files


def settings_files() -> dict[str, bytes | str]:
    return {
        "threads-100000.toml": "[stt]\nthreads = 100000\n",
        "threads-negative.toml": "[stt]\nthreads = -1\n",
        "threads-true.toml": "[stt]\nthreads = true\n",
        "beam-size-true.toml": "[stt]\nbeam_size = true\n",
        "beam-size-float.toml": "[stt]\nbeam_size = 2.0\n",
        "max-turn-inf.toml": "[listening]\nmax_turn_seconds = inf\n",
        "max-turn-nan.toml": "[listening]\nmax_turn_seconds = nan\n",
        "max-turn-huge.toml": "[listening]\nmax_turn_seconds = 1e308\n",
        "end-pause-int64.toml": "[listening]\nend_pause_ms = 9223372036854775807\n",
        "vad-threshold-2.toml": "[listening]\nvad_threshold = 2\n",
        "mode-number.toml": "[listening]\nmode = 3\n",
        "device-gpu.toml": '[stt]\ndevice = "gpu\\u001b]52;c;x\\u0007"\n',
        "input-device-true.toml": "[audio]\ninput_device = true\n",
        "input-device-negative.toml": "[audio]\ninput_device = -4\n",
        "unknown-section-osc.toml": '["\\u001b]0;x\\u0007"]\na = 1\n',
        "unknown-key.toml": "[stt]\nbeam = 2\n",
        "deep-array.toml": "a = " + "[" * 2000 + "]" * 2000 + "\n",
        "deep-inline-table.toml": "a = " + "{b = " * 2000 + "1" + "}" * 2000 + "\n",
        "not-toml.toml": "this is not = = toml\n",
        "not-utf8.toml": b'[stt]\nmodel = "caf\xe9"\n',
        "section-is-value.toml": "stt = 3\n",
        "model-huge.toml": f'[stt]\nmodel = "{"x" * 5000}"\n',
    }


def _wav(rate: int, samples: bytes, channels: int = 1, bits: int = 16) -> bytes:
    block = channels * bits // 8
    header = struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(samples))
        + b"WAVE"
        + b"fmt "
        + header
        + b"data"
        + struct.pack("<I", len(samples))
        + samples
    )


def audio_files() -> dict[str, bytes]:
    return {
        "rate-1hz.wav": _wav(1, b"\x00\x10" * 100_000),
        "rate-3hz.wav": _wav(3, b"\x00\x10" * 50_000),
        "rate-0hz.wav": _wav(0, b"\x00\x10" * 1000),
        "rate-huge.wav": _wav(2_000_000_000, b"\x00\x10" * 1000),
        "header-only.wav": _wav(16000, b""),
        "data-size-lies.wav": _wav(16000, b"\x00\x10" * 100)[:-150] + b"\xff" * 10,
        "truncated-header.wav": _wav(16000, b"\x00" * 100)[:20],
        "text-as-audio.wav": b"this is a text file, not audio\n" * 10,
        "junk.mp3": bytes(range(256)) * 40,
        "empty.flac": b"",
    }


def lines_files() -> dict[str, bytes | str]:
    return {
        "ok-osc52.txt": "Hi, it's Sam \u001b]52;c;SGFja2Vk\u0007 from Brightline.\n",
        "ok-markup.txt": "Calling [bold red]hi[/] [/] about the Leeds hub\n",
        "long-line.txt": "word " * 20_000 + "\n",
        "only-comments.txt": "# nothing\n\n   \n",
        "not-utf8.txt": b"caf\xe9 au lait\n",
        "many-lines.txt": "hello there\n" * 2000,
    }


def build_databases(folder: Path) -> None:
    """Histories made through the real store, then damaged the ways a disk or a hand edit damages them."""
    sys.path.insert(0, str(REPO))
    from datetime import UTC, datetime

    from simulator.history.store import HistoryStore
    from simulator.transcript import Turn

    def healthy(path: Path, calls: int = 2) -> None:
        path.unlink(missing_ok=True)
        with HistoryStore(path) as store:
            for number in range(calls):
                started = datetime(2026, 3, 1, 9, number, tzinfo=UTC)
                call_id = store.start_call("gatekeeper-screen", [], "lines", started_at=started)
                for index, turn in enumerate(GOOD_TURNS):
                    store.add_turn(call_id, index, Turn.model_validate(turn))
                store.finish_call(call_id, "meeting_booked", None)
        for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            extra.unlink(missing_ok=True)

    def edit(name: str, *statements: str) -> None:
        path = folder / name
        healthy(path)
        connection = sqlite3.connect(path)
        for statement in statements:
            connection.execute(statement)
        connection.commit()
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.close()

    folder.mkdir(parents=True, exist_ok=True)
    healthy(folder / "ok-history.sqlite3")
    edit("ok-osc-in-rows.sqlite3", "UPDATE turns SET text = 'Hi \x1b]52;c;SGk=\x07 [bold]x[/]' WHERE idx = 1",
         "UPDATE calls SET scenario_id = 'gate\x1b]0;t\x07keeper' WHERE id = 2")  # fmt: skip
    edit("turns-table-gone.sqlite3", "DROP TABLE turns")
    edit("calls-table-gone.sqlite3", "PRAGMA foreign_keys = OFF", "DROP TABLE calls")
    edit("bad-date.sqlite3", "UPDATE calls SET started_at = 'yesterday-ish' WHERE id = 1")
    edit("bad-finished-date.sqlite3", "UPDATE calls SET finished_at = '2026-13-45' WHERE id = 2")
    edit("bad-research-json.sqlite3", "UPDATE calls SET research = '{not json' WHERE id = 1")
    edit("bad-report-json.sqlite3", "UPDATE calls SET report = '[[[' WHERE id = 2")
    edit("bad-speaker.sqlite3", "UPDATE turns SET speaker = 'narrator' WHERE call_id = 1")
    edit("newer-schema.sqlite3", "PRAGMA user_version = 999")
    path = folder / "not-callsim.sqlite3"
    path.unlink(missing_ok=True)
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE notes (body TEXT)")
    other.commit()
    other.close()
    healthy(folder / "truncated.sqlite3")
    data = (folder / "truncated.sqlite3").read_bytes()
    (folder / "truncated.sqlite3").write_bytes(data[: len(data) // 2])
    healthy(folder / "garbled-page.sqlite3")
    data = bytearray((folder / "garbled-page.sqlite3").read_bytes())
    data[4096 : 4096 + 512] = b"\xff" * 512
    (folder / "garbled-page.sqlite3").write_bytes(bytes(data))
    (folder / "not-sqlite.sqlite3").write_bytes(b"just some text, not a database\n")
    (folder / "header-only.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)


def write(folder: Path, files: dict[str, bytes | str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", errors="surrogatepass", newline="")
        else:
            path.write_bytes(content)


BUILDERS: dict[str, Callable[[], dict[str, bytes | str]]] = {
    "scenarios": scenario_files,
    "transcripts": transcript_files,
    "settings": settings_files,
    "audio": audio_files,  # type: ignore[dict-item]
    "lines": lines_files,
}


def main() -> None:
    for kind, builder in BUILDERS.items():
        shutil.rmtree(HERE / kind, ignore_errors=True)
        write(HERE / kind, builder())
    shutil.rmtree(HERE / "databases", ignore_errors=True)
    build_databases(HERE / "databases")
    count = sum(1 for path in HERE.rglob("*") if path.is_file() and path.name != "build.py")
    print(f"{count} files in {HERE}")


if __name__ == "__main__":
    main()
