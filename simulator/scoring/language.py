"""Reading a caller's words the same way whether they were typed or came out of speech-to-text.

Everything here works on normalised text (lower case, no punctuation, apostrophes dropped: "I'll" and
"ill" are the same word), so a transcript scores the same with or without capitals and punctuation.
Questions are found from their wording (a question word or an inverted auxiliary at the start of a
clause), never from a "?" that speech-to-text does not write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from simulator.language.text import normalize

# One normaliser for the persona and the report: the language layer's.
normalise = normalize


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalize(text).split()


def contains_phrase(tokens: Sequence[str], phrase: str) -> int:
    """Index of the first occurrence of `phrase` (normalised words) in `tokens`, or -1."""
    text = " " + " ".join(tokens) + " "
    position = text.find(" " + phrase + " ")
    return -1 if position < 0 else text.count(" ", 0, position)


def find_phrases(tokens: Sequence[str], phrases: Iterable[str]) -> list[str]:
    """The phrases (normalised, space-separated words) that occur in `tokens`, in the order given."""
    text = " " + " ".join(tokens) + " "
    return [phrase for phrase in phrases if " " + phrase + " " in text]


# --- questions -------------------------------------------------------------------------------------

OPEN_WORDS = frozenset({"what", "how", "why", "whats", "hows"})
OTHER_WH_WORDS = frozenset({"when", "where", "who", "which", "whos", "whose", "whom", "wheres", "whens"})
AUXILIARIES = frozenset(
    {
        "do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will", "should",
        "shall", "have", "has", "had", "may", "might", "isnt", "arent", "dont", "doesnt", "didnt",
        "wouldnt", "couldnt", "cant", "wont", "shouldnt", "havent", "hasnt", "am",
    }
)  # fmt: skip
SUBJECTS = frozenset(
    {"you", "i", "we", "she", "he", "it", "they", "that", "this", "there", "your", "her", "his", "their", "anyone"}
)
# Words after which a new clause may begin in unpunctuated speech.
CLAUSE_OPENERS = frozenset(
    {
        "and", "so", "but", "or", "then", "okay", "ok", "right", "well", "great", "thanks", "thank",
        "sure", "now", "also", "yes", "yeah", "no", "perfect", "curious", "wondering", "question",
        "quick", "anyway", "actually", "honestly", "understood", "fair", "course", "got", "totally",
        "today", "please", "here", "though", "too", "first", "again", "instead", "interesting", "possibly",
        "maybe", "fine", "hmm", "sorry", "eventually", "noted", "oh", "ah",
    }
)  # fmt: skip
# Requests phrased as commands that work as open questions.
OPEN_PROMPTS = (
    "tell me", "walk me through", "help me understand", "talk me through", "describe", "im curious",
    "i am curious", "id love to know", "id like to know", "id love to hear", "curious how", "curious what",
)  # fmt: skip
# Polite yes/no questions that carry no inversion: "I wonder if you could help me".
CLOSED_PROMPTS = (
    "i wonder if", "i was wondering if", "i wonder whether", "wondering whether", "would you mind",
    "do you mind", "mind if i", "any chance",
)  # fmt: skip
# Wh-words also used in statements ("that's what we do", "I know how busy she is"): they only open a
# question when an auxiliary or a verb follows, or when they stand at a clause start.
TAG_QUESTIONS = ("is that right", "does that make sense", "is that fair", "would that help", "right or",
                 "is that something", "is this something", "is that still", "is it still", "is that true",
                 "is that correct", "is that on your")  # fmt: skip
_POSSESSIVES = frozenset({"your", "her", "his", "their"})
_AFTER_INVERTED_SUBJECT = frozenset(
    {"been", "got", "ever", "still", "already", "use", "need", "have", "had", "get", "run", "feel", "see", "know",
     "want", "like", "handle", "work", "plan"}
)  # fmt: skip


@dataclass(frozen=True)
class Question:
    """A question the caller asked: where it starts (word index) and whether it invites a long answer."""

    start: int
    open: bool
    words: tuple[str, ...]


PERSONAL = frozenset({"you", "i", "we", "she", "he", "they"})
# Words after which an inverted auxiliary is not a question: "so do we", "than we do", "if you could".
_NOT_INVERSION_AFTER = frozenset(
    {"so", "neither", "nor", "than", "as", "if", "whether", "thats", "i", "we", "you", "they", "she",
     "he", "it", "what", "how", "when", "where", "why", "who", "which", "can", "could", "would", "will"}
)  # fmt: skip
# Words that embed a wh-clause in a statement: "I know what is going on", "that's how it works",
# "we found out what would help".
_EMBEDDERS = frozenset(
    {"know", "knows", "see", "tell", "ask", "asked", "wonder", "understand", "show", "is", "thats", "about",
     "matter", "depends", "exactly", "sure", "idea", "learn", "explain", "decide", "remember", "forget",
     "heres", "like", "hear", "showed", "told", "wondering", "out", "on", "of"}
)  # fmt: skip


_MODALS = frozenset({"would", "could", "can", "will", "does", "did", "should", "shall"})
_NEGATIVE_AUXILIARIES = frozenset({"wouldnt", "couldnt", "isnt", "arent", "dont", "doesnt", "didnt", "wont", "cant",
                                   "shouldnt", "havent", "hasnt"})  # fmt: skip
_DETERMINERS = frozenset({"the", "a", "an", "my", "our", "any", "someone", "somebody", "dana", "she", "he"})
_SLOT_VERDICTS = frozenset({"good", "ok", "okay", "fine", "better", "possible", "free", "convenient", "any"})
_HOW_MUCH = frozenset({"long", "much", "many", "often", "soon", "quick", "quickly", "big", "far", "fast"})
_PREPOSITIONS = frozenset({"in", "of", "about", "for", "with", "on", "at", "to", "from", "by"})


# Days a proposal names right after its auxiliary: "would thursday work", "does next week suit".
_DAY_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "tomorrow", "today", "next"}
)
# Forms of "be" that open a yes/no question at a sentence start ("Is Daniel around?"), unless the
# speaker dropped the subject of a statement ("is what it is", "are all set"), or that ask after
# someone anywhere ("hi sam is dana available"). Only interjections open a sentence for them: after
# "today" or "and", "is" continues a statement ("the benefit today is huge").
_BE = frozenset({"is", "are"})
_NOT_AFTER_BE = frozenset(
    {"what", "all", "just", "not", "also", "still", "really", "great", "good", "fine", "always", "often",
     "never", "sometimes", "right", "back", "usually", "mostly", "currently"}
)  # fmt: skip
_BEFORE_BE = frozenset({"okay", "ok", "well", "great", "thanks", "perfect", "yeah", "yes", "right", "sure"})
_AVAILABLE = frozenset({"around", "there", "here", "available", "free", "busy", "back"})


def sentence_starts(text: str) -> frozenset[int]:
    """Word indices (in `words(text)`) that begin a sentence: after ".", "!", "?", ";" or ":".

    Typed text marks them; speech-to-text mostly does not, so the question patterns never need them,
    they only make a question after a full stop as visible as one after "so" or "okay".
    """
    starts = {0}
    count = 0
    for sentence in re.split(r"[.!?;:]+(?:\s|$)", text):
        if count:
            starts.add(count)
        count += len(words(sentence))
    return frozenset(starts)


def _clause_start(tokens: Sequence[str], index: int, starts: frozenset[int] = frozenset()) -> bool:
    if index == 0 or index in starts or tokens[index - 1] in CLAUSE_OPENERS:
        return True
    return index >= 2 and tokens[index - 2 : index] in (
        ["thank", "you"], ["of", "course"], ["i", "see"], ["no", "problem"], ["no", "worries"], ["thats", "fine"],
        ["got", "it"], ["fair", "enough"], ["makes", "sense"], ["that", "helps"],
    )  # fmt: skip


def _question_at(tokens: Sequence[str], index: int, starts: frozenset[int] = frozenset()) -> bool | None:
    """True (open) / False (closed) if a question starts at `index`, else None.

    Without punctuation a clause start is rarely visible, so the strong patterns count anywhere: an
    inverted auxiliary before a personal pronoun ("could you", "do we") or a day ("would thursday at
    two work"), a wh-word before an auxiliary ("when is a good time", "what would make it worth it")
    unless a verb embeds it ("I know what is"), "who" before a verb. `starts` are sentence starts
    known from punctuation, when the text has any.
    """
    word = tokens[index]
    before = tokens[index - 1] if index else ""
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    after2 = tokens[index + 2] if index + 2 < len(tokens) else ""
    starts_clause = _clause_start(tokens, index, starts)
    for prompt in OPEN_PROMPTS:
        if starts_clause and contains_phrase(tokens[index : index + len(prompt.split())], prompt) == 0:
            return True
    for prompt in CLOSED_PROMPTS:
        if contains_phrase(tokens[index : index + len(prompt.split())], prompt) == 0:
            return False
    if word in OPEN_WORDS or word in OTHER_WH_WORDS:
        is_open = word in OPEN_WORDS
        if word == "how" and after in _HOW_MUCH:
            return True  # "how long would it take", "how many sites", "how quick"
        if index == len(tokens) - 1 and (starts_clause or before in _PREPOSITIONS):
            return is_open or word == "when"  # "Maybe. When?", "audit of what", "interested in what"
        if word == "why" and index == len(tokens) - 1 and before not in _EMBEDDERS | {"thats", "reason", "why"}:
            return True  # "two systems after the merger why"
        if word == "why" and starts_clause:
            return True  # "Sorry, why? We're in a contract."
        if after in AUXILIARIES and after2 in PERSONAL:
            return is_open  # inverted, so asked outright even after "you know": "how do you ship"
        if before in _EMBEDDERS and not starts_clause:
            return None
        if after in AUXILIARIES and (after2 in SUBJECTS or starts_clause or after2 in {"a", "the", "good", "best"}):
            return is_open  # "how do you", "what would it", "when is a good time"
        if word in {"what", "how", "why"} and after in _MODALS:
            return True  # "either way what would make it worth it"; "which would", "who would" are relatives
        if word in {"whats", "hows", "whos", "wheres", "whens"} and (starts_clause or after not in PERSONAL):
            return is_open  # "what's the idea", "who's the right person"
        if word == "who" and (after.endswith("s") or after in AUXILIARIES) and after not in PERSONAL:
            return is_open  # "who handles your freight", "who looks after transport"
        if word == "which" and starts_clause and after not in SUBJECTS:
            return is_open
        if word in {"what", "how"} and after == "about" and (after2 in _DAY_WORDS or after2[:1].isdigit()):
            return False  # "keep it brief how about thursday at 2pm": a proposal, answered yes or no
        if word in {"what", "how"} and after == "about" and after2 in PERSONAL:
            return True  # "how about you"
        if word in {"what", "how"} and starts_clause and after in {"about", "if", "else"}:
            return True
        ahead = tokens[index + 2 : index + 6]
        if any(
            a in AUXILIARIES and b in PERSONAL | {"it", "that", "this", "the"}
            for a, b in zip(ahead, ahead[1:], strict=False)
        ):
            return is_open  # "what kind of system do you use", "how many trucks do you run"
        return None
    if word in _BE and after in _DAY_WORDS and set(tokens[index + 2 : index + 6]) & _SLOT_VERDICTS:
        return False  # "the twenty team study is wednesday at 4 good"
    if word == "do" and before == "please":
        return None  # "Please do, it should work": an imperative
    sentence_start = index == 0 or index in starts
    inverted = sentence_start or after in SUBJECTS | _DAY_WORDS | _DETERMINERS  # not "and can remove"
    if word in _MODALS and starts_clause and after and after not in AUXILIARIES | {"not", "be"} and inverted:
        return False  # "would tuesday at ten work", "does thursday suit her"
    if word in _MODALS and after in _DAY_WORDS and before not in _NOT_INVERSION_AFTER:
        return False  # "that helps would thursday at two work": no statement puts a day after "would"
    if word in _BE and after and after not in AUXILIARIES | _NOT_AFTER_BE and not after.endswith(("ly", "ed")):
        if index == 0 or index in starts or before in _BEFORE_BE:
            return False  # "Is Daniel around?", "okay are you the right person"
        after3 = tokens[index + 3] if index + 3 < len(tokens) else ""
        if after not in SUBJECTS and (after2 in _AVAILABLE or (after2 == "the" and after3 in {"right", "best"})):
            return False  # "hi sam is dana available", "is dana the right person", not "she is usually around"
        after4 = tokens[index + 4] if index + 4 < len(tokens) else ""
        if after in {"dr", "mr", "mrs", "ms", "miss"} and (
            after3 in _AVAILABLE or (after3 == "the" and after4 in {"right", "best"})
        ):
            return False  # "is dr mori free at all"
    if word in _BE and after == "there" and after2 in {"a", "an", "any", "anyone", "anything", "someone", "somebody"}:
        return False  # "no problem is there a better time": statements say "there is"
    if (
        word in _MODALS
        and after == "it"
        and after2 in {"help", "make", "be", "work", "suit", "hurt", "matter", "change"}
    ):
        return False  # "would it help to run the same check"
    if word in _NEGATIVE_AUXILIARIES and after in SUBJECTS and before not in _NOT_INVERSION_AFTER:
        return False  # "midday wouldn't that disturb members"
    if word in AUXILIARIES and after in _POSSESSIVES and before not in _NOT_INVERSION_AFTER:
        after3 = tokens[index + 3] if index + 3 < len(tokens) else ""
        if after3 in _AFTER_INVERTED_SUBJECT or after3.endswith("ing"):
            return False  # "on yours have your anodes been checked", "do your drivers use"
    if word in AUXILIARIES and after in SUBJECTS:
        if word in {"have", "has", "had"} and after2 in {"to", "got"}:
            return None
        if starts_clause or (after in PERSONAL and before not in _NOT_INVERSION_AFTER):
            return False  # "do you", "would it", "is she", "could you spell"
    return None


# "How are you today?" is politeness, not a question about their situation: it is not counted as one.
PLEASANTRIES = (("hows", "your", "morning"), ("how", "is", "your", "morning"), ("hows", "your", "week"),
                ("hows", "your", "afternoon"), ("how", "was", "your", "weekend"), ("how", "are", "you"),
                ("hows", "it", "going"), ("how", "is", "it", "going"), ("how", "are", "things"),
                ("hows", "your", "day"), ("how", "is", "your", "day"), ("how", "have", "you", "been"))  # fmt: skip


def _is_pleasantry(question: Sequence[str]) -> bool:
    return any(tuple(question[: len(form)]) == form and len(question) <= len(form) + 2 for form in PLEASANTRIES)


def find_questions(text: str) -> list[Question]:
    """The questions in a turn, each counted once even if it runs on for many words."""
    tokens = words(text)
    starts = sentence_starts(text)
    found: list[Question] = []
    index = 0
    while index < len(tokens):
        kind = _question_at(tokens, index, starts)
        if kind is None:
            for tag in TAG_QUESTIONS:
                if contains_phrase(tokens[index:], tag) == 0:
                    kind = False
                    break
        if kind is None:
            index += 1
            continue
        # a wh-question carries its own inversion a few words on ("what kind of system do you use")
        reach = index + (5 if tokens[index] in OPEN_WORDS | OTHER_WH_WORDS else 2)
        end = index + 1
        while end < len(tokens) and not (end > reach and _question_at(tokens, end, starts) is not None):
            end += 1
        if not _is_pleasantry(tokens[index:end]):
            found.append(
                Question(start=index, open=kind or _asks_to_ask_open(tokens, index), words=tuple(tokens[index:end]))
            )
        index = end
    return found


# "Can I ask how you plan to...": permission to ask, then an open question.
_ASK_LEADS = (("can", "i", "ask"), ("may", "i", "ask"), ("could", "i", "ask"), ("can", "you", "tell", "me"),
              ("could", "you", "tell", "me"))  # fmt: skip


def _asks_to_ask_open(tokens: list[str], index: int) -> bool:
    for lead in _ASK_LEADS:
        after = index + len(lead)
        if tuple(tokens[index:after]) == lead and after < len(tokens) and tokens[after] in OPEN_WORDS:
            return True
    return False


# --- content words, research ----------------------------------------------------------------------

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can cant could couldnt did didnt do does doesnt doing dont down during
    each few for from further had has have having he her here hers herself him himself his how i id ill
    im ive if in into is isnt it its itself just let lets me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own same she shes should so some such than that
    thats the their theirs them themselves then there theres these they theyre this those through to
    too under until up very was we were weve what whats when where which while who whom why will with
    would you youre your yours yourself yourselves yes yeah okay ok um uh like really well right sure
    thanks thank hi hello get got going go one two three new last year years month months week weeks
    company team said says saw see seen read noticed recently back way lot lots much many per every
    customer customers client clients business people time top good great best work help today take
    make need want fine minute minutes second seconds look thing things something anything else sorry
    youve youll youd theyve theyll hed shed wed mind
    """.split()  # noqa: SIM905
)


