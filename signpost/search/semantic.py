"""Meaning as well as words: each resource and each query as a vector of static token
embeddings (WordLlama's 256-dimension model, shipped inside its wheel: no network and no
download, ever), compared by cosine similarity.

The model's vectors are nested ("matryoshka"): their first 64 numbers are a vector of their
own. On the judged queries 64 rank as well as 256 (docs/search-quality.md) at a quarter of
the memory and time, so 64 are kept. They are made when the index is written, in the same
transaction, and stored as 64 one-byte numbers per resource (SearchVector); each process
holds them as 32-bit floats, 256 bytes a resource (26 MB at 100,000), so a search compares
the query with every resource in one matrix product. Set SEARCH_SEMANTIC to False for
lexical search alone; without the wordllama package the search is lexical too, and says so
once in the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

MODEL_DIMENSIONS = 256
DIMENSIONS = 64
SCALE = 127  # unit-vector components times this fit in a signed byte

_model: Any = None
_failed = False
_lock = threading.Lock()


def _load() -> Any:
    import wordllama
    from wordllama import WordLlama

    package = Path(str(wordllama.__file__)).resolve().parent
    # The loader looks for its files under cache_dir; the wheel holds them in its own folder.
    return WordLlama.load(
        cache_dir=package, disable_download=True, dim=MODEL_DIMENSIONS, trunc_dim=DIMENSIONS
    )


def model() -> Any:
    """The embedding model, loaded once per process; None when it cannot be."""
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            try:
                _model = _load()
            except Exception:  # any failure means lexical search, never a broken page
                _failed = True
                logger.warning("Semantic search is off: the wordllama model could not load.")
    return _model


def enabled() -> bool:
    return bool(getattr(settings, "SEARCH_SEMANTIC", True)) and model() is not None


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors (float32), one row per text."""
    vectors = np.asarray(model().embed(list(texts), norm=True), dtype=np.float32)
    return vectors.reshape(len(texts), DIMENSIONS)


def quantised(vectors: np.ndarray) -> list[bytes]:
    """Each unit vector as one-byte numbers, ready to store."""
    packed = np.clip(np.rint(vectors * SCALE), -SCALE, SCALE).astype(np.int8)
    return [row.tobytes() for row in packed]


def similarities(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine of the query with every vector (about -1 to 1; 0 where none is stored)."""
    return vectors @ query
