"""What the caller is doing in a turn, recognised in speech-to-text output.

Speech-to-text gives lower case, drops punctuation and mishears words ("leads" for "Leeds"), so nothing
here compares strings for equality: example phrases are compared with runs of the turn's words of about
the same length (rapidfuzz), and keywords (short phrases, `*` standing for any one word) with the turn's
word n-grams. Matching whole words, never parts of them, keeps "No, thank you" from matching the
"thank you" of "Thank you, Priya"; and no match may drop or add a negation ("that works" is not matched
in "I don't think that works", "doesn't work" not in "that does work"). One turn can carry several
intents ("this is Sam from Brightline, I'm calling because...").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from simulator.scenario.model import IntentDef, ResearchFact, Scenario

# An example phrase must be this close (0-100) to a run of the turn's words to count.
EXAMPLE_THRESHOLD = 85.0
# Single words of this many characters or fewer must be heard exactly; longer ones may be misheard.
EXACT_WORD_CHARS = 3
WILDCARD = "*"
# A keyword starting with `^` counts only at the start of the turn or of a clause ("^ morning" is a
# greeting, "tomorrow morning" is not).
ANCHOR = "^"
# Inside a multi-word keyword, each word must be at least this close to its counterpart.
WORD_IN_PHRASE_THRESHOLD = 60.0

_NON_WORD = re.compile(r"[^a-z0-9 ]+")
# Punctuation that ends a clause in typed text (in "No, I'm calling about..." the "no" answers something
# else). Speech-to-text gives none; there only the few words before a match are looked at.
_CLAUSE_END = re.compile(r"[.,;:!?()\u2014\u2013]+|\s-\s")

# Words that turn a phrase into its opposite. "no" only negates what directly follows it; the others
# reach a few words on ("I don't think that works").
NEGATIONS = frozenset(
    {
        "no", "not", "never", "nor", "cannot", "dont", "doesnt", "didnt", "cant", "wont", "wouldnt",
        "couldnt", "shouldnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "hadnt", "aint",
    }
)  # fmt: skip
# How many words before a match a negation still reaches ("not sure that works", "don't think it works").
NEGATION_REACH = 4
# Set phrases with a negation word that negate nothing: "no problem" is not a refusal.
NEGATION_IDIOMS = (
    ("no", "problem"), ("no", "problems"), ("not", "a", "problem"), ("no", "worries"), ("no", "rush"),
    ("no", "doubt"), ("no", "pressure"), ("not", "at", "all"), ("dont", "mind"), ("dont", "worry"),
    ("why", "not"), ("not", "only"), ("no", "matter"), ("no", "harm"), ("if", "not"), ("no", "trouble"),
    ("cant", "thank"), ("cannot", "thank"), ("didnt", "catch"), ("didnt", "get"), ("didnt", "hear"),
    ("never", "got"), ("never", "caught"),
)  # fmt: skip


@dataclass(frozen=True)
class IntentMatch:
    """One intent found in a caller turn, with how sure the match is (0 to 1)."""

    name: str
    score: float


def normalize(text: str) -> str:
    """Lower case, apostrophes dropped ("I'm" and "im" are the same), other punctuation as spaces."""
    lowered = text.lower().replace("’", "'").replace("'", "")
    return " ".join(_NON_WORD.sub(" ", lowered).split())


def _word_similarity(heard: str, expected: str) -> float:
    """How alike two single words are (0-100); short words must match exactly, the first letter must agree.

    Misheard words keep their first sound far more often than not, and requiring it keeps "needs" from
    counting as "leeds".
    """
    if heard == expected:
        return 100.0
    if len(expected) <= EXACT_WORD_CHARS or not heard or heard[0] != expected[0]:
        return 0.0
    return fuzz.ratio(heard, expected)


# Whether a match on words[start:end] may count (the negation rule); None accepts every match.
Guard = Callable[[int, int], bool]


def _phrase_score(
    words: Sequence[str], keyword: Sequence[str], guard: Guard | None = None, compounds: bool = False
) -> float:
    """Best similarity (0-100) of a keyword phrase with any run of words of the same length.

    With `compounds`, a one-word keyword may also be heard as two words run together: right for the
    names and jargon of research facts, wrong for everyday words ("use less" is not "useless").
    """
    size = len(keyword)
    if size == 0 or len(words) < size:
        return 0.0
    fixed = [i for i, token in enumerate(keyword) if token != WILDCARD]
    if not fixed:
        return 0.0
    best = 0.0
    expected = " ".join(keyword[i] for i in fixed)
    for start in range(len(words) - size + 1):
        window = words[start : start + size]
        if size == 1 and compounds and start + 1 < len(words):
            # Speech-to-text splits rare words: "tool kit" for "toolkit", "bright line" for "brightline".
            score = max(_word_similarity(window[0], expected), _word_similarity(window[0] + words[start + 1], expected))
        elif len(fixed) == 1:
            score = _word_similarity(window[fixed[0]], expected)
        else:
            # Every word must resemble its counterpart and start with the same sound ("kind" is not
            # "fine", "doing" is not "handling"), and the phrase as a whole must be close.
            if any(window[i][:1] != keyword[i][:1] for i in fixed):
                continue
            # Short words must be heard exactly, as on their own: "i" is not "im", "we" is not "weve".
            if any(len(keyword[i]) <= EXACT_WORD_CHARS and window[i] != keyword[i] for i in fixed):
                continue
            if any(fuzz.ratio(window[i], keyword[i]) < WORD_IN_PHRASE_THRESHOLD for i in fixed):
                continue
            score = fuzz.ratio(" ".join(window[i] for i in fixed), expected)
        if score > best and guard is not None and not guard(start, start + size):
            continue
        best = max(best, score)
        if best == 100.0:
            break
    return best


def keyword_threshold(keyword: Sequence[str]) -> float:
    """The similarity a keyword needs: about one misheard sound in a word, one in six in a phrase.

    One changed letter in n costs 100/n points of fuzz.ratio, so the threshold follows the length:
    "leads" passes for "leeds" (80), "analytics" does not pass for "analysis".
    """
    chars = len(" ".join(token for token in keyword if token != WILDCARD))
    if chars <= EXACT_WORD_CHARS:
        return 100.0
    edits = 1.0 if chars < 10 else chars / 6
    return 100.0 * (1 - edits / chars) - 0.01


def find_keyword(words: Sequence[str], keyword: str) -> float:
    """Score (0-1) of the keyword's best fuzzy occurrence in the words, 0 when it is not there."""
    tokens = _keyword_tokens(keyword)
    if not tokens:
        return 0.0
    score = _phrase_score(words, tokens)
    return score / 100.0 if score >= keyword_threshold(tokens) else 0.0


