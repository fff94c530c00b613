"""The scenario file format: what one practice call is, as pydantic models.

A scenario names the personas, the research the caller may use, and the flow: states in which a persona
speaks, and transitions taken on the caller's intents when their conditions hold. Terminal states carry an
outcome. The models forbid unknown keys so a typo in a user's YAML is reported, not ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Difficulty = Literal["easy", "medium", "hard"]
Outcome = Literal["meeting_booked", "callback_scheduled", "message_taken", "rejected", "hung_up"]
Role = Literal["gatekeeper", "executive"]

# Things the caller has done so far in the call; set by the engine from the caller's turns.
Fact = Literal[
    "introduced",  # gave their name and company
    "asked_for_person",  # asked for the executive by name or role
    "reason_stated",  # said why they are calling
    "research_mentioned",  # referred to one of the scenario's research facts
    "value_offered",  # offered something useful (an insight, a benchmark, an introduction)
    "asked_question",  # asked the persona a question
    "time_proposed",  # proposed a concrete day or time
    "used_name",  # addressed the persona on the line by name
    "objection_handled",  # answered an objection the persona raised
    "entitled",  # made an entitled or rude demand ("put me through")
]
# Running counts over the call; set by the engine.
Counter = Literal["turns", "vague_turns", "entitled_turns", "pitches", "monologues", "objections_handled"]


# Limits far above any real scenario (the shipped ones have at most 13 states, 13 transitions a state and
# 7 examples an intent) that keep checking, `--strict` and a call fast on a file made to be slow.
MAX_STATES = 100
MAX_TRANSITIONS = 50
MAX_VARIANTS = 20  # say / unmatched lines of one state or transition
MAX_INTENTS = 50  # a scenario's own intents
MAX_EXAMPLES = 50  # examples of one intent
MAX_SCENARIO_EXAMPLES = 300  # examples over all of a scenario's own intents
MAX_KEYWORDS = 100
MAX_RESEARCH = 30
MAX_LINE_CHARS = 1_000  # a persona line, an example, a brief
MAX_NAME_CHARS = 200  # a title, a name, a keyword, an id

Line = Annotated[str, Field(max_length=MAX_LINE_CHARS)]
Name = Annotated[str, Field(max_length=MAX_NAME_CHARS)]


class Strict(BaseModel):
    """Base for every scenario model: unknown keys are errors (with a did-you-mean from the loader)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Brief(Strict):
    caller: Line = Field(description="Who the caller is (name, company, role).")
    offer: Line = Field(description="What the caller offers.")
    goal: Line = Field(description="What a good call achieves.")


class ResearchFact(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=MAX_NAME_CHARS)
    fact: Line = Field(description="A fact about the prospect the caller found in research.")
    keywords: list[Name] = Field(
        min_length=1,
        max_length=MAX_KEYWORDS,
        description="Words that show the caller mentioned this fact (matched fuzzily).",
    )


class Voice(Strict):
    id: Name | None = Field(default=None, description="pyttsx3 voice id, e.g. 'gmw/en-us'; default voice if absent.")
    rate: int = Field(default=170, ge=80, le=400, description="Words per minute.")
    volume: float = Field(default=1.0, ge=0.0, le=1.0)
    variant: Name | None = Field(default=None, description="espeak-ng variant for pitch and timbre, e.g. 'f3', 'm2'.")


class Traits(Strict):
    patience: int = Field(default=3, ge=1, le=10, description="How many vague, pushy or rude turns they tolerate.")
    interest: int = Field(default=0, ge=0, le=10, description="Interest at the start of the call.")
    meeting_threshold: int = Field(
        default=3, ge=0, le=20, description="Interest needed before they agree to a meeting or put you through."
    )
    monologue_words: int = Field(
        default=70, ge=10, le=400, description="A caller turn longer than this counts as a monologue."
    )


class Persona(Strict):
    name: Name
    role: Name
    company: Name
    traits: Traits = Field(default_factory=Traits)
    voice: Voice = Field(default_factory=Voice)
    gives_up: Name = Field(description="State entered when this persona's patience runs out.")


class Personas(Strict):
    gatekeeper: Persona | None = None
    executive: Persona


class Condition(Strict):
    facts: list[Fact] = Field(default_factory=list, description="All of these must have happened.")
    not_facts: list[Fact] = Field(default_factory=list, description="None of these may have happened.")
    interest_at_least: int | None = Field(default=None, description="The speaking persona's interest is at least this.")
    interest_below: int | None = None
    at_least: dict[Counter, int] = Field(default_factory=dict)
    at_most: dict[Counter, int] = Field(default_factory=dict)
    meeting_ready: bool | None = Field(
        default=None,
        description="True: interest has reached the persona's meeting_threshold (false: it has not).",
    )


