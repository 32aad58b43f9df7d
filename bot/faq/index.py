"""A faiss inner-product index over the embedded example questions of every FAQ topic.

Vectors are L2-normalised, so inner product is cosine similarity. A topic's score is its best example's
score: one close paraphrase in any language is the strongest evidence we have.
"""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np


class FaqIndex:
    def __init__(self, index: faiss.Index, labels: list[str]) -> None:
        self.index = index
        self.labels = labels

    @classmethod
    def build(cls, vectors: np.ndarray, labels: list[str]) -> FaqIndex:
        if len(vectors) != len(labels):
            raise ValueError("one label per vector")
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, labels)

    @property
    def topic_count(self) -> int:
        return len(set(self.labels))

    def search(self, vector: np.ndarray, neighbours: int = 64) -> list[tuple[str, float]]:
        """Topics ranked by their best example's cosine similarity to ``vector``."""
        if self.index.ntotal == 0:
            return []
        k = min(neighbours, self.index.ntotal)
        scores, ids = self.index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), k)
        best: dict[str, float] = {}
        for score, i in zip(scores[0], ids[0]):
            if i < 0:
                continue
            label = self.labels[i]
            if label not in best:  # results come sorted, the first hit per topic is its best
                best[label] = float(score)
        return sorted(best.items(), key=lambda kv: -kv[1])

    def save(self, directory: Path) -> None:
        faiss.write_index(self.index, str(directory / "faq.faiss"))
        (directory / "labels.json").write_text(json.dumps(self.labels), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> FaqIndex:
        index = faiss.read_index(str(directory / "faq.faiss"))
        return cls(index, json.loads((directory / "labels.json").read_text(encoding="utf-8")))
