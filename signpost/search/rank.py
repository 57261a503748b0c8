"""Putting matches in order: lexical scores, how many of the query's clauses a resource
matches when the query was relaxed, and the fusion of lexical and semantic rankings."""

from __future__ import annotations

import numpy as np

# Reciprocal rank fusion: each ranking adds 1 / (K + rank). 60 is the usual constant;
# docs/search-quality.md has the figures that chose it.
RRF_K = 60
# Semantic ranks beyond this are not worth adding: their share is too small to change order.
SEMANTIC_DEPTH = 200
# Fusion sorts this much of the lexical ranking, with the meaning ranking (see fused()).
LEXICAL_HEAD = 1000


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


def fused(lexical: np.ndarray, meaning: np.ndarray, size: int, weight: float) -> np.ndarray:
    """The lexical ranking fused with the meaning ranking by reciprocal rank, exactly.

    Only the head needs sorting: a position past the first LEXICAL_HEAD of the lexical
    ranking and not in the meaning ranking scores less than any position in the head, so the
    tail keeps its lexical order. At 80,000 matches this sorts about 1,200 positions, not all.
    """
    lexical_rank = np.full(size, -1, dtype=np.int64)
    lexical_rank[lexical] = np.arange(len(lexical))
    meaning_rank = np.full(size, -1, dtype=np.int64)
    meaning_rank[meaning] = np.arange(len(meaning))
    head = np.union1d(lexical[:LEXICAL_HEAD], meaning)
    score = np.zeros(len(head), dtype=np.float64)
    in_lexical = lexical_rank[head] >= 0
    score[in_lexical] += 1.0 / (RRF_K + 1 + lexical_rank[head][in_lexical])
    in_meaning = meaning_rank[head] >= 0
    score[in_meaning] += weight / (RRF_K + 1 + meaning_rank[head][in_meaning])
    ordered_head = head[np.lexsort((head, -score))]
    tail = lexical[LEXICAL_HEAD:]
    tail = tail[meaning_rank[tail] < 0]
    return np.concatenate([ordered_head, tail])
