"""Voice activity as a stream: Silero VAD, the model faster-whisper ships, run one 32 ms window at a time.

faster-whisper runs Silero over a whole file at once; a live call needs the probability for each window
as it arrives, so the recurrent state (h, c) and the 64-sample context are carried from one window to the
next here. Fed the same audio, the two give the same probabilities.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16_000
WINDOW_SAMPLES = 512  # 32 ms at 16 kHz, the window Silero is trained on
WINDOW_SECONDS = WINDOW_SAMPLES / SAMPLE_RATE
CONTEXT_SAMPLES = 64
_STATE_SHAPE = (1, 1, 128)


def silero_model_path() -> Path:
    """The Silero VAD model inside the installed faster-whisper package (no download, ever)."""
    from faster_whisper.utils import get_assets_path

    return Path(get_assets_path()) / "silero_vad_v6.onnx"


class StreamingVad:
    """Speech probability of each 32 ms window, with the model's memory carried across windows."""

    def __init__(self, model_path: Path | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # One thread: a window costs well under a millisecond, and Whisper needs the cores.
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 4
        self._session: Any = onnxruntime.InferenceSession(
            str(model_path or silero_model_path()), providers=["CPUExecutionProvider"], sess_options=options
        )
        self._input = np.zeros((1, CONTEXT_SAMPLES + WINDOW_SAMPLES), dtype=np.float32)
        self.reset()

    def reset(self) -> None:
        """Forget everything heard (a new call, or a new audio file)."""
        self._h = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(CONTEXT_SAMPLES, dtype=np.float32)

    def probability(self, window: np.ndarray) -> float:
        """Probability (0..1) that this window of 512 samples at 16 kHz holds speech."""
        samples = np.asarray(window, dtype=np.float32).reshape(-1)
        if samples.shape[0] != WINDOW_SAMPLES:
            raise ValueError(f"a VAD window is {WINDOW_SAMPLES} samples at 16 kHz, got {samples.shape[0]}")
        self._input[0, :CONTEXT_SAMPLES] = self._context
        self._input[0, CONTEXT_SAMPLES:] = samples
        output, self._h, self._c = self._session.run(None, {"input": self._input, "h": self._h, "c": self._c})
        self._context = samples[-CONTEXT_SAMPLES:].copy()
        return float(output[0])

    def warm_up(self) -> None:
        """Run the model once so the first real window does not pay for onnxruntime's first call.

        Uses state of its own, so it is safe beside a thread that is feeding windows.
        """
        state = np.zeros(_STATE_SHAPE, dtype=np.float32)
        silence = np.zeros((1, CONTEXT_SAMPLES + WINDOW_SAMPLES), dtype=np.float32)
        self._session.run(None, {"input": silence, "h": state, "c": state.copy()})
