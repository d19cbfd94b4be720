"""Stand-in values for the SMS channel's settings, for development and tests only.

credentials.yml reads the Twilio channel's settings from these environment
variables, and Rasa refuses to start when one is unset. None of these values is
a Twilio secret: the tokens only sign requests made on this machine.
"""

from __future__ import annotations

# `make run` with nothing set: the channel is up and checks signatures made
# with this token.
LOCAL_TWILIO_AUTH_TOKEN = "local-dev-only-twilio-token"
LOCAL_SMS_ENV = {
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": LOCAL_TWILIO_AUTH_TOKEN,
    "TWILIO_NUMBER": "",
    "TWILIO_PUBLIC_URL": "",
}

# The live tests (tests/test_twilio_channel.py): a full set, so the tests can
# post and sign requests the way Twilio would.
TEST_SMS_ENV = {
    "TWILIO_AUTH_TOKEN": "test-only-twilio-auth-token",
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "TWILIO_NUMBER": "+13015550199",
    "TWILIO_PUBLIC_URL": "",
}
