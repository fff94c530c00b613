"""Two parties' words, each with its time, merged into the turns of one conversation.

A party's words make one turn until they pause for `SAME_TURN_PAUSE` or the other party says something
in the pause and stops; turns are put in order of their start. A long pause keeps one party's two stretches apart,
as two turns in a row: a gatekeeper's "putting you through" and, after the hold, the executive's "Dana
speaking" are on the same channel. Speech that starts before the other party has finished is kept as it
happened: the turns overlap in time (the metrics count a caller who starts over the prospect as an
interruption), and a turn that stops while the other party is talking over it is marked interrupted.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from simulator.voice.recorded_speech import Word

SAME_TURN_PAUSE = 2.0  # seconds: a longer pause by the same party, with no word from the other, still splits
TALKING_OVER_GAP = 0.3  # the other party's last word ended less than this before: they were still talking
OVERLAP_TOLERANCE = 0.05  # the metrics' own tolerance for two turns touching

Party = Literal["caller", "prospect"]


@dataclass(frozen=True)
class Utterance:
    party: Party
    start: float
    end: float
    text: str
    interrupted: bool = False


def utterances(party: Party, words: Sequence[Word], other: Sequence[Word]) -> list[Utterance]:
    """One party's words grouped into utterances, split at long pauses and where the other party answered."""
    other_starts = [word.start for word in other]
    found: list[Utterance] = []
    current: list[Word] = []
    for word in words:
        if current and _splits(current[-1], word, other, other_starts):
            found.append(_utterance(party, current))
            current = []
        current.append(word)
    if current:
        found.append(_utterance(party, current))
    return found


def _splits(before: Word, after: Word, other: Sequence[Word], other_starts: Sequence[float]) -> bool:
    """Whether a pause ends the turn: a long one, or one the other party spoke in and finished speaking in.

    When the other party starts in the pause but is still talking as this party goes on, the two talk
    over each other: this party's turn goes on, and the other's overlaps it (an interruption).
    """
    if after.start - before.end >= SAME_TURN_PAUSE:
        return True
    first = bisect_right(other_starts, before.end)
    last = bisect_left(other_starts, after.start) - 1
    if last < first:  # the other party said nothing in the pause
        return False
    return other[last].end <= after.start - TALKING_OVER_GAP


def _utterance(party: Party, words: Sequence[Word]) -> Utterance:
    text = "".join(word.text for word in words).strip()
    return Utterance(party, words[0].start, words[-1].end, " ".join(text.split()))


def conversation(caller: Sequence[Word], prospect: Sequence[Word]) -> list[Utterance]:
    """The call's turns in order of their start."""
    turns = sorted(
        utterances("caller", caller, prospect) + utterances("prospect", prospect, caller),
        key=lambda item: (item.start, item.end),
    )
    return [_mark_interrupted(turn, turns[position + 1 :]) for position, turn in enumerate(turns)]


def _mark_interrupted(turn: Utterance, later: Sequence[Utterance]) -> Utterance:
    """A turn that ends while the other party, who started over it, is still talking was cut off."""
    for other in later:
        if other.start >= turn.end - OVERLAP_TOLERANCE:
            break
        if other.party != turn.party and other.end > turn.end:
            return Utterance(turn.party, turn.start, turn.end, turn.text, interrupted=True)
    return turn
