"""Command-line helpers: serving, NLU reports, benchmarks."""
