"""SHACL validation: the report, pySHACL and the shapes compiled to SPARQL."""
