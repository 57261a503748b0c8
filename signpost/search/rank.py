"""Putting matches in order: lexical scores, how many of the query's clauses a resource
matches when the query was relaxed, and the fusion of lexical and semantic rankings."""

from __future__ import annotations

import numpy as np

# Reciprocal rank fusion: each ranking adds 1 / (K + rank). 60 is the usual constant;
# docs/search-quality.md has the figures that chose it.
RRF_K = 60
# Semantic ranks beyond this are not worth adding: their share is too small to change order.
SEMANTIC_DEPTH = 200


def lexical_order(
    positions: np.ndarray, scores: np.ndarray, coordination: np.ndarray
) -> np.ndarray:
    """Positions best first: more clauses matched, then the higher score, then lower id."""
    return positions[np.lexsort((positions, -scores, -coordination))]


def semantic_order(positions: np.ndarray, similarity: np.ndarray) -> np.ndarray:
    """The SEMANTIC_DEPTH positions most similar in meaning, most similar first."""
    if len(positions) > SEMANTIC_DEPTH:
        top = np.argpartition(-similarity, SEMANTIC_DEPTH - 1)[:SEMANTIC_DEPTH]
        positions, similarity = positions[top], similarity[top]
    return positions[np.lexsort((positions, -similarity))]


def fused(
    rankings: list[np.ndarray], size: int, *, weights: list[float] | None = None
) -> np.ndarray:
    """Every ranked position, ordered by its (weighted) reciprocal-rank-fusion score."""
    score = np.zeros(size, dtype=np.float64)
    seen = np.zeros(size, dtype=bool)
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        score[ranking] += weight / (RRF_K + 1 + np.arange(len(ranking)))
        seen[ranking] = True
    positions = np.flatnonzero(seen)
    return positions[np.lexsort((positions, -score[positions]))]
