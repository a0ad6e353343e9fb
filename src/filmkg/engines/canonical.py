"""Blank-node canonicalisation (RDFC-1.0) on pyoxigraph's ``Dataset``: the one place
outside :mod:`filmkg.engines.store` that builds an in-memory dataset of the engine.

>>> q = ox.Quad(ox.BlankNode("x"), ox.NamedNode("https://e.org/p"), ox.Literal("v"))
>>> [str(c.subject) for c in canonicalize([q])]
['_:c14n0']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

__all__ = ["canonicalize"]


def canonicalize(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """``quads`` with their blank nodes relabelled by RDFC-1.0 (``_:c14n0``, ``_:c14n1``…),
    in the dataset's order. Exponential in the worst case (highly symmetric graphs)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return iter(dataset)
