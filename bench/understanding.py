"""Do the personas understand real callers? Callers and labelled turns written by people who never saw the rules.

    .venv/bin/python bench/understanding.py            # both splits, 3 seeds
    .venv/bin/python bench/understanding.py --split tuned --show-failures

Corpora (tests/data/corpus/, written by helpers briefed on the product but not on the intent lists, the
flows or the engine; `heldout/` is never looked at while tuning):
- callers/{tuned,heldout,heldout2}/SCENARIO.yaml: whole good and bad calls, typed and as speech-to-text gives them,
  some written line by line against the real persona (`adaptive`). Targets: good callers succeed in at
  least 95% of runs typed and 90% as speech-to-text over 3 seeds; bad callers never; no persona line said
  more than twice in a row.
- turns/{tuned,heldout}.yaml: single turns labelled with every intent they carry. Precision and recall per
  intent, typed and speech-to-text.
Also: the time to read one turn (p50/p95), with the sentence model loaded, on one thread.
Held-out failures are counted, never printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.language.intents import IntentLibrary, load_intent_library  # noqa: E402
from simulator.language.reading import Reader  # noqa: E402
from simulator.language.semantic import shared_embedder  # noqa: E402
from simulator.persona.engine import PersonaEngine  # noqa: E402
from simulator.scenario.loader import load_scenario  # noqa: E402
from simulator.scenario.model import Scenario  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus"
SPLITS = ("tuned", "heldout", "heldout2")
MAX_TURNS = 14


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


class Scenarios:
    """Each scenario with its intent library (the sentence model shared), loaded once."""

    def __init__(self) -> None:
        self.embedder = shared_embedder()
        self._loaded: dict[str, tuple[Scenario, IntentLibrary]] = {}

    def get(self, scenario_id: str) -> tuple[Scenario, IntentLibrary]:
        if scenario_id not in self._loaded:
            scenario = load_scenario(ROOT / "scenarios" / f"{scenario_id}.yaml")
            library = load_intent_library(scenario, self.embedder)
            library.warm_up()
            self._loaded[scenario_id] = (scenario, library)
        return self._loaded[scenario_id]


def play(scenario: Scenario, library: IntentLibrary, lines: Iterable[str], seed: int) -> tuple[str | None, list[str]]:
    """The outcome of a call played line by line, and what the persona said."""
    engine = PersonaEngine(scenario, library, seed=seed)
    reply = engine.opening()
    said = [reply.text]
    for line in list(lines)[:MAX_TURNS]:
        if reply.outcome is not None:
            break
        reply = engine.respond(reply.state, line)
        said += [text for _, text in reply.preface] + [reply.text]
    return reply.outcome, said


def longest_repeat(lines: list[str]) -> int:
    best = run = 0
    previous = None
    for line in lines:
        run = run + 1 if line == previous else 1
        previous = line
        best = max(best, run)
    return best


def callers_bench(scenarios: Scenarios, split: str, seeds: range, show: bool) -> dict[str, Any]:
    results: dict[tuple[str, str], list[bool]] = defaultdict(list)  # (kind, form) -> success per run
    repeats = 0
    runs = 0
    per_scenario: dict[str, Counter[str]] = defaultdict(Counter)
    for path in sorted((CORPUS / "callers" / split).glob("*.yaml")):
        data = _yaml(path)
        scenario, library = scenarios.get(data["scenario"])
        for caller in data["callers"]:
            for form in ("typed", "stt"):
                for seed in seeds:
                    outcome, said = play(scenario, library, caller[form], seed)
                    success = outcome in scenario.success
                    results[(caller["kind"], form)].append(success)
                    runs += 1
                    repeated = longest_repeat(said) > 2
                    repeats += repeated
                    wrong = success != (caller["kind"] == "good")
                    per_scenario[scenario.id][f"{caller['kind']}-{'ok' if not wrong else 'wrong'}"] += 1
                    if show and split == "tuned" and (wrong or repeated) and seed == seeds[0]:
                        print(f"  FAIL {caller['id']} [{form} seed {seed}] outcome={outcome}")
                        for line in said:
                            print(f"      P: {line}")
    summary = {f"{kind} {form}": (sum(v), len(v)) for (kind, form), v in sorted(results.items())}
    return {"summary": summary, "repeats": repeats, "runs": runs, "per_scenario": per_scenario}


def turns_bench(
    scenarios: Scenarios, split: str, show: bool
) -> tuple[dict[str, dict[str, tuple[int, int, int]]], list[float]]:
    """Per form, per intent: (true positives, false positives, false negatives); and reading times in ms."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    timings: list[float] = []
    data = _yaml(CORPUS / "turns" / f"{split}.yaml")
    readers: dict[str, Reader] = {}
    for item in data["turns"]:
        scenario, library = scenarios.get(item["scenario"])
        reader = readers.setdefault(scenario.id, Reader(scenario, library))
        started = time.perf_counter()
        reading = reader.read(item["say"], item.get("after"))
        timings.append((time.perf_counter() - started) * 1000)
        got = set(reading.intents)
        want = set(item.get("intents") or [])
        table = counts[item.get("form", "typed")]
        for name in got | want:
            if name in got and name in want:
                table[name][0] += 1
            elif name in got:
                table[name][1] += 1
            else:
                table[name][2] += 1
        if show and split == "tuned" and got != want:
            print(f"  {item['id']} [{item.get('form')}] {item['say']!r}\n      want {sorted(want)} got {sorted(got)}")
    frozen = {form: {name: (v[0], v[1], v[2]) for name, v in table.items()} for form, table in counts.items()}
    return frozen, timings


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "  - "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=SPLITS, action="append", help="default: both")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--show-failures", action="store_true", help="print failing items (tuned split only)")
    parser.add_argument("--skip-turns", action="store_true")
    parser.add_argument("--skip-callers", action="store_true")
    args = parser.parse_args()
    scenarios = Scenarios()
    scenarios.embedder.start()
    if not scenarios.embedder.ready():
        print(f"sentence model unavailable: {scenarios.embedder.error}")
    for split in args.split or SPLITS:
        print(f"== {split} ==")
        if not args.skip_callers:
            result = callers_bench(scenarios, split, range(args.seeds), args.show_failures)
            for name, (ok, total) in result["summary"].items():
                print(f"callers {name:10s} succeeded {ok:4d}/{total:<4d} = {_ratio(ok, total)}")
            print(f"calls with a persona line said 3+ times in a row: {result['repeats']} of {result['runs']}")
            for scenario_id, counter in sorted(result["per_scenario"].items()):
                print(f"   {scenario_id:18s} " + "  ".join(f"{k}={v}" for k, v in sorted(counter.items())))
        if not args.skip_turns and (CORPUS / "turns" / f"{split}.yaml").exists():
            table, timings = turns_bench(scenarios, split, args.show_failures)
            for form, per_intent in sorted(table.items()):
                turns = sum(tp + fn for tp, _, fn in per_intent.values())
                print(f"turns [{form}] intent        precision recall  (tp fp fn)   labelled intents: {turns}")
                for name, (tp, fp, fn) in sorted(per_intent.items()):
                    print(f"   {name:18s} {_ratio(tp, tp + fp):>9s} {_ratio(tp, tp + fn):>6s}  ({tp} {fp} {fn})")
                tp = sum(v[0] for v in per_intent.values())
                fp = sum(v[1] for v in per_intent.values())
                fn = sum(v[2] for v in per_intent.values())
                print(f"   {'ALL (micro)':18s} {_ratio(tp, tp + fp):>9s} {_ratio(tp, tp + fn):>6s}  ({tp} {fp} {fn})")
            timings.sort()
            p95 = timings[int(0.95 * (len(timings) - 1))]
            print(f"reading one turn: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
                  f"max {timings[-1]:.1f} ms over {len(timings)} turns")  # fmt: skip


if __name__ == "__main__":
    main()
