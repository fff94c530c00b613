"""The scores' English cue phrases, read from `scenarios/language/cues.yaml` and checked like a scenario.

Language is data: the phrases live in a YAML file beside the shipped scenarios (in `language/`, so no
scenario listing takes it for a scenario); this module reads it once
(lazily, on first use) with the scenario loader's machinery, so a bad file is one `FILE:LINE:COL:
message` line per problem, and hands the rest of scoring a frozen `CueBook`. The logic that uses the
phrases stays in Python (cues.py, reading.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from simulator import config
from simulator.language.lexicon import lexicon
from simulator.scenario.model import Strict
from simulator.scenario.source import Problem, ScenarioError, read_yaml
from simulator.scoring.language import normalise

CUES_FILE = "language/cues.yaml"  # under the shipped scenarios folder, beside intents.yaml

Phrases = tuple[str, ...]


class Repair(Strict):
    """A speech-to-text slip put back from its context: "all call" → "ill call", "at to" → "at two"."""

    model_config = Strict.model_config | {"strict": False}

    heard: str
    meant: str
    before: Phrases = ()
    after: Phrases = ()


class CueBook(Strict):
    """Every phrase list the scores use; docs/scoring.md and the comments in cues.yaml say what each means."""

    # YAML gives lists, the book keeps tuples (it is frozen): lists convert; unknown keys stay errors
    model_config = Strict.model_config | {"frozen": True, "strict": False}

    reason_phrases: Phrases
    give_strong: Phrases
    give_soft: Phrases
    benefit_words: Phrases
    entitlement: Phrases
    feature_words: Phrases
    self_words: Phrases
    other_words: Phrases
    objections: Phrases
    acknowledgements: Phrases
    canned_rebuttals: Phrases
    answer_starts: Phrases
    purpose_questions: Phrases
    invitations: Phrases
    days: Phrases = ()  # from the lexicon
    day_phrases: Phrases
    time_words: Phrases
    number_words: Phrases
    duration_units: Phrases = ()  # from the lexicon
    formats: Phrases
    proposal_phrases: Phrases
    agreements: Phrases
    soft_agreements: Phrases
    go_on: Phrases
    refusals: Phrases
    but_not: Phrases
    follow_up_when: Phrases
    follow_ups: Phrases
    passive: Phrases
    name_asks: Phrases
    callback_asks: Phrases
    filler_sounds: Phrases
    not_topic_words: Phrases
    unavailable: Phrases
    rhetorical_questions: Phrases
    refusing_change: Phrases
    contact_words: Phrases
    acceptances: Phrases
    instruction_verbs: Phrases = ()  # from the lexicon
    elliptical_questions: Phrases
    question_predicates: Phrases
    research_disowned: Phrases
    contradictions: tuple[tuple[str, str], ...] = Field(default=())
    stt_repairs: tuple[Repair, ...] = Field(default=())


def cues_path() -> Path:
    return config.shipped_scenarios_dir() / CUES_FILE


def _phrase_problems(source_data: dict[str, object], locate: object) -> list[tuple[tuple[str | int, ...], str]]:
    """Phrases that could never match a normalised line (capitals, punctuation, blank) or are listed twice."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    for key, value in source_data.items():
        if not isinstance(value, list):
            continue
        seen: set[str] = set()
        for index, item in enumerate(value):
            phrases = item if isinstance(item, list) else [item] if isinstance(item, str) else []
            for phrase in phrases:
                if not isinstance(phrase, str):
                    continue
                if not phrase.strip():
                    found.append(((key, index), "an empty phrase matches nothing"))
                elif normalise(phrase) != phrase:
                    found.append(((key, index), f"'{phrase}' is not normalised; write it as '{normalise(phrase)}'"))
                elif isinstance(item, str) and phrase in seen:
                    found.append(((key, index), f"'{phrase}' is listed twice"))
                seen.add(phrase)
    return found


def load_cues(path: Path | str | None = None) -> CueBook:
    """Read and check a cue file; raises ScenarioError with every problem as FILE:LINE:COL: message."""
    source = read_yaml(Path(path) if path is not None else cues_path())
    book, problems = source.validate(CueBook)
    problems += [source.problem(loc, message) for loc, message in _phrase_problems(source.data, None)]
    if problems or book is None:
        raise ScenarioError(sorted(dict.fromkeys(problems), key=lambda p: (p.line, p.col, p.message)))
    return book.model_copy(update=_shared_with_the_personas())


def _shared_with_the_personas() -> dict[str, Phrases]:
    """The lists the personas read too, from the one lexicon: what a day, a meeting length and an
    instruction to the prospect are cannot differ between the persona and the report."""
    lex = lexicon()
    weekdays = [day for day in lex.days if len(day) > 4 and day not in {"today", "tonight", "tomorrow"}]
    days = sorted({*weekdays, *(f"{day}s" for day in weekdays), "tomorrow", "tonight"})
    return {
        "days": tuple(days),
        "duration_units": tuple(sorted(lex.duration_units)),
        "instruction_verbs": tuple(lex.instruction_verbs),
    }


@lru_cache(maxsize=1)
def book() -> CueBook:
    """The shipped cue book, read once."""
    return load_cues()


__all__ = ["CUES_FILE", "CueBook", "Problem", "Repair", "book", "cues_path", "load_cues"]
