"""A faiss inner-product index over the embedded example questions of every FAQ topic.

Vectors are L2-normalised, so inner product is cosine similarity. A topic's score is its best example's
score: one close paraphrase in any language is the strongest evidence we have.
"""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np

# One message searches a few thousand vectors: well under a millisecond on one thread; an OpenMP team (one
# thread per core by default) only adds workers that spin between searches (see bot/rasa_speedups.py).
faiss.omp_set_num_threads(1)


class FaqIndex:
    def __init__(self, index: faiss.Index, labels: list[str]) -> None:
        self.index = index
        self.labels = labels
        self.topics = sorted(set(labels))
        position = {topic: i for i, topic in enumerate(self.topics)}
        self._topic_of = np.array([position[label] for label in labels], dtype=np.int64)

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

    def search(self, vector: np.ndarray, neighbours: int | None = None) -> list[tuple[str, float]]:
        """Topics ranked by their best example's cosine similarity to ``vector`` (all topics by default)."""
        if self.index.ntotal == 0:
            return []
        k = min(neighbours or self.index.ntotal, self.index.ntotal)
        scores, ids = self.index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), k)
        found = ids[0] >= 0
        best = np.full(len(self.topics), -np.inf, dtype=np.float32)
        np.maximum.at(best, self._topic_of[ids[0][found]], scores[0][found])
        order = [i for i in np.argsort(-best) if np.isfinite(best[i])]
        return [(self.topics[i], float(best[i])) for i in order]

    def save(self, directory: Path) -> None:
        faiss.write_index(self.index, str(directory / "faq.faiss"))
        (directory / "labels.json").write_text(json.dumps(self.labels), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> FaqIndex:
        index = faiss.read_index(str(directory / "faq.faiss"))
        return cls(index, json.loads((directory / "labels.json").read_text(encoding="utf-8")))
