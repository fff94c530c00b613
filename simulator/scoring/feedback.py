"""One concrete tip per score, aimed at what cost the most points in this call.

The tip names the turn and the caller's words where it can, so the advice is about this call rather
than a poster on the wall.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from simulator.scoring.evidence import Evidence, ScoreCard
from simulator.scoring.language import find_questions, research_mentions
from simulator.transcript import Transcript


def _short(text: str, limit: int = 12) -> str:
    pieces = text.split()
    return " ".join(pieces[:limit]) + (" …" if len(pieces) > limit else "")


def _the_question(line: str) -> str:
    """The question in a persona's line, in its own words: the last sentence ending in "?", if any."""
    marked = re.findall(r"[^.!?]*\?", line)
    if marked:
        return marked[-1].strip()
    question = find_questions(line)
    return " ".join(question[-1].words) if question else _short(line)


def _unused_fact(transcript: Transcript) -> str | None:
    used = {
        mention.fact
        for _, turn in transcript.caller_turns()
        for mention in research_mentions(turn.text, transcript.research)
        if mention.strength >= 1
    }
    return next((fact for fact in transcript.research if fact not in used), None)


def _worst(card: ScoreCard, key: str) -> Evidence | None:
    """The evidence in `key` that hurt the score most (rigidity: raised it most); for gains, the weakest."""
    items = [item for item in card.evidence if item.criterion == key]
    if not items:
        return None
    if card.name == "rigidity":
        return max(items, key=lambda item: item.points)
    return min(items, key=lambda item: item.points)


def _rigidity_tip(key: str, card: ScoreCard, transcript: Transcript) -> str:
    item = _worst(card, key)
    where = f'turn {item.turn} ("{_short(item.text)}")' if item else "this call"
    if key == "repetition":
        return (
            f"In {where} you said nearly the same thing again. When they push back, answer in new words "
            "or ask what they mean instead of replaying the pitch."
        )
    if key == "unrelated_answer" and item:
        asked = transcript.turns[item.turn - 2].text if item.turn >= 2 else ""
        instead = "made a demand instead" if item.why.startswith("demands") else "answered something else"
        return (
            f'Turn {item.turn - 1} asked "{_the_question(asked)}" and in turn {item.turn} you {instead}. '
            "Answer it in one sentence first, then steer the call."
        )
    if key == "ignored_objection" and item:
        objection = item.why.split("'")[1] if "'" in item.why else "their objection"
        answer = "only half an answer" if item.points < 12 else "no answer"
        return (
            f'In turn {item.turn} the objection "{objection}" got {answer}. Acknowledge it in their words, '
            'then ask one question about it ("What are you using today?") before you go on.'
        )
    if key == "canned_rebuttal":
        return (
            f"The stock line in {where} sounds scripted. Say back what you actually heard, then ask a "
            "question about it."
        )
    if key == "monologue":
        return (
            f"You talked without a break in {where}. Stop after two sentences and hand the call over with a question."
        )
    if key == "no_questions":
        return (
            'Plan two open questions about their situation (start with "what" or "how") and ask the '
            "first within 30 seconds."
        )
    if key == "repeated_opening":
        return "You opened with the same words as in an earlier call; build a new opening on a different fact."
    if key == "takes_up":
        return (
            'Start each answer with what they just said ("You mentioned the new depot…") before adding your own point.'
        )
    if key == "questions_back":
        return 'Answer, then hand the turn back with a question: "How are you handling that today?"'
    return "Keep your turns to two or three sentences so the other person can come in."


