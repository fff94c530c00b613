"""Every evidence line of N labelled calls, written to a file for labelling true or false by hand.

Run: `.venv/bin/python bench/evidence_dump.py FOLDER [N] [OUT]` (default 20 calls, evidence.tsv).
One row per evidence line: call, score, turn, points, criterion, why, the quoted words, the line of the
transcript it quotes (so a labeller need not open the call), and an empty `true` column to fill with
y/n. `--stt` dumps the speech-to-text twins instead. Run it again on the filled file with `--count` to
get the share of lines marked true.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["call", "score", "turn", "points", "criterion", "why", "quote", "turn_text", "true"]


def dump(folder: Path, count: int, out: Path, stt: bool = False) -> int:
    from simulator.scoring.ranking import load_labelled
    from simulator.scoring.rubric import score_transcript

    calls = load_labelled(folder)[:count]
    rows = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(COLUMNS)
        for call in calls:
            transcript = call.stt if stt and call.stt is not None else call.typed
            report = score_transcript(transcript).to_dict()
            for score, items in report["evidence"].items():
                for item in items:
                    said = transcript.turns[item["turn"] - 1].text if 0 < item["turn"] <= len(transcript.turns) else ""
                    writer.writerow([call.name, score, item["turn"], item["points"], item["criterion"], item["why"],
                                     item["text"], said, ""])  # fmt: skip
                    rows += 1
    print(f"{rows} evidence lines of {len(calls)} calls written to {out}")
    return rows


def count(path: Path) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        marks = [row["true"].strip().lower() for row in csv.DictReader(handle, delimiter="\t")]
    judged = [mark for mark in marks if mark in {"y", "n", "yes", "no", "true", "false"}]
    true = sum(1 for mark in judged if mark in {"y", "yes", "true"})
    share = true / len(judged) if judged else 0.0
    print(f"{true} of {len(judged)} judged lines true ({share:.1%}); {len(marks) - len(judged)} not judged")


def main(argv: list[str]) -> int:
    if "--count" in argv:
        count(Path(argv[argv.index("--count") + 1]))
        return 0
    stt = "--stt" in argv
    args = [arg for arg in argv if arg != "--stt"]
    if not args:
        print(__doc__)
        return 2
    folder = Path(args[0])
    number = int(args[1]) if len(args) > 1 else 20
    out = Path(args[2]) if len(args) > 2 else Path("evidence.tsv")
    dump(folder, number, out, stt)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
