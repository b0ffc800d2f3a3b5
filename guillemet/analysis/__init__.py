"""Answers from committed runs: reading them, quote and entity tables, clusters, the HTML report.

Beam-free: the storage is given as a small :class:`~guillemet.analysis.runs.Storage` (a local
folder here; ``gs://`` through Beam's filesystems in ``pipeline/analysis.py``).
"""
