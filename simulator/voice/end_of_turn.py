"""Has the caller finished? Smart Turn v3.2, an audio end-of-turn model, beside the pauses and the words.

A pause alone cannot tell "Thursday at ten." from "so what we found was, um...": both stop. Smart Turn
(a small Whisper-encoder classifier, 8.7 MB ONNX, package data in `smart_turn/`) hears the last 8 s of
the turn and says how likely it is to be complete, from intonation as well as words, in about 75 ms on
one thread. It runs on one onnxruntime thread (the speech model needs the other core) and is loaded
off the UI thread by the caller input's warm-up.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import Any

import numpy as np

SAMPLE_RATE = 16_000
WINDOW_SECONDS = 8  # the model hears the last 8 s of the turn
MODEL_FILE = "smart-turn-v3.2-cpu.onnx"


class EndOfTurnModel:
    """`probability(audio)`: how likely the caller's turn so far (16 kHz float32) is finished, 0..1."""

    def __init__(self) -> None:
        self._session: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.inter_op_num_threads = 1
            options.intra_op_num_threads = 1
            options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            model = resources.files("simulator.voice.smart_turn").joinpath(MODEL_FILE)
            with resources.as_file(model) as path:
                self._session = onnxruntime.InferenceSession(
                    str(path), sess_options=options, providers=["CPUExecutionProvider"]
                )

    def probability(self, audio: np.ndarray) -> float:
        from simulator.voice.smart_turn.features import compute_whisper_log_mel_features

        self.load()
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        size = WINDOW_SECONDS * SAMPLE_RATE
        samples = samples[-size:] if len(samples) > size else np.pad(samples, (size - len(samples), 0))
        features = compute_whisper_log_mel_features(samples, do_normalize=True)[np.newaxis]
        output = self._session.run(None, {"input_features": features})[0]
        return float(np.asarray(output).reshape(-1)[0])

    def warm_up(self) -> None:
        self.probability(np.zeros(SAMPLE_RATE, dtype=np.float32))


_shared: EndOfTurnModel | None = None
_shared_lock = threading.Lock()


def shared_model() -> EndOfTurnModel:
    """One model per process (the session is read-only and safe to share between calls)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EndOfTurnModel()
        return _shared
