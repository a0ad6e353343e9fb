"""RDF vocabulary: namespaces, prefixes and well-formed literals."""
