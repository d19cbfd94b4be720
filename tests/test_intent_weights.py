"""scripts/rasa_server.py workaround 11: the trained intent classifier, its weights stored by
column, gives every message the same intent ranking as the one Rasa loads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

from scripts import rasa_server


def _load(trained_model: Path, tmp_path: Path) -> LogisticRegressionClassifier:
    storage, metadata = LocalModelStorage.from_model_archive(tmp_path, trained_model)
    node = next(n for n in metadata.predict_schema.nodes.values() if n.uses is LogisticRegressionClassifier)
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    config = {**LogisticRegressionClassifier.get_default_config(), **node.config}
    return LogisticRegressionClassifier.load(config, storage, node.resource, context)


def test_the_classifier_scores_every_message_as_rasas_does(trained_model, tmp_path, monkeypatch):
    rasas = _load(trained_model, tmp_path / "rasa")
    monkeypatch.setattr(LogisticRegressionClassifier, "load", LogisticRegressionClassifier.__dict__["load"])
    rasa_server._intent_weights_stored_by_column()
    ours = _load(trained_model, tmp_path / "ours")

    assert ours.clf.coef_.flags["F_CONTIGUOUS"] and not rasas.clf.coef_.flags["F_CONTIGUOUS"]
    features = scipy.sparse.random(
        200, rasas.clf.coef_.shape[1], density=0.005, format="csr", random_state=np.random.default_rng(7)
    )
    assert list(ours.clf.classes_) == list(rasas.clf.classes_)
    assert np.array_equal(ours.clf.predict_proba(features), rasas.clf.predict_proba(features))
    for row in range(20):  # one message at a time, as the server scores them
        assert np.array_equal(ours.clf.predict_proba(features[row]), rasas.clf.predict_proba(features[row]))
