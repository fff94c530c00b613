"""Keys in the order they were typed, for the widgets people type fast into.

Textual inserts a printable key in the focused widget's own key handler, but runs a widget's key
*bindings* (Enter to submit, Backspace, the arrows) only after the key has bubbled back up to the app,
behind any keys still queued. Typed quickly, or with the machine under load, "reception", nine
backspaces, "lobby" became "start: reclo", and three lines with Enter between them became one merged line.
These widgets run their own bindings when the key reaches them, so every key acts in order.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import TextArea


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run the widget's own (non-priority) binding for this key now; True when one ran."""
    if event.is_printable:
        return False
    for key in (event.key, *event.aliases):
        for binding in widget._bindings.key_to_bindings.get(key, []):
            if binding.priority or not widget.check_action(binding.action.split("(")[0], ()):
                continue  # a priority key was the app's to run; a disabled one runs nowhere
            event.stop()
            event.prevent_default()
            await widget.run_action(binding.action)
            return True
    return False


class InOrderTextArea(TextArea):
    """A TextArea whose editing keys (backspace, delete, arrows, home/end…) act in typing order."""

    async def _on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)
