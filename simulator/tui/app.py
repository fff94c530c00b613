"""The Textual practice app: pick a scenario, prepare, call, review, track progress, write scenarios.

`create_app` is the one factory the CLI and the tests use; `run_app` is what `callsim` and
`callsim practice` call. This module exists for Textual, so it imports it at the top; nothing happens at
import time (no database, no folder, no audio device is touched before a screen asks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from simulator.config import Settings

SpeakChoice = Literal["auto", "speaker", "silent"]


@dataclass(frozen=True)
class AppOptions:
    """How the app runs calls; the tests pick a silent voice, typed input and a steady cursor."""

    scenario_id: str | None = None  # open the Prepare screen of this scenario (id or path) at start
    typed: bool = False  # type the caller's turns even when a microphone is there
    speak: SpeakChoice = "auto"  # persona lines on the speaker, silent, or speaker when one exists
    seed: int = 0
    save: bool = True  # keep calls in the history
    cursor_blink: bool = True
    settings: Settings | None = None  # the settings file with command-line overrides; None: read the file


def options_of(app: object) -> AppOptions:
    """The options of the running app (defaults for an app that is not a CallsimApp)."""
    options = getattr(app, "options", None)
    return options if isinstance(options, AppOptions) else AppOptions()


class CallsimApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "callsim"
    SUB_TITLE = "cold-call practice room"
    BINDINGS = [
        Binding("f2", "scenarios", "Scenarios"),
        Binding("f3", "history", "History"),
        Binding("f4", "new_scenario", "New scenario"),
    ]

    def __init__(self, options: AppOptions | None = None) -> None:
        super().__init__()
        self.options = options or AppOptions()

    def on_mount(self) -> None:
        from simulator.tui.screens.scenarios import ScenariosScreen

        self.push_screen(ScenariosScreen())
        if self.options.scenario_id is not None:
            self.prepare(self.options.scenario_id)

    # -- navigation (also the command palette's entries) ----------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """During a call the navigation keys are hidden: hang up first. F2 is hidden on the list it opens."""
        from simulator.tui.screens.scenarios import ScenariosScreen

        if action in ("scenarios", "history", "new_scenario", "import_call"):
            return not self.in_call() and not (action == "scenarios" and isinstance(self.screen, ScenariosScreen))
        return True

    def in_call(self) -> bool:
        """A call is on screen, possibly under the command palette (a call screen gives way to its report)."""
        from simulator.tui.screens.call import CallScreen

        return any(isinstance(screen, CallScreen) for screen in self.screen_stack)

    def go_home(self) -> None:
        """Back to the Scenarios screen, refreshed (scores may have changed)."""
        from simulator.tui.screens.scenarios import ScenariosScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, ScenariosScreen):
            self.pop_screen()
        if isinstance(self.screen, ScenariosScreen):
            self.screen.reload()

    def prepare(self, reference: str) -> None:
        """Open the Prepare screen of a scenario named by id or path; a bad name is a one-line notice."""
        from simulator.scenario.loader import ScenarioError, load_scenario, resolve_scenario
        from simulator.tui.screens.prepare import PrepareScreen

        if self.in_call():
            return
        try:
            path = resolve_scenario(reference)
            scenario = load_scenario(path)
        except ScenarioError as error:
            self.notify(str(error).splitlines()[0], severity="error", timeout=8)
            return
        self.push_screen(PrepareScreen(scenario, path))

    def action_scenarios(self) -> None:
        if not self.in_call():
            self.go_home()

    def action_history(self) -> None:
        from simulator.tui.screens.history import HistoryScreen

        if not self.in_call() and not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen())

    def action_new_scenario(self) -> None:
        self.open_editor(None)

    def action_import_call(self) -> None:
        """Import a recorded call; when the screen hands back a scored call, show its report."""
        from simulator.tui.screens.import_call import ImportCallScreen

        if not self.in_call():
            self.push_screen(ImportCallScreen(), callback=self.show_imported_call)

    def show_imported_call(self, result: object) -> None:
        from simulator.call.recorded import ImportResult
        from simulator.tui.catalog import CallReport, speaker_names
        from simulator.tui.screens.report import ReportScreen

        if not isinstance(result, ImportResult):
            return
        report = CallReport(
            call_id=result.call_id,
            scenario_id=result.transcript.scenario,
            title="Recorded call",
            transcript=result.transcript,
            report=result.report,
            previous=None,  # a real call is not measured against practice
            names=speaker_names(None),
            success=None,
        )
        self.push_screen(ReportScreen(report))
        self.notify(result.roles, timeout=10)

    def open_editor(self, path: object) -> None:
        from pathlib import Path

        from simulator.tui.screens.editor import EditorScreen

        if not self.in_call():
            self.push_screen(EditorScreen(path if isinstance(path, Path) else None))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.in_call():
            return
        yield SystemCommand("Scenarios", "List the scenarios and pick one to practise", self.action_scenarios)
        yield SystemCommand("History", "Every call you made, with trends per score", self.action_history)
        yield SystemCommand("New scenario", "Write your own scenario in the editor", self.action_new_scenario)
        yield SystemCommand(
            "Import a recorded call", "Score a real call from a two-channel recording", self.action_import_call
        )
        from simulator.scenario.loader import list_scenarios

        for entry in list_scenarios():
            scenario_path = str(entry.path)
            yield SystemCommand(
                f"Practise: {entry.scenario.title}",
                f"{entry.scenario.difficulty} · {entry.scenario.id}",
                lambda path=scenario_path: self.prepare(path),
                discover=False,
            )
            yield SystemCommand(
                f"Edit scenario: {entry.scenario.title}",
                str(entry.path),
                lambda path=entry.path: self.open_editor(path),
                discover=False,
            )


def create_app(
    scenario_id: str | None = None,
    typed: bool = False,
    speak: SpeakChoice = "auto",
    seed: int = 0,
    save: bool = True,
    cursor_blink: bool = True,
    settings: Settings | None = None,
) -> CallsimApp:
    """The app, configured; used by `callsim`, `callsim practice` and the tests."""
    return CallsimApp(AppOptions(scenario_id, typed, speak, seed, save, cursor_blink, settings))


def run_app(
    scenario_id: str | None = None,
    typed: bool = False,
    seed: int = 0,
    save: bool = True,
    settings: Settings | None = None,
) -> None:
    """Open the app (on a scenario's Prepare screen when one is named) and return when the user quits."""
    create_app(scenario_id=scenario_id, typed=typed, seed=seed, save=save, settings=settings).run()
