"""Scenario editor: YAML with highlighting, problems shown as you type (the loader `validate` uses),
"try it" with a typed call, and save to the user's scenario folder (a draft with problems too)."""

from __future__ import annotations

import re
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
from simulator.tui.literal import message, plain
from simulator.tui.requests import TryRequested
from simulator.tui.widgets.in_order import InOrderTextArea

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

DRAFT_ID = re.compile(r"^id:\s*['\"]?([a-z0-9][a-z0-9-]*)['\"]?\s*(#.*)?$", re.MULTILINE)


def draft_id(text: str) -> str | None:
    """The `id:` a draft names at the top level, when it is a usable file name."""
    found = DRAFT_ID.search(text)
    return found.group(1) if found else None


class EditorScreen(Screen[None]):
    """Asks the app (`TryRequested`) to try the text in a call; the app asks `unsaved()` before quitting."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+t", "try_it", "Try", priority=True),
        Binding("f6", "next_problem", "Problem", priority=True),
        Binding("escape", "back", "Back", priority=True),
    ]

    def __init__(self, path: Path | None = None, *, cursor_blink: bool = True) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.path = path
        self.scenario: Scenario | None = None
        self.problems: list[tuple[int, int, str]] = []
        self.warnings: list[tuple[int, int, str]] = []  # the scenario loads, but a line looks wrong
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
        self.saved_text = text  # an untouched template is nothing of the user's to lose
        yield Header()
        yield Static(self.where(), id="editor-file")
        editor = InOrderTextArea.code_editor(text, language="yaml", id="yaml", soft_wrap=False)
        editor.cursor_blink = self.cursor_blink
        yield editor
        yield Static("Checking…", id="problem-summary")
        yield OptionList(id="problems")
        yield Footer(compact=True)

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
        from simulator.scenario.say_lines import split_line_problems_in_text

        scenario: Scenario | None
        warnings: list[tuple[int, int, str]] = []
        try:
            scenario = load_scenario_text(text, self.filename)
            problems: list[tuple[int, int, str]] = []
            warnings = [(p.line, p.col, p.message) for p in split_line_problems_in_text(scenario, text, self.filename)]
        except ScenarioError as error:
            scenario = None
            problems = [(p.line, p.col, p.message) for p in error.problems]
        self.app.call_from_thread(self.show_problems, text, scenario, problems, warnings)

    def show_problems(
        self,
        text: str,
        scenario: Scenario | None,
        problems: list[tuple[int, int, str]],
        warnings: list[tuple[int, int, str]] | None = None,
    ) -> None:
        self.checked_text = text
        self.scenario = scenario
        self.problems = problems
        self.warnings = warnings or []
        listed = problems + self.warnings
        summary = self.query_one("#problem-summary", Static)
        listing = self.query_one("#problems", OptionList)
        listing.clear_options()
        if not listed:
            summary.update(plain(f"✓ No problems: {scenario.title if scenario else ''}"))
            self.remove_class("has-problems")
            return
        if problems:
            count = len(problems)
            summary.update(f"✗ {count} problem{'s' * (count != 1)} (f6 jumps to the first; ctrl+s saves a draft):")
        else:
            count = len(self.warnings)
            summary.update(f"⚠ it loads, but {count} line{'s' * (count != 1)} may not say what you meant (f6):")
        self.add_class("has-problems")
        listing.add_options(
            Option(plain(f"line {line}: {words}" if line > 0 else words), id=str(index))
            for index, (line, _col, words) in enumerate(listed)
        )

    @on(OptionList.OptionSelected, "#problems")
    def go_to(self, event: OptionList.OptionSelected) -> None:
        self.jump(int(event.option.id or 0))

    def jump(self, index: int) -> None:
        listed = self.problems + self.warnings
        if not listed:
            return
        line, col, _message = listed[index % len(listed)]
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

    def unsaved(self) -> bool:
        """Whether leaving now would lose edits (the app asks before it quits or pops this screen)."""
        return self.is_mounted and self.query_one("#yaml", TextArea).text != self.saved_text

    def action_save(self) -> None:
        from simulator.config import user_scenarios_dir

        text, checked = self.current()
        folder = user_scenarios_dir()
        own_file = self.path is not None and inside(self.path, folder)
        if not checked:
            self.check(text)
            self.notify("Still checking; press ctrl+s again in a moment.", timeout=3)
            return
        target = self.path if own_file and self.path is not None else folder / f"{self.file_id(text, folder)}.yaml"
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
        if self.scenario is None:
            self.notify(
                message(f"Saved as a draft to {target}: it has problems, so it is not listed until they are fixed."),
                severity="warning",
                timeout=6,
                markup=False,
            )
        else:
            self.notify(message(f"Saved to {target}"), timeout=4, markup=False)

    def file_id(self, text: str, folder: Path) -> str:
        """The file name for a save: the scenario's id; for a draft that does not load, the id it names."""
        if self.scenario is not None:
            return self.scenario.id
        return draft_id(text) or new_scenario_id(folder)

    def action_try_it(self) -> None:
        _text, checked = self.current()
        if not checked or self.scenario is None:
            self.notify("Fix the problems first, then try it.", severity="warning")
            return
        self.post_message(TryRequested(self.scenario))

    def action_back(self) -> None:
        if self.unsaved() and not self._leave_armed:
            self._leave_armed = True
            self.notify("Unsaved changes: ctrl+s saves, escape again leaves without saving.", severity="warning")
            return
        self.saved_text = self.query_one("#yaml", TextArea).text  # the user chose to drop the changes
        self.dismiss(None)


def with_schema_comment_for(target: Path, text: str) -> str:
    """A copied scenario's `$schema` line must still find the schema from the folder it is saved in."""
    from simulator.scenario.schema import schema_comment

    first, newline, rest = text.partition("\n")
    if first.startswith("# yaml-language-server: $schema="):
        return schema_comment(target) + newline + rest
    return text
