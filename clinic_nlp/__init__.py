"""The project's own spaCy pipeline and the Rasa NLU components built on it."""
