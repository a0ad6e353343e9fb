"""The deterministic synthetic film-graph generator."""
