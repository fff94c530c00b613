"""Fuzzy matching of words and phrases, tolerant of speech-to-text's slips ("leads" for "Leeds").

Nothing here compares strings for equality: example phrases are compared with runs of the turn's words
of about the same length (rapidfuzz), and keywords (short phrases, `*` standing for any one word) with the
turn's word n-grams. Matching whole words, never parts of them, keeps "No, thank you" from matching the
"thank you" of "Thank you, Priya"; and no match may drop or add a negation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from simulator.language.text import Words, negation_marks, normalize

# An example phrase must be this close (0-100) to a run of the turn's words to count.
EXAMPLE_THRESHOLD = 85.0
# Single words of this many characters or fewer must be heard exactly; longer ones may be misheard.
EXACT_WORD_CHARS = 3
WILDCARD = "*"
# A keyword starting with `^` counts only at the start of the turn or of a clause.
ANCHOR = "^"
# Inside a multi-word keyword, each word must be at least this close to its counterpart.
WORD_IN_PHRASE_THRESHOLD = 60.0

# Whether a match on words[start:end] may count (the negation rule); None accepts every match.
Guard = Callable[[int, int], bool]


def word_similarity(heard: str, expected: str) -> float:
    """How alike two single words are (0-100); short words must match exactly, the first letter must agree.

    Misheard words keep their first sound far more often than not, and requiring it keeps "needs" from
    counting as "leeds".
    """
    if heard == expected:
        return 100.0
    if len(expected) <= EXACT_WORD_CHARS or not heard or heard[0] != expected[0]:
        return 0.0
    return fuzz.ratio(heard, expected)


def phrase_score(
    tokens: Sequence[str], keyword: Sequence[str], guard: Guard | None = None, compounds: bool = False
) -> float:
    """Best similarity (0-100) of a keyword phrase with any run of words of the same length, 0 below its
    threshold (`keyword_threshold`).

    With `compounds`, a one-word keyword may also be heard as two words run together: right for the
    names and jargon of research facts, wrong for everyday words ("use less" is not "useless").
    """
    return best_match(tokens, keyword, guard, compounds)[0]


@functools.lru_cache(maxsize=4096)
def _runs(tokens: tuple[str, ...], size: int, fixed: tuple[int, ...], compounds: bool) -> tuple[str, ...]:
    """Every run of `size` words, keeping the words at `fixed` (the keyword's non-wildcard places)."""
    if size == 1 and compounds:
        return tuple(tokens) + tuple(a + b for a, b in zip(tokens, tokens[1:], strict=False))
    return tuple(" ".join(tokens[start + i] for i in fixed) for start in range(len(tokens) - size + 1))


def best_match(
    tokens: Sequence[str], keyword: Sequence[str], guard: Guard | None = None, compounds: bool = False
) -> tuple[float, int]:
    """`phrase_score` and the index where the best run starts (-1 when there is none).

    rapidfuzz compares the keyword with every run at once (in C); the few runs above the threshold are
    then checked word by word: every word must resemble its counterpart and start with the same sound
    ("kind" is not "fine"), short words must be heard exactly ("i" is not "im"), and the guard (negation)
    must accept the place.
    """
    size = len(keyword)
    if size == 0 or len(tokens) < size:
        return 0.0, -1
    fixed = tuple(i for i, token in enumerate(keyword) if token != WILDCARD)
    if not fixed:
        return 0.0, -1
    expected = " ".join(keyword[i] for i in fixed)
    cutoff = keyword_threshold(keyword)
    words = tuple(tokens)
    runs = _runs(words, size, fixed, compounds and size == 1)
    found = process.extract(expected, runs, scorer=fuzz.ratio, score_cutoff=cutoff - 0.001, limit=None)
    count = len(words) - size + 1
    for _run, score, where in sorted(found, key=lambda item: (-item[1], item[2])):
        start = where if where < count else where - len(words)  # a compound "bright"+"line" starts at its first word
        if start < 0:
            continue
        window = words[start : start + size]
        if size == 1:
            heard = _run
            if heard != expected and (len(expected) <= EXACT_WORD_CHARS or heard[:1] != expected[:1]):
                continue
        else:
            if any(window[i][:1] != keyword[i][:1] for i in fixed):
                continue
            if any(len(keyword[i]) <= EXACT_WORD_CHARS and window[i] != keyword[i] for i in fixed):
                continue
            if any(fuzz.ratio(window[i], keyword[i]) < WORD_IN_PHRASE_THRESHOLD for i in fixed):
                continue
        if guard is not None and not guard(start, start + size):
            continue
        return float(score), start
    return 0.0, -1


def keyword_threshold(keyword: Sequence[str]) -> float:
    """The similarity a keyword needs: about one misheard sound in a word, one in six in a phrase.

    One changed letter in n costs 100/n points of fuzz.ratio, so the threshold follows the length:
    "leads" passes for "leeds" (80), "analytics" does not pass for "analysis".
    """
    return _threshold(tuple(keyword))


@functools.lru_cache(maxsize=8192)
def _threshold(keyword: tuple[str, ...]) -> float:
    chars = len(" ".join(token for token in keyword if token != WILDCARD))
    if chars <= EXACT_WORD_CHARS:
        return 100.0
    edits = 1.0 if chars < 10 else chars / 6
    return 100.0 * (1 - edits / chars) - 0.01


def keyword_tokens(keyword: str) -> list[str]:
    tokens: list[str] = []
    for raw in keyword.split():
        if raw == WILDCARD:
            tokens.append(WILDCARD)
        else:
            tokens.extend(normalize(raw).split())
    return tokens


def find_keyword(tokens: Sequence[str], keyword: str) -> float:
    """Score (0-1) of the keyword's best fuzzy occurrence in the words, 0 when it is not there."""
    parts = keyword_tokens(keyword)
    if not parts:
        return 0.0
    score = phrase_score(tokens, parts)
    return score / 100.0 if score >= keyword_threshold(parts) else 0.0


def contains_phrase(tokens: Sequence[str], phrase: Sequence[str]) -> int:
    """Index of the first exact occurrence of `phrase` in `tokens`, or -1."""
    size = len(phrase)
    for start in range(len(tokens) - size + 1):
        if tuple(tokens[start : start + size]) == tuple(phrase):
            return start
    return -1


@dataclass(frozen=True)
class Phrase:
    """An example phrase, normalized, with whether it is a negative one ("I'd rather not")."""

    text: str
    size: int
    negative: bool

    @classmethod
    def of(cls, example: str) -> Phrase:
        tokens = normalize(example).split()
        return cls(" ".join(tokens), len(tokens), any(negation_marks(tokens)))


def example_score(heard: Words, phrase: Phrase, windows: dict[int, list[str]]) -> float:
    """How close (0-100) an example phrase is to a run of the turn's words of about its length.

    Runs one word shorter or longer than the phrase allow a dropped or added word; an example longer
    than the turn is compared with the whole turn, so a short turn cannot claim a long example.
    """
    count = len(heard.words)
    if not count or not phrase.size:
        return 0.0
    best = 0.0
    sizes = sorted({max(1, min(count, size)) for size in (phrase.size - 1, phrase.size, phrase.size + 1)})
    for size in sizes:
        if size not in windows:
            windows[size] = [" ".join(heard.words[i : i + size]) for i in range(count - size + 1)]
        cutoff = max(best, EXAMPLE_THRESHOLD - 0.01)
        for _window, score, start in process.extract(
            phrase.text, windows[size], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            if score > best and heard.keeps_polarity(start, start + size, phrase.negative):
                best = score
    return best if best >= EXAMPLE_THRESHOLD else 0.0
