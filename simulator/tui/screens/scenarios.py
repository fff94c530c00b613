"""Scenarios: the shipped and the user's own, with difficulty, personas, last and best scores; type to search."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from simulator.tui.catalog import ScenarioCard, scenario_cards
from simulator.tui.literal import cell, shown
from simulator.tui.requests import ScenariosRequest

if TYPE_CHECKING:
    from simulator.history.store import Scores


def short_scores(scores: Scores | None) -> str:
    """'R22 V70 N40': rigidity, value added, next step of one call, compact enough for 80 columns."""
    if scores is None:
        return "—"
    return f"R{round(scores.rigidity)} V{round(scores.value_added)} N{round(scores.next_step)}"


def matches(card: ScenarioCard, query: str) -> bool:
    """Every word typed is found (fuzzily) in the scenario's title, id, difficulty or personas."""
    haystack = " ".join(
        [card.scenario.title, card.scenario.id, card.scenario.difficulty, card.personas, card.scenario.brief.goal]
    ).lower()
    return all(word in haystack or fuzz.partial_ratio(word, haystack) >= 80 for word in query.lower().split())


class ScenariosScreen(Screen[None]):
    """The home screen: it stays at the bottom and asks the app (`ScenariosRequest`) to prepare or edit.

    The cursor stays on the scenario it was on across reloads (after the palette, a report, the history),
    and a scenario that appeared since the last reload (just saved in the editor) is never hidden by an
    old search: the search is cleared and the cursor put on it.
    """

    BINDINGS = [
        Binding("enter", "prepare", "Prepare", priority=True),
        Binding("up", "move(-1)", "Up", show=False, priority=True),
        Binding("down", "move(1)", "Down", show=False, priority=True),
        Binding("ctrl+e", "edit", "Edit", priority=True),  # the search box would take it otherwise
    ]

    def __init__(self, *, cursor_blink: bool = True) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.cards: list[ScenarioCard] = []
        self.listed: list[ScenarioCard] = []

    def compose(self) -> ComposeResult:
        yield Header()
        search = Input(placeholder="Type to search scenarios…", id="search")
        search.cursor_blink = self.cursor_blink
        yield search
        table: DataTable[Text] = DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="scenario-detail", classes="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.add_columns()
        self.reload()
        self.query_one("#search", Input).focus()

    def add_columns(self) -> None:
        """Wider terminals widen the title and people columns (28 and 13 characters at 80 columns)."""
        table = self.query_one("#scenarios", DataTable)
        table.clear(columns=True)
        spare = max(0, self.app.size.width - 80)
        others = {
            "Level": ("level", 6),
            "People": ("personas", 13 + min(spare // 3, 17)),  # "Tom → Catherine Ward" in full given room
            "Last R/V/N": ("last", 11),
            "Best R/V/N": ("best", 11),
        }
        padding = 2 * (len(others) + 1) + 2  # each cell's padding, and the scrollbar
        title_width = max(28, self.app.size.width - sum(width for _key, width in others.values()) - padding)
        table.add_column("Scenario", key="title", width=title_width)
        for label, (key, width) in others.items():
            table.add_column(label, key=key, width=width)

    def on_resize(self) -> None:
        if self.cards:
            chosen = self.selected()
            self.add_columns()
            self.show(self.query_one("#search", Input).value, keep=chosen.path if chosen is not None else None)

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.cards:
            self.reload()

    def reload(self) -> None:
        """Read the scenarios and the history again (after a call or a save)."""
        known = {card.path for card in self.cards}
        self.cards = scenario_cards()
        search = self.query_one("#search", Input)
        new = [card for card in self.cards if known and card.path not in known]
        hidden = [card for card in new if not matches(card, search.value)]
        if hidden:
            with search.prevent(Input.Changed):
                search.value = ""
            self.show("", keep=hidden[0].path)
            return
        self.show(search.value)

    def show(self, query: str, keep: Path | None = None) -> None:
        """List the cards that match `query`, the cursor on `keep` (default: the one it is on) if listed."""
        table = self.query_one("#scenarios", DataTable)
        chosen = self.selected()
        keep = keep if keep is not None else (chosen.path if chosen is not None else None)
        table.clear()
        self.listed = [card for card in self.cards if matches(card, query)]
        for card in self.listed:
            mine = "" if card.shipped else "✎ "  # in front, so a cut-off title still shows it is yours
            table.add_row(
                cell(mine + card.scenario.title),
                cell(card.scenario.difficulty),
                cell(card.personas),
                cell(short_scores(card.last)),
                cell(short_scores(card.best)),
                key=str(card.path),
            )
        rows = [card.path for card in self.listed]
        if keep in rows:
            table.move_cursor(row=rows.index(keep), animate=False)
        self.describe()

    def selected(self) -> ScenarioCard | None:
        table = self.query_one("#scenarios", DataTable)
        if not self.listed or not 0 <= table.cursor_row < len(self.listed):
            return None
        return self.listed[table.cursor_row]

    def describe(self) -> None:
        card = self.selected()
        detail = self.query_one("#scenario-detail", Static)
        if card is None:
            detail.update("No scenario matches your search." if self.cards else "No scenarios found.")
            return
        where = "shipped" if card.shipped else f"yours: {card.path}"
        executive = card.scenario.personas.executive
        people = f"{executive.name}, {executive.role} at {executive.company}"
        detail.update(
            shown(
                "[b]$id[/b] ($where) · $people\n$goal",
                id=card.scenario.id,
                where=where,
                people=people,
                goal=card.scenario.brief.goal,
            )
        )

    @on(Input.Changed, "#search")
    def search(self, event: Input.Changed) -> None:
        self.show(event.value)

    @on(DataTable.RowHighlighted)
    def highlighted(self) -> None:
        self.describe()

    @on(DataTable.RowSelected)
    def chosen(self) -> None:
        self.action_prepare()

    def action_move(self, step: int) -> None:
        table = self.query_one("#scenarios", DataTable)
        if self.listed:
            table.move_cursor(row=max(0, min(len(self.listed) - 1, table.cursor_row + step)))

    def action_prepare(self) -> None:
        card = self.selected()
        if card is not None:
            self.post_message(ScenariosRequest("prepare", card.scenario, card.path))

    def action_edit(self) -> None:
        card = self.selected()
        if card is not None:
            self.post_message(ScenariosRequest("edit", card.scenario, card.path))
