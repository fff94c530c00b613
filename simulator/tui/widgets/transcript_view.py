"""The call as it is spoken: one line per turn with the speaker's name, and the caller's partial text."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from simulator.terminal_text import terminal_safe
from simulator.transcript import Turn


class TranscriptView(VerticalScroll):
    """Turns keyed by their transcript index, so a line can be updated (interrupted) after it is shown."""

    DEFAULT_CLASSES = "transcript"

    def __init__(self, names: dict[str, str], show_heard: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.names = names
        self.show_heard = show_heard  # the report shows what the persona understood under each caller turn
        self._lines: dict[int, Static] = {}
        self._partial: Static | None = None

    def line_text(self, turn: Turn, note: str = "") -> Text:
        name = self.names.get(turn.speaker, turn.speaker)
        text = Text()
        text.append(f"{terminal_safe(name)}: ", style="bold")  # rich Text never parses markup
        text.append(terminal_safe(turn.text))
        if turn.yielded:
            text.append(" (stopped: you were still talking)", style="italic")
        elif turn.interrupted:
            heard = f" (cut off at {round((turn.heard or 0) * 100)}%)" if turn.heard is not None else " (cut off)"
            text.append(heard, style="italic")
        if note:
            text.append(f" {note}", style="italic")
        if self.show_heard and turn.reading is not None and turn.reading.summary:
            text.append(f"\n  heard: {turn.reading.summary}", style="dim italic")
        return text

    def show_turn(self, index: int, turn: Turn) -> None:
        """Add the turn, or update it in place when it is already shown."""
        if turn.speaker == "caller":
            self.clear_partial()
        existing = self._lines.get(index)
        if existing is not None:
            existing.update(self.line_text(turn))
            return
        line = Static(self.line_text(turn), classes=f"turn {turn.speaker}")
        self._lines[index] = line
        if self._partial is not None:
            self.mount(line, before=self._partial)
        else:
            self.mount(line)
        self.scroll_end(animate=False)

    def show_repeat(self, turn: Turn) -> None:
        """A persona line said again at the caller's request (not a new turn)."""
        self.mount(Static(self.line_text(turn, "(again)"), classes=f"turn {turn.speaker} repeat"))
        self.scroll_end(animate=False)

    def show_partial(self, text: str) -> None:
        """What the caller has said so far in the turn still being spoken."""
        name = terminal_safe(self.names.get("caller", "You"))
        content = Text.assemble((f"{name}: ", "bold"), (f"{terminal_safe(text)} …", "italic"))
        if self._partial is None:
            self._partial = Static(content, classes="turn caller partial")
            self.mount(self._partial)
        else:
            self._partial.update(content)
        self.scroll_end(animate=False)

    def clear_partial(self) -> None:
        if self._partial is not None:
            self._partial.remove()
            self._partial = None

    @property
    def shown(self) -> int:
        return len(self._lines)
