"""One tip per score, written from this call: the biggest miss the caller can act on, in their words.

Every tip quotes the caller's or the persona's own words, and its example line is built from this call's
research, the persona's words and what was said, never a fixed line from another industry. A tip never
asks for what the caller already did: a confirmation only after a yes, "who else should join" only once
a meeting exists, and a proposal that was turned down gets a fallback rather than "ask for a slot".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from simulator.scoring.evidence import Evidence
from simulator.scoring.language import STOPWORDS
from simulator.scoring.reading import CallReading, TurnReading
from simulator.scoring.rules import ScoreCard

Writer = Callable[[str, ScoreCard, CallReading], str | None]


def _short(text: str, limit: int = 12) -> str:
    pieces = text.replace('"', "'").split()
    return " ".join(pieces[:limit]).rstrip(".,;:") + (" …" if len(pieces) > limit else "")


def _one_sentence(text: str, limit: int = 14) -> str:
    """A quote that cannot be split into sentences that read the same on another call."""
    return _short(re.sub(r"(?<=[.!?])\s+", " ", text).replace("?", "").replace("!", ""), limit).rstrip(".")


def _turn(call: CallReading, number: int) -> TurnReading | None:
    return next((reading for reading in call.readings if number in reading.numbers), None)


def _persona_before(call: CallReading, number: int) -> TurnReading | None:
    reading = _turn(call, number)
    return call.before(reading) if reading is not None and reading.speaker == "caller" else None


def _persona_name(call: CallReading) -> str:
    """The persona's first name, when the caller greeted them by it and they said it too; else ''."""
    if not call.caller:
        return ""
    tokens = call.caller[0].tokens
    persona_words = {word for reading in call.readings if reading.speaker != "caller" for word in reading.tokens}
    for word in tokens[:3]:
        if word not in STOPWORDS and word not in {"hey", "hiya", "morning", "afternoon"} and word in persona_words:
            return word.capitalize()
    return ""


def _fact(call: CallReading, used: bool | None = None) -> str | None:
    """A research fact: the first one the caller did not use (used=False), did use (True), or any."""
    said = {mention.fact for reading in call.caller for mention in reading.research if mention.strength >= 1}
    for fact in call.transcript.research:
        if used is None or (fact in said) == used:
            return fact
    return None


def _fact_clause(fact: str) -> str:
    return _one_sentence(fact[0].lower() + fact[1:] if fact[:2].isupper() is False else fact, 16)


def _names(texts: Sequence[str]) -> set[str]:
    """Words written with a capital inside a sentence: names, not topics."""
    found = set()
    for text in texts:
        for before, word in zip(text.split(), text.split()[1:], strict=False):
            if word[:1].isupper() and not before.endswith((".", "!", "?")):
                found.add(re.sub(r"[^a-z]", "", word.lower()))
    return found


def _phrase(text: str, skip: set[str]) -> str:
    """The two adjacent topic words of a text with the most letters ("booking system", "transfer vessels"):
    no names, numbers or function words."""
    numbers = cues_words("number_words")
    pieces = [re.sub(r"[^a-z]", "", piece.lower()) for piece in text.split()]
    usable = [
        piece
        if piece
        and len(piece) > 3
        and piece not in STOPWORDS | skip | numbers
        and not raw[:1].isupper()
        and not piece.endswith("ed")
        else ""
        for piece, raw in zip(pieces, text.split(), strict=True)
    ]
    pairs = [(len(a) + len(b), f"{a} {b}") for a, b in zip(usable, usable[1:], strict=False) if a and b]
    if pairs:
        return max(pairs)[1]
    singles = [word for word in usable if word]
    return max(singles, key=len) if singles else ""


def _topic(call: CallReading) -> str:
    """What this call is about, in its own words: a phrase of a research fact, else of the caller's lines."""
    skip = set(call.company) | set(cues_not_topic())
    found = [_phrase(fact, skip) for fact in call.transcript.research]
    for phrase in sorted(found, key=lambda phrase: " " not in phrase):
        if phrase:
            return phrase
    texts = [turn.text for turn in call.transcript.turns if turn.speaker == "caller"]
    skip |= _names([turn.text for turn in call.transcript.turns])
    for text in texts:
        if spoken := _phrase(text, skip):
            return spoken
    return "this"


def cues_words(name: str) -> frozenset[str]:
    from simulator.scoring.cues import wordset

    return wordset(name)