def _keyword_tokens(keyword: str) -> list[str]:
    tokens: list[str] = []
    for raw in keyword.split():
        if raw == WILDCARD:
            tokens.append(WILDCARD)
        else:
            tokens.extend(normalize(raw).split())
    return tokens


def negation_marks(words: Sequence[str]) -> list[bool]:
    """Which of the words negate something: negation words outside set phrases such as "no problem"."""
    marks = [word in NEGATIONS for word in words]
    for idiom in NEGATION_IDIOMS:
        size = len(idiom)
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) == idiom:
                for index in range(start, start + size):
                    marks[index] = False
    return marks


@dataclass(frozen=True)
class _Heard:
    """A turn as the matcher sees it: its words, which of them negate, where each word's clause starts."""

    words: tuple[str, ...]
    negated: tuple[bool, ...]
    clause: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> _Heard:
        words: list[str] = []
        clause: list[int] = []
        for part in _CLAUSE_END.split(text):
            start = len(words)
            for word in normalize(part).split():
                words.append(word)
                clause.append(start)
        return cls(tuple(words), tuple(negation_marks(words)), tuple(clause))

    def keeps_polarity(self, start: int, end: int, negative: bool) -> bool:
        """Whether words[start:end] says what a phrase of this polarity says, not its opposite.

        The run must carry a negation exactly when the phrase does, and a positive phrase must not sit
        just after a negation in the same clause ("I don't think that works", "not sure that works").
        """
        if any(self.negated[start:end]) != negative:
            return False
        if negative or start == 0:
            return True
        reach = max(self.clause[start], start - NEGATION_REACH)
        for index in range(reach, start):
            if self.negated[index] and (self.words[index] != "no" or index == start - 1):
                return False
        return True


