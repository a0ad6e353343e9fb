"""Readers for third-party data sets: Cypher ``CREATE`` scripts, CSV and JSON files."""
