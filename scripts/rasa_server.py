"""`rasa`, with thirteen workarounds for costs of Rasa 3.6 that `make bench` measured
(profiles and numbers: reports/bench_profile.md), and one for a lock-store bug (7).

    python -m scripts.rasa_server run --model models/clinic-assistant.tar.gz ...

Takes the same arguments as `rasa`; scripts/services.py starts the Rasa server this way.
It also redacts patient data from every log record (clinic/log_redaction.py).
Its HTTP API is off unless $RASA_API_TOKEN is set, and then requires that token.

1. skops 0.9 (LogisticRegressionClassifier's persistence) builds its trusted-type
   lists on import, looking up every numpy and scipy ufunc in every loaded module
   (``pickle.whichmodule``). Rasa imports it while loading the model, after
   TensorFlow has loaded ~5,700 modules: about 10 s of the load on 2 cores.
   Imported first, it takes under 3 s, mostly scikit-learn, which Rasa needs anyway.
2. Rasa checks every action server response with ``jsonschema.validate``, which
   first checks the schema itself against the draft 2020-12 meta-schema: about
   30 ms of CPU per custom action call. scripts/action_responses.py builds the
   validator once and checks each event against its own kind's part of the schema
   only; the result is the same as ``jsonschema.validate``'s, errors included.
3. Rasa turns each stored event back into an object through ``Event.resolve_by_type``,
   which walks every subclass of ``Event`` (``all_subclasses``, with ``inspect.isabstract``
   on each) for every event of the conversation on every message: a third of the Rasa
   server's CPU at turn 100 of one conversation. The classes are looked up in a table
   built once here (rebuilt when a name is missing, so a later-imported event class is
   still found; unknown names take Rasa's own path, defaults and errors included).
4. Once the model is loaded the server holds millions of long-lived objects (TensorFlow,
   spaCy, scikit-learn, Rasa); every full garbage collection walks them all, about 250 ms
   of CPU, once every 20-30 messages. They are moved out of the collector's sight
   (``gc.freeze``) right after the model loads; newer objects are collected as before.
5. Rasa's SQL tracker store rebuilds each conversation from all its stored rows on every
   message (fetch, JSON decoding, event objects, replay): about half of the CPU per
   message at turn 100. ``type: SQL`` in endpoints.yml is served by
   tracker_store/cached_sql.py instead, which keeps each conversation's tracker between
   its messages while the database still holds what it held then. With 3 and 4, the
   CPU per message at turn 100 fell to 0.4x (122 to 48 ms, one alternating run), and
   tracker retrieval from 32 % of the samples to under 1 %. It saves only the events
   after the stored ones, without Rasa's count query, over pooled SQLite connections:
   save and retrieve went from about 30 % of the samples at turn 1 to 11 %.
6. For every action prediction RulePolicy asks for the tracker's past states, which Rasa
   computes by replaying the whole session into a fresh tracker (and works out which
   events a revert or a form undid, for every event, several times per message): a
   quarter of the busy time at turns 100-160 after 5. scripts/past_states.py extends the
   previous call's replay while the tracker (kept by 5) only gains events, and replays
   from the start, as Rasa does, after a revert, restart, new session or a form's repeated
   execution (tests/test_past_states.py: the same states as Rasa's, event after event).
   CPU per message at turns 1 / 50 / 100: 16.0 / 27.3 / 39.9 ms before, 15.4 / 20.9 /
   27.3 after (``python -m scripts.bench_turns``, one run each, 2026-11-25).
7. A message waiting for its conversation's lock renews its own ticket, which Rasa lets
   expire while it waits, leaving it unserved until a 60 s timeout (scripts/lock_wait.py).
8. Before every action Rasa copies the tracker by replaying the whole session, and a
   form rebuilds one from the session's events for every validation and question;
   scripts/tracker_copy.py copies the state directly.
9. RulePolicy formats, checks and serialises every past state of the session for every
   prediction; scripts/rule_states.py gives it (and has copied for it) only the states
   its rules can reach.
10. Every action server request carries every event of the session;
   scripts/action_events.py sends the recent turns (and the current form run).
   With 8-10, CPU per message at turn 100 was 1.08-1.33x that at turn 1, against
   1.8-2.5x before (figures in the README's benchmark section).
11. The intent classifier scores a message as its features times the transposed weights;
   with the weights stored row by row, scipy copies the transposed 31 x 20,650 matrix for
   every message (2.9 ms of the classifier's 3 ms). Stored by column, the transpose is a
   view: 0.09 ms, the same probabilities (tests/test_intent_weights.py).
12. Rasa assembles that message's features through four scipy sparse operations and deep
   copies (1.24 ms); scripts/intent_features.py builds the same matrix in one step
   (0.013 ms; tests/test_intent_features.py: the same rows and rankings).
13. Every call to the action server opens and closes its own TCP connection;
   scripts/action_connections.py keeps them alive in one pool (0.45-0.55 ms of the
   caller's CPU per call instead of 0.60-1.21, tests/test_action_connections.py).
   endpoints.yml also sends the domain only to the actions that read it.
14. TensorFlow 2.12 imports jax and jaxlib if they are installed (TensorFlow's own
   package requires them), for converting models to TFLite, which Rasa never does.
   jax is marked missing before anything imports TensorFlow, which then goes on without
   it, as it does where jax is not installed: the server's resting memory fell from 661
   to 597 MB in one side-by-side start.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import skops.io  # noqa: F401  (workaround 1: must come before anything imports TensorFlow)

from clinic import log_redaction

API_TOKEN_ENV = "RASA_API_TOKEN"


def _tensorflow_without_jax() -> None:
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]  # ``import jax`` raises ImportError


def _validate_action_responses_with_one_validator() -> None:
    from scripts import action_responses

    action_responses.install()


def _resolve_event_types_from_a_table() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    by_name: dict[str, type[Event]] = {}
    resolve_by_walking = Event.resolve_by_type

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        if type_name not in by_name:
            by_name.clear()
            for cls in all_subclasses(Event):
                by_name.setdefault(cls.type_name, cls)  # Rasa returns the first match
            if type_name not in by_name:
                return resolve_by_walking(type_name, default)
        return by_name[type_name]

    Event.resolve_by_type = staticmethod(resolve_by_type)


def _intent_weights_stored_by_column() -> None:
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    load = LogisticRegressionClassifier.load.__func__  # type: ignore[attr-defined]

    def load_by_column(cls: type, *args: Any, **kwargs: Any) -> LogisticRegressionClassifier:
        classifier = load(cls, *args, **kwargs)
        classifier.clf.coef_ = np.asfortranarray(classifier.clf.coef_)
        return classifier

    LogisticRegressionClassifier.load = classmethod(load_by_column)  # type: ignore[assignment]


def _intent_rows_built_in_one_step() -> None:
    from scripts import intent_features

    intent_features.install()


def _action_server_connections_kept_alive() -> None:
    from scripts import action_connections

    action_connections.install()


def _freeze_the_loaded_model_out_of_garbage_collection() -> None:
    import rasa.core.run

    load_agent_on_start = rasa.core.run.load_agent_on_start

    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent_on_start(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    rasa.core.run.load_agent_on_start = load_then_freeze


def _api_only_with_a_token() -> None:
    """Rasa's HTTP API (trackers, events, actions, model) answers only with $RASA_API_TOKEN,
    and is off when it is unset. The token is added here, not on the command line,
    where any user of the machine could read it (``ps``)."""
    token = os.environ.get(API_TOKEN_ENV, "").strip()
    if "--enable-api" in sys.argv and not token:
        sys.exit(f"error: Rasa's HTTP API needs a token: set {API_TOKEN_ENV}")
    if token and sys.argv[1:2] == ["run"] and "--enable-api" not in sys.argv:
        sys.argv += ["--enable-api", "--auth-token", token]


def _sql_tracker_store_keeps_trackers() -> None:
    import rasa.core.tracker_store

    from tracker_store.cached_sql import CachedSQLTrackerStore

    rasa.core.tracker_store.SQLTrackerStore = CachedSQLTrackerStore


def _past_states_extended_between_calls() -> None:
    from scripts import past_states

    past_states.install()


def _waiting_messages_keep_their_lock_tickets() -> None:
    from scripts import lock_wait

    lock_wait.install()


def _no_session_replayed_per_message() -> None:
    from scripts import action_events, rule_states, tracker_copy

    tracker_copy.install()
    rule_states.install()
    action_events.install()


def main() -> None:
    log_redaction.install()  # no message, slot value or tracker dump reaches the log
    _tensorflow_without_jax()
    _validate_action_responses_with_one_validator()
    _resolve_event_types_from_a_table()
    _freeze_the_loaded_model_out_of_garbage_collection()
    _intent_weights_stored_by_column()
    _intent_rows_built_in_one_step()
    _action_server_connections_kept_alive()
    _sql_tracker_store_keeps_trackers()
    _past_states_extended_between_calls()
    _waiting_messages_keep_their_lock_tickets()
    _no_session_replayed_per_message()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    _api_only_with_a_token()
    rasa_main()


if __name__ == "__main__":
    main()
