"""Per-number SMS state in SQL: opt-outs and the choices last offered."""

from __future__ import annotations

import pytest

from channels.sms_render import Option
from clinic.sms_state import SmsState, SmsStateUnavailable

NUMBER = "+13015550123"


@pytest.fixture
def state(tmp_path):
    store = SmsState(f"sqlite:///{tmp_path / 'sms.db'}")
    yield store
    store.dispose()


def test_opt_out_and_back_in(state):
    assert not state.is_opted_out(NUMBER)
    state.set_opted_out(NUMBER, True)
    state.set_opted_out(NUMBER, True)
    assert state.is_opted_out(NUMBER)
    assert not state.is_opted_out("+13015550124")
    state.set_opted_out(NUMBER, False)
    assert not state.is_opted_out(NUMBER)


def test_opt_out_survives_a_new_connection(tmp_path):
    url = f"sqlite:///{tmp_path / 'sms.db'}"
    SmsState(url).set_opted_out(NUMBER, True)
    assert SmsState(url).is_opted_out(NUMBER)


def test_offered_options_are_replaced_and_withdrawn(state):
    first = (Option("Yes", "/affirm"), Option("No", "/deny"))
    assert state.offered(NUMBER) == ()
    state.remember_offered(NUMBER, first)
    assert state.offered(NUMBER) == first
    state.remember_offered(NUMBER, first[:1])
    assert state.offered(NUMBER) == first[:1]
    state.remember_offered(NUMBER, ())
    assert state.offered(NUMBER) == ()


def test_failures_say_why_without_chaining_the_driver_error(tmp_path):
    state = SmsState(f"sqlite:///{tmp_path / 'missing-dir' / 'sms.db'}")
    with pytest.raises(SmsStateUnavailable) as failure:
        state.set_opted_out(NUMBER, True)
    assert "unable to open database file" in str(failure.value)
    assert NUMBER not in str(failure.value)
    assert failure.value.__cause__ is None and failure.value.__suppress_context__
