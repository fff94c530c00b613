"""The one way a string from a file, the user or speech-to-text reaches a widget: shown exactly as it is.

A title like "Cold call [/] warm lead" is Textual markup (it would stop the app) and "[Draft] ..." would
vanish as an unknown tag, so user text is never parsed as markup: it goes into plain Content, or into a
`$name` slot of markup we wrote ourselves (Textual inserts those values literally). Every value first goes
through terminal_safe, so no escape sequence from a file can reach the terminal.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from simulator.terminal_text import one_line, terminal_safe


def plain(text: object) -> Content:
    """Content that shows text exactly: no markup, escapes and controls written as \\uXXXX."""
    return Content(terminal_safe(str(text)))


def shown(template: str, **values: object) -> Content:
    """Our markup with the user's values in its $name slots, e.g. shown("[b]$title[/b]", title=scenario.title)."""
    return Content.from_markup(template, **{name: terminal_safe(str(value)) for name, value in values.items()})


def cell(text: object) -> Text:
    """A DataTable cell (it would parse a plain string as markup): one line, shown exactly."""
    return Text(one_line(str(text)), end="")


def message(text: object) -> str:
    """A notification's words (pass markup=False): one line, shown exactly."""
    return one_line(str(text))
