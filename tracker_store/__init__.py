"""Rasa tracker stores of our own: ``ConsentTrackerStore`` wraps the configured one."""
