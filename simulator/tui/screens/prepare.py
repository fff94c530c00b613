"""Prepare: the brief, the research, the goal, three reminders from the rubric, and a mic check first.

With no microphone the screen says so and the call will be typed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, ProgressBar, Static

from simulator.scenario.model import Scenario
from simulator.tui.coaching import REMINDERS, SCORE_LABELS, Mode
from simulator.tui.literal import plain, shown
from simulator.tui.requests import CallStart


class PrepareScreen(Screen[CallStart | None]):
    """Dismisses with how to start the call (`CallStart`), or None to go back."""

    BINDINGS = [
        Binding("enter", "start", "Start", priority=True),
        Binding("t", "start_typed", "Typed"),
        Binding("m", "toggle_mode", "Mode"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, scenario: Scenario, path: Path | None = None, *, typed_only: bool = False) -> None:
        super().__init__()
        self.scenario = scenario
        self.path = path
        self.typed_only = typed_only  # the app was asked for typed calls: no microphone check
        self.mode: Mode = "coached"
        self.microphone: bool | None = None  # None until the mic check has answered
        self._stop_check = threading.Event()

    def compose(self) -> ComposeResult:
        scenario = self.scenario
        yield Header()
        with VerticalScroll(id="prepare-body"):
            title = shown("[b]$title[/b] · $level", title=scenario.title, level=scenario.difficulty)
            yield Static(title, classes="title")
            yield Static(plain(scenario.brief.caller), classes="brief")
            yield Static(shown("[b]Offer:[/b] $offer", offer=scenario.brief.offer), classes="brief")
            yield Static(shown("[b]Goal:[/b] $goal", goal=scenario.brief.goal), classes="goal")
            yield Static(self.people(), classes="people")
            if scenario.research:
                yield Label("Your research", classes="section")
                for fact in scenario.research:
                    yield Static(plain(f"• {fact.fact}"), classes="fact")
            yield Label("Remember", classes="section")
            for name, text in REMINDERS.items():
                yield Static(shown("[b]$label[/b]: $text", label=SCORE_LABELS[name], text=text), classes="reminder")
        with Horizontal(id="mic-check"):
            yield Label("Mic", classes="mic-label")
            yield ProgressBar(total=100, show_eta=False, show_percentage=False, id="mic-level")
            yield Static("Checking the microphone…", id="mic-status")
        with Horizontal(id="prepare-actions"):
            yield Button("Start call", id="start", variant="primary", compact=True)
            yield Button("Typed call", id="typed", compact=True)
            yield Static(self.mode_words(), id="mode")
        yield Footer(compact=True)

    def people(self) -> Content:
        personas = self.scenario.personas
        parts = []
        if personas.gatekeeper is not None:
            parts.append(f"{personas.gatekeeper.name} ({personas.gatekeeper.role}) answers")
        executive = personas.executive
        parts.append(f"{executive.name}, {executive.role} at {executive.company}")
        return shown("[b]On the line:[/b] $people", people="; then ".join(parts))

    def mode_words(self) -> str:
        if self.mode == "coached":
            return "[b]coached[/b]: hints on request, a rare nudge"
        return "[b]exam[/b]: no help until the report"

    def on_mount(self) -> None:
        self.query_one("#prepare-body").focus()  # arrows and page keys scroll the brief
        if self.typed_only:
            self.microphone = False
            self.query_one("#mic-status", Static).update("Typed call: you type your turns.")
            self.query_one("#mic-level").display = False
            return
        self.check_microphone()

    def on_unmount(self) -> None:
        self._stop_check.set()

    @work(thread=True, exclusive=True, group="mic-check")
    def check_microphone(self) -> None:
        """Open the microphone off the UI thread and show its level until the call starts."""
        from simulator.tui.mic_check import MicrophoneMissing, watch_levels

        try:
            watch_levels(self._stop_check, self._level, self._ready)
        except MicrophoneMissing as missing:
            self.app.call_from_thread(self._missing, str(missing))

    def _ready(self) -> None:
        def show() -> None:
            self.microphone = True
            self.query_one("#mic-status", Static).update("Say something: the bar should move.")

        self.app.call_from_thread(show)

    def _level(self, level: float) -> None:
        self.app.call_from_thread(self._show_level, level)

    def _show_level(self, level: float) -> None:
        self.query_one("#mic-level", ProgressBar).update(progress=round(level * 100))

    def _missing(self, why: str) -> None:
        self.microphone = False
        self.query_one("#mic-level").display = False
        why = why[:1].upper() + why[1:]
        self.query_one("#mic-status", Static).update(plain(f"{why}. The call will be typed."))
        self.add_class("no-mic")

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        self.begin(typed=self.microphone is not True)

    @on(Button.Pressed, "#typed")
    def action_start_typed(self) -> None:
        self.begin(typed=True)

    def begin(self, typed: bool) -> None:
        self._stop_check.set()
        self.dismiss(CallStart(typed=typed, mode=self.mode))

    def action_toggle_mode(self) -> None:
        self.mode = "exam" if self.mode == "coached" else "coached"
        self.query_one("#mode", Static).update(self.mode_words())

    def action_back(self) -> None:
        self.dismiss(None)
