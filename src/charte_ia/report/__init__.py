"""Reporters: pure functions from decisions to text, one module per format.

Each reporter takes the decisions of one run (one per declaration) and returns the text
to write. Reporters never compute anything the decision does not hold, so that what a
committee reads and what a tool parses always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from charte_ia.decision import Decision
from charte_ia.report import comite, junit, sarif, text
from charte_ia.report import json as json_report

Reporter = Callable[[Sequence[Decision]], str]


@dataclass(frozen=True)
class Format:
    """An output format: how to render it, the file extension, whether one file can hold several decisions."""

    rendu: Reporter
    extension: str
    plusieurs: bool = True


FORMATS: dict[str, Format] = {
    "texte": Format(text.render, ".txt"),
    "json": Format(json_report.render, ".json"),
    "markdown": Format(comite.render_markdown, ".md", plusieurs=False),
    "html": Format(comite.render_html, ".html", plusieurs=False),
    "sarif": Format(sarif.render, ".sarif"),
    "junit": Format(junit.render, ".junit.xml"),
}
"""The output formats by name, as ``--format`` accepts them."""

__all__ = ["FORMATS", "Format", "Reporter"]
