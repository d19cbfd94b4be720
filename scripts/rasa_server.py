"""`rasa`, with two workarounds for costs of Rasa 3.6 that `make bench` measured
(profiles and numbers: reports/bench_profile.md).

    python -m scripts.rasa_server run --model models/clinic-assistant.tar.gz ...

Takes the same arguments as `rasa`; scripts/services.py starts the Rasa server this way.

1. skops 0.9 (LogisticRegressionClassifier's persistence) builds its trusted-type
   lists on import, looking up every numpy and scipy ufunc in every loaded module
   (``pickle.whichmodule``). Rasa imports it while loading the model, after
   TensorFlow has loaded ~5,700 modules: about 10 s of the load on 2 cores.
   Imported first, it takes under 3 s, mostly scikit-learn, which Rasa needs anyway.
2. Rasa checks every action server response with ``jsonschema.validate``, which
   first checks the schema itself against the draft 2020-12 meta-schema: about
   30 ms of CPU per custom action call. The validator is built once here; the
   result is the same as ``jsonschema.validate``'s, errors included.
"""

from __future__ import annotations

import sys
from typing import Any

import skops.io  # noqa: F401  (workaround 1: must come before anything imports TensorFlow)


def _validate_action_responses_with_one_validator() -> None:
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = exceptions.best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (  # as RemoteAction._validate_action_result words it
                ". Failed to validate Action server response from API, make sure your response from the "
                f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def main() -> None:
    _validate_action_responses_with_one_validator()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
