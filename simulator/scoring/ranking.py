"""Labelled calls and how well the scores rank them: the measure behind the ranking test and bench.

A labelled folder holds calls a sales coach judged without reading the rules. Two layouts are read:

- one JSON transcript per call with `"labels": {score: {"level": "high"|"low", "score", "why"}}` and a
  speech-to-text twin beside it (`NAME.stt.json`: lower case, no punctuation, misheard words, some
  sentences split or run together);
- the older `index.json` layout (`{"calls": [{"file", "labels": {score: level}, "misheard": {...}}]}`),
  whose speech-to-text form is made from the typed one by `speech_to_text_form`.

Pairwise ranking accuracy: over every pair of calls one labelled high and one low on a score, the share
the scorer orders the same way (rigidity: the rigid call scores higher). A tie counts as a miss.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.scoring.rubric import score_transcript
from simulator.transcript import Transcript, TranscriptError, load_transcript

SCORES = ("rigidity", "value_added", "next_step")


@dataclass(frozen=True)
class LabelledCall:
    """One call as typed and as speech-to-text heard it, with the coach's level per score."""

    name: str
    levels: dict[str, str]
    typed: Transcript
    stt: Transcript | None


def speech_to_text_form(transcript: Transcript, misheard: dict[str, str]) -> Transcript:
    """The caller's words as speech-to-text writes them: a few words misheard, lower case, no punctuation."""
    copy = transcript.model_copy(deep=True)
    for turn in copy.turns:
        if turn.speaker != "caller":
            continue
        text = turn.text
        for heard, written in misheard.items():
            text = re.sub(rf"\b{re.escape(heard)}\b", written, text, flags=re.IGNORECASE)
        text = re.sub(r"[^\w\s']|(?<!\w)'|'(?!\w)", " ", text.lower().replace("-", " "))
        turn.text = " ".join(text.split())
    return copy


def _levels(labels: object) -> dict[str, str]:
    if not isinstance(labels, dict):
        return {}
    levels = {}
    for score, label in labels.items():
        level = label.get("level") if isinstance(label, dict) else label
        if level in ("high", "low"):
            levels[str(score)] = str(level)
    return levels


def load_labelled(folder: Path) -> list[LabelledCall]:
    """Every labelled call of a folder (both layouts); raises TranscriptError naming a bad file."""
    calls: list[LabelledCall] = []
    index = folder / "index.json"
    if index.is_file():
        entries = json.loads(index.read_text(encoding="utf-8")).get("calls", [])
        for entry in entries:
            typed = load_transcript(folder / entry["file"])
            stt = speech_to_text_form(typed, entry.get("misheard") or {})
            calls.append(LabelledCall(entry["file"], _levels(entry.get("labels")), typed, stt))
    for path in sorted(folder.glob("*.json")):
        if path.name == "index.json" or path.name.endswith(".stt.json"):
            continue
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise TranscriptError(f"{path}: not a readable JSON file ({error})") from None
        if not isinstance(raw, dict) or "labels" not in raw:
            continue  # an index-listed call: its labels are in index.json
        twin = path.with_name(path.name.removesuffix(".json") + ".stt.json")
        heard = load_transcript(twin) if twin.is_file() else None
        calls.append(LabelledCall(path.name, _levels(raw["labels"]), load_transcript(path), heard))
    return calls


@dataclass(frozen=True)
class Ranking:
    """How one score orders the high/low pairs of a labelled set, in one form (typed or stt)."""

    score: str
    form: str
    pairs: int
    correct: int
    misses: tuple[tuple[str, int, str, int], ...]  # (high call, its score, low call, its score)

    @property
    def accuracy(self) -> float:
        return self.correct / self.pairs if self.pairs else 1.0


def rank(calls: Sequence[LabelledCall], score: str, form: str) -> Ranking:
    """Pairwise ranking accuracy of `score` over `calls` in `form` ("typed" or "stt")."""
    scored: list[tuple[str, str, int]] = []
    for call in calls:
        transcript = call.typed if form == "typed" else call.stt
        if transcript is None or score not in call.levels:
            continue
        scored.append((call.name, call.levels[score], score_transcript(transcript).scores[score]))
    highs = [(name, value) for name, level, value in scored if level == "high"]
    lows = [(name, value) for name, level, value in scored if level == "low"]
    misses = tuple((h, hv, lo, lv) for h, hv in highs for lo, lv in lows if hv <= lv)
    pairs = len(highs) * len(lows)
    return Ranking(score, form, pairs, pairs - len(misses), misses)
