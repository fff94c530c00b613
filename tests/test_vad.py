"""Streaming Silero VAD: the same probabilities as faster-whisper's whole-file run, window by window."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import recorded_speech

from simulator.voice.vad import WINDOW_SAMPLES, StreamingVad, silero_model_path


@pytest.fixture(scope="module")
def jfk() -> np.ndarray:
    from faster_whisper import decode_audio

    audio = decode_audio(str(recorded_speech("jfk.flac")), sampling_rate=16000)
    return audio[: len(audio) // WINDOW_SAMPLES * WINDOW_SAMPLES]


def stream(vad: StreamingVad, audio: np.ndarray) -> np.ndarray:
    windows = audio.reshape(-1, WINDOW_SAMPLES)
    return np.array([vad.probability(window) for window in windows])


def test_the_model_is_the_one_faster_whisper_ships() -> None:
    path = silero_model_path()
    assert path.name == "silero_vad_v6.onnx"
    assert path.is_file()


def test_streaming_matches_faster_whispers_whole_file_run(jfk: np.ndarray) -> None:
    from faster_whisper.vad import SileroVADModel

    whole = SileroVADModel(str(silero_model_path()))(jfk).reshape(-1)
    streamed = stream(StreamingVad(), jfk)
    assert streamed.shape == whole.shape
    np.testing.assert_allclose(streamed, whole, atol=1e-4)


def test_speech_is_speech_and_silence_is_not(jfk: np.ndarray) -> None:
    vad = StreamingVad()
    speech = stream(vad, jfk)
    assert speech.max() > 0.9
    assert (speech > 0.5).mean() > 0.5  # Kennedy talks most of those 11 seconds
    vad.reset()
    quiet = stream(vad, np.zeros(WINDOW_SAMPLES * 30, dtype=np.float32))
    assert quiet.max() < 0.1
    noise = (np.random.default_rng(1).standard_normal(WINDOW_SAMPLES * 30) * 0.02).astype(np.float32)
    assert stream(vad, noise).max() < 0.5


def test_state_is_carried_and_reset_forgets_it(jfk: np.ndarray) -> None:
    vad = StreamingVad()
    first = stream(vad, jfk[: WINDOW_SAMPLES * 40])
    carried = stream(vad, jfk[: WINDOW_SAMPLES * 40])
    assert not np.allclose(first, carried, atol=1e-6)  # the model remembers what it heard
    vad.reset()
    np.testing.assert_allclose(stream(vad, jfk[: WINDOW_SAMPLES * 40]), first, atol=1e-6)


def test_a_window_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="512 samples"):
        StreamingVad().probability(np.zeros(480, dtype=np.float32))


def test_warm_up_leaves_the_stream_alone(jfk: np.ndarray) -> None:
    vad = StreamingVad()
    before = stream(vad, jfk[: WINDOW_SAMPLES * 20])
    vad.reset()
    stream(vad, jfk[: WINDOW_SAMPLES * 10])
    vad.warm_up()  # the TUI warms up beside a call that is already listening
    after = stream(vad, jfk[WINDOW_SAMPLES * 10 : WINDOW_SAMPLES * 20])
    np.testing.assert_allclose(after, before[10:], atol=1e-6)
