"""Reporters: pure functions from decisions to text, one module per format.

Each reporter takes the decisions of one run (one per declaration) and returns the text
to write. Reporters never compute anything the decision does not hold, so that what a
committee reads and what a tool parses always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from charte_ia.decision import Decision
from charte_ia.report import json as json_report
from charte_ia.report import text

Reporter = Callable[[Sequence[Decision]], str]

REPORTERS: dict[str, Reporter] = {
    "texte": text.render,
    "json": json_report.render,
}
"""The output formats by name, as ``--format`` accepts them."""

__all__ = ["REPORTERS", "Reporter"]
