"""Call: the live transcript, who is on the line and their patience, status, level, time, and the keys.

The call itself (`simulator.call.practice.PracticeCall`) runs on a worker thread; its events arrive here
as messages, so every key press is answered at once while speech is recognised or synthesised.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, ProgressBar, Static

from simulator.call.events import (
    CallEvent,
    PersonaSpeaking,
    StatusChanged,
    TurnFinished,
    WrapUp,
)
from simulator.scenario.model import Scenario
from simulator.transcript import MAX_TURN_CHARS, Transcript, Turn
from simulator.tui.catalog import speaker_names
from simulator.tui.coaching import Coach, Mode, wrap_up_hint
from simulator.tui.literal import message as message_words
from simulator.tui.literal import plain, shown
from simulator.tui.options import AppOptions
from simulator.tui.widgets.transcript_view import TranscriptView
from simulator.tui.widgets.turn_input import TurnInput
from simulator.voice.ports import InputLevel, InputStatus, PartialText

if TYPE_CHECKING:
    from simulator.call.practice import CallResult, PracticeCall

QUIT_GRACE_SECONDS = 3.0  # how long quitting waits for a hung-up call to save and score

STATUS_WORDS = {
    "connecting": "dialling…",
    "listening": "listening",
    "hearing": "hearing you",
    "transcribing": "transcribing",
    "thinking": "thinking",
    "speaking": "speaking",
    "idle": "waiting",
    "ended": "call ended",
}


def clock_words(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def patience_dots(left: int, full: int) -> str:
    left = max(0, min(left, full))
    return "●" * left + "○" * (full - left)


class CallEventArrived(Message):
    """A call event, carried from the call's worker thread to the screen."""

    def __init__(self, event: CallEvent) -> None:
        super().__init__()
        self.event = event


class CallOver(Message):
    def __init__(self, result: CallResult) -> None:
        super().__init__()
        self.result = result


class CallFailed(Message):
    def __init__(self, why: str) -> None:
        super().__init__()
        self.why = why


@dataclass
class OnTheLine:
    speaker: str = ""
    patience: int = 0


