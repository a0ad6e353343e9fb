"""Reading RDF files safely, writing files atomically, and the JSON-LD machinery."""