def cues_not_topic() -> frozenset[str]:
    from simulator.scoring.cues import wordset

    return wordset("not_topic_words")


def _persona_words(reading: TurnReading | None) -> str:
    return _one_sentence(reading.text, 12) if reading is not None else ""


def _items(card: ScoreCard, key: str) -> list[Evidence]:
    return [item for item in card.evidence if item.criterion == key]


def _worst(card: ScoreCard, key: str) -> Evidence | None:
    items = [item for item in _items(card, key) if item.points] or _items(card, key)
    if not items:
        return None
    if card.name == "rigidity":
        return max(items, key=lambda item: item.points)
    return min(items, key=lambda item: item.points)


def _quoted_why(item: Evidence) -> str:
    return item.why.split("'")[1] if "'" in item.why else _short(item.text, 8)


# --- rigidity -----------------------------------------------------------------------------------------


def _rigidity_tip(key: str, card: ScoreCard, call: CallReading) -> str | None:
    item = _worst(card, key)
    name = _persona_name(call) or "them"
    if item is None:
        return None
    persona = _persona_before(call, item.turn)
    heard = _persona_words(persona)
    mine = _one_sentence(item.text, 10)
    if key in ("repetition", "canned_rebuttal"):
        what = "said nearly the same thing again" if key == "repetition" else "used a stock line"
        after = f' after {name} said "{heard}"' if heard else ""
        return (
            f'In turn {item.turn} you {what} ("{mine}"){after}; answer what was said, in new words: '
            f'"So {_reflect(heard) or _topic(call)}, what would have to change for that to matter?"'
        )
    if key == "same_ask":
        return (
            f'In turn {item.turn} you asked again for the slot {name} had passed over ("{mine}"); offer a '
            f"different day, a shorter call or a question about {_topic(call)} instead of the same ask."
        )
    if key == "unrelated_answer":
        asked = _the_question(persona)
        instead = "made a demand instead" if item.why.startswith("demands") else f'said "{mine}"'
        fact = _fact(call, used=False) or _fact(call)
        when = persona is not None and bool({"when", "day", "time"} & set(persona.tokens))
        if when:
            example = f'"{(_slot_words(call) or "a day and a time of your own").capitalize()} would suit me"'
        elif fact:
            example = f'"I\'m calling because {_fact_clause(fact)}"'
        else:
            example = f'"It\'s about {_topic(call)}, because …"'
        return (
            f'Turn {item.turn - 1} asked "{asked}" and in turn {item.turn} you {instead}; answer it in one '
            f"sentence first, e.g. {example}, then steer the call."
        )
    if key == "ignored_objection":
        objection = _quoted_why(item)
        answer = "only half an answer" if item.points < card.rule(key).points else "no answer"
        whose = f"{_persona_name(call)}'s " if _persona_name(call) else "the "
        return (
            f'In turn {item.turn}, {whose}"{objection}" got {answer} ("{mine}"); say it back and ask about '
            f'it: "{objection.capitalize()}, fair enough; what would make {_topic(call)} worth a look?"'
        )
    if key == "monologue":
        return (
            f'Turn {item.turn} ran on without a break ("{mine}"); stop after two sentences and ask {name} '
            f"one question about {_topic(call)}."
        )
    if key == "no_questions":
        return (
            f'You asked {name} no questions back ("{mine}"); ask one about {_topic(call)} in your first '
            f'30 seconds: "How is {_topic(call)} going for you so far?"'
        )
    if key == "repeated_opening":
        fact = _fact(call, used=False) or _topic(call)
        return f'You opened with "{mine}" as in an earlier call; build a new opening on "{_one_sentence(fact)}".'
    said = _phrase(persona.text, set(call.company) | set(cues_not_topic())) if persona is not None else ""
    said = said if " " in said else ""
    if key == "takes_up" and heard and said:
        return (
            f'Start each answer with what they just said: after "{heard}" (turn {item.turn - 1}), begin '
            f'with "You mentioned {said}…" before adding your own point.'
        )
    if key == "questions_back" and heard and said:
        return (
            f'After "{heard}" (turn {item.turn - 1}), hand the turn back with a question about it: "How are '
            f'you handling {said} today?"'
        )
    if key == "short_turns":
        return f'Turn {item.turn} ran long ("{mine}"); keep to two or three sentences so {name} can come in.'
    return None


