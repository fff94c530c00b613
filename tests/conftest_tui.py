"""Fixtures for the Textual app's tests: a private CALLSIM_HOME, fixed scenarios, a steady app.

Import the fixtures you use from here in a tests/test_tui*.py module. Snapshots stay stable because the
app runs with a silent voice on a simulated clock, no cursor blink, a fixed terminal size, UTC, and
scenarios of its own (copies that do not change when the shipped ones do).
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from simulator import config


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Let the app run until `condition` holds (workers deliver events asynchronously)."""
    waited = 0.0
    while not condition():
        if waited > seconds:
            raise AssertionError("the app did not get there in time")
        await pilot.pause(0.05)
        waited += 0.05


def synchronous(test: Callable[..., Coroutine[object, object, None]]) -> Callable[..., None]:
    """Run an async Pilot test in its own event loop (no async plugin needed); fixtures pass through."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


FRONT_DESK = """\
id: front-desk
title: Past the front desk to the head of operations
difficulty: medium
brief:
  caller: You are Sam Carter, account executive at Brightline Analytics.
  offer: Delivery forecasts that warn a freight company about late shipments two days ahead.
  goal: Get past the assistant and book a 20-minute meeting with Maria Ortega next week.
research:
  - id: leeds-warehouse
    fact: Ortega Freight opened a second warehouse in Leeds in March.
    keywords: [leeds, second warehouse, new warehouse]
  - id: late-deliveries
    fact: A trade paper quoted Maria saying late deliveries were her biggest worry this year.
    keywords: [late deliveries, on time, delays]
personas:
  gatekeeper:
    name: Priya Shah
    role: Executive assistant
    company: Ortega Freight
    traits: {patience: 3, interest: 0, meeting_threshold: 1}
    gives_up: message-taken
  executive:
    name: Maria Ortega
    role: Head of Operations
    company: Ortega Freight
    traits: {patience: 3, interest: 0, meeting_threshold: 2}
    gives_up: hung-up
