"""guillemet: French news ingestion, Beam-free core.

The modules of this package parse feeds, fetch and extract articles, normalise French typography and
build the output records. None of them imports ``apache_beam``: the Beam wrappers live in
``transforms`` and the graph in ``pipeline``.
"""

__version__ = "0.1.0"
