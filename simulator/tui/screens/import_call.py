"""Import a recorded call: a recording's path (and optionally a research file), progress while it is
transcribed, then the result handed back with `dismiss` (the app opens the report).

Textual has no stock file picker; a path typed or pasted is what a dialer's download folder needs most.
The transcription runs in a worker thread; Cancel (or Escape) stops it between two windows of speech and
nothing is saved.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, ProgressBar, RadioButton, RadioSet, Static

from simulator.call.recorded import Cancelled, ImportPlan, ImportResult, Progress


class ImportCallScreen(Screen[ImportResult | None]):
    """Returns the scored and saved call, or None when the user went back or cancelled."""

    BINDINGS = [Binding("escape", "back", "Back / cancel")]

    def __init__(self) -> None:
        super().__init__()
        self._stop_request = threading.Event()
        self._importing = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="import-form"):
            yield Static(
                "Score a real call from its recording: two channels, one party each (wav, flac, mp3, m4a, ogg). "
                "It is transcribed here, offline, and saved as a recorded call.",
                classes="note",
            )
            yield Label("Recording")
            yield Input(placeholder="/path/to/call.wav", id="recording")
            yield Label("You are on the")
            with RadioSet(id="caller-side"):
                yield RadioButton("left channel", value=True, id="left")
                yield RadioButton("right channel", id="right")
            yield Label("Research facts (optional: a file, one fact a line)")
            yield Input(placeholder="/path/to/facts.txt", id="research")
            with Horizontal():
                yield Button("Score the call", variant="primary", id="start")
                yield Button("Cancel", id="cancel", disabled=True)
            yield ProgressBar(total=100, show_eta=False, id="import-progress")
            yield Static("", id="import-status")
        yield Footer()

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def start_import(self) -> None:
        if self._importing:
            return
        path = self.query_one("#recording", Input).value.strip()
        if not path:
            self._status("Name the recording first.")
            return
        research_path = self.query_one("#research", Input).value.strip()
        side = "right" if self.query_one("#right", RadioButton).value else "left"
        self._importing = True
        self._stop_request.clear()
        self.query_one("#start", Button).disabled = True
        self.query_one("#cancel", Button).disabled = False
        self._score_recording(
            Path(path).expanduser(), side, Path(research_path).expanduser() if research_path else None
        )

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _score_recording(self, path: Path, side: str, research_path: Path | None) -> None:
        from simulator.call.failures import one_line
        from simulator.call.recorded import import_recording
        from simulator.config import load_settings
        from simulator.history.store import open_history
        from simulator.voice.stt import Transcriber

        try:
            facts: tuple[str, ...] = ()
            if research_path is not None:
                from simulator.scenario.facts import load_facts

                facts = tuple(load_facts(research_path))
            plan = ImportPlan(recording=path, caller_side="right" if side == "right" else "left", research=facts)
            transcriber = Transcriber(load_settings().stt)
            with open_history() as store:
                result = import_recording(plan, transcriber, store, self._progress, self._stop_request)
        except Cancelled:
            self.app.call_from_thread(self._stopped, "Cancelled: nothing was saved.")
            return
        except Exception as error:  # one line, as the command line shows it
            self.app.call_from_thread(self._stopped, one_line(error))
            return
        self.app.call_from_thread(self.dismiss, result)

    def _progress(self, progress: Progress) -> None:
        self.app.call_from_thread(self._show_progress, progress)

    def _show_progress(self, progress: Progress) -> None:
        self.query_one("#import-progress", ProgressBar).update(progress=round(progress.done * 100))
        words = f"{progress.stage} {progress.done * 100:.0f}%"
        if progress.seconds_left is not None and progress.done < 1:
            words += f", about {max(0, round(progress.seconds_left))} s left"
        self._status(words)

    def _stopped(self, message: str) -> None:
        self._importing = False
        self.query_one("#start", Button).disabled = False
        self.query_one("#cancel", Button).disabled = True
        self._status(message)

    def _status(self, text: str) -> None:
        from rich.markup import escape

        self.query_one("#import-status", Static).update(escape(text))

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self._stop_request.set()
        self._status("Cancelling after this stretch of speech…")

    def action_back(self) -> None:
        if self._importing:
            self.cancel()
            return
        self.dismiss(None)
