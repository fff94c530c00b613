"""Where callsim keeps its files, and the settings file (TOML) with its defaults.

Paths come from platformdirs; CALLSIM_HOME puts everything (settings, history, user scenarios) in one
folder instead, which the tests use. Nothing here touches the disk until a function is called.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.bounded_read import FileRefused, read_bounded
from simulator.errors import CallsimError

APP_NAME = "callsim"


def home_override() -> Path | None:
    value = os.environ.get("CALLSIM_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    return home_override() or Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return home_override() or Path(platformdirs.user_data_dir(APP_NAME))


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def database_path() -> Path:
    return data_dir() / "history.sqlite3"


def user_scenarios_dir() -> Path:
    return data_dir() / "scenarios"


def log_path() -> Path:
    return data_dir() / "callsim.log"


def shipped_scenarios_dir() -> Path:
    """The scenarios that come with callsim: inside an installed wheel, or the checkout's scenarios/."""
    package = Path(__file__).resolve().parent
    installed = package / "_shipped_scenarios"
    return installed if installed.is_dir() else package.parent / "scenarios"


class Section(BaseModel):
    """Unknown keys are errors, numbers must be finite; every number has a range (named when it is broken)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


Text = Annotated[str, Field(max_length=1_000)]


class SpeechToText(Section):
    model: Text = Field(
        default="embedded",
        description="'embedded' (the tiny.en model shipped with callsim), a faster-whisper model name, or a path.",
    )
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    compute_type: Text = "int8"
    threads: int = Field(default=0, ge=0, le=64, description="CPU threads; 0 lets CTranslate2 choose.")
    beam_size: int = Field(default=1, ge=1, le=10)


class Listening(Section):
    mode: Literal["hands_free", "push_to_talk"] = "hands_free"
    vad_threshold: float = Field(default=0.5, gt=0, lt=1)
    speculative_pause_ms: int = Field(
        default=64, ge=32, le=2_000, description="Pause after which transcribing starts early (2 VAD windows of 32 ms)."
    )
    end_pause_ms: int = Field(
        default=350, ge=100, le=5_000, description="Pause that ends a finished sentence or question."
    )
    trailing_pause_ms: int = Field(
        default=900, ge=100, le=10_000, description="Pause that ends a turn left hanging ('and...')."
    )
    max_turn_seconds: float = Field(default=60.0, gt=1, le=600)
    backchannel_ms: int = Field(
        default=400, ge=0, le=5_000, description="Speech shorter than this does not interrupt a persona."
    )
    speech_start_ms: int = Field(
        default=96, ge=32, le=1000, description="Speech this long (in 32 ms VAD windows) starts a caller turn."
    )
    echo_ratio: float = Field(
        default=1.5,
        ge=0,
        le=100,
        description="Speaker mode: caller speech counts only when the mic's RMS is this many times the persona's.",
    )


class Audio(Section):
    mode: Literal["headset", "speaker"] = Field(
        default="headset",
        description="headset: full barge-in; speaker: barge-in only when the mic is louder than the persona's echo.",
    )
    input_device: Text | Annotated[int, Field(ge=0, le=10_000)] | None = None
    output_device: Text | Annotated[int, Field(ge=0, le=10_000)] | None = None


class Caller(Section):
    """Who you are on the phone, when it is not the scenario brief's caller: the personas recognise an
    introduction by this name or company in any phrasing."""

    name: str | None = Field(default=None, max_length=80, description="Your name, e.g. 'Ana Ruiz'.")
    company: str | None = Field(default=None, max_length=80, description="Your company, e.g. 'Northwind'.")


class Settings(Section):
    stt: SpeechToText = Field(default_factory=SpeechToText)
    listening: Listening = Field(default_factory=Listening)
    audio: Audio = Field(default_factory=Audio)
    caller: Caller = Field(default_factory=Caller)


class SettingsError(CallsimError):
    """A settings file that cannot be used; the message is one line naming the file."""


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; a missing file means the defaults."""
    path = path or settings_path()
    if not path.exists() and not path.is_symlink():
        return Settings()
    try:
        data = tomllib.loads(read_bounded(path, MAX_SETTINGS_BYTES, "settings file").decode("utf-8"))
    except FileRefused as refused:
        raise SettingsError(f"{path}: {refused}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: {error}") from None
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise SettingsError(f"{path}: not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8") from None
    except RecursionError:
        raise SettingsError(f"{path}: nested too deeply to be a settings file") from None
    try:
        return Settings.model_validate(data, strict=True)  # strict: `beam_size = true` is not 1
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"] if not str(part).startswith(("str", "int", "constrained")))
        if first["type"] == "extra_forbidden":
            raise SettingsError(f"{path}: {_unknown_setting(first['loc'])}") from None
        allowed = _allowed(first["loc"])
        shown = f" (got {first['input']!r})" if isinstance(first.get("input"), bool | int | float | str) else ""
        raise SettingsError(f"{path}: {where}: {first['msg']}{shown}{allowed}") from None


MAX_SETTINGS_BYTES = 100_000


def _allowed(location: tuple[int | str, ...]) -> str:
    """'; allowed: 1 to 10' for a number setting, from the field's own bounds."""
    model: Any = Settings
    field = None
    for part in location:
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            break
        field = fields[part]
        model = field.annotation
    if field is None:
        return ""
    low = high = None
    for rule in field.metadata:
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        low = getattr(rule, "gt", None) if getattr(rule, "gt", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
        high = getattr(rule, "lt", None) if getattr(rule, "lt", None) is not None else high
    if low is None and high is None:
        return ""
    kind = "a whole number" if field.annotation is int else "a number"
    return f"; allowed: {kind} from {low if low is not None else 'any'} to {high if high is not None else 'any'}"


def _unknown_setting(location: tuple[int | str, ...]) -> str:
    """'unknown setting [stt] beam (did you mean beam_size?)': a typo named, with the likely fix."""
    from rapidfuzz import process

    *sections, key = (str(part) for part in location)
    model: type[BaseModel] = Settings
    for section in sections:
        model = model.model_fields[section].annotation  # type: ignore[assignment]
    known = list(model.model_fields)
    where = f"[{'.'.join(sections)}] " if sections else ""
    kind = "setting" if sections else "section"
    guess = process.extractOne(key, known, score_cutoff=60)
    hint = f" (did you mean {guess[0]}?)" if guess else f" (known: {', '.join(known)})"
    return f"unknown {kind} {where}{key}{hint}"
