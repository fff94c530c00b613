"""The three scores of a call: rigidity (lower is better), value added and next-step positioning.

Each score is a base plus criteria; every criterion that moves the score leaves evidence quoting the
caller's own words, and a criterion that is only half met earns part of its points. A criterion that
earns nothing still leaves a line saying why, so no score is a silent zero. docs/scoring.md explains
the weights and the teaching behind them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from simulator.scoring import cues
from simulator.scoring.evidence import Criterion, ScoreCard, quote
from simulator.scoring.feedback import choose_tips
from simulator.scoring.language import (
    AUXILIARIES,
    OPEN_WORDS,
    OTHER_WH_WORDS,
    content_words,
    find_phrases,
    find_questions,
    normalise,
    persona_questions,
    research_mentions,
    shares_topic,
    words,
)
from simulator.scoring.metrics import Metric, compute_metrics, monologues
from simulator.transcript import Transcript, Turn

REPEAT_STRONG = 85.0  # rapidfuzz token-set similarity of two turns' pitch words: said again
REPEAT_PARTIAL = 70.0  # ... largely said again
REPEAT_MIN_SHARED = 4  # ... and only when at least this many pitch words come back
OPENING_REPEAT = 85.0  # the same, for an opening compared with the caller's earlier calls


def _pitch_words(text: str) -> list[str]:
    """Content words of a turn minus scheduling words, so confirming "Tuesday at ten" back is no repeat."""
    return [word for word in content_words(text) if not cues.is_scheduling_word(word)]


def _previous_persona(transcript: Transcript, number: int) -> tuple[int, Turn] | None:
    """The persona turn just before caller turn `number` (1-based), if the caller was answering one."""
    if number < 2:
        return None
    before = transcript.turns[number - 2]
    return (number - 1, before) if before.speaker != "caller" else None


def _opening(transcript: Transcript) -> tuple[int, Turn] | None:
    turns = transcript.caller_turns()
    return turns[0] if turns else None


# --- value added -----------------------------------------------------------------------------------


def _value_added(transcript: Transcript) -> ScoreCard:
    has_research = bool(transcript.research)
    scale = 1.0 if has_research else 100 / 70  # without research facts, the other gains carry its weight
    card = ScoreCard(
        "value_added",
        0,
        [
            Criterion("reason", "an early, clear reason for the call", 0, 25 * scale, 25 * scale),
            Criterion("research", "research about this prospect", 0, 30 if has_research else 0,
                      30 if has_research else 0),
            Criterion("give", "an insight or offer useful whether or not they buy", 0, 25 * scale, 25 * scale),
            Criterion("benefits", "benefits in their terms", 0, 20 * scale, 20 * scale),
            Criterion("entitlement", "entitlement (demanding time, lines, transfers)", -45, 0, 0),
            Criterion("features", "feature dumps", -24, 0, 0),
            Criterion("self_focus", "talking only about yourself", -10, 0, 0),
        ],
    )  # fmt: skip
    caller = transcript.caller_turns()
    opening = _opening(transcript)
    if not caller or opening is None:
        return card

    reason = cues.reason_position(transcript)
    first_numbers = [number for number, _ in caller[:2]]
    if reason is None:
        card.add("reason", opening[0], quote(opening[1].text), 0, "no reason for the call was ever stated")
    else:
        number, start = reason
        text = quote(transcript.turns[number - 1].text, start)
        if number in first_numbers:
            card.add("reason", number, text, 25 * scale, "states the reason for the call early")
        else:
            card.add("reason", number, text, 12 * scale, "states a reason, but only late in the call")

    if has_research:
        best: dict[str, tuple[float, int, str, tuple[str, ...]]] = {}
        for number, turn in caller:
            for mention in research_mentions(turn.text, transcript.research):
                if mention.fact not in best or mention.strength > best[mention.fact][0]:
                    best[mention.fact] = (mention.strength, number, turn.text, mention.matched)
        weights = [20.0, 10.0, 5.0]
        ranked = sorted(best.items(), key=lambda item: -item[1][0])
        for rank, (fact, (strength, number, text, matched)) in enumerate(ranked):
            weight = weights[min(rank, len(weights) - 1)]
            how = "refers to" if strength >= 1 else "touches on"
            card.add("research", number, quote(text), weight * strength,
                     f"{how} the research '{fact}' ({', '.join(matched)})")  # fmt: skip
        if not best:
            fact, count = transcript.research[0], len(transcript.research)
            unused = (f"the research fact '{fact}' was not used" if count == 1
                      else f"none of the {count} research facts was used, e.g. '{fact}'")  # fmt: skip
            card.add("research", opening[0], quote(opening[1].text), 0, unused)

    gave = False
    for number, turn in caller:
        tokens = words(turn.text)
        strong = find_phrases(tokens, cues.GIVE_STRONG)
        soft = find_phrases(tokens, cues.GIVE_SOFT)
        if strong:
            card.add("give", number, quote(turn.text), 15 * scale, f"gives before asking ('{strong[0]}')")
            gave = True
        elif soft:
            card.add("give", number, quote(turn.text), 8 * scale, f"offers something, vaguely ('{soft[0]}')")
            gave = True
    if not gave:
        card.add("give", opening[0], quote(opening[1].text), 0, "offered no insight, benchmark or introduction")

    self_count = other_count = 0
    most_you: tuple[int, int, str] = (0, opening[0], opening[1].text)
    most_self: tuple[int, int, str] = (0, opening[0], opening[1].text)
    benefit_found = benefit_found_twice = False  # benefit lines earn points up to twice
    for number, turn in caller:
        tokens = words(turn.text)
        mine = sum(1 for word in tokens if word in cues.wordset("self_words"))
        # the "you" of a demand ("can you give me your direct line") is about what the caller wants
        demands = find_phrases(tokens, cues.ENTITLEMENT)
        yours = 0 if demands else sum(1 for word in tokens if word in cues.wordset("other_words"))
        self_count += mine
        other_count += yours
        most_you = max(most_you, (yours, number, turn.text))
        most_self = max(most_self, (mine, number, turn.text))
        benefit = find_phrases(tokens, cues.BENEFIT_WORDS)
        if benefit and yours and not benefit_found_twice:
            card.add("benefits", number, quote(turn.text), 8 * scale, f"puts a benefit in their terms ('{benefit[0]}')")
            benefit_found_twice = benefit_found
            benefit_found = True
    share = other_count / (self_count + other_count) if self_count + other_count else 0.0
    if share >= 0.45:
        card.add("benefits", most_you[1], quote(most_you[2]), 4 * scale, f"talks about them ({share:.0%} 'you')")
    elif share >= 0.3:
        card.add("benefits", most_you[1], quote(most_you[2]), 2 * scale,
                 f"talks about them some of the time ({share:.0%} 'you')")  # fmt: skip
    elif not benefit_found:
        card.add("benefits", opening[0], quote(opening[1].text), 0, "no benefit put in the prospect's terms")

    for number, turn in caller:
        tokens = words(turn.text)
        demands = find_phrases(tokens, cues.ENTITLEMENT)
        if demands:
            card.add("entitlement", number, quote(turn.text), -15, f"entitlement: '{demands[0]}'")
        features = {phrase for phrase in find_phrases(tokens, cues.FEATURE_WORDS)}
        if len(features) >= 3:
            points = -12 if len(features) >= 5 else -6
            card.add("features", number, quote(turn.text), points,
                     f"feature dump ({', '.join(sorted(features)[:5])})")  # fmt: skip
    self_share = self_count / (self_count + other_count) if self_count + other_count else 0.0
    if self_count >= 8 and self_share >= 0.75:
        card.add("self_focus", most_self[1], quote(most_self[2]), -10, f"talks about itself ({self_share:.0%} I/we)")
    elif self_count >= 8 and self_share >= 0.65:
        card.add("self_focus", most_self[1], quote(most_self[2]), -5,
                 f"talks mostly about itself ({self_share:.0%} I/we)")  # fmt: skip
    return card


# --- rigidity -------------------------------------------------------------------------------------


def _picked_up(caller_text: str, persona_text: str, spoken: set[str]) -> list[str]:
    """The persona's words the caller takes up, leaving out words the caller had already used itself
    (repeating your own pitch word "freight" is not listening)."""
    return [word for word in shares_topic(caller_text, persona_text) if word not in spoken]


# Who a question is about ("how is she", "are you") and how an answer about them starts ("she's", "I").
_ANSWERING_PRONOUNS = {
    "she": frozenset({"she", "shes", "her"}),
    "he": frozenset({"he", "hes", "his"}),
    "it": frozenset({"it", "its", "thats"}),
    "they": frozenset({"they", "theyre", "their"}),
    "you": frozenset({"i", "im", "ive", "we", "were", "weve", "my", "our"}),
}


def _asked_about(question: Sequence[str]) -> str:
    """The pronoun a question asks about: the first one right after an auxiliary."""
    for word, after in zip(question, question[1:], strict=False):
        if word in AUXILIARIES and after in _ANSWERING_PRONOUNS:
            return after
    return ""


_NOT_A_NAME_AFTER_ITS = frozenset({"the", "a", "an", "about", "not", "just", "been", "so", "very", "really", "all",
                                   "that", "this", "our", "my", "your", "best", "only", "time", "going"})  # fmt: skip


def _names_the_caller(tokens: Sequence[str]) -> bool:
    """ "This is Sam", "my name is", "I'm Sam"; "it's Sam" only at the start ("it's the best product" is not)."""
    if find_phrases(list(tokens[:15]), ("this is", "my name", "im", "i am")):
        return True
    return any(
        tokens[i] == "its" and tokens[i + 1] not in _NOT_A_NAME_AFTER_ITS for i in range(min(3, len(tokens) - 1))
    )


def _says_why(text: str, research: Sequence[str]) -> bool:
    """Whether a line says what the call is about: a reason phrase, research, or "about"/"regarding"
    before a topic word ("just a quick chat about freight")."""
    tokens = words(text)
    if find_phrases(tokens, cues.REASON_PHRASES) or research_mentions(text, research):
        return True
    topics = [index for index, word in enumerate(tokens) if word in {"about", "regarding"}]
    return any(content_words(" ".join(tokens[index + 1 : index + 4])) for index in topics)


def demand_only(text: str, research: Sequence[str]) -> str | None:
    """The demand a line makes ("put me through") when it is all the line offers: it says nothing of why."""
    demands = find_phrases(words(text), cues.ENTITLEMENT)
    return demands[0] if demands and not _says_why(text, research) else None


def _is_pickup(question: Sequence[str]) -> bool:
    """A one- or two-word pickup ("Yes?", "Hello?", "Marcus Lee?"): an invitation to say why you call."""
    return len(question) <= 2 and not set(question) & (OPEN_WORDS | OTHER_WH_WORDS | AUXILIARIES)


def _answers(caller_text: str, persona_text: str, spoken: set[str], research: Sequence[str]) -> str | None:
    """How the caller's line takes up the persona's question(s), or None if it does not.

    A bare demand answers nothing but "who's calling?" or a yes/no question; a question about what the
    call is for needs a reason, research or something new said before any question back ("Is Daniel
    around?" says nothing about it); a why-question needs a reason (a fact, a figure, a benefit) in
    words not already said.
    """
    tokens = words(caller_text)
    demand = demand_only(caller_text, research)
    reason = _says_why(caller_text, research)
    demanded = set(" ".join(find_phrases(tokens, cues.ENTITLEMENT)).split())
    fresh = [word for word in content_words(caller_text) if word not in spoken and word not in demanded]
    asked_back = find_questions(caller_text)
    stated = tokens[: asked_back[0].start] if asked_back else tokens  # what comes before a question back
    told = [word for word in fresh if word in stated]
    shared = _picked_up(caller_text, persona_text, spoken)
    if shared and not demand:
        return f"picks up '{shared[0]}'"
    opening_words = tokens[:15]
    for question, is_open in persona_questions(persona_text):
        asked = set(question)
        if asked & {"who", "whos"} and _names_the_caller(tokens):
            return "says who is calling"
        if not is_open and set(tokens[:3]) & cues.wordset("answer_starts"):
            return "answers the question directly"
        if demand:
            continue
        if find_phrases(question, cues.PURPOSE_QUESTIONS):
            if reason or len(told) >= 2:
                return "says what the call is about"
            continue
        if find_phrases(question, cues.INVITATIONS) or _is_pickup(question):
            greets = set(tokens[:3]) & (cues.wordset("answer_starts") | {"hi", "hello", "hey", "thanks"})
            if reason or fresh or greets or asked_back:
                return "answers the opener"
            continue
        if asked & {"regarding", "about", "purpose", "whats", "what"} and find_phrases(
            opening_words, cues.REASON_PHRASES + ("about", "regarding", "because", "its", "we", "it")
        ):
            return "says what the call is about"
        if asked & {"when", "whens", "day", "time", "suit", "suits"} and any(cues.concrete_when(tokens)):
            return "answers when"
        gives_reason = research_mentions(caller_text, research) or find_phrases(
            tokens, cues.GIVE_STRONG + cues.BENEFIT_WORDS + ("because", "reason", "so that", "since", "means")
        )
        if "why" in asked and fresh and (gives_reason or any(word.isdigit() for word in tokens)):
            return "answers why"
        if set(tokens[:4]) & _ANSWERING_PRONOUNS.get(_asked_about(question), frozenset()):
            return "answers the question directly"
    return None


def _rigidity(transcript: Transcript, earlier_openings: Sequence[str]) -> tuple[ScoreCard, dict[str, object]]:
    card = ScoreCard(
        "rigidity",
        40,
        [
            Criterion("repetition", "repeating the same pitch", 0, 45, 0),
            Criterion("unrelated_answer", "answering a question with something unrelated", 0, 30, 0),
            Criterion("ignored_objection", "ignoring an objection", 0, 36, 0),
            Criterion("canned_rebuttal", "canned rebuttals", 0, 30, 0),
            Criterion("monologue", "long monologues", 0, 30, 0),
            Criterion("no_questions", "never asking a question", 0, 20, 0),
            Criterion("repeated_opening", "the same opening as in earlier calls", 0, 15, 0),
            Criterion("takes_up", "answers that take up what was just said", -20, 0, -20),
            Criterion("questions_back", "questions back", -16, 0, -16),
            Criterion("short_turns", "short turns", -10, 0, -10),
        ],
    )
    caller = transcript.caller_turns()
    opening = _opening(transcript)
    cross: dict[str, object] = {"earlier_openings": len(earlier_openings), "best_similarity": None,
                                "repeated_opening": False}  # fmt: skip
    if not caller or opening is None:
        return card, cross

    said: list[tuple[int, str]] = []
    said_before: set[str] = set()  # every word the caller said in earlier turns
    for number, turn in caller:
        pitch = _pitch_words(turn.text)
        if len(pitch) >= 5:
            best_similarity, best_number = 0.0, 0
            for earlier_number, earlier in said:
                if len(set(pitch) & set(earlier.split())) < REPEAT_MIN_SHARED:
                    continue  # a few names said again ("Sam", "Brightline", "Priya") in a goodbye are no pitch
                similarity = fuzz.token_set_ratio(" ".join(pitch), earlier)
                if similarity > best_similarity:
                    best_similarity, best_number = similarity, earlier_number
            if best_similarity >= REPEAT_STRONG:
                card.add(
                    "repetition",
                    number,
                    quote(turn.text),
                    15,
                    f"repeats the pitch of turn {best_number} ({best_similarity:.0f}% the same words)",
                )
            elif best_similarity >= REPEAT_PARTIAL:
                card.add("repetition", number, quote(turn.text), 7,
                         f"largely repeats turn {best_number} ({best_similarity:.0f}% the same words)")  # fmt: skip
            said.append((number, " ".join(pitch)))

        previous = _previous_persona(transcript, number)
        tokens = words(turn.text)
        spoken = said_before
        said_before = said_before | set(tokens)
        canned = find_phrases(tokens, cues.CANNED_REBUTTALS)
        # "Can you give me his direct line?" is a demand in a question's clothes, not a question back
        asked = [q for q in find_questions(turn.text) if not find_phrases(list(q.words), cues.ENTITLEMENT)]
        if canned:
            card.add("canned_rebuttal", number, quote(turn.text), 10, f"canned rebuttal: '{canned[0]}'")
        if asked:
            kinds = ", ".join("open" if question.open else "closed" for question in asked)
            count = "a question" if len(asked) == 1 else f"{len(asked)} questions"
            card.add("questions_back", number, quote(turn.text), -4 * len(asked), f"asks {count} back ({kinds})")
        if previous is None:
            continue
        persona_number, persona = previous
        asked_by_persona = persona_questions(persona.text)
        objection = cues.is_objection(persona.text)
        if persona_number == 1 and not asked_by_persona:
            continue  # the persona picking up the phone: the opening is scored on its own
        if objection:
            acknowledged = bool(find_phrases(tokens, cues.ACKNOWLEDGEMENTS)) and not canned
            rest = " ".join(word for word in words(persona.text) if word not in " ".join(objection).split())
            engaged = bool(asked) or bool(_picked_up(turn.text, rest, spoken))
            if acknowledged and engaged:
                card.add(
                    "takes_up",
                    number,
                    quote(turn.text),
                    -4,
                    f"acknowledges the objection in turn {persona_number} and engages with it",
                )
            elif acknowledged or engaged:
                card.add(
                    "ignored_objection",
                    number,
                    quote(turn.text),
                    6,
                    f"only half takes up the objection in turn {persona_number} ('{objection[0]}')",
                )
            else:
                card.add("ignored_objection", number, quote(turn.text), 12,
                         f"ignores the objection in turn {persona_number} ('{objection[0]}')")  # fmt: skip
        elif asked_by_persona:
            how = _answers(turn.text, persona.text, spoken, transcript.research)
            if how is None:
                demand = demand_only(turn.text, transcript.research)
                why = f"demands ('{demand}') instead of answering" if demand else "does not answer"
                card.add("unrelated_answer", number, quote(turn.text), 10,
                         f"{why} the question in turn {persona_number}")  # fmt: skip
            else:
                card.add("takes_up", number, quote(turn.text), -4, f"{how} from turn {persona_number}")
        elif picked := _picked_up(turn.text, persona.text, spoken):
            card.add("takes_up", number, quote(turn.text), -4, f"picks up '{picked[0]}' from turn {persona_number}")

    _long_stretches(transcript, card)

    questions = sum(len(find_questions(turn.text)) for _, turn in caller)
    if questions == 0:
        card.add("no_questions", opening[0], quote(opening[1].text), 20, "never asked a question")
    elif questions == 1:
        card.add("no_questions", opening[0], quote(opening[1].text), 8, "asked only one question in the call")

    counts = [len(words(turn.text)) for _, turn in caller]
    mean = sum(counts) / len(counts)
    shortest = min(caller, key=lambda pair: len(words(pair[1].text)))
    if mean <= 20:
        card.add("short_turns", shortest[0], quote(shortest[1].text), -10, f"short turns ({mean:.0f} words on average)")
    elif mean <= 35:
        card.add("short_turns", shortest[0], quote(shortest[1].text), -5,
                 f"fairly short turns ({mean:.0f} words on average)")  # fmt: skip

    if earlier_openings:
        text = normalise(opening[1].text)
        similarity = max(fuzz.ratio(text, normalise(earlier)) for earlier in earlier_openings)
        cross["best_similarity"] = round(similarity, 1)
        if similarity >= OPENING_REPEAT:
            cross["repeated_opening"] = True
            card.add("repeated_opening", opening[0], quote(opening[1].text), 15,
                     f"same opening as an earlier call on this scenario ({similarity:.0f}% alike)")  # fmt: skip
    return card, cross


def _long_stretches(transcript: Transcript, card: ScoreCard) -> None:
    """Add evidence for each caller stretch longer than 30 s, quoting the turn that starts it."""
    stretches = iter(monologues(transcript))
    previous_caller = False
    for number, turn in enumerate(transcript.turns, start=1):
        is_caller = turn.speaker == "caller"
        if is_caller and not previous_caller:
            seconds = next(stretches)
            if seconds > 30:
                card.add("monologue", number, quote(turn.text), min(20.0, (seconds - 30) / 2),
                         f"talks for {seconds:.0f} s without a break")  # fmt: skip
        previous_caller = is_caller


# --- next step -----------------------------------------------------------------------------------

# Outcomes the persona's engine records when the next contact was fixed: agreement, whatever the words.
BOOKED = {"meeting_booked": "the meeting booked", "callback_scheduled": "a callback scheduled"}


def _slot(proposal: str, reply: str) -> tuple[set[str], set[str]]:
    """The days and times agreed: those of the proposal and those the other side said in agreeing."""
    days, times = cues.slot_words(words(proposal))
    reply_days, reply_times = cues.slot_words(words(reply))
    return days | reply_days, times | reply_times


def _credit_confirmation(card: ScoreCard, number: int, text: str, slot: tuple[set[str], set[str]]) -> bool:
    """Credit (once) a caller turn after the agreement that says the agreed day or time back ("Thursday
    at two then"); True if it did. A question that puts a day or time ("would Thursday at two work?")
    is a new proposal, not a confirmation."""
    if any(item.criterion == "confirmed" for item in card.evidence):
        return False
    tokens = words(text)
    days, times = cues.slot_words(tokens)
    same_day, same_time = days & slot[0], times & slot[1]
    if not (same_day or same_time):
        return False
    if any(any(cues.concrete_when(list(question.words))) for question in find_questions(text)):
        return False
    day, time = cues.concrete_when(tokens)
    full = day and time and (same_day or not slot[0]) and (same_time or not slot[1])
    card.add("confirmed", number, quote(text), 20 if full else 10,
             "confirms the day and time back" if full else "confirms part of it back")  # fmt: skip
    return True


def _next_step(transcript: Transcript) -> ScoreCard:
    card = ScoreCard(
        "next_step",
        0,
        [
            Criterion("proposal", "a concrete proposal (day, time, length, format)", 0, 30, 30),
            Criterion("agreement", "agreement from the other side", 0, 20, 20),
            Criterion("confirmed", "confirming it back", 0, 20, 20),
            Criterion("follow_up", "saying who follows up and when", 0, 20, 20),
            Criterion("gatekeeper", "the right person's name, a callback time, who else should join", 0, 20, 20),
            Criterion("passive", "leaving the next move to them", -30, 0, 0),
        ],
    )
    caller = transcript.caller_turns()
    if not caller:
        return card
    last_number, last_turn = caller[-1]

    best: tuple[float, int, str, str] = (0.0, last_number, last_turn.text, "")
    pending: tuple[int, str] | None = None  # the caller's latest proposal, not yet agreed or refused
    agreed_at: int | None = None  # the persona turn that last agreed
    slot: tuple[set[str], set[str]] = (set(), set())  # the days and times agreed so far
    for number, turn in caller:
        tokens = words(turn.text)
        day, time = cues.concrete_when(tokens)
        duration, form = cues.has_duration(tokens), cues.has_format(tokens)
        demands = find_phrases(tokens, cues.ENTITLEMENT)
        passive = find_phrases(tokens, cues.PASSIVE)
        # saying the agreed slot back confirms it: it is not a second proposal
        after_agreement = agreed_at is not None and number > agreed_at
        confirms = after_agreement and _credit_confirmation(card, number, turn.text, slot)
        proposal = cues.is_proposal(turn.text) and not confirms
        vague_offer = (duration or form) and find_phrases(tokens, cues.PROPOSAL_PHRASES)
        points, what = 0.0, ""
        if proposal and day and time:
            points, what = 30.0, "proposes a day and a time"
        elif proposal and (day or time):
            points, what = 20.0, "names a day or a time, not both"
        elif vague_offer and not (confirms or demands or passive):
            points, what = 10.0, "proposes a format or length, without a day or time"
        if points > best[0]:
            best = (points, number, turn.text, what)

        if proposal and (day or time):  # agreement to "a call sometime" fixes nothing
            pending = (number, turn.text)
        reply = transcript.turns[number] if number < len(transcript.turns) else None
        if reply is not None and reply.speaker != "caller" and pending is not None:
            if cues.agrees(reply.text, pending[1], right_after=pending[0] == number):
                if agreed_at is None:
                    card.add("agreement", pending[0], quote(pending[1]), 20,
                             f"the other side agrees in turn {number + 1}")  # fmt: skip
                agreed_at = number + 1
                slot = _slot(pending[1], reply.text)
                pending = None
            elif cues.is_refusal(reply.text):
                pending = None

        if passive and not (day or time):
            card.add("passive", number, quote(turn.text), -15, f"leaves the next move to them ('{passive[0]}')")
        follow = find_phrases(tokens, cues.FOLLOW_UPS)
        if follow and (day or time or find_phrases(tokens, cues.FOLLOW_UP_WHEN)):
            card.add("follow_up", number, quote(turn.text), 20, f"says who follows up and when ('{follow[0]}')")
        elif follow and not passive:
            card.add("follow_up", number, quote(turn.text), 10, f"says who follows up, but not when ('{follow[0]}')")
        name_ask = find_phrases(tokens, cues.NAME_ASKS)
        if name_ask:
            card.add("gatekeeper", number, quote(turn.text), 10, f"asks for the right person ('{name_ask[0]}')")
        callback = find_phrases(tokens, cues.CALLBACK_ASKS)
        if callback and find_questions(turn.text):
            card.add("gatekeeper", number, quote(turn.text), 10, f"asks when to call back ('{callback[0]}')")
            if reply is not None and reply.speaker != "caller" and any(cues.concrete_when(words(reply.text))):
                if agreed_at is None:
                    card.add("agreement", number, quote(turn.text), 20, f"gets a day or time in turn {number + 1}")
                agreed_at = number + 1
                slot = _slot("", reply.text)

    confirmed = [item for item in card.evidence if item.criterion == "confirmed"]
    if best[0] > 0:
        card.add("proposal", best[1], quote(best[2]), best[0], best[3])
    elif confirmed:
        card.add("proposal", confirmed[0].turn, confirmed[0].text, 0,
                 "no proposal of your own: you confirmed the day or time they gave")  # fmt: skip
    else:
        card.add("proposal", last_number, quote(last_turn.text), 0, "no day, time, length or format proposed")
    booked = BOOKED.get(transcript.outcome or "")
    if agreed_at is None and booked and pending is not None:
        card.add("agreement", pending[0], quote(pending[1]), 20, f"the call ended with {booked} after this proposal")
    elif agreed_at is None:
        card.add("agreement", last_number, quote(last_turn.text), 0, "no next contact was agreed")
    return card


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreReport:
    """Scores, evidence, tips and metrics of one call; `to_dict()` is what history stores and --json prints."""

    cards: tuple[ScoreCard, ...]
    tips: dict[str, str]
    metrics: tuple[Metric, ...]
    cross_call: dict[str, Any]

    @property
    def scores(self) -> dict[str, int]:
        return {card.name: card.value for card in self.cards}

    def to_dict(self) -> dict[str, Any]:
        return {
            "scores": self.scores,
            "evidence": {card.name: [item.to_dict() for item in card.evidence] for card in self.cards},
            "tips": dict(self.tips),
            "metrics": {metric.name: metric.to_dict() for metric in self.metrics},
            "cross_call": dict(self.cross_call),
            "criteria": {
                card.name: [
                    {"criterion": rule.key, "label": rule.label, "points": round(card.points(rule.key), 1),
                     "range": [rule.low, rule.high]}
                    for rule in card.criteria if rule.low != rule.high
                ]
                for card in self.cards
            },
        }  # fmt: skip


def score_transcript(transcript: Transcript, earlier_openings: Sequence[str] = ()) -> ScoreReport:
    """Score one call. Pure: the same transcript and earlier openings always give the same report."""
    rigidity, cross = _rigidity(transcript, earlier_openings)
    cards = (rigidity, _value_added(transcript), _next_step(transcript))
    return ScoreReport(cards=cards, tips=choose_tips(cards, transcript), metrics=tuple(compute_metrics(transcript)),
                       cross_call=cross)  # fmt: skip