def _reflect(line: str, limit: int = 8) -> str:
    """The persona's words turned back to them: "we're mid-contract" → "you're mid-contract"."""
    swaps = {
        "we": "you",
        "were": "youre",
        "we're": "you're",
        "our": "your",
        "i": "you",
        "i'm": "you're",
        "im": "youre",
        "my": "your",
        "us": "you",
        "me": "you",
        "i've": "you've",
        "we've": "you've",
    }
    out = [swaps.get(word.lower(), word) for word in line.replace("…", "").split()[:limit]]
    return " ".join(out).rstrip(".,;:")


def _the_question(persona: TurnReading | None) -> str:
    if persona is None:
        return "what the call is about"
    marked = re.findall(r"[^.!?]*\?", persona.text)
    if marked:
        return marked[-1].strip()
    if persona.persona_asks:
        return " ".join(persona.persona_asks[-1][0])
    return _one_sentence(persona.text)


# --- value added ----------------------------------------------------------------------------------------


def _value_tip(key: str, card: ScoreCard, call: CallReading) -> str | None:
    item = _worst(card, key)
    name = _persona_name(call) or "them"
    fact = _fact(call, used=False)
    mine = _one_sentence(item.text, 10) if item else ""
    if key == "reason":
        start = f'Your reason came only in turn {item.turn} ("{mine}"); ' if item and item.points else ""
        example = (
            f'"The reason I\'m calling: I saw that {_fact_clause(fact)}"'
            if fact
            else f'"I\'m calling about {_topic(call)}, because …"'
        )
        return f"{start}Say why you are calling in your first sentence, tied to {name}: {example}."
    if key == "research":
        wrong = next((entry for entry in _items(card, "research") if entry.why.startswith("not research")), None)
        if wrong is not None:
            fact_named = wrong.why.split("'")[1]
            return (
                f'In turn {wrong.turn} ("{_one_sentence(wrong.text, 10)}") the research was disowned or got '
                f'wrong; read it before you dial and use it as it is: "{_one_sentence(fact_named)}".'
            )
        if fact:
            return f'Use more of your research: bring in "{_one_sentence(fact)}" and what it likely means for {name}.'
        return None
    if key == "give":
        basis = _fact(call) or _topic(call)
        if item is not None and item.points > 0:
            return (
                f'Turn {item.turn} offered something ("{mine}"); make it concrete: one number or finding '
                f'about "{_one_sentence(basis, 10)}" that {name} can use whether or not they buy.'
            )
        return (
            f'Give before you ask: offer one finding tied to "{_one_sentence(basis, 10)}" that helps {name} '
            "whether or not they buy."
        )
    if key == "benefits":
        where = f'in turn {item.turn} ("{mine}")' if item else "in your pitch"
        return f"Say what changes for {name} {where}: what {_topic(call)} would mean for them, with 'you' and 'your'."
    if key == "entitlement" and item:
        return (
            f'In turn {item.turn}, "{_quoted_why(item)}" asks for something you have not earned; ask {name} for '
            f'help instead: "Who looks after {_topic(call)}, and when is a good time to reach them?"'
        )
    if key == "features" and item:
        return (
            f"Turn {item.turn} listed features ({item.why.split('(')[-1].rstrip(')')}); pick the one that "
            f"matters for {_topic(call)} and say what it changes for {name}."
        )
    if key == "self_focus" and item:
        return f'Most of your sentences were about you (turn {item.turn}: "{mine}"); rebuild them around "you".'
    return None


# --- next step ---------------------------------------------------------------------------------------------


def _slot_phrase(tokens: Sequence[str]) -> str:
    """The first day and time a line names, in its own words and order ("thursday at two")."""
    days = cues_words("days")
    day = next((word for word in tokens if word in days), "")
    time = ""
    for index, word in enumerate(tokens):
        if word == "at" and index + 1 < len(tokens):
            time = " ".join(
                tokens[index + 1 : index + 3]
                if tokens[index + 2 : index + 3] in (["thirty"], ["fifteen"])
                else tokens[index + 1 : index + 2]
            )
            break
    return " at ".join(part for part in (day, time) if part)


def _slot_words(call: CallReading) -> str:
    """The slot agreed (as the other side said it), else the caller's own proposal, to build examples from."""
    for reading in call.readings:
        if reading.speaker != "caller" and reading.slot.day and reading.slot.time and call.before(reading):
            before = call.before(reading)
            if before is not None and before.proposal:
                return _slot_phrase(reading.tokens)
    for reading in call.caller:
        if reading.proposal and reading.slot.day and reading.slot.time:
            return _slot_phrase(reading.tokens)
    return ""


