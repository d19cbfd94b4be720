"""What the clinic knows: content, clinics, triage, requests and staff, in plain Python.

This package imports no framework (Rasa, Flask, Twilio, spaCy); the adapters in
``actions/``, ``clinic_nlp/``, ``channels/`` and ``console/`` call into it.
"""