def _value_tip(key: str, card: ScoreCard, transcript: Transcript) -> str:
    item = _worst(card, key)
    fact = _unused_fact(transcript)
    if key == "reason":
        late = item is not None and item.points > 0
        start = f"Your reason came only in turn {item.turn}; " if late and item else ""
        example = (
            f'"The reason I\'m calling: I saw that {fact[0].lower() + fact[1:]}…"'
            if fact
            else ('"The reason I\'m calling is…"')
        )
        return f"{start}Say why you are calling in your first sentence, tied to them: {example}"
    if key == "research" and fact:
        return f'Use more of your research: bring in "{fact}" and what it likely means for them.'
    if key == "give" and item is not None and item.points > 0:
        return (
            f"Turn {item.turn} offered something; make it concrete and useful whether or not they buy: a "
            "number from a benchmark, a named introduction, one finding they can act on."
        )
    if key == "give":
        return (
            "Give before you ask: offer one insight or benchmark that helps them whether or not they buy "
            '("We compared twelve firms like yours; happy to share the numbers.").'
        )
    if key == "benefits" and item is not None and item.points > 0:
        return 'Put more of it in their terms: for each point, say what changes for them ("your planners would…").'
    if key == "benefits":
        return 'Say what changes for them, not what your product does: "your team would spend less time on…".'
    if key == "entitlement" and item:
        demand = item.why.split("'")[1] if "'" in item.why else _short(item.text)
        return (
            f'In turn {item.turn}, "{demand}" asks for something you have not earned. Ask for help '
            'instead: "Who would be the right person for this, and when is a good time to reach them?"'
        )
    if key == "features" and item:
        return f"Turn {item.turn} listed features. Pick the one that matters to them and say what it changes for them."
    if key == "self_focus":
        return 'Most of your sentences were about you; rebuild them around "you" and "your".'
    return "Keep leading with their situation and something useful to them."


def _next_step_tip(key: str, card: ScoreCard, transcript: Transcript) -> str:
    item = _worst(card, key)
    if key == "passive" and item:
        move = item.why.split("'")[1] if "'" in item.why else _short(item.text)
        return (
            f'In turn {item.turn}, "{move}" leaves the next move to them, and they rarely take it. '
            'Propose the next contact yourself: "Would Tuesday at 10 for 15 minutes work?"'
        )
    if key == "proposal":
        partial = item is not None and item.points > 0
        if partial and item:
            return (
                f"Turn {item.turn} was close; make it fully concrete with a day, a time and a length: "
                '"Thursday at 2, 20 minutes?"'
            )
        return 'Before you hang up, propose a day, a time and a length: "Would Tuesday at 10 for 15 minutes work?"'
    if key == "agreement":
        return 'Ask for a yes to one specific slot ("Does Thursday at 2 work?") and wait for the answer.'
    if key == "confirmed":
        return 'Once they agree, say it back: "Great, Thursday at 2 for 20 minutes; I\'ll send the invite now."'
    if key == "follow_up":
        return 'Say who does what next and when: "I\'ll send the invite today and call you Thursday at 2."'
    if key == "gatekeeper" and card.points("agreement") > 0:
        return 'You have the time; now ask who else should be there: "Should anyone from planning join us?"'
    if key == "gatekeeper":
        speakers = {turn.speaker for turn in transcript.turns}
        if "gatekeeper" in speakers:
            return (
                'With the assistant, leave with a name or a time: "Who looks after this?" and "When is '
                'the best time to reach her?"'
            )
        return "Ask who else should be in the next conversation, and when they are free."
    return "Keep ending every call with a day and a time already agreed."


def choose_tips(cards: Sequence[ScoreCard], transcript: Transcript) -> dict[str, str]:
    """The tip for each score: the costliest mistake in this call, else the costliest chance missed."""
    writers = {"rigidity": _rigidity_tip, "value_added": _value_tip, "next_step": _next_step_tip}
    tips = {}
    for card in cards:
        lost = [(points, rule) for points, rule in card.shortfalls() if points > 0]
        # a mistake made (entitlement, a passive hand-off, a repeated pitch) comes before a chance missed
        lost.sort(key=lambda pair: (pair[1].best != 0 or card.points(pair[1].key) == 0, -pair[0]))
        if not lost:
            tips[card.name] = "Strong on every point here; keep doing exactly this on the next call."
            continue
        tips[card.name] = writers[card.name](lost[0][1].key, card, transcript)
    return tips
