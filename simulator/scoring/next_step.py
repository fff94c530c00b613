"""Next-step positioning (higher is better): the next contact fixed while they are on the line."""

from __future__ import annotations

from simulator.scoring import cues
from simulator.scoring.language import find_phrases
from simulator.scoring.reading import CallReading, TurnReading, read_slot
from simulator.scoring.rules import Rule, ScoreCard

BASE = 0.0
RULES = (
    Rule(
        "proposal",
        "a concrete proposal put to them: a day and a time (one of them, or only a length or format, is partial)",
        30,
        (20, 10),
        30,
        30,
    ),
    Rule(
        "agreement",
        "their yes to a proposal that names a day or time, or a day or time they give when asked",
        20,
        (),
        20,
        20,
    ),
    Rule("confirmed", "the agreed day and time said back once agreed (one of them is partial)", 20, (10,), 20, 20),
    Rule(
        "follow_up",
        "who follows up and when ('I'll send the invite today'); who without when is partial",
        20,
        (10,),
        20,
        20,
    ),
    Rule("gatekeeper", "asking for the right person or who else should join, and when to call back", 10, (), 20, 20),
    Rule("passive", "the next move left to them ('reach out if you're interested', 'feel free to call')", -15, (), -30),
)

# Outcomes the persona's engine records when the next contact was fixed: agreement, whatever the words.
BOOKED = {"meeting_booked": "the meeting booked", "callback_scheduled": "a callback scheduled"}


def _said(reading: TurnReading) -> str:
    return " ".join(reading.tokens)


def _credit_confirmation(card: ScoreCard, reading: TurnReading, slot: tuple[set[str], set[str]]) -> bool:
    """Credit (once) a caller turn after the agreement that says the agreed day or time back; a question
    that puts a new day or time is a new proposal, not a confirmation."""
    if card.earned("confirmed"):
        return False
    days, times = set(reading.slot.days), set(reading.slot.times)
    same_day, same_time = days & slot[0], times & slot[1]
    if not (same_day or same_time):
        return False
    if any(read_slot(list(question.words)).names_when for question in reading.questions):
        return False
    full = reading.slot.day and reading.slot.time and (same_day or not slot[0]) and (same_time or not slot[1])
    card.award(
        "confirmed",
        reading.at(),
        "confirms the day and time back" if full else "confirms part of it back",
        0 if full else 1,
    )
    return True


