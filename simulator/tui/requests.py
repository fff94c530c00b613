"""What screens hand to the app: the results they dismiss with, and the requests they post while staying open.

Screens never open one another; they say what the user chose, here, and `CallsimApp` decides what comes
next. A new screen adds its result or request here and one handler in the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from textual.message import Message

from simulator.tui.coaching import Mode

if TYPE_CHECKING:
    from simulator.scenario.model import Scenario

ReportChoice = Literal["again", "history"]
"""The Report screen's result: practise this scenario again, or see the history (None: just back)."""


@dataclass(frozen=True)
class CallStart:
    """The Prepare screen's result: start the call, typed or spoken, coached or as an exam (None: back)."""

    typed: bool
    mode: Mode


class ScenariosRequest(Message):
    """From the Scenarios list: prepare a call on this scenario, or open it in the editor."""

    def __init__(self, action: Literal["prepare", "edit"], scenario: Scenario, path: Path) -> None:
        super().__init__()
        self.action = action
        self.scenario = scenario
        self.path = path


class ReportRequested(Message):
    """From the History: open the report of this saved call."""

    def __init__(self, call_id: int) -> None:
        super().__init__()
        self.call_id = call_id


class TryRequested(Message):
    """From the editor: try the scenario as it stands in a typed call kept out of the history."""

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario
