"""One reading of a caller turn, made once and shared: the persona answers it, the report shows it.

`Reader.read(text)` gives a `Reading`: the intents (rules and meaning), the research facts mentioned, the
days and times (proposed, ruled out, in the past), whether the caller said who they are (by the name or
company of this call's caller, in any phrasing), and which persona they addressed by name. A few named
rules then settle what one trigger word must not outweigh; each is a row of `SETTLING_RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from simulator.language.intents import IntentLibrary
from simulator.language.mentions import Identity, ResearchMention, mentions_name, research_mentions
from simulator.language.text import Words
from simulator.language.when import Timing, read_timing
from simulator.scenario.model import Role, Scenario
from simulator.transcript import Heard

# Intents the reading adds itself when the turn shows them, whatever the phrasing.
INTRODUCE = "introduce_self"
MENTION_RESEARCH = "mention_research"
PROPOSE_TIME = "propose_time"

ANSWER = "answer_question"
# A turn that says something of its own after the persona's question answers it; these say nothing of it.
NOT_AN_ANSWER = frozenset({ANSWER, "ask_question", "ask_name", "rude", "entitled_demand", "goodbye", "greet"})
ANSWER_MIN_WORDS = 3
SMALL_TALK = frozenset({"accept", "thank", "greet", "goodbye"})
PLAIN_ANSWER_WORDS = 6  # a sentence that matches no intent but says this much still answers

# How each intent reads in a report line ("heard: introduces self, reason, ...").
PLAIN_NAMES = {
    "greet": "greets",
    "introduce_self": "introduces self",
    "ask_for_person": "asks for the person",
    "state_reason": "reason",
    "mention_research": "research",
    "offer_value": "offers value",
    "ask_question": "asks a question",
    "ask_name": "asks their name",
    "ask_right_person": "checks the right person",
    "answer_question": "answers",
    "propose_time": "proposes a time",
    "accept": "agrees",
    "decline": "declines",
    "handle_objection": "handles the objection",
    "entitled_demand": "demands",
    "pitch_features": "pitches features",
    "send_info": "offers to send info",
    "goodbye": "says goodbye",
    "thank": "thanks",
    "ask_for_help": "asks for help",
    "rude": "is rude",
}


@dataclass(frozen=True)
class Reading:
    """What was heard in one caller turn. Stored with the turn, so history keeps what the persona understood."""

    text: str
    words: int
    intents: tuple[str, ...]
    research: tuple[ResearchMention, ...] = ()
    timing: Timing = field(default_factory=Timing)
    identity: tuple[str, ...] = ()  # parts of the caller's own name and company heard
    addressed: tuple[Role, ...] = ()  # personas named in the turn
    settled: tuple[str, ...] = ()  # names of the settling rules that changed the intents

    @property
    def silent(self) -> bool:
        return self.words == 0

    @property
    def research_ids(self) -> frozenset[str]:
        """Research facts the caller really referred to (negated mentions do not count)."""
        return frozenset(m.fact for m in self.research if not m.negated)

    @property
    def proposes_time(self) -> bool:
        return self.timing.proposes

    def has(self, *names: str) -> bool:
        return any(name in self.intents for name in names)

    def summary(self) -> str:
        """ "introduces self, reason, research: leeds-hub, proposes Thu 10:00" (empty for nothing heard)."""
        parts: list[str] = []
        for name in self.intents:
            if name in (MENTION_RESEARCH, PROPOSE_TIME):
                continue
            parts.append(PLAIN_NAMES.get(name, name.replace("_", " ")))
        if self.research_ids:
            parts.append("research: " + ", ".join(sorted(self.research_ids)))
        proposals = [when.label() for when in self.timing.proposals if when.label()]
        if proposals:
            parts.append("proposes " + " or ".join(dict.fromkeys(proposals)))
        elif PROPOSE_TIME in self.intents:
            parts.append(PLAIN_NAMES[PROPOSE_TIME])
        if self.timing.minutes:
            parts.append(f"{self.timing.minutes} min")
        return ", ".join(parts)

    def heard(self) -> Heard:
        """The reading as the transcript and the history keep it."""
        return Heard(
            intents=list(self.intents),
            research=sorted(self.research_ids),
            negated_research=sorted({m.fact for m in self.research if m.negated} - self.research_ids),
            proposals=[w.label() for w in self.timing.proposals if w.label()],
            minutes=self.timing.minutes,
            identity=list(self.identity),
            summary=self.summary(),
        )


@dataclass(frozen=True)
class SettlingRule:
    """A named rule that lets the meaning of a turn outweigh one word in it."""

    name: str
    why: str
    applies: Callable[[set[str], Timing], bool]
    drop: frozenset[str]


SETTLING_RULES: tuple[SettlingRule, ...] = (
    SettlingRule(
        "counter-proposal",
        "a turn that names a concrete time proposes one: 'Monday's no good, how about Tuesday at 11?'",
        lambda intents, timing: timing.proposes,
        frozenset({"decline"}),
    ),
    SettlingRule(
        "time-is-no-demand",
        "asking for twenty minutes beside a day and time, or deferring to their diary, is a request",
        lambda intents, timing: (
            ((timing.proposes and timing.minutes is not None) or timing.defers) and "rude" not in intents
        ),
        frozenset({"entitled_demand"}),
    ),
    SettlingRule(
        "calling-back-is-no-demand",
        "'Tuesday at 2pm? I'll call his line then, or his mobile if you'd rather' books the next step itself",
        lambda intents, timing: timing.proposes and timing.commits and "rude" not in intents,
        frozenset({"entitled_demand"}),
    ),
    SettlingRule(
        "deference-is-courtesy",
        "'whatever's easiest for him, I could do Thursday at eleven' defers to their diary; it is not 'whatever'",
        lambda intents, timing: timing.defers,
        frozenset({"rude"}),
    ),
    SettlingRule(
        "send-and-book",
        "'I'll send the summary ahead; could we put twenty minutes in on Thursday?' books, it does not brush off",
        lambda intents, timing: timing.proposes,
        frozenset({"send_info"}),
    ),
    SettlingRule(
        "pivot-is-no-surrender",
        "'that's fine, genuinely, the thing people found useful was...' moves on to value, it does not give up",
        lambda intents, timing: bool(intents & {"offer_value", "handle_objection", MENTION_RESEARCH}),
        frozenset({"decline", "goodbye"}),
    ),
    SettlingRule(
        "acknowledge-and-pivot",
        "'if you've already got someone, that's fine' before an offer is the acknowledgement, not agreeing to go",
        lambda intents, timing: bool(intents & {"offer_value", "handle_objection"}) and not timing.proposes,
        frozenset({"accept"}),
    ),
)


def _answers(after: str, intents: list[str], words: int) -> bool:
    """The persona asked something and the caller said something of substance back (not a question back,
    not a demand, not a bare "sure, that's fine"): "What's it about?" -> "the new Leeds hub and its routes"."""
    if not after.rstrip().endswith("?") or words < ANSWER_MIN_WORDS or set(intents) & NOT_AN_ANSWER - {"greet"}:
        return False
    substance = set(intents) - SMALL_TALK
    return bool(substance) or (not intents and words >= PLAIN_ANSWER_WORDS)


class Reader:
    """Reads the caller's turns on one scenario: its intents, research, personas and the caller's identity."""

    def __init__(self, scenario: Scenario, intents: IntentLibrary, identity: Identity | None = None) -> None:
        self.scenario = scenario
        self.intents = intents
        self.identity = identity or Identity.from_brief(scenario.brief.caller)
        self._personas: list[tuple[Role, str]] = []
        if scenario.personas.gatekeeper is not None:
            self._personas.append(("gatekeeper", scenario.personas.gatekeeper.name))
        self._personas.append(("executive", scenario.personas.executive.name))

    def read(self, text: str, after: str | None = None) -> Reading:
        """Read a caller turn; `after` is the persona's line it answers, when there was one."""
        heard = Words.of(text)
        if not heard.words:
            return Reading(text, 0, ())
        intents = [match.name for match in self.intents.detect(text)]
        research = tuple(research_mentions(heard, self.scenario.research))
        timing = read_timing(text, heard)
        identity = tuple(self.identity.heard_in(heard))
        addressed = tuple(role for role, name in self._personas if mentions_name(heard, name))
        if identity and INTRODUCE not in intents and not self._asks_for_someone(identity, addressed):
            intents.append(INTRODUCE)
        if any(not m.negated for m in research) and MENTION_RESEARCH not in intents:
            intents.append(MENTION_RESEARCH)
        if timing.proposes and PROPOSE_TIME not in intents:
            intents.append(PROPOSE_TIME)
        if after is not None and _answers(after, intents, len(heard.words)):
            intents.append(ANSWER)
        present = set(intents)
        settled: list[str] = []
        for rule in SETTLING_RULES:
            if rule.applies(present, timing) and present & rule.drop:
                present -= rule.drop
                settled.append(rule.name)
        ordered = tuple(name for name in intents if name in present)
        return Reading(text, len(heard.words), ordered, research, timing, identity, addressed, tuple(settled))

    def _asks_for_someone(self, identity: Iterable[str], addressed: Iterable[Role]) -> bool:
        """A caller never asks for themselves; identity words that are also a persona's name do not count."""
        persona_words = {word for _, name in self._personas for word in name.lower().split()}
        return all(part in persona_words for part in identity)
