"""The version of charte-ia: its one source (``pyproject.toml`` reads it from here).

A constant, not a lookup in the installed metadata: ``charte-ia --version`` and ``--aide``
start without loading :mod:`importlib.metadata`.
"""

__version__ = "0.2.0"
