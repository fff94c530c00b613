"""The Textual practice app: pick a scenario, prepare, call, review, track progress, write scenarios.

The app steers and the screens render (as in Harlequin): a screen that ends dismisses with its result
(Prepare: how to start the call; Call: the finished call; Report: what to do next), a screen that stays
underneath asks with a message (Scenarios: prepare or edit this one; History: open this report; Editor:
try this text), and the app alone decides which screen comes next. No screen imports another; adding a
screen is one more `push_screen` here.

`create_app` is the one factory the CLI and the tests use; `run_app` is what `callsim` and
`callsim practice` call. Nothing happens at import time (no database, no folder, no audio device is
touched before a screen asks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from simulator.config import Settings
from simulator.tui.coaching import Mode
from simulator.tui.literal import message
from simulator.tui.options import AppOptions, SpeakChoice
from simulator.tui.requests import CallStart, ReportChoice, ReportRequested, ScenariosRequest, TryRequested

if TYPE_CHECKING:
    from simulator.call.practice import CallResult
    from simulator.scenario.model import Scenario
    from simulator.tui.catalog import CallReport

__all__ = ["AppOptions", "CallsimApp", "SpeakChoice", "create_app", "run_app"]


class CallsimApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "callsim"
    SUB_TITLE = "cold-call practice room"
    BINDINGS = [
        Binding("f2", "scenarios", "Scenarios"),
        Binding("f3", "history", "History"),
        Binding("f4", "new_scenario", "New"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, options: AppOptions | None = None) -> None:
        super().__init__()
        self.options = options or AppOptions()

    def on_mount(self) -> None:
        from simulator.tui.screens.scenarios import ScenariosScreen

        self.push_screen(ScenariosScreen(cursor_blink=self.options.cursor_blink))
        if self.options.scenario_id is not None:
            self.prepare(self.options.scenario_id)

    # -- which keys apply where ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """During a call the navigation keys are hidden: hang up first. Each is hidden where it leads nowhere
        new (F2 on the list and on Prepare, whose escape goes back to it; F3 on the History; F4 in the
        editor), which also keeps every screen's own keys in an 80-column footer."""
        from simulator.tui.screens.editor import EditorScreen
        from simulator.tui.screens.history import HistoryScreen
        from simulator.tui.screens.prepare import PrepareScreen
        from simulator.tui.screens.scenarios import ScenariosScreen

        already_there: dict[str, tuple[type[Screen], ...]] = {
            "scenarios": (ScenariosScreen, PrepareScreen),
            "history": (HistoryScreen,),
            "new_scenario": (EditorScreen,),
        }
        if action == "import_call":
            from simulator.tui.screens.confirm import ConfirmScreen

            return not self.in_call() and not isinstance(self.screen, ConfirmScreen)
        if action in already_there:
            from simulator.tui.screens.confirm import ConfirmScreen

            asking = isinstance(self.screen, ConfirmScreen)  # answer the question first
            return not self.in_call() and not asking and not isinstance(self.screen, already_there[action])
        return True

    def in_call(self) -> bool:
        """A call is on screen, possibly under the command palette (a call screen gives way to its report)."""
        from simulator.tui.screens.call import CallScreen

        return any(isinstance(screen, CallScreen) for screen in self.screen_stack)

    def unsaved_edits(self) -> str | None:
        """The file name of an editor in the stack with unsaved changes, if any (leaving would lose them)."""
        from simulator.tui.screens.editor import EditorScreen

        for screen in self.screen_stack:
            if isinstance(screen, EditorScreen) and screen.unsaved():
                return screen.filename
        return None

    def unless_edits_are_lost(self, then: Callable[[], None], leaving: str) -> None:
        """Run `then` at once, or after the user agreed to drop an editor's unsaved changes."""
        from simulator.tui.screens.confirm import ConfirmScreen

        name = self.unsaved_edits()
        if name is None:
            then()
            return
        question = f"{name[:1].upper()}{name[1:]} has unsaved changes. {leaving} without saving them?"
        self.push_screen(
            ConfirmScreen(question, yes=f"{leaving}, drop the changes", no="Keep editing"),
            callback=lambda yes: then() if yes else None,
        )

    async def action_quit(self) -> None:
        self.unless_edits_are_lost(self.exit, "Quit")

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """The palette's Screenshot: into Downloads when it exists, else the data folder; always says where."""
        from simulator.tui.screenshots import screenshot_folder

        try:
            folder = Path(path) if path else screenshot_folder()
            saved = self.save_screenshot(filename, str(folder))
        except OSError as error:
            words = f"No screenshot: cannot write to {error.filename or path}: {error.strerror}"
            self.notify(message(words), severity="error", markup=False)
            return
        self.notify(message(f"Screenshot saved to {saved}"), timeout=6, markup=False)

    # -- where each screen leads -------------------------------------------------------------------------

    def go_home(self) -> None:
        """Back to the Scenarios screen, refreshed (scores may have changed)."""
        from simulator.tui.screens.scenarios import ScenariosScreen

        def pop_to_the_list() -> None:
            while len(self.screen_stack) > 2 and not isinstance(self.screen, ScenariosScreen):
                self.pop_screen()

        self.unless_edits_are_lost(pop_to_the_list, "Leave")

    def prepare(self, reference: str) -> None:
        """Open the Prepare screen of a scenario named by id or path; a bad name is a one-line notice."""
        from simulator.scenario.loader import ScenarioError, load_scenario, resolve_scenario

        if self.in_call():
            return
        try:
            path = resolve_scenario(reference)
            scenario = load_scenario(path)
        except ScenarioError as error:
            self.notify(message(str(error).splitlines()[0]), severity="error", timeout=8, markup=False)
            return
        self.open_prepare(scenario, path)

    def open_prepare(self, scenario: Scenario, path: Path | None) -> None:
        from simulator.tui.screens.prepare import PrepareScreen

        screen = PrepareScreen(scenario, path, typed_only=self.options.typed)
        self.push_screen(screen, callback=partial(self.prepared, scenario))

    def prepared(self, scenario: Scenario, start: CallStart | None) -> None:
        if start is not None:
            self.start_call(scenario, typed=start.typed, mode=start.mode, save=self.options.save)

    def start_call(self, scenario: Scenario, *, typed: bool, mode: Mode, save: bool) -> None:
        from simulator.tui.screens.call import CallScreen

        self.push_screen(CallScreen(scenario, self.options, typed=typed, mode=mode, save=save), callback=self.call_over)

    def call_over(self, result: CallResult | None) -> None:
        """A call ended: its report, straight away (None: it failed, and said why on screen)."""
        from simulator.tui.catalog import report_for_result

        if result is not None:
            self.open_report(report_for_result(result), from_history=False)

    def open_report(self, report: CallReport, *, from_history: bool) -> None:
        from simulator.tui.screens.report import ReportScreen

        screen = ReportScreen(report, straight_from_a_call=not from_history)
        self.push_screen(screen, callback=partial(self.report_closed, report, from_history))

    def report_closed(self, report: CallReport, from_history: bool, choice: ReportChoice | None) -> None:
        from simulator.tui.catalog import find_scenario

        if choice == "again":
            scenario = find_scenario(report.scenario_id)
            if scenario is None:
                self.notify("That scenario is no longer in your scenario folders.", severity="warning")
                return
            self.open_prepare(scenario, None)
        elif choice == "history" and not from_history:  # from the history, closing the report is going back
            self.action_history()

    @on(ScenariosRequest)
    def scenario_request(self, request: ScenariosRequest) -> None:
        if request.action == "prepare":
            self.open_prepare(request.scenario, request.path)
        else:
            self.open_editor(request.path)

    @on(ReportRequested)
    def report_requested(self, request: ReportRequested) -> None:
        from simulator.history.store import HistoryError
        from simulator.tui.catalog import report_for_call

        try:
            report = report_for_call(request.call_id)
        except HistoryError as error:  # a damaged row: say so, the rest of the history still works
            self.notify(message(error), severity="error", timeout=8, markup=False)
            return
        self.open_report(report, from_history=True)

    @on(TryRequested)
    def try_requested(self, request: TryRequested) -> None:
        """The editor's "try it": a typed, coached call kept out of the history; its report goes back there."""
        self.start_call(request.scenario, typed=True, mode="coached", save=False)

    def action_scenarios(self) -> None:
        if not self.in_call():
            self.go_home()

    def action_history(self) -> None:
        from simulator.tui.screens.history import HistoryScreen

        if not self.in_call() and not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(cursor_blink=self.options.cursor_blink))

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
        from simulator.tui.screens.editor import EditorScreen

        if not self.in_call():
            chosen = path if isinstance(path, Path) else None
            self.push_screen(EditorScreen(chosen, cursor_blink=self.options.cursor_blink))

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