def score(call: CallReading) -> ScoreCard:
    card = ScoreCard("next_step", BASE, RULES)
    caller = call.caller
    if not caller:
        return card
    last = caller[-1]

    best: tuple[int, TurnReading, str] = (-1, last, "")  # (partial level, reading, why); -1: none
    pending: TurnReading | None = None  # the caller's latest proposal, not yet agreed or refused
    replies = 0  # persona lines since it
    agreed_at: int | None = None
    slot: tuple[set[str], set[str]] = (set(), set())
    for reading in caller:
        s = reading.slot
        passive = reading.found("passive")
        offered = _accepts_offer(call, reading)
        if offered is not None and agreed_at is None:
            card.award("agreement", reading.at(), f"accepts the day and time offered in turn {offered.number}")
            agreed_at = offered.number
            slot = cues.slot_words(list(offered.tokens))
        after_agreement = agreed_at is not None and reading.number > agreed_at
        confirms = after_agreement and _credit_confirmation(card, reading, slot)
        proposal = reading.proposal and not confirms
        vague_offer = (s.duration or s.form) and reading.found("proposal_phrases") and not s.in_instruction
        level, what = -1, ""
        if proposal and s.day and s.time:
            level, what = 0, "proposes a day and a time"
        elif proposal and s.names_when:
            level, what = 1, "names a day or a time, not both"
        elif vague_offer and not (confirms or reading.demands or passive):
            level, what = 2, "proposes a format or length, without a day or time"
        if level >= 0 and (best[0] < 0 or level < best[0]):
            best = (level, reading, what)

        if proposal and s.names_when:
            pending, replies = reading, 0
        elif pending is not None and replies >= 2:
            pending = None  # a yes three lines later is a yes to something else
        reply = call.after(reading)
        replies += 1
        if reply is not None and pending is not None:
            if cues.agrees(_said(reply), _said(pending), right_after=pending is reading):
                if agreed_at is None:
                    card.award("agreement", pending.at(), f"the other side agrees in turn {reply.number}")
                agreed_at = reply.number
                slot = _agreed_slot(pending, reply)
                pending = None
            elif cues.is_refusal(_said(reply)) or reply.found("refusals") or reply.found("unavailable"):
                card.note("agreement", pending.at(), f"the other side turns the proposal down in turn {reply.number}")
                pending = None

        follow = reading.found("follow_ups")
        commits = follow and (s.names_when or reading.found("follow_up_when"))
        if passive and not (proposal or commits):
            card.award(
                "passive", reading.at(reading.where(passive[0])), f"leaves the next move to them ('{passive[0]}')"
            )
        if commits:
            card.award(
                "follow_up", reading.at(reading.where(follow[0])), f"says who follows up and when ('{follow[0]}')"
            )
        elif follow and not passive:
            card.award(
                "follow_up",
                reading.at(reading.where(follow[0])),
                f"says who follows up, but not when ('{follow[0]}')",
                1,
            )
        name_ask = reading.found("name_asks")
        if name_ask:
            card.award(
                "gatekeeper", reading.at(reading.where(name_ask[0])), f"asks for the right person ('{name_ask[0]}')"
            )
        callback = reading.found("callback_asks")
        if callback and reading.questions:
            card.award(
                "gatekeeper", reading.at(reading.where(callback[0])), f"asks when to call back ('{callback[0]}')"
            )
            if reply is not None and read_slot(list(reply.tokens), generic_days=True).names_when:
                if agreed_at is None:
                    card.award("agreement", reading.at(), f"gets a day or time in turn {reply.number}")
                agreed_at = reply.number
                days, times = cues.slot_words(list(reply.tokens))
                slot = (days, times)

    confirmed = [item for item in card.evidence if item.criterion == "confirmed" and item.points]
    if best[0] >= 0:
        card.award("proposal", best[1].at(), best[2], best[0])
    elif confirmed:
        card.note(
            "proposal",
            (confirmed[0].turn, confirmed[0].text),
            "no proposal of your own: you confirmed the day or time they gave",
        )
    else:
        card.note("proposal", last.at(), "no day, time, length or format proposed")
    booked = BOOKED.get(call.transcript.outcome or "")
    if agreed_at is None and booked and pending is not None:
        card.award("agreement", pending.at(), f"the call ended with {booked} after this proposal")
    elif agreed_at is None and not card.earned("agreement"):
        card.note("agreement", last.at(), "no next contact was agreed")
    return card


def _accepts_offer(call: CallReading, reading: TurnReading) -> TurnReading | None:
    """The persona line whose day or time the caller says yes to ("I can put you in at two thirty." "Oh,
    that'd be lovely."), if this caller turn does."""
    offer = call.before(reading)
    if offer is None or not read_slot(list(offer.tokens)).names_when:
        return None
    if offer.found("unavailable") or offer.found("refusals") or offer.found("objections"):
        return None
    if any(question for question, _ in offer.persona_asks if {"when", "what"} & set(question)):
        return None  # "When would suit you?" asks for a slot; it offers none
    opening = list(reading.tokens[:5])
    if find_phrases(opening, cues.book().acceptances) and not cues.is_refusal(" ".join(reading.tokens)):
        return offer
    return None


def _agreed_slot(proposal: TurnReading, reply: TurnReading) -> tuple[set[str], set[str]]:
    """The days and times agreed: the proposal's and those the other side said in agreeing."""
    days, times = set(proposal.slot.days), set(proposal.slot.times)
    reply_days, reply_times = cues.slot_words(list(reply.tokens))
    return days | reply_days, times | reply_times
