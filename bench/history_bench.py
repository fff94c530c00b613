"""How fast the call history is with a long history: saving a turn must never hold up a call.

Run: `.venv/bin/python bench/history_bench.py [CALLS]` (default 2000 calls of 20 turns, in a temp folder).
Goals: saving a turn (one committed transaction) p95 under 5 ms; opening the history (with its integrity
check) and listing every call under 250 ms; the earlier openings for cross-call rigidity under 50 ms.
Exit status 1 if a goal is missed.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from simulator.history.store import HistoryStore
from simulator.transcript import Turn

GOALS_MS = {"add_turn p95": 5.0, "open + list_calls": 250.0, "earlier_openings": 50.0}


def fill(path: Path, calls: int, turns: int) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with HistoryStore(path) as store:
        for number in range(calls):
            call_id = store.start_call(
                "gatekeeper-screen", ["fact"], "lines", started_at=base + timedelta(hours=number)
            )
            for index in range(turns):
                speaker = "caller" if index % 2 else "gatekeeper"
                text = f"call {number} turn {index}: " + "a sentence of ordinary length " * 3
                store.add_turn(call_id, index, Turn(speaker=speaker, text=text, start=index * 4.0, end=index * 4.0 + 3))
            scores = {"rigidity": 40, "value_added": 60, "next_step": 55}
            store.finish_call(call_id, "transferred", {"scores": scores, "evidence": {}, "tips": {}, "metrics": {}})


def measure(calls: int, turns: int = 20) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite3"
        fill(path, calls, turns)
        figures: dict[str, float] = {"size MB": path.stat().st_size / 1e6}

        began = time.perf_counter()
        with HistoryStore(path) as store:
            listed = store.list_calls()
            figures["open + list_calls"] = (time.perf_counter() - began) * 1000
            assert len(listed) == calls

            began = time.perf_counter()
            openings = store.earlier_openings("gatekeeper-screen", exclude=listed[-1].id)
            figures["earlier_openings"] = (time.perf_counter() - began) * 1000
            assert len(openings) == calls - 1

            call_id = store.start_call("gatekeeper-screen", [], "typed")
            timings = []
            for index in range(200):
                turn = Turn(speaker="caller", text="hello " * 20, start=index, end=index + 0.5)
                began = time.perf_counter()
                store.add_turn(call_id, index, turn)
                timings.append((time.perf_counter() - began) * 1000)
            figures["add_turn median"] = statistics.median(timings)
            figures["add_turn p95"] = statistics.quantiles(timings, n=20)[-1]
        return figures


def main() -> int:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    figures = measure(calls)
    missed = False
    print(f"history of {calls} calls x 20 turns")
    for name, value in figures.items():
        goal = GOALS_MS.get(name)
        verdict = "" if goal is None else (f"  goal < {goal:g} ms " + ("ok" if value < goal else "MISSED"))
        unit = "" if name == "size MB" else " ms"
        print(f"  {name:<18} {value:8.2f}{unit}{verdict}")
        missed = missed or (goal is not None and value >= goal)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
