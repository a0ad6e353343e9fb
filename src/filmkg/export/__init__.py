"""Exports: the serialisation formats and the Wikidata / schema.org profiles."""
