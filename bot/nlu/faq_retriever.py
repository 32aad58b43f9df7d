"""Attaches the best FAQ matches (with scores and a decision) to every parsed message.

At ``rasa train`` the component learns from the knowledge base's example questions (all languages; they reach
it through ``KnowledgeBaseImporter``): a logistic regression over topics ranks them (much better than the
nearest example alone: 0.97 vs 0.88 top-1 on our dev set), and a faiss index of the examples gives each ranked
topic the cosine of its closest example, evidence that the message is really about it. Both are stored inside
the trained model. The encoder is multilingual, so a Korean question finds a topic whatever languages its
examples are in. Sets ``message["faq"] = {"decision": answer|clarify|unsure, "ranking": [{"id", "score",
"similarity"}, ...]}``. Thresholds are this component's configuration in config.yml.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.faq.decision import FAQ_INTENT, Thresholds, decide
from bot.faq.index import FaqIndex
from bot.nlu.featurizer import MAIN_VIEW, EncoderFeaturizer, sentence_vector
from bot.nlu.importer import FAQ_ID
from bot.nlu.linear import LinearSoftmax

FAQ_KEY = "faq"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqRetriever(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "answer_threshold": 0.5,
            "margin": 0.2,
            "clarify_threshold": 0.5,
            "similarity_threshold": 0.8,
            "faq_intent_threshold": 0.5,
            "C": 20.0,
            "ranking_length": 5,
        }

    @classmethod
    def required_components(cls) -> list[type]:
        return [EncoderFeaturizer]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        index: FaqIndex | None = None,
        topics: LinearSoftmax | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.index = index
        self.topics = topics
        self.thresholds = Thresholds(
            answer=config["answer_threshold"],
            margin=config["margin"],
            clarify=config["clarify_threshold"],
            similarity=config["similarity_threshold"],
            faq_intent=config["faq_intent_threshold"],
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FaqRetriever:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.training_examples
                    if m.get(FAQ_ID) and sentence_vector(m, [MAIN_VIEW]) is not None]
        if examples:
            vectors = np.stack([sentence_vector(m, [MAIN_VIEW]) for m in examples])
            labels = [m.get(FAQ_ID) for m in examples]
            self.index = FaqIndex.build(vectors, labels)
            self.topics = LinearSoftmax.fit(vectors, labels, self._config["C"], balanced=False)
            with self._storage.write_to(self._resource) as directory:
                self.index.save(directory)
                self.topics.save(directory, "topics")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FaqRetriever:
        try:
            with model_storage.read_from(resource) as directory:
                return cls(config, model_storage, resource, FaqIndex.load(directory),
                           LinearSoftmax.load(directory, "topics"))
        except (ValueError, FileNotFoundError, RuntimeError):  # trained without any FAQ topic
            return cls(config, model_storage, resource)

    @staticmethod
    def _faq_probability(message: Message) -> float:
        for entry in message.get("intent_ranking") or []:
            if entry.get("name") == FAQ_INTENT:
                return float(entry.get("confidence", 0.0))
        return 0.0

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            vector = sentence_vector(message, [MAIN_VIEW])  # the index holds the main encoder's vectors
            if vector is None or self.index is None or self.topics is None:
                continue
            similarity = dict(self.index.search(vector))
            ranking = [(topic, p, similarity.get(topic, 0.0))
                       for topic, p in self.topics.ranking(vector)[: self._config["ranking_length"]]]
            match = decide(ranking, self._faq_probability(message), self.thresholds)
            message.set(FAQ_KEY, match.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
