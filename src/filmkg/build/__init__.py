"""The project graph, inference, statistics and the ``dist/`` build."""