@dataclass(frozen=True)
class _Phrase:
    """An example phrase, normalized, with whether it is a negative one ("I'd rather not")."""

    text: str
    size: int
    negative: bool

    @classmethod
    def of(cls, example: str) -> _Phrase:
        words = normalize(example).split()
        return cls(" ".join(words), len(words), any(negation_marks(words)))


def _example_score(heard: _Heard, phrase: _Phrase, windows: dict[int, list[str]]) -> float:
    """How close (0-100) an example phrase is to a run of the turn's words of about its length.

    Runs one word shorter or longer than the phrase allow a dropped or added word ("I wonder if you
    could help" for "I wonder if you could help me"); an example longer than the turn is compared with
    the whole turn, so a short turn cannot claim a long example.
    """
    count = len(heard.words)
    if not count or not phrase.size:
        return 0.0
    best = 0.0
    sizes = sorted({max(1, min(count, size)) for size in (phrase.size - 1, phrase.size, phrase.size + 1)})
    for size in sizes:
        if size not in windows:
            windows[size] = [" ".join(heard.words[i : i + size]) for i in range(count - size + 1)]
        for start, window in enumerate(windows[size]):
            score = fuzz.ratio(window, phrase.text, score_cutoff=max(best, EXAMPLE_THRESHOLD - 0.01))
            if score > best and heard.keeps_polarity(start, start + size, phrase.negative):
                best = score
    return best if best >= EXAMPLE_THRESHOLD else 0.0


class IntentLibrary:
    """The intents a caller's turn is matched against: the shared library merged with a scenario's own."""

    def __init__(self, intents: Mapping[str, IntentDef]) -> None:
        self._defs: dict[str, IntentDef] = dict(intents)
        self._examples: dict[str, list[_Phrase]] = {}
        self._keywords: dict[str, list[tuple[list[str], bool, bool]]] = {}
        for name, definition in self._defs.items():
            self._examples[name] = [e for e in (_Phrase.of(x) for x in definition.examples) if e.size]
            keywords: list[tuple[list[str], bool, bool]] = []
            for keyword in definition.keywords:
                anchored = keyword.lstrip().startswith(ANCHOR)
                tokens = _keyword_tokens(keyword.lstrip().removeprefix(ANCHOR))
                if any(t != WILDCARD for t in tokens):
                    keywords.append((tokens, any(negation_marks(tokens)), anchored))
            self._keywords[name] = keywords

    def __contains__(self, name: object) -> bool:
        return name in self._defs

    def __getitem__(self, name: str) -> IntentDef:
        return self._defs[name]

    def __len__(self) -> int:
        return len(self._defs)

    @property
    def names(self) -> list[str]:
        return list(self._defs)

    def examples(self) -> dict[str, list[str]]:
        """Each intent's example phrases as written (the lint walks these through the engine)."""
        return {name: list(d.examples) for name, d in self._defs.items()}

    def detect(self, text: str) -> list[IntentMatch]:
        """Every intent the turn carries, best first; empty for silence or nonsense."""
        heard = _Heard.of(text)
        if not heard.words:
            return []
        windows: dict[int, list[str]] = {}
        found: list[IntentMatch] = []
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
                score = max(score, _example_score(heard, example, windows))
            if score:
                found.append(IntentMatch(name, round(score / 100.0, 3)))
        found.sort(key=lambda m: (-m.score, m.name))
        return found