class CallScreen(Screen["CallResult | None"]):
    """Dismisses with the finished call (`CallResult`), or None when it failed (the reason was on screen)."""

    BINDINGS = [
        Binding("ctrl+x", "hang_up", "Hang up", priority=True),
        Binding("ctrl+o", "hint", "Hint", priority=True),
        Binding("ctrl+r", "repeat", "Repeat", priority=True),
        Binding("ctrl+b", "brief", "Brief", priority=True),
        Binding("ctrl+t", "talk", "Talk", priority=True),
        Binding("ctrl+f", "hands_free", "Hands-free", priority=True),
    ]

    def __init__(
        self, scenario: Scenario, options: AppOptions, *, typed: bool, mode: Mode = "coached", save: bool = True
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.options = options
        self.typed = typed
        self.mode: Mode = mode
        self.save = save
        self.call: PracticeCall | None = None  # built on the worker thread
        self.coach = Coach(mode)
        self.turns: dict[int, Turn] = {}
        self.last_persona: Turn | None = None
        self.on_line = OnTheLine()
        self.talking = False
        self.hands_free = True
        self.wrapping_up = False  # the persona agreed: the coach line says how to wrap up, and stays
        self.model_words = ""
        self._hung_up = threading.Event()
        self._call_done = threading.Event()  # the worker has saved and scored what it could
        self._failed = False
        self.names = speaker_names(scenario)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="call-bar"):
            yield Static("", id="on-line")
            yield Static("", id="status")
            yield Static("00:00", id="elapsed")
        with Horizontal(id="level-bar"):
            yield Label("Mic", classes="mic-label")
            yield ProgressBar(total=100, show_eta=False, show_percentage=False, id="level")
            yield Static("", id="talk-mode")
        with Horizontal(id="call-body"):
            yield TranscriptView(self.names, id="transcript")
            with VerticalScroll(id="call-brief") as brief:
                brief.border_title = "Brief (ctrl+b hides)"
                yield Static(self.brief(), id="brief-text")
        yield Static("", id="coach")
        say = TurnInput(placeholder="Type what you say and press Enter", id="say", max_length=MAX_TURN_CHARS)
        say.cursor_blink = self.options.cursor_blink
        yield say
        yield Footer(compact=True)

    def brief(self) -> Content:
        """The goal, the research facts and the offer, beside the transcript for the whole call."""
        scenario = self.scenario
        lines = ["[b]Goal:[/b] $goal"]
        values: dict[str, object] = {"goal": scenario.brief.goal, "offer": scenario.brief.offer}
        if scenario.research:  # before the offer: the facts are what a caller glances at mid-call
            lines += ["", "[b]Your research[/b]"]
            for index, fact in enumerate(scenario.research):
                lines.append(f"• $fact{index}")
                values[f"fact{index}"] = fact.fact
        lines += ["", "[b]Offer:[/b] $offer"]
        return shown("\n".join(lines), **values)

    def on_mount(self) -> None:
        self.query_one("#coach").display = False
        if self.typed:
            self.query_one("#level-bar").display = False
            self.query_one("#say", TurnInput).focus()
        else:
            self.query_one("#say").display = False
            self.show_talk_mode()
        self.show_status("connecting")
        self.set_interval(0.5, self.tick)
        self.run_call()

    def on_unmount(self) -> None:
        """Quitting mid-call hangs up and gives the call a moment to save its last turn and its scores."""
        self.hang_up_call()
        if self.call is not None:
            self._call_done.wait(QUIT_GRACE_SECONDS)

    # -- the call on its worker thread -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def run_call(self) -> None:
        from simulator.call.failures import one_line
        from simulator.call.practice import CallPlan, PracticeCall
        from simulator.config import load_settings

        options = self.options
        try:
            settings = options.settings or load_settings()
            speak = options.speak == "speaker" or (options.speak == "auto" and speaker_available())
            plan = CallPlan(
                self.scenario.id, "typed" if self.typed else "mic", seed=options.seed, speak=speak, save=self.save
            )
            call = PracticeCall(plan, on_event=self.forward, settings=settings, scenario=self.scenario)
            self.call = call
            if self._hung_up.is_set():
                call.hang_up()
            if not self.typed:
                self.app.call_from_thread(self.listening_mode_known, call.listening_mode == "hands_free")
                self.warm_up(call)
            result = call.run()
        except Exception as error:  # every failure becomes one line on screen (details in the log)
            self.post_message(CallFailed(one_line(error)))
            return
        finally:
            self._call_done.set()
        self.post_message(CallOver(result))

    @work(thread=True, group="warm-up", exit_on_error=False)
    def warm_up(self, call: PracticeCall) -> None:
        """Load the speech model beside the call, so the persona's first line does not wait for it."""
        from simulator.call.failures import one_line

        self.app.call_from_thread(self.show_model, "loading the speech model…")
        try:
            call.warm_up()
        except Exception as error:  # the call itself reports it too when it needs the model
            self.app.call_from_thread(self.show_model, one_line(error))
            return
        self.app.call_from_thread(self.show_model, "speech model ready")

    def show_model(self, words: str) -> None:
        self.model_words = words
        self.show_talk_mode()

    def listening_mode_known(self, hands_free: bool) -> None:
        self.hands_free = hands_free
        self.show_talk_mode()

    def forward(self, event: CallEvent) -> None:
        """Runs on the call's thread: hand the event to the UI thread without waiting for it."""
        self.post_message(CallEventArrived(event))

    def hang_up_call(self) -> None:
        self._hung_up.set()
        if self.call is not None:
            self.call.hang_up()

    # -- rendering events ------------------------------------------------------------------------------

    @on(CallEventArrived)
    def render_event(self, message: CallEventArrived) -> None:
        event = message.event
        view = self.query_one(TranscriptView)
        if isinstance(event, StatusChanged):
            self.show_status(event.status)
            if event.status == "ended":
                self.query_one("#say", TurnInput).disabled = True
        elif isinstance(event, InputStatus):
            if event.status == "hearing":
                self.coach.caller_started(self.now())
            self.show_status(event.status)
        elif isinstance(event, PartialText):
            view.show_partial(event.text)
        elif isinstance(event, InputLevel):
            self.query_one("#level", ProgressBar).update(progress=round(event.level * 100))
        elif isinstance(event, PersonaSpeaking):
            self.turns[event.index] = event.turn
            self.last_persona = event.turn
            self.on_line = OnTheLine(event.turn.speaker, event.patience)
            view.show_turn(event.index, event.turn)
            self.show_on_line()
            name = self.names.get(event.turn.speaker, event.turn.speaker)
            self.nudge(self.coach.persona_patience(self.now(), name, event.patience))
        elif isinstance(event, WrapUp):  # shown in exam mode too: it is how the call works, not a hint
            self.wrapping_up = True
            self.show_coach(wrap_up_hint(event.outcome, self.typed))
        elif isinstance(event, TurnFinished):
            self.turns[event.index] = event.turn
            view.show_turn(event.index, event.turn)
            if event.turn.speaker == "caller":
                if not self.wrapping_up:  # a hint is for the next thing to say; once said, it goes
                    self.query_one("#coach").display = False
                self.nudge(self.coach.caller_turn(self.now(), event.turn.duration))

    @on(CallOver)
    def finished(self, message: CallOver) -> None:
        self.dismiss(message.result)

    @on(CallFailed)
    def failed(self, message: CallFailed) -> None:
        self._failed = True
        self.app.notify(
            message_words(f"{message.why} (ctrl+x leaves the call)"), severity="error", timeout=10, markup=False
        )
        self.show_status("ended")
        self.query_one("#say", TurnInput).disabled = True

    def now(self) -> float:
        return float(self.call.clock.now()) if self.call is not None else 0.0

    def tick(self) -> None:
        self.query_one("#elapsed", Static).update(clock_words(self.now()))
        self.nudge(self.coach.tick(self.now()))

    def show_status(self, status: str) -> None:
        words = "your turn" if status == "listening" and self.typed else STATUS_WORDS.get(status, status)
        self.query_one("#status", Static).update(words)

    def show_on_line(self) -> None:
        role = self.on_line.speaker
        if role not in ("gatekeeper", "executive"):
            return
        persona = self.scenario.persona(role)  # type: ignore[arg-type]
        dots = patience_dots(self.on_line.patience, persona.traits.patience)
        self.query_one("#on-line", Static).update(
            shown("patience $dots · [b]$name[/b] ($role)", dots=dots, name=persona.name, role=persona.role)
        )

    def show_talk_mode(self) -> None:
        self.refresh_bindings()
        if self.hands_free:
            words = "hands-free: just talk"
        else:
            words = "[b]talking[/b]: ctrl+t when done" if self.talking else "push-to-talk: ctrl+t to talk"
        if self.model_words:
            words += " · $model"
        self.query_one("#talk-mode", Static).update(shown(words, model=self.model_words))

    def nudge(self, text: str | None) -> None:
        if text:
            self.show_coach(text)

    def show_coach(self, text: str) -> None:
        coach = self.query_one("#coach", Static)
        coach.update(plain(f"💡 {text}"))
        coach.display = True

    # -- the caller's keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "hint":
            return self.coach.helps
        if action == "talk":
            return not self.typed and not self.hands_free
        if action == "hands_free":
            return not self.typed
        return True

    @on(TurnInput.Said, "#say")
    def say(self, event: TurnInput.Said) -> None:
        if self.call is not None:
            self.call.say(event.text)

    def action_hang_up(self) -> None:
        if self._failed:
            self.dismiss(None)
            return
        self.show_status("ended")
        self.hang_up_call()

    def action_brief(self) -> None:
        brief = self.query_one("#call-brief")
        brief.display = not brief.display

    def action_hint(self) -> None:
        if self.coach.helps:
            self.find_hint(Transcript(scenario=self.scenario.id, turns=[self.turns[i] for i in sorted(self.turns)]))

    @work(thread=True, exclusive=True, group="hint")
    def find_hint(self, transcript: Transcript) -> None:
        from simulator.tui.coaching import hint

        text = hint(transcript)
        self.app.call_from_thread(self.show_coach, text)

    def action_repeat(self) -> None:
        if self.last_persona is None or self.call is None:
            return
        self.query_one(TranscriptView).show_repeat(self.last_persona)
        self.replay()

    @work(thread=True, group="repeat")
    def replay(self) -> None:
        """Synthesis and playback may take a moment: never on the UI thread."""
        if self.call is not None:
            self.call.session.repeat_last_line()

    def action_talk(self) -> None:
        call = self.call
        if self.typed or call is None or not call.can_push_to_talk or self.hands_free:
            return
        self.talking = not self.talking
        if self.talking:
            call.press_to_talk()
        else:
            call.release_to_talk()
        self.show_talk_mode()

    def action_hands_free(self) -> None:
        call = self.call
        if self.typed or call is None or not call.can_push_to_talk:
            return
        self.hands_free = not self.hands_free
        call.set_listening_mode("hands_free" if self.hands_free else "push_to_talk")
        self.talking = False
        self.show_talk_mode()


def speaker_available() -> bool:
    """Whether persona lines can be played aloud (asked on the call's thread: PortAudio may block)."""
    from simulator.config import load_settings
    from simulator.voice.devices import AudioUnavailable, check_output

    try:
        check_output(load_settings().audio.output_device)
    except AudioUnavailable:
        return False
    return True