class Transition(Strict):
    on: list[Name] = Field(
        min_length=1, max_length=MAX_INTENTS, description="Intent names; the transition fires when any is detected."
    )
    when: Condition = Field(default_factory=Condition)
    to: Name | Annotated[list[Name], Field(min_length=1, max_length=MAX_STATES)] = Field(
        description="Target state id; a list picks one at random (seeded)."
    )
    say: list[Line] = Field(
        default_factory=list,
        max_length=MAX_VARIANTS,
        description="What the persona says on the way (variants); default: the target's say.",
    )


class Stuck(Strict):
    """Where a persona takes the call after asking for the same thing `after` times with no progress."""

    after: int = Field(default=2, ge=1, le=5, description="Re-prompts allowed before the persona moves the call on.")
    to: str | Annotated[list[str], Field(min_length=1)] = Field(
        description="The state the call moves on to (a list picks one at random, seeded)."
    )
    say: list[str] = Field(default_factory=list, description="What the persona says on the way (variants).")


class State(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=MAX_NAME_CHARS)
    persona: Role
    say: list[Line] = Field(
        min_length=1, max_length=MAX_VARIANTS, description="What the persona says on entering (variants)."
    )
    outcome: Outcome | None = Field(default=None, description="Set on terminal states: the call ends here.")
    transitions: list[Transition] = Field(default_factory=list, max_length=MAX_TRANSITIONS)
    unmatched: list[Line] = Field(
        default_factory=list,
        max_length=MAX_VARIANTS,
        description="Reactions when no transition fires (variants); default: generic ones.",
    )
    objection: bool = Field(
        default=False,
        description="The persona raises an objection here; a good answer counts as an objection handled.",
    )
    stuck: Stuck | None = Field(
        default=None,
        description=(
            "When the caller has not moved the call on after `after` re-prompts here: where the persona takes it."
            " Without it the persona says a generic moving-on line and loses patience."
        ),
    )


class IntentDef(Strict):
    description: Line = ""
    examples: list[Line] = Field(
        min_length=1, max_length=MAX_EXAMPLES, description="Example caller phrases (fuzzy matched)."
    )
    keywords: list[Name] = Field(
        default_factory=list, max_length=MAX_KEYWORDS, description="Words or short phrases that signal the intent."
    )
    by_meaning: bool = Field(
        default=True,
        description="Whether the sentence model may recognise this intent by resemblance; false for accusations "
        "(a demand, rudeness, a feature dump, a brush-off): those need the caller's own words.",
    )


# An intent's name: lower-case words joined by "_" (like the shared library's), so no name can carry escapes.
IntentName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]


class Scenario(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=MAX_NAME_CHARS)
    title: Name
    difficulty: Difficulty
    brief: Brief
    research: list[ResearchFact] = Field(default_factory=list, max_length=MAX_RESEARCH)
    personas: Personas
    success: list[Outcome] = Field(min_length=1, description="Outcomes that count as success for this call.")
    start: Name = Field(description="The state the call starts in (the persona picks up the phone).")
    states: list[State] = Field(min_length=1, max_length=MAX_STATES)
    intents: dict[IntentName, IntentDef] = Field(
        default_factory=dict,
        max_length=MAX_INTENTS,
        description="Intents added to, or overriding, the shared intent library.",
    )

    @field_validator("intents")
    @classmethod
    def _examples_bounded(cls, intents: dict[str, IntentDef]) -> dict[str, IntentDef]:
        total = sum(len(intent.examples) for intent in intents.values())
        if total > MAX_SCENARIO_EXAMPLES:
            raise ValueError(f"{total} intent examples in all; at most {MAX_SCENARIO_EXAMPLES} are allowed")
        return intents

    def state(self, state_id: str) -> State:
        for state in self.states:
            if state.id == state_id:
                return state
        raise KeyError(state_id)

    def persona(self, role: Role) -> Persona:
        persona = self.personas.gatekeeper if role == "gatekeeper" else self.personas.executive
        if persona is None:
            raise KeyError(role)
        return persona

    def vocabulary(self) -> list[str]:
        """Names and keywords a speech recogniser should expect on this call."""
        words: list[str] = []
        for persona in (self.personas.gatekeeper, self.personas.executive):
            if persona is not None:
                words += [persona.name, persona.company]
        for fact in self.research:
            words += fact.keywords
        return list(dict.fromkeys(words))
