"""What the caller is doing in a turn: the intents of the shared library (and the scenario's own).

Two readings are combined, each with a reason to exist:
- rules: keywords (`*` for any one word, `^` for a clause start) and example phrases matched fuzzily
  against runs of the turn's words (rapidfuzz). Fast, exact about names, and they never drop or add a
  negation ("that works" is not heard in "I don't think that works").
- meaning: each segment of the turn (a sentence, or a window of unpunctuated speech) is compared with the
  intents' example phrases by a sentence-embedding model (`semantic.py`), so a paraphrase no list
  foresaw is still understood ("Robin Hale with Quarry Security" is an introduction).
An intent's score is the better of the two; a semantic match counts only when it is clearly the closest
intent for that segment (a margin over the next one) and agrees with the example's polarity, because
sentence vectors barely see a "not". One turn can carry several intents.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.language.matching import ANCHOR, WILDCARD, Phrase, example_score, keyword_threshold, keyword_tokens
from simulator.language.matching import phrase_score as _phrase_score
from simulator.language.semantic import Embedder, SemanticUnavailable
from simulator.language.text import Words, negation_marks, segments
from simulator.scenario.model import IntentDef, Scenario

# Cosine similarity a segment needs to an example phrase to count as meaning the same.
SEMANTIC_THRESHOLD = 0.62
# ... and by how much it must beat the best example of any other intent for that segment.
SEMANTIC_MARGIN = 0.04
# A semantic match's score on the 0-1 scale the rules use (below a clean rule match of 1.0).
SEMANTIC_SCORE = 0.9


@dataclass(frozen=True)
class IntentMatch:
    """One intent found in a caller turn, how sure the match is (0 to 1) and what found it."""

    name: str
    score: float
    source: str = "rule"  # "rule" | "meaning"


class IntentLibrary:
    """The intents a caller's turn is matched against: the shared library merged with a scenario's own."""

    def __init__(self, intents: Mapping[str, IntentDef], embedder: Embedder | None = None) -> None:
        self._defs: dict[str, IntentDef] = dict(intents)
        self._embedder = embedder
        self._examples: dict[str, list[Phrase]] = {}
        self._keywords: dict[str, list[tuple[list[str], bool, bool]]] = {}
        for name, definition in self._defs.items():
            self._examples[name] = [e for e in (Phrase.of(x) for x in definition.examples) if e.size]
            keywords: list[tuple[list[str], bool, bool]] = []
            for keyword in definition.keywords:
                anchored = keyword.lstrip().startswith(ANCHOR)
                tokens = keyword_tokens(keyword.lstrip().removeprefix(ANCHOR))
                if any(t != WILDCARD for t in tokens):
                    keywords.append((tokens, any(negation_marks(tokens)), anchored))
            self._keywords[name] = keywords
        self._vectors: np.ndarray | None = None
        self._vectors_lock = threading.Lock()
        self._owners: list[tuple[str, bool]] = []  # (intent, negative) per row of _vectors

    def __contains__(self, name: object) -> bool:
        return name in self._defs

    def __getitem__(self, name: str) -> IntentDef:
        return self._defs[name]

    def __len__(self) -> int:
        return len(self._defs)

    @property
    def names(self) -> list[str]:
        return list(self._defs)

    @property
    def semantic(self) -> bool:
        """Whether meaning is read too (the sentence model is loaded)."""
        return self._example_vectors() is not None

    def examples(self) -> dict[str, list[str]]:
        """Each intent's example phrases as written (the lint walks these through the engine)."""
        return {name: list(d.examples) for name, d in self._defs.items()}

    def detect(self, text: str) -> list[IntentMatch]:
        """Every intent the turn carries, best first; empty for silence or nonsense."""
        heard = Words.of(text)
        if not heard.words:
            return []
        # The sentence model runs in its own thread (onnxruntime releases the GIL) while the rules run
        # here: on two cores the turn costs the slower of the two, not their sum.
        meaning = _meaning_pool().submit(self._meaning, text) if self.semantic else None
        scores = self._rule_scores(heard)
        found = {name: IntentMatch(name, round(score, 3)) for name, score in scores.items() if score}
        for name in meaning.result() if meaning is not None else []:
            if name not in found:
                found[name] = IntentMatch(name, SEMANTIC_SCORE, "meaning")
        return sorted(found.values(), key=lambda m: (-m.score, m.name))

    def _rule_scores(self, heard: Words) -> dict[str, float]:
        windows: dict[int, list[str]] = {}
        scores: dict[str, float] = {}
        for name in self._defs:
            score = 0.0
            for tokens, negative, anchored in self._keywords[name]:

                def guard(start: int, end: int, negative: bool = negative, anchored: bool = anchored) -> bool:
                    if anchored and heard.clause[start] != start:
                        return False
                    return heard.keeps_polarity(start, end, negative)

                value = _phrase_score(heard.words, tokens, guard)
                if value >= keyword_threshold(tokens):
                    score = max(score, value)
            for example in self._examples[name]:
                if score >= 100.0:
                    break
                score = max(score, example_score(heard, example, windows))
            scores[name] = score / 100.0
        return scores

    def warm_up(self) -> None:
        """Load the sentence model and embed the examples now (call it off the UI thread)."""
        self._example_vectors()

    def _example_vectors(self) -> np.ndarray | None:
        if self._vectors is not None:
            return self._vectors
        if self._embedder is None or not self._embedder.ready():
            return None
        with self._vectors_lock:
            return self._embed_examples()

    def _embed_examples(self) -> np.ndarray | None:
        if self._vectors is not None:
            return self._vectors
        assert self._embedder is not None
        owners: list[tuple[str, bool]] = []
        texts: list[str] = []
        for name, phrases in self._examples.items():
            if not self._defs[name].by_meaning:
                continue  # an accusation needs the caller's own words, not a resemblance
            for phrase in phrases:
                owners.append((name, phrase.negative))
                texts.append(phrase.text)
        try:
            self._vectors = self._embedder.embed(texts)
        except SemanticUnavailable:
            return None
        self._owners = owners
        return self._vectors

    def _meaning(self, text: str) -> list[str]:
        """Intents whose examples a segment of the turn means, clearly and with the same polarity."""
        vectors = self._example_vectors()
        pieces = segments(text)
        if vectors is None or not pieces or self._embedder is None:
            return []
        similarity = self._embedder.embed(pieces) @ vectors.T
        names: list[str] = []
        for row, piece in zip(similarity, pieces, strict=True):
            negative = any(negation_marks(piece.split()))
            best: dict[str, float] = {}
            for column, value in enumerate(row):
                owner, example_negative = self._owners[column]
                if example_negative == negative and value > best.get(owner, -1.0):
                    best[owner] = float(value)
            ranked = sorted(best.items(), key=lambda item: -item[1])
            if not ranked or ranked[0][1] < SEMANTIC_THRESHOLD:
                continue
            runner_up = ranked[1][1] if len(ranked) > 1 else -1.0
            if ranked[0][1] - runner_up >= SEMANTIC_MARGIN:
                names.append(ranked[0][0])
        return list(dict.fromkeys(names))


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _meaning_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callsim-meaning")
        return _pool


def load_intent_library(scenario: Scenario, embedder: Embedder | None = None) -> IntentLibrary:
    """The intent matcher for a scenario: the shared library file merged with the scenario's own intents."""
    from simulator.scenario.loader import load_intents

    return IntentLibrary(load_intents(scenario), embedder)