def mentions_research(text: str, facts: Iterable[ResearchFact]) -> list[str]:
    """Ids of the research facts whose keywords the turn mentions (fuzzily: "leads" counts for "Leeds")."""
    words = normalize(text).split()
    if not words:
        return []
    found: list[str] = []
    for fact in facts:
        for keyword in fact.keywords:
            tokens = _keyword_tokens(keyword)
            if tokens and _phrase_score(words, tokens, compounds=True) >= keyword_threshold(tokens):
                found.append(fact.id)
                break
    return found


def mentions_name(text: str, name: str) -> bool:
    """Whether the turn addresses someone by their first name (fuzzily: "Margret" counts for "Margaret")."""
    first = normalize(name).split()[:1]
    if not first:
        return False
    words = normalize(text).split()
    return _phrase_score(words, first) >= keyword_threshold(first)


_WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|weds?|thurs?|fri)"
_NUMBER_WORDS = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|midday)"
# Words that may follow "at 3" / "at three" when it is a time and not a count ("at 12 depots").
_CLOCK_FOLLOWERS = (
    r"(?:oclock|am|pm|a m|p m|thirty|fifteen|forty|sharp|on|tomorrow|next|this|then|or|if|please|and|"
    r"works?|would|is|that|your|my|uk|gmt|\w+day)"
)
_TIME_PATTERNS = [
    re.compile(rf"(?<!last )(?<!past )\b{_WEEKDAYS}\b"),  # "last Thursday" is when they met, not a proposal
    re.compile(r"\b(?:tomorrow|this afternoon|this morning)\b"),
    re.compile(r"\b\d{1,2}(?: \d{2})? ?(?:am|pm|a m|p m)\b"),
    re.compile(r"\b\d{1,2} \d{2}\b"),  # "9:30" after normalizing
    re.compile(rf"\bat (?:\d{{1,2}}|{_NUMBER_WORDS})(?: {_CLOCK_FOLLOWERS}\b|$)"),
    re.compile(rf"\b{_NUMBER_WORDS} oclock\b"),
    re.compile(r"\b(?:half past|quarter past|quarter to) \w+\b"),
    re.compile(r"\bat (?:noon|midday|lunchtime)\b"),
]


# A day or time with a negation this many words either side is being ruled out, not proposed.
TIME_NEGATION_REACH = 3
# A day just after one of these is in the past: "I left you a voicemail on Monday", "we spoke on Thursday".
PAST_MARKERS = frozenset({"left", "sent", "met", "spoke", "called", "rang", "emailed", "wrote"})
PAST_REACH = 5


def proposes_time(text: str) -> bool:
    """Whether the turn names a concrete day or time ("Tuesday", "tomorrow", "at 3", "10 am").

    "Next week" alone is not concrete: the persona should ask "when exactly?". A day ruled out
    ("Tuesday doesn't work", "I can't do Tuesday") is not a proposal; another one in the same turn is.
    """
    normalized = normalize(text.replace(":", " ").replace(".", ""))
    words = normalized.split()
    negated = negation_marks(words)
    for pattern in _TIME_PATTERNS:
        for found in pattern.finditer(normalized):
            first = normalized.count(" ", 0, found.start())
            last = first + found.group().count(" ")
            near = (
                negated[max(0, first - TIME_NEGATION_REACH) : first]
                + negated[last + 1 : last + 1 + TIME_NEGATION_REACH]
            )
            past = PAST_MARKERS.intersection(words[max(0, first - PAST_REACH) : first])
            if not any(near) and not past:
                return True
    return False


def load_intent_library(scenario: Scenario) -> IntentLibrary:
    """The intent matcher for a scenario: the shared library file merged with the scenario's own intents."""
    from simulator.scenario.loader import load_intents

    return IntentLibrary(load_intents(scenario))