def content_words(text: str) -> list[str]:
    """Words that carry the topic of a line (no function words, no fillers), in order, de-duplicated."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in STOPWORDS and (len(word) > 2 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


def _fuzzy_hit(
    keyword: str, tokens: Sequence[str], cutoff: float, exact_up_to: int = 3, length_gap: int | None = None
) -> bool:
    """True if `keyword` is among the tokens, allowing for a misheard spelling or a word split in two.

    Short words must be one slip away ("leeds"/"leads", not "cross"/"costs"); longer ones may differ
    more, as long as rapidfuzz's ratio stays above `cutoff` ("centre"/"center", "warehouse"/"where house").
    `length_gap` caps how many letters longer or shorter a near match may be.
    """
    if len(keyword) <= exact_up_to or keyword.isdigit():
        return keyword in tokens
    candidates = list(tokens) + [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
    if length_gap is not None:
        candidates = [word for word in candidates if word == keyword or abs(len(word) - len(keyword)) <= length_gap]
    return any(
        Levenshtein.normalized_similarity(keyword, candidate) >= 0.75
        or (len(keyword) >= 6 and fuzz.ratio(keyword, candidate) >= cutoff)
        for candidate in candidates
    )


@dataclass(frozen=True)
class ResearchMention:
    """How much of one research fact a caller's turn refers to.

    Names (the prospect's company, the executive) are said on every call, so they only count beside
    a word that carries the fact itself ("the new distribution centre in Leeds").
    """

    fact: str
    keywords: tuple[str, ...]
    matched: tuple[str, ...]
    names: frozenset[str] = frozenset()

    @property
    def strength(self) -> float:
        """1.0 for a clear mention (two keywords, one of them not a name), 0.5 for one telling keyword."""
        telling = [word for word in self.matched if word not in self.names]
        if not telling:
            return 0.0
        if len(telling) >= 2 or len(self.keywords) == 1:
            return 1.0
        return 0.5 if len(telling[0]) >= 6 else 0.0


_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)


def _plain(piece: str) -> str:
    """A word of a fact without its punctuation and possessive: "Corvane's," → "Corvane"."""
    return _POSSESSIVE.sub("", piece.rstrip(".,;:!?"))


def _name_forms(piece: str) -> list[str]:
    """A name as the caller may say it: "Corvane's" is heard as "corvanes" and as "corvane"."""
    return words(piece) + words(_plain(piece))


def _starts_with_a_name(piece: str) -> bool:
    """Whether a fact's capitalised first word is a name ("Catherine spoke…", "Corvane's results…"),
    not an ordinary word that opens a sentence ("The annual report…", "Opened…", "Hiring…")."""
    word = "".join(words(_plain(piece)))
    return word not in STOPWORDS and not word.endswith(("ed", "ing"))


def fact_names(facts: Sequence[str]) -> frozenset[str]:
    """Words that name someone or something rather than say a fact: capitalised inside a fact or at
    its start, or shared by several facts (the prospect's name usually is both), in plain and
    possessive form."""
    names: set[str] = set()
    counts: dict[str, int] = {}
    for fact in facts:
        pieces = [piece for piece in fact.split() if words(piece)]
        for position, piece in enumerate(pieces):
            starts = position == 0 or pieces[position - 1].endswith((".", "!", "?", ":"))
            if piece[:1].isupper() and (not starts or _starts_with_a_name(piece)):
                names.update(_name_forms(piece))
        for word in set(content_words(" ".join(_plain(piece) for piece in pieces))):
            counts[word] = counts.get(word, 0) + 1
    if len(facts) > 1:
        names.update(form for word, count in counts.items() if count > 1 for form in (word, word + "s"))
    return frozenset(names)


def research_mentions(text: str, facts: Sequence[str], cutoff: float = 80) -> list[ResearchMention]:
    """The research facts a line refers to, recognised fuzzily from the facts' own content words."""
    tokens = words(text)
    names = fact_names(facts)
    mentions = []
    for fact in facts:
        keywords = tuple(content_words(fact))
        matched = tuple(word for word in keywords if _fuzzy_hit(word, tokens, cutoff))
        mention = ResearchMention(fact=fact, keywords=keywords, matched=matched, names=names)
        if mention.strength > 0:
            mentions.append(mention)
    return mentions


def shares_topic(line: str, other: str, cutoff: float = 85) -> list[str]:
    """Content words of `other` that `line` takes up (fuzzily), e.g. an answer picking up a question.

    A near match must be about as long as the word: a slip of the ear, not another word that looks
    alike ("tracking" does not take up "taking").
    """
    tokens = words(line)
    return [word for word in content_words(other) if _fuzzy_hit(word, tokens, cutoff, exact_up_to=4, length_gap=1)]


def persona_questions(text: str) -> list[tuple[tuple[str, ...], bool]]:
    """(words, open?) of each question in a persona line.

    Persona lines come from the scenario, not from speech-to-text, so their question marks are trusted
    as well as their wording.
    """
    marked = [tuple(words(sentence)) for sentence in re.findall(r"[^.!?]*\?", text)]
    if any(marked):
        return [(tokens, tokens[0] in OPEN_WORDS) for tokens in marked if tokens]
    return [(question.words, question.open) for question in find_questions(text)]
