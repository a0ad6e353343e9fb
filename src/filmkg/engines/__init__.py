"""Engines: the only code that touches pyoxigraph stores, rdflib datasets and SPARQL endpoints."""