success: [meeting_booked]
start: reception
states:
  - id: reception
    persona: gatekeeper
    say: ["Good morning, Ortega Freight, Priya speaking. How can I help?"]
    transitions:
      - on: [state_reason, mention_research, ask_for_help, ask_for_person]
        when: {facts: [introduced, reason_stated], not_facts: [entitled], meeting_ready: true}
        to: executive-answers
        say: ["Thank you. One moment, I'll see if she's free."]
      - on: [introduce_self, ask_for_person, greet]
        when: {not_facts: [entitled]}
        to: screening
    unmatched: ["Sorry, who is calling, please?"]
  - id: screening
    persona: gatekeeper
    say: [And may I ask what it's regarding?]
    transitions:
      - on: [state_reason, mention_research, answer_question, ask_for_help, offer_value]
        when: {facts: [introduced, reason_stated], not_facts: [entitled], meeting_ready: true}
        to: executive-answers
        say: [Thank you. I'll put you through now.]
    unmatched: ["She's very busy. What is it about, exactly?"]
  - id: executive-answers
    persona: executive
    say: [Maria Ortega.]
    transitions:
      - on: [state_reason, mention_research, offer_value, introduce_self]
        to: objection
    unmatched: [Yes? Who is this?]
  - id: objection
    persona: executive
    objection: true
    say: [We already work with a forecasting vendor.]
    transitions:
      - on: [handle_objection, answer_question, offer_value, mention_research]
        to: interested
      - on: [send_info, goodbye]
        to: email-only
  - id: interested
    persona: executive
    say: ["All right, that is relevant. What are you suggesting?"]
    transitions:
      - on: [propose_time]
        when: {facts: [time_proposed], meeting_ready: true}
        to: meeting-booked
      - on: [send_info]
        to: email-only
  - id: meeting-booked
    persona: executive
    outcome: meeting_booked
    say: ["Fine, put it in my calendar. Speak then."]
  - id: email-only
    persona: executive
    outcome: rejected
    say: [Send it over and I'll look when I can. Bye.]
  - id: message-taken
    persona: gatekeeper
    outcome: message_taken
    say: [I'll let her know you called. Goodbye.]
  - id: hung-up
    persona: executive
    outcome: hung_up
    say: [I have to go. Goodbye.]
"""

DIRECT_LINE = """\
id: direct-line
title: A direct dial to a busy CFO
difficulty: hard
brief:
  caller: You are Sam Carter, account executive at Brightline Analytics.
  offer: Cash-flow forecasts built from delivery data.
  goal: Book a 15-minute call with Tom Reyes this week.
research:
  - id: new-site
    fact: Reyes Logistics announced a new site in Bristol.
    keywords: [bristol, new site]
personas:
  executive:
    name: Tom Reyes
    role: CFO
    company: Reyes Logistics
    traits: {patience: 2, interest: 0, meeting_threshold: 1}
    gives_up: hung-up
success: [meeting_booked]
start: answers
states:
  - id: answers
    persona: executive
    say: [Reyes.]
    transitions:
      - on: [state_reason, mention_research, offer_value]
        to: interested
    unmatched: [Who is this?]
  - id: interested
    persona: executive
    say: ["Go on, briefly."]
    transitions:
      - on: [propose_time]
        when: {facts: [time_proposed], meeting_ready: true}
        to: booked
  - id: booked
    persona: executive
    outcome: meeting_booked
    say: [Fine. Send the invite.]
  - id: hung-up
    persona: executive
    outcome: hung_up
    say: [Not interested. Goodbye.]
"""

# A good caller's turns on FRONT_DESK, typed one by one in the Pilot tests.
GOOD_CALLER = [
    "Good morning Priya, this is Sam Carter from Brightline Analytics.",
    "I'm calling because I read that Ortega Freight opened a second warehouse in Leeds, and late deliveries "
    "were Maria's biggest worry this year. Could you help me reach her?",
    "Hi Maria, I'm calling about the new Leeds warehouse and your late deliveries.",
    "I understand. We share a benchmark of on-time rates for new warehouses, useful whoever you work with. "
    "How do you measure delays today?",
    "Could we take twenty minutes on Tuesday at 10am? I'll send the invite and call you then.",
    "Great, Tuesday at 10am it is. I'll send the invite this afternoon. Thanks Maria.",  # the wrap-up
]

FIXED_START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(name="callsim_home")
def callsim_home_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty CALLSIM_HOME and UTC, so nothing touches the user's folders and dates render the same."""
    home = tmp_path / "home"
    monkeypatch.setenv("CALLSIM_HOME", str(home))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield home
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(name="fixed_scenarios")
def fixed_scenarios_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, callsim_home: Path) -> Path:
    """Shipped scenarios replaced by the two above (the real shared intent library and language files stay)."""
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    shutil.copy(config.shipped_scenarios_dir() / "intents.yaml", shipped / "intents.yaml")
    shutil.copytree(config.shipped_scenarios_dir() / "language", shipped / "language")  # lexicon, lines, cues
    (shipped / "front-desk.yaml").write_text(FRONT_DESK, encoding="utf-8")
    (shipped / "direct-line.yaml").write_text(DIRECT_LINE, encoding="utf-8")
    monkeypatch.setattr(config, "shipped_scenarios_dir", lambda: shipped)
    return shipped


def seed_history(calls: list[tuple[str, str | None, tuple[float, float, float]]]) -> list[int]:
    """Saved calls at fixed dates, a day apart: (scenario id, outcome, (rigidity, value added, next step))."""
    from simulator.history.store import HistoryStore
    from simulator.transcript import Turn

    ids = []
    store = HistoryStore(config.database_path())
    try:
        for day, (scenario, outcome, (rigidity, value, next_step)) in enumerate(calls):
            call_id = store.start_call(scenario, [], "typed", started_at=FIXED_START + timedelta(days=day))
            store.add_turn(call_id, 0, Turn(speaker="executive", text="Maria Ortega.", start=0.4, end=1.2))
            store.add_turn(
                call_id, 1, Turn(speaker="caller", text="Hi Maria, Sam from Brightline.", start=1.8, end=3.0)
            )
            report = {
                "scores": {"rigidity": rigidity, "value_added": value, "next_step": next_step},
                "evidence": {},
                "tips": {},
                "metrics": {},
            }
            store.finish_call(call_id, outcome, report)
            ids.append(call_id)
    finally:
        store.close()
    return ids
