"""How fast scenarios load: `callsim scenarios list` and every call start read them from YAML.

Run: `.venv/bin/python bench/scenario_bench.py [ROUNDS]` (default 5 rounds, a private CALLSIM_HOME).
Goals: loading one shipped scenario (parse, validate, references) p95 under 80 ms; listing every
scenario under 500 ms; resolving an id to a file under 150 ms; `callsim scenarios list` as a fresh
process under 2 s. Exit status 1 if a goal is missed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS_MS = {"load one p95": 80.0, "list_scenarios": 500.0, "resolve id": 150.0, "cli list": 2000.0}


def measure(rounds: int) -> dict[str, float]:
    from simulator import config
    from simulator.scenario.loader import list_scenarios, load_scenario, resolve_scenario, scenario_files

    files = scenario_files(config.shipped_scenarios_dir())
    load_scenario(files[0])  # warm the shared intent library cache, as a running app has it
    loads: list[float] = []
    lists: list[float] = []
    resolves: list[float] = []
    for _ in range(rounds):
        for path in files:
            start = time.perf_counter()
            load_scenario(path)
            loads.append(time.perf_counter() - start)
        start = time.perf_counter()
        list_scenarios()
        lists.append(time.perf_counter() - start)
        start = time.perf_counter()
        resolve_scenario("full-path")
        resolves.append(time.perf_counter() - start)
    cli = []
    callsim = Path(sys.executable).with_name("callsim")
    for _ in range(max(1, rounds // 2)):
        start = time.perf_counter()
        subprocess.run([str(callsim), "scenarios", "list"], check=True, capture_output=True, env=os.environ)
        cli.append(time.perf_counter() - start)
    return {
        "load one p95": statistics.quantiles(loads, n=20)[-1] * 1000,
        "list_scenarios": statistics.median(lists) * 1000,
        "resolve id": statistics.median(resolves) * 1000,
        "cli list": statistics.median(cli) * 1000,
    }


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as home:
        os.environ["CALLSIM_HOME"] = home
        results = measure(rounds)
    missed = 0
    for name, value in results.items():
        goal = GOALS_MS[name]
        verdict = "ok" if value <= goal else "MISSED"
        missed += value > goal
        print(f"{name:16} {value:8.1f} ms   goal {goal:6.0f} ms   {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
