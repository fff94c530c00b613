"""How far the scores can be trusted on a folder of labelled calls.

Run: `.venv/bin/python bench/scoring_bench.py [FOLDER ...]` (default: tests/data/labelled and
tests/data/calls). For each folder it prints:

- pairwise ranking accuracy per score, typed and speech-to-text (goals: >= 0.98 typed, >= 0.95 STT);
- the gap between a call's typed and speech-to-text score (goals: mean <= 3, max <= 10 points);
- tip sentences shared by more than 3 calls (goal: none, per 60 calls);
- the misranked pairs and the calls with the largest gaps, to read.

Exit status 1 if a goal is missed.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDERS = [ROOT / "tests" / "data" / "labelled", ROOT / "tests" / "data" / "calls"]
GOALS = {"typed": 0.98, "stt": 0.95}
GAP_MEAN, GAP_MAX = 3.0, 10.0
TIP_SHARE = 3  # a tip sentence may be shared by at most this many calls of 60


def tip_sentences(tip: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", tip) if part.strip()]


def bench(folder: Path) -> bool:
    from simulator.scoring.ranking import SCORES, load_labelled, rank
    from simulator.scoring.rubric import score_transcript

    calls = load_labelled(folder)
    print(f"\n{folder}: {len(calls)} calls ({sum(1 for c in calls if c.stt)} with a speech-to-text form)")
    ok = True
    for form in ("typed", "stt"):
        for score in SCORES:
            ranking = rank(calls, score, form)
            met = ranking.accuracy >= GOALS[form]
            ok &= met
            print(f"  ranking {form:<5} {score:<12} {ranking.accuracy:.3f} ({ranking.correct}/{ranking.pairs})"
                  f"{'' if met else '  MISSED'}")  # fmt: skip
            for high, hv, low, lv in ranking.misses[:6]:
                print(f"      {high}={hv} <= {low}={lv}")
    gaps: dict[str, list[tuple[int, str]]] = {score: [] for score in SCORES}
    sentences: Counter[str] = Counter()
    for call in calls:
        typed = score_transcript(call.typed)
        for tip in typed.tips.values():
            sentences.update(set(tip_sentences(tip)))
        if call.stt is None:
            continue
        heard = score_transcript(call.stt).scores
        for score in SCORES:
            gaps[score].append((abs(typed.scores[score] - heard[score]), call.name))
    for score, values in gaps.items():
        if not values:
            continue
        mean = sum(gap for gap, _ in values) / len(values)
        worst = max(values)
        met = mean <= GAP_MEAN and worst[0] <= GAP_MAX
        ok &= met
        print(f"  typed vs stt {score:<12} mean {mean:.1f}, max {worst[0]} ({worst[1]}){'' if met else '  MISSED'}")
    limit = max(TIP_SHARE, round(TIP_SHARE * len(calls) / 60))
    shared = [(count, sentence) for sentence, count in sentences.items() if count > limit]
    ok &= not shared
    print(f"  tip sentences shared by more than {limit} calls: {len(shared)}")
    for count, sentence in sorted(shared, reverse=True)[:10]:
        print(f"      {count}x {sentence}")
    return ok


def main(argv: list[str]) -> int:
    folders = [Path(arg) for arg in argv] or [folder for folder in DEFAULT_FOLDERS if folder.is_dir()]
    results = [bench(folder) for folder in folders]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
