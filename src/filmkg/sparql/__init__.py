"""SPARQL: the named-query catalogue, safety guards, term serialisation and result tables."""
