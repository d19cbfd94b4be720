"""scripts/rasa_server.py workaround 12: the intent classifier's input, built in one step, is
the matrix Rasa builds, for hand-made features and for every held-out message through the
trained pipeline."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.core.agent import Agent
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from scripts import intent_features
from tests.conftest import REPO

RASAS = LogisticRegressionClassifier.__dict__["_create_X"]


def _rasas(messages: list[Message]) -> scipy.sparse.spmatrix:
    return RASAS(None, messages)


def _message(rng: np.random.Generator, widths: tuple[int, ...], tokens: int = 3) -> Message:
    message = Message(data={TEXT: "some words"})
    for n, width in enumerate(widths):
        origin = f"featurizer{n}"
        sequence = scipy.sparse.random(tokens, width, density=0.3, format="coo", random_state=rng)
        message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, origin))
        columns = rng.integers(0, width, size=6)  # repeated columns are summed, as scipy does
        sentence = scipy.sparse.coo_matrix((np.ones(6), (np.zeros(6, int), columns)), shape=(1, width))
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, origin))
    return message


def _same(ours: scipy.sparse.spmatrix, rasas: scipy.sparse.spmatrix) -> bool:
    return ours.shape == rasas.shape and ours.dtype == rasas.dtype and (ours != rasas).nnz == 0


def test_one_message_and_several_give_rasas_rows() -> None:
    rng = np.random.default_rng(3)
    messages = [_message(rng, (40, 70)) for _ in range(5)]
    assert _same(intent_features.intent_rows(messages[:1]), _rasas(messages[:1]))
    assert _same(intent_features.intent_rows(messages), _rasas(messages))


def test_features_only_rasa_can_combine_take_rasas_way() -> None:
    rng = np.random.default_rng(4)
    dense = _message(rng, (40,))
    dense.add_features(Features(np.ones((1, 5)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    assert intent_features.intent_rows([dense]) is None
    assert intent_features.intent_rows([_message(rng, (40,)), _message(rng, (41,))]) is None
    assert intent_features.intent_rows([Message(data={TEXT: ""})]) is None
    assert intent_features.intent_rows([]) is None


@pytest.fixture(scope="module")
def loaded_agent(trained_model: Path) -> Agent:
    return Agent.load(str(trained_model))


def test_every_held_out_message_gets_rasas_rows_and_ranking(loaded_agent, monkeypatch) -> None:
    compared = []

    def both(self: LogisticRegressionClassifier, messages: list[Message]) -> scipy.sparse.spmatrix:
        rasas = RASAS(self, messages)
        ours = intent_features.intent_rows(messages)
        compared.append(ours is not None and _same(ours, rasas))
        return rasas

    monkeypatch.setattr(LogisticRegressionClassifier, "_create_X", both)
    texts = [m.get(TEXT) for m in load_data(str(REPO / "tests" / "nlu" / "holdout.yml")).intent_examples]
    rankings = [asyncio.run(loaded_agent.parse_message(t))["intent_ranking"] for t in texts]
    assert len(compared) == len(texts) > 100 and all(compared)

    intent_features.install()  # Rasa's own assembly is now never called: the rankings stay the same
    assert [asyncio.run(loaded_agent.parse_message(t))["intent_ranking"] for t in texts] == rankings
    assert len(compared) == len(texts)
