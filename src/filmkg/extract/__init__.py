"""Grow the graph from articles: candidate facts with verbatim evidence, reviewed, accepted.

``filmkg extract`` reads a text with spaCy (tokenizer, sentencizer, an entity ruler fed
with the graph's names, Matcher rules), proposes assertions of the ontology — each with
the quote that states it, its character offsets, the entities it links to and the rule
that made it — and writes a review file; ``filmkg accept`` turns the accepted ones into
the source's own named graph. See docs/extract.md.

spaCy is an optional dependency (``pip install 'filmkg[extract]'``): this package imports
it at module level, so import :mod:`filmkg.extract` only where extraction is wanted.
"""
