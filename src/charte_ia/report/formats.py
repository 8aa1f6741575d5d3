"""The registry of output formats: one reporter module per format.

Each reporter takes the decisions of one run (one per declaration) and returns the text
to write. Reporters never compute anything the decision does not hold, so that what a
committee reads and what a tool parses always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from charte_ia.decision import Decision
from charte_ia.report import comite, junit, pdf, sarif, text
from charte_ia.report import json as json_report

Reporter = Callable[[Sequence[Decision]], str]
Streamer = Callable[[Iterable[Decision]], Iterator[Any]]
"""Pieces of text (``str``), or of a binary document (``bytes``) for a ``binaire`` format."""


@dataclass(frozen=True)
class Format:
    """An output format: how to render it, the file extension, whether one file can hold several decisions.

    ``flux`` renders decisions as they come, piece by piece: checking ten thousand
    declarations keeps one decision in memory at a time. ``rendu`` gives the same text at once.
    """

    flux: Streamer
    extension: str
    plusieurs: bool = True
    binaire: bool = False

    def rendu(self, decisions: Sequence[Decision]) -> str:
        """The whole text for these decisions (a text format)."""
        return "".join(self.flux(decisions))

    def contenu(self, decisions: Sequence[Decision]) -> str | bytes:
        """The whole output for these decisions: bytes for a binary format (PDF), else text."""
        pieces = list(self.flux(decisions))
        return b"".join(pieces) if self.binaire else "".join(pieces)


def _one_by_one(render: Reporter) -> Streamer:
    def stream(decisions: Iterable[Decision]) -> Iterator[str]:
        for decision in decisions:
            yield render([decision])
    return stream


FORMATS: dict[str, Format] = {
    "texte": Format(text.stream, ".txt"),
    "json": Format(json_report.stream, ".json"),
    "markdown": Format(_one_by_one(comite.render_markdown), ".md", plusieurs=False),
    "html": Format(_one_by_one(comite.render_html), ".html", plusieurs=False),
    "sarif": Format(sarif.stream, ".sarif"),
    "junit": Format(junit.stream, ".junit.xml"),
    "pdf": Format(pdf.stream, ".pdf", plusieurs=False, binaire=True),
}
"""The output formats by name, as ``--format`` accepts them."""

