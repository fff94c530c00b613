"""Scenario editor: YAML with highlighting, problems shown as you type (the loader `validate` uses),
"try it" with a typed call, and save to the user's scenario folder."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from simulator.scenario.model import Scenario
from simulator.terminal_text import is_terminal_safe, terminal_safe
from simulator.tui.app import options_of
from simulator.tui.literal import message, plain

CHECK_DELAY = 0.3  # seconds of quiet typing before the text is checked again


def new_scenario_id(folder: Path) -> str:
    """'my-scenario', or 'my-scenario-2'… when that file is taken."""
    candidate, number = "my-scenario", 1
    while (folder / f"{candidate}.yaml").exists():
        number += 1
        candidate = f"my-scenario-{number}"
    return candidate


def inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


ESCAPED_WORDS = "Control characters in this text are shown as \\uXXXX (and saved that way)."


class EditorScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+t", "try_it", "Try it", priority=True),
        Binding("f6", "next_problem", "Go to problem", priority=True),
        Binding("escape", "back", "Back", priority=True),
    ]

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path
        self.scenario: Scenario | None = None
        self.problems: list[tuple[int, int, str]] = []
        self.checked_text: str | None = None
        self.saved_text = ""
        self._check_timer: Timer | None = None
        self._leave_armed = False

    def starting_text(self) -> str:
        from simulator.config import user_scenarios_dir
        from simulator.scenario.template import render_template

        if self.path is not None:
            from simulator.bounded_read import FileRefused, read_bounded
            from simulator.scenario.source import MAX_SCENARIO_BYTES

            try:
                return read_bounded(self.path, MAX_SCENARIO_BYTES, "scenario file").decode("utf-8", "replace")
            except FileRefused as refused:
                return f"# {self.path.name}: {refused}\n"
        folder = user_scenarios_dir()
        scenario_id = new_scenario_id(folder)
        return render_template(scenario_id, folder / f"{scenario_id}.yaml")

    def compose(self) -> ComposeResult:
        text = self.starting_text()
        if not is_terminal_safe(text):  # a TextArea draws control characters raw: show them as \uXXXX
            text = terminal_safe(text)
            self.call_after_refresh(self.notify, ESCAPED_WORDS, severity="warning", timeout=8)
        self.saved_text = text if self.path is not None else ""
        yield Header()
        yield Static(self.where(), id="editor-file")
        editor = TextArea.code_editor(text, language="yaml", id="yaml", soft_wrap=False)
        editor.cursor_blink = options_of(self.app).cursor_blink
        yield editor
        yield Static("Checking…", id="problem-summary")
        yield OptionList(id="problems")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#yaml", TextArea).focus()
        self.check(self.query_one("#yaml", TextArea).text)

    def where(self) -> Content:
        from simulator.config import user_scenarios_dir

        if self.path is None:
            return plain("New scenario: ctrl+s saves it to your scenario folder")
        if inside(self.path, user_scenarios_dir()):
            return plain(f"Your scenario: {self.path.name}")
        return plain(f"{self.path.name} (shipped: ctrl+s saves your own copy)")

    @property
    def filename(self) -> str:
        return self.path.name if self.path is not None else "new scenario"

    # -- checking as you type --------------------------------------------------------------------------

    @on(TextArea.Changed, "#yaml")
    def edited(self) -> None:
        area = self.query_one("#yaml", TextArea)
        if not is_terminal_safe(area.text):  # pasted control characters: shown, and saved, as \uXXXX
            row, column = area.cursor_location
            area.load_text(terminal_safe(area.text))  # the same lines: the cursor stays on its line
            area.cursor_location = (row, min(column, len(area.document.get_line(row))))
            self.notify(ESCAPED_WORDS, severity="warning", timeout=8)
        self._leave_armed = False
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.set_timer(CHECK_DELAY, self.check_now)

    def check_now(self) -> None:
        self.check(self.query_one("#yaml", TextArea).text)

    @work(thread=True, exclusive=True, group="check")
    def check(self, text: str) -> None:
        """The same loader as `callsim scenarios validate`, off the UI thread."""
        from simulator.scenario.loader import ScenarioError, load_scenario_text

        scenario: Scenario | None
        try:
            scenario = load_scenario_text(text, self.filename)
            problems: list[tuple[int, int, str]] = []
        except ScenarioError as error:
            scenario = None
            problems = [(p.line, p.col, p.message) for p in error.problems]
        self.app.call_from_thread(self.show_problems, text, scenario, problems)

    def show_problems(self, text: str, scenario: Scenario | None, problems: list[tuple[int, int, str]]) -> None:
        self.checked_text = text
        self.scenario = scenario
        self.problems = problems
        summary = self.query_one("#problem-summary", Static)
        listing = self.query_one("#problems", OptionList)
        listing.clear_options()
        if not problems:
            summary.update(plain(f"✓ No problems: {scenario.title if scenario else ''}"))
            self.remove_class("has-problems")
            return
        count = len(problems)
        summary.update(f"✗ {count} problem{'s' * (count != 1)} (f6 jumps to the first):")
        self.add_class("has-problems")
        listing.add_options(
            Option(plain(f"line {line}, col {col}: {words}" if line > 0 else words), id=str(index))
            for index, (line, col, words) in enumerate(problems)
        )

    @on(OptionList.OptionSelected, "#problems")
    def go_to(self, event: OptionList.OptionSelected) -> None:
        self.jump(int(event.option.id or 0))

    def jump(self, index: int) -> None:
        if not self.problems:
            return
        line, col, _message = self.problems[index % len(self.problems)]
        editor = self.query_one("#yaml", TextArea)
        if line > 0:
            editor.move_cursor((line - 1, max(0, col - 1)))
        editor.focus()

    def action_next_problem(self) -> None:
        self.jump(0)

    # -- save, try, leave ------------------------------------------------------------------------------

    def current(self) -> tuple[str, bool]:
        """The text, and whether the check has caught up with it."""
        text = self.query_one("#yaml", TextArea).text
        return text, text == self.checked_text

    def action_save(self) -> None:
        from simulator.config import user_scenarios_dir

        text, checked = self.current()
        folder = user_scenarios_dir()
        own_file = self.path is not None and inside(self.path, folder)
        if not checked:
            self.check(text)
            self.notify("Still checking; press ctrl+s again in a moment.", timeout=3)
            return
        if self.scenario is None and not own_file:
            self.notify(
                "Fix the problems first: a new scenario is saved to your folder under its id once it loads.",
                severity="error",
            )
            return
        target = self.path if own_file and self.path is not None else folder / f"{self.scenario_id()}.yaml"
        if target != self.path and target.exists():
            self.notify(
                message(f"{target} already exists: change the id to save a copy."), severity="error", markup=False
            )
            return
        fixed = with_schema_comment_for(target, text)
        if fixed != text:
            area = self.query_one("#yaml", TextArea)
            cursor = area.cursor_location
            area.load_text(fixed)  # same line count: the cursor stays where it was
            area.cursor_location = cursor
            text = fixed
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            self.notify(message(f"{target}: cannot write: {error.strerror or error}"), severity="error", markup=False)
            return
        self.path = target
        self.saved_text = text
        self.query_one("#editor-file", Static).update(self.where())
        warning = "" if self.scenario is not None else " (it has problems, so it is not listed until fixed)"
        self.notify(message(f"Saved to {target}{warning}"), timeout=4, markup=False)

    def scenario_id(self) -> str:
        assert self.scenario is not None
        return self.scenario.id

    def action_try_it(self) -> None:
        from simulator.tui.screens.call import CallScreen

        _text, checked = self.current()
        if not checked or self.scenario is None:
            self.notify("Fix the problems first, then try it.", severity="warning")
            return
        self.app.push_screen(CallScreen(self.scenario, typed=True, mode="coached", save=False))

    def action_back(self) -> None:
        text = self.query_one("#yaml", TextArea).text
        if text != self.saved_text and not self._leave_armed:
            self._leave_armed = True
            self.notify("Unsaved changes: ctrl+s saves, escape again leaves without saving.", severity="warning")
            return
        self.app.pop_screen()


def with_schema_comment_for(target: Path, text: str) -> str:
    """A copied scenario's `$schema` line must still find the schema from the folder it is saved in."""
    from simulator.scenario.schema import schema_comment

    first, newline, rest = text.partition("\n")
    if first.startswith("# yaml-language-server: $schema="):
        return schema_comment(target) + newline + rest
    return text