def _next_step_tip(key: str, card: ScoreCard, call: CallReading) -> str | None:
    item = _worst(card, key)
    name = _persona_name(call) or "them"
    who = _persona_name(call) or "they"
    topic = _topic(call)
    mine = _one_sentence(item.text, 10) if item else ""
    refused = next((entry for entry in _items(card, "agreement") if "turns the proposal down" in entry.why), None)
    if key == "passive" and item:
        return (
            f'In turn {item.turn}, "{_quoted_why(item)}" leaves the next move to {name}, and they rarely take '
            f'it; propose the next contact yourself: "Could we take fifteen minutes on {topic} — which day '
            'this week suits you?"'
        )
    if key == "proposal":
        if item is not None and item.points > 0:
            return (
                f'Turn {item.turn} was close ("{mine}"); make it fully concrete with a day, a time and a '
                f"length for the talk about {topic}."
            )
        return (
            f'Before you hang up, propose a day, a time and a length to {name}: "Could we take fifteen '
            f'minutes on {topic} on a day this week that suits you, morning or afternoon?"'
        )
    if key == "agreement":
        if refused is not None:
            proposed = _turn(call, refused.turn)
            reply = call.after(proposed) if proposed is not None else None
            said = f' ("{_persona_words(reply)}")' if reply is not None else ""
            return (
                f'Turn {refused.turn} proposed "{_one_sentence(refused.text, 10)}" and {who} turned it down'
                f'{said}; have a fallback ready: a second slot, a shorter call, or "Who else should I speak to '
                f'about {topic}?"'
            )
        if item is not None and not any(entry.points for entry in _items(card, "proposal")):
            return None  # nothing was proposed: the proposal tip is the one to act on
        slot = _slot_words(call) or "that time"
        return (
            f'Turn {item.turn if item else 1} proposed a next step ("{mine}") but got no clear yes; ask '
            f'"Does {slot} work for you?" and wait for {name} to answer.'
        )
    if key == "confirmed":
        if not card.earned("agreement"):
            return None
        agreed = next(entry for entry in _items(card, "agreement") if entry.points)
        slot = _slot_words(call) or "the time we just agreed"
        return (
            f'Once {who} said yes to "{_one_sentence(agreed.text, 10)}", say it back before you hang up: '
            f'"{slot.capitalize()} then, and I\'ll send the invite today."'
        )
    if key == "follow_up":
        slot = _slot_words(call) or f"our talk about {topic}"
        return f'Say who does what next and when: "I\'ll send you the invite for {slot} this afternoon."'
    if key == "gatekeeper":
        if card.earned("agreement") and _slot_words(call):
            return (
                f"You have {_slot_words(call)} agreed; ask {name} who else should be there: "
                f'"Should anyone else who works on {topic} join us?"'
            )
        if any(reading.speaker == "gatekeeper" for reading in call.readings):
            return (
                f'With {name}, leave with a name or a time: "Who looks after {topic}, and when is the best '
                'time to reach them?"'
            )
        return f"Ask {name} who else decides on {topic}, and when they are free."
    return None


# --- choosing ------------------------------------------------------------------------------------------------

_WRITERS: dict[str, Writer] = {"rigidity": _rigidity_tip, "value_added": _value_tip, "next_step": _next_step_tip}


def _strong(card: ScoreCard) -> str:
    best = max(card.evidence, key=lambda item: -item.points if card.name == "rigidity" else item.points, default=None)
    if best is None:
        return "Nothing to score here yet."
    return f'Strong on every point here; keep doing what you did in turn {best.turn}: "{_one_sentence(best.text, 10)}".'


def choose_tips(cards: Sequence[ScoreCard], call: CallReading) -> dict[str, str]:
    """The tip for each score: the costliest mistake made, else the costliest chance missed, as long as the
    caller can act on it (a writer returns None for a row that cannot be met yet)."""
    tips = {}
    for card in cards:
        lost = [(points, rule) for points, rule in card.shortfalls() if points > 0]
        # a mistake made (entitlement, a passive hand-off, a repeated pitch) comes before a chance missed
        lost.sort(key=lambda pair: (pair[1].best != 0 or card.points(pair[1].key) == 0, -pair[0]))
        tip = None
        for _, rule in lost:
            tip = _WRITERS[card.name](rule.key, card, call)
            if tip:
                break
        tips[card.name] = tip or _strong(card)
    return tips
