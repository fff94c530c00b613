"""Rigidity (lower is better): prepared but not robotic. Listening, answering what was asked, asking back."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from simulator.scoring import cues
from simulator.scoring.language import (
    AUXILIARIES,
    OPEN_WORDS,
    OTHER_WH_WORDS,
    content_words,
    find_phrases,
    normalise,
    shares_topic,
)
from simulator.scoring.metrics import monologues
from simulator.scoring.phrasebook import book
from simulator.scoring.reading import CallReading, TurnReading, read_slot
from simulator.scoring.rules import Rule, ScoreCard

BASE = 40.0
RULES = (
    Rule(
        "repetition",
        "the same pitch again: a later turn with the same content words (85% alike; 70% is partial)",
        15,
        (7,),
        45,
    ),
    Rule("same_ask", "the same day and time asked for again after it was turned down or passed over", 10, (), 20),
    Rule("unrelated_answer", "a question answered with something unrelated, or with a demand", 10, (), 30),
    Rule("ignored_objection", "an objection ignored; acknowledged or engaged with, not both, is partial", 12, (6,), 36),
    Rule("canned_rebuttal", "a stock rebuttal ('I understand, but', 'a lot of our clients…')", 10, (), 30),
    Rule("monologue", "each unbroken stretch over 30 s: half a point a second, up to 20 each", 20, (), 30),
    Rule("no_questions", "never asking a question (one question is partial)", 20, (8,), 20),
    Rule("repeated_opening", "the same opening as an earlier call on this scenario (85% alike)", 15, (), 15),
    Rule(
        "takes_up",
        "an answer that takes up what was just said (its words, its question, a name or time)",
        -4,
        (),
        -20,
        -20,
    ),
    Rule("questions_back", "each question asked back", -4, (), -16, -16),
    Rule("short_turns", "short turns: 20 words or fewer on average (35 or fewer is partial)", -10, (-5,), -10, -10),
)
REPEAT_STRONG = 85.0  # rapidfuzz token-set similarity of two stretches' pitch words: said again
REPEAT_PARTIAL = 70.0  # ... largely said again
REPEAT_MIN_SHARED = 4  # ... and only when at least this many pitch words come back
OPENING_REPEAT = 85.0  # the same, for an opening compared with the caller's earlier calls


def _pitch_words(reading: TurnReading) -> list[str]:
    """Content words minus scheduling words, so confirming "Tuesday at ten" back is no repeat."""
    return [word for word in content_words(" ".join(reading.tokens)) if not cues.is_scheduling_word(word)]


def _topic_words(words: Sequence[str]) -> list[str]:
    not_topic = cues.wordset("not_topic_words")
    return [word for word in words if word not in not_topic]


def _picked_up(reading: TurnReading, persona_text: str, spoken: set[str]) -> list[str]:
    """The persona's words the caller takes up: not words the caller had used itself, nor words without
    a topic ("though", "actually")."""
    return _topic_words([word for word in shares_topic(" ".join(reading.tokens), persona_text) if word not in spoken])


_ANSWERING_PRONOUNS = {
    "she": frozenset({"she", "shes", "her"}),
    "he": frozenset({"he", "hes", "his"}),
    "it": frozenset({"it", "its", "thats"}),
    "they": frozenset({"they", "theyre", "their"}),
    "you": frozenset({"i", "im", "ive", "we", "were", "weve", "my", "our"}),
}
_NOT_A_NAME_AFTER_ITS = frozenset(
    {
        "the",
        "a",
        "an",
        "about",
        "not",
        "just",
        "been",
        "so",
        "very",
        "really",
        "all",
        "that",
        "this",
        "our",
        "my",
        "your",
        "best",
        "only",
        "time",
        "going",
    }
)


def _asked_about(question: Sequence[str]) -> str:
    for word, after in zip(question, question[1:], strict=False):
        if word in AUXILIARIES and after in _ANSWERING_PRONOUNS:
            return after
    return ""


def _names_the_caller(tokens: Sequence[str]) -> bool:
    """ "This is Sam", "my name is", "I'm Sam"; "it's Sam" only at the start."""
    if find_phrases(list(tokens[:15]), ("this is", "my name", "im", "i am")):
        return True
    return any(
        tokens[i] == "its" and tokens[i + 1] not in _NOT_A_NAME_AFTER_ITS for i in range(min(3, len(tokens) - 1))
    )


def says_why(reading: TurnReading) -> bool:
    """Whether a line says what the call is about: a reason phrase, research, or "about" before a topic."""
    if reading.found("reason_phrases") or reading.research:
        return True
    tokens = list(reading.tokens)
    topics = [index for index, word in enumerate(tokens) if word in {"about", "regarding"}]
    return any(content_words(" ".join(tokens[index + 1 : index + 4])) for index in topics)


def demand_only(reading: TurnReading) -> str | None:
    """The demand a line makes ("put me through") when it is all the line offers."""
    return reading.demands[0] if reading.demands and not says_why(reading) else None


def _is_pickup(question: Sequence[str]) -> bool:
    return len(question) <= 2 and not set(question) & (OPEN_WORDS | OTHER_WH_WORDS | AUXILIARIES)


def _answers(reading: TurnReading, persona: TurnReading, spoken: set[str]) -> str | None:
    """How the caller's line takes up the persona's question(s), or None if it does not."""
    tokens = list(reading.tokens)
    persona_text = " ".join(persona.tokens)
    demand = demand_only(reading)
    reason = says_why(reading)
    demanded = set(" ".join(reading.demands).split())
    fresh = [word for word in content_words(" ".join(tokens)) if word not in spoken and word not in demanded]
    asked_back = reading.questions
    stated = tokens[: asked_back[0].start] if asked_back else tokens
    told = [word for word in fresh if word in stated]
    shared = _picked_up(reading, persona_text, spoken)
    if shared and not demand and not reading.found("canned_rebuttals"):
        return f"picks up '{shared[0]}'"
    answer_starts = cues.wordset("answer_starts")
    for question, is_open in persona.persona_asks:
        asked = set(question)
        if asked & {"who", "whos"} and _names_the_caller(tokens):
            return "says who is calling"
        on_topic = len(tokens) <= 12 or set(content_words(" ".join(tokens))) & set(question)
        if not is_open and set(tokens[:3]) & answer_starts and on_topic:
            return "answers the question directly"  # "Yes, we do", not "Yeah, we handled forty renewals"
        if demand:
            continue
        if find_phrases(question, book().purpose_questions):
            if reason or len(told) >= 2:
                return "says what the call is about"
            continue
        if find_phrases(question, book().invitations) or (_is_pickup(question) and len(persona.tokens) <= 3):
            greets = set(tokens[:3]) & (answer_starts | {"hi", "hello", "hey", "thanks"})
            if reason or fresh or greets or asked_back:
                return "answers the opener"
            continue
        if asked & {"regarding", "about", "purpose", "whats", "what"} and find_phrases(
            tokens[:15], book().reason_phrases + ("about", "regarding", "because", "its", "we", "it")
        ):
            return "says what the call is about"
        asks_when = asked & {"when", "whens", "day", "time", "suit", "suits", "week"} or read_slot(question).names_when
        if asks_when and reading.slot.names_when:
            return "answers when"  # "Next week?" "Tuesday at eleven or Thursday at nine"
        if (
            "how" in asked
            and asked & {"long", "quick", "much", "many", "soon"}
            and (
                reading.slot.duration
                or any(word in cues.wordset("number_words") or word.isdigit() for word in tokens[:6])
            )
        ):
            return "answers how long"  # "How quick?" "Two minutes."
        gives_reason = reading.research or find_phrases(
            tokens, book().give_strong + book().benefit_words + ("because", "reason", "so that", "since", "means")
        )
        if "why" in asked and fresh and (gives_reason or any(word.isdigit() for word in tokens)):
            return "answers why"
        if set(tokens[:4]) & _ANSWERING_PRONOUNS.get(_asked_about(question), frozenset()):
            return "answers the question directly"
    return None


def objection_in(persona: TurnReading) -> list[str]:
    """The pushback in a persona line: an objection, a refusal to change, a complaint put as a question.
    A status ("she's in a meeting") alone is not one: the answer to it is when to call back."""
    found = list(persona.found("objections")) + list(persona.found("refusing_change")) + list(persona.rhetorical)
    return found


def _asks_about(reading: TurnReading, persona: TurnReading) -> bool:
    """A question back about what they said: open (what, how, why) or on their words, not a slot or a
    request ("How's Wednesday at ten?", "Can I send her a demo link?")."""
    if reading.questions and reading.found("callback_asks"):
        return True  # "She's very busy." "When is a good time to reach her?"
    theirs = set(content_words(" ".join(persona.tokens))) - cues.wordset("not_topic_words")
    for question in reading.questions:
        if read_slot(list(question.words)).names_when or find_phrases(list(question.words), ("can i", "could i")):
            continue
        if question.open or set(question.words) & theirs:
            return True
    return False


def score(call: CallReading, earlier_openings: Sequence[str] = ()) -> tuple[ScoreCard, dict[str, object]]:
    card = ScoreCard("rigidity", BASE, RULES)
    cross: dict[str, object] = {
        "earlier_openings": len(earlier_openings),
        "best_similarity": None,
        "repeated_opening": False,
    }
    caller = call.caller
    if not caller:
        return card, cross

    said: list[tuple[int, str]] = []
    said_before: set[str] = set()
    asked_slots: list[tuple[frozenset[str], frozenset[str], bool]] = []  # (days, times, agreed?)
    for reading in caller:
        pitch = _pitch_words(reading)
        if len(pitch) >= 5:
            best_similarity, best_number = 0.0, 0
            for earlier_number, earlier in said:
                if len(set(pitch) & set(earlier.split())) < REPEAT_MIN_SHARED:
                    continue  # a few names said again in a goodbye are no pitch
                similarity = fuzz.token_set_ratio(" ".join(pitch), earlier)
                if similarity > best_similarity:
                    best_similarity, best_number = similarity, earlier_number
            if best_similarity >= REPEAT_STRONG:
                card.award(
                    "repetition",
                    reading.at(),
                    f"repeats the pitch of turn {best_number} ({best_similarity:.0f}% the same words)",
                )
            elif best_similarity >= REPEAT_PARTIAL:
                card.award(
                    "repetition",
                    reading.at(),
                    f"largely repeats turn {best_number} ({best_similarity:.0f}% the same words)",
                    1,
                )
            said.append((reading.number, " ".join(pitch)))

        persona = call.before(reading)
        reply = call.after(reading)
        spoken = said_before
        said_before = said_before | set(reading.tokens)
        canned = reading.found("canned_rebuttals")
        if canned:
            card.award("canned_rebuttal", reading.at(reading.where(canned[0])), f"canned rebuttal: '{canned[0]}'")
        if reading.questions:
            kinds = ", ".join("open" if question.open else "closed" for question in reading.questions)
            count = "a question" if len(reading.questions) == 1 else f"{len(reading.questions)} questions"
            card.add(
                "questions_back",
                *reading.at(reading.questions[0].start),
                -4 * len(reading.questions),
                f"asks {count} back ({kinds})",
            )
        if reading.proposal and reading.slot.day and reading.slot.time:
            slot = (reading.slot.days, reading.slot.times)
            again = [agreed for days, times, agreed in asked_slots if (days, times) == slot and not agreed]
            agreed = reply is not None and cues.agrees(" ".join(reply.tokens), " ".join(reading.tokens), True)
            if again and not agreed:
                card.award("same_ask", reading.at(), "asks for the same day and time again after it was passed over")
            asked_slots.append((slot[0], slot[1], agreed))
        if persona is None:
            continue
        persona_number = persona.number
        objection = objection_in(persona)
        if persona_number == 1 and not persona.persona_asks:
            continue  # the persona picking up the phone: the opening is scored on its own
        if objection:
            acknowledged = bool(reading.found("acknowledgements")) and not canned
            rest = " ".join(word for word in persona.tokens if word not in " ".join(objection).split())
            real_questions = _asks_about(reading, persona)
            engaged = not canned and (real_questions or bool(_picked_up(reading, rest, spoken)))
            if acknowledged and engaged:
                card.award(
                    "takes_up", reading.at(), f"acknowledges the objection in turn {persona_number} and engages with it"
                )
            elif acknowledged or engaged:
                card.award(
                    "ignored_objection",
                    reading.at(),
                    f"only half takes up the objection in turn {persona_number} ('{objection[0]}')",
                    1,
                )
            else:
                card.award(
                    "ignored_objection",
                    reading.at(),
                    f"ignores the objection in turn {persona_number} ('{objection[0]}')",
                )
        elif persona.persona_asks:
            how = _answers(reading, persona, spoken)
            if how is None:
                demand = demand_only(reading)
                why = f"demands ('{demand}') instead of answering" if demand else "does not answer"
                card.award("unrelated_answer", reading.at(), f"{why} the question in turn {persona_number}")
            else:
                card.award("takes_up", reading.at(), f"{how} from turn {persona_number}")
        elif (picked := _picked_up(reading, " ".join(persona.tokens), spoken)) and not canned:
            card.award("takes_up", reading.at(), f"picks up '{picked[0]}' from turn {persona_number}")

    _long_stretches(call, card)

    questions = sum(len(reading.questions) for reading in caller)
    if questions == 0:
        card.award("no_questions", caller[0].at(), "never asked a question")
    elif questions == 1:
        card.award("no_questions", caller[0].at(), "asked only one question in the call", 1)

    counts = [len(reading.tokens) for reading in caller]
    mean = sum(counts) / len(counts)
    shortest = min(caller, key=lambda reading: len(reading.tokens))
    if mean <= 20:
        card.award("short_turns", shortest.at(), f"short turns ({mean:.0f} words on average)")
    elif mean <= 35:
        card.award("short_turns", shortest.at(), f"fairly short turns ({mean:.0f} words on average)", 1)

    if earlier_openings:
        text = " ".join(caller[0].tokens)
        similarity = max(fuzz.ratio(text, normalise(earlier)) for earlier in earlier_openings)
        cross["best_similarity"] = round(similarity, 1)
        if similarity >= OPENING_REPEAT:
            cross["repeated_opening"] = True
            card.award(
                "repeated_opening",
                caller[0].at(),
                f"same opening as an earlier call on this scenario ({similarity:.0f}% alike)",
            )
    return card, cross


def _long_stretches(call: CallReading, card: ScoreCard) -> None:
    """Evidence for each caller stretch longer than 30 s, quoting the turn that starts it."""
    stretches = monologues(call.transcript)
    for reading, seconds in zip(call.caller, stretches, strict=False):
        if seconds > 30:
            card.add(
                "monologue", *reading.at(), min(20.0, (seconds - 30) / 2), f"talks for {seconds:.0f} s without a break"
            )
