"""Value added (higher is better): a real reason, research about them, something useful, their terms."""

from __future__ import annotations

from simulator.scoring.reading import CallReading
from simulator.scoring.rules import Rule, ScoreCard

BASE = 0.0
RULES = (
    Rule("reason", "an early, clear reason for the call (in the first two turns; later is partial)", 25, (12,), 25, 25),
    Rule("research", "research about this prospect: the first fact, then the second, then more", 20, (10, 5), 30, 30),
    Rule(
        "give",
        "an insight, benchmark or introduction useful whether or not they buy; a vague offer is partial",
        15,
        (8,),
        25,
        25,
    ),
    Rule(
        "benefits",
        "a benefit in their terms (a line about them, never a name); mostly 'you' is partial",
        8,
        (4, 2),
        20,
        20,
    ),
    Rule("entitlement", "entitlement: demanding time, a transfer, a direct line", -15, (), -45),
    Rule("features", "a feature dump: three feature words in a turn (five is the full amount)", -12, (-6,), -24),
    Rule("self_focus", "talking only about yourself (75% of pronouns I/we; 65% is partial)", -10, (-5,), -10),
)
NO_RESEARCH_SCALE = 100 / 70  # without research facts, the other gains carry its weight


def score(call: CallReading) -> ScoreCard:
    has_research = bool(call.transcript.research)
    rules = RULES if has_research else tuple(rule for rule in RULES if rule.key != "research")
    card = ScoreCard("value_added", BASE, rules)
    caller = call.caller
    if not caller:
        return card
    opening = caller[0].at()
    scale = 1.0 if has_research else NO_RESEARCH_SCALE
    gains = {"reason", "give", "benefits"}

    def award(key: str, where: tuple[int, str], why: str, level: int = 0) -> None:
        rule = card.rule(key)
        points = rule.points if level == 0 else rule.partial[level - 1]
        card.add(key, where[0], where[1], points * (scale if key in gains else 1.0), why)

    reason = _reason(call)
    if reason is None:
        card.note("reason", opening, "no reason for the call was ever stated")
    else:
        index, word = reason
        early = index < 2
        why = "states the reason for the call early" if early else "states a reason, but only late in the call"
        award("reason", caller[index].at(word), why, 0 if early else 1)

    if has_research:
        _research(call, card)

    gave = False
    for reading in caller:
        strong, soft = reading.found("give_strong", plain=True), reading.found("give_soft", plain=True)
        if strong:
            award("give", reading.at(reading.where(strong[0])), f"gives before asking ('{strong[0]}')")
            gave = True
        elif soft:
            award("give", reading.at(reading.where(soft[0])), f"offers something, vaguely ('{soft[0]}')", 1)
            gave = True
    if not gave:
        card.note("give", opening, "offered no insight, benchmark or introduction")

    self_count = other_count = 0
    most_you = (0, caller[0])
    most_self = (0, caller[0])
    benefits = 0
    for reading in caller:
        mine = sum(1 for word in reading.tokens if word in _set("self_words"))
        # the "you" of a demand ("can you give me your direct line") is about what the caller wants
        yours = 0 if reading.demands else sum(1 for word in reading.tokens if word in _set("other_words"))
        self_count += mine
        other_count += yours
        if yours > most_you[0]:
            most_you = (yours, reading)
        if mine > most_self[0]:
            most_self = (mine, reading)
        benefit = reading.found("benefit_words", plain=True)
        if benefit and yours and benefits < 2:
            award("benefits", reading.at(reading.where(benefit[0])), f"puts a benefit in their terms ('{benefit[0]}')")
            benefits += 1
    share = other_count / (self_count + other_count) if self_count + other_count else 0.0
    if share >= 0.45:
        award("benefits", most_you[1].at(), f"talks about them ({share:.0%} 'you')", 1)
    elif share >= 0.3:
        award("benefits", most_you[1].at(), f"talks about them some of the time ({share:.0%} 'you')", 2)
    elif not benefits:
        card.note("benefits", opening, "no benefit put in the prospect's terms")

    for reading in caller:
        if reading.demands:
            card.award(
                "entitlement", reading.at(reading.where(reading.demands[0])), f"entitlement: '{reading.demands[0]}'"
            )
        features = sorted(set(reading.found("feature_words", plain=True)))
        if len(features) >= 3:
            card.award(
                "features", reading.at(), f"feature dump ({', '.join(features[:5])})", 0 if len(features) >= 5 else 1
            )
    self_share = self_count / (self_count + other_count) if self_count + other_count else 0.0
    if self_count >= 8 and self_share >= 0.75:
        why = f"about you, not them: {self_share:.0%} of your I/we/you words were I or we"
        card.award("self_focus", most_self[1].at(), why)
    elif self_count >= 8 and self_share >= 0.65:
        why = f"mostly about you: {self_share:.0%} of your I/we/you words were I or we"
        card.award("self_focus", most_self[1].at(), why, 1)
    card.scale = 1.0
    if not has_research:
        card.rules = tuple(_scaled(rule) for rule in rules)
    return card


def _scaled(rule: Rule) -> Rule:
    if rule.key not in {"reason", "give", "benefits"}:
        return rule
    return Rule(
        rule.key,
        rule.looks_for,
        rule.points * NO_RESEARCH_SCALE,
        tuple(p * NO_RESEARCH_SCALE for p in rule.partial),
        rule.cap * NO_RESEARCH_SCALE,
        rule.best * NO_RESEARCH_SCALE,
    )


def _set(name: str) -> frozenset[str]:
    from simulator.scoring.cues import wordset

    return wordset(name)


def _reason(call: CallReading) -> tuple[int, int] | None:
    """(index among caller stretches, word) where the caller first says why they call: a reason phrase or
    research they stand behind."""
    for index, reading in enumerate(call.caller):
        hits = reading.found("reason_phrases") + reading.found("give_strong", plain=True)  # a finding is a reason
        if hits:
            return index, min(reading.where(hit) for hit in hits)
        if any(mention.strength >= 1 for mention in reading.research):
            return index, 0
    return None


def _research(call: CallReading, card: ScoreCard) -> None:
    best: dict[str, tuple[float, int, str, tuple[str, ...]]] = {}
    wrong: list[tuple[int, str, str, str]] = []
    for reading in call.caller:
        number, text = reading.at()
        for mention in reading.research:
            if mention.fact not in best or mention.strength > best[mention.fact][0]:
                best[mention.fact] = (mention.strength, number, text, mention.matched)
        for fact, why in reading.disowned:
            wrong.append((number, text, fact, why))
    rule = card.rule("research")
    weights = (rule.points, *rule.partial)
    ranked = sorted(best.items(), key=lambda item: -item[1][0])
    for rank, (fact, (strength, number, text, matched)) in enumerate(ranked):
        weight = weights[min(rank, len(weights) - 1)]
        how = "refers to" if strength >= 1 else "touches on"
        card.add("research", number, text, weight * strength, f"{how} the research '{fact}' ({', '.join(matched)})")
    for number, text, fact, why in wrong:
        if fact not in best:
            card.note("research", (number, text), f"not research: mentions '{fact}' but {why}")
    if not best and not wrong:
        facts = call.transcript.research
        unused = (
            f"the research fact '{facts[0]}' was not used"
            if len(facts) == 1
            else f"none of the {len(facts)} research facts was used, e.g. '{facts[0]}'"
        )
        card.note("research", call.caller[0].at(), unused)
