"""The call's input box: each Enter is one caller turn, however fast the keys come, and a paste keeps every line.

Textual's `Input` posts `Submitted` with the box's value and leaves clearing it to whoever handles the
message; keys typed before that handler runs land in the same value, so three quick lines became one
merged line sent twice. Here Enter takes the line out of the box at once, in key order.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

from simulator.tui.widgets.in_order import run_own_binding


def one_line(pasted: str) -> str:
    """A multi-line paste as one turn: its lines joined by spaces (Textual's Input keeps only the first)."""
    return " ".join(line.strip() for line in pasted.splitlines() if line.strip())


class TurnInput(Input):
    class Said(Message):
        """The caller finished a typed turn (Enter)."""

        def __init__(self, box: TurnInput, text: str) -> None:
            super().__init__()
            self.box = box
            self.text = text

        @property
        def control(self) -> TurnInput:
            return self.box

    async def _on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)

    async def action_submit(self) -> None:
        text = self.value.strip()
        self.value = ""  # the next key already belongs to the next turn
        if text:
            self.post_message(self.Said(self, text))

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # not Input's own paste, which drops every line after the first
        event.stop()
        text = one_line(event.text)
        if not text:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)
