"""Rasa input channels of our own, and the SMS rendering they share."""
