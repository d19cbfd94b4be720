"""The intent classifier's input rows, built straight from each message's sentence features.

Rasa's ``LogisticRegressionClassifier._create_X`` asks each message for its
combined sparse features, which deep-copies and ``hstack``s the sequence
features as well as the sentence ones, then ``hstack``s the sentence row with
an empty dense block and ``vstack``s the rows: 1.2 ms per message in scipy's
per-call overhead, for a row that is only the sentence features side by side.
This builds the same matrix in one step (about 0.03 ms).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message


def intent_rows(messages: Sequence[Message]) -> scipy.sparse.csr_matrix | None:
    """The rows Rasa's classifier builds, or None where only Rasa's own way applies.

    That is a message with dense features or without sparse sentence
    features, or messages whose features differ in width."""
    rows, columns, values = [], [], []
    width = None
    for row, message in enumerate(messages):
        offset = 0
        for features in message.features:
            if features.attribute != TEXT or features.type != FEATURE_TYPE_SENTENCE:
                continue
            if not features.is_sparse():
                return None
            block = features.features.tocoo()
            rows.append(np.full(block.nnz, row))
            columns.append(block.col + offset)
            values.append(block.data)
            offset += block.shape[1]
        if offset == 0 or width not in (None, offset):
            return None
        width = offset
    if width is None:
        return None
    return scipy.sparse.csr_matrix(
        (np.concatenate(values).astype(np.float64), (np.concatenate(rows), np.concatenate(columns))),
        shape=(len(messages), width),
    )


def install() -> None:
    create_x = LogisticRegressionClassifier._create_X

    def create_x_in_one_step(self: LogisticRegressionClassifier, messages: list[Message]) -> Any:
        rows = intent_rows(messages)
        return create_x(self, messages) if rows is None else rows

    LogisticRegressionClassifier._create_X = create_x_in_one_step  # type: ignore[method-assign]
