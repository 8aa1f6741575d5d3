"""Reporters: pure functions from decisions to text, one module per format.

The registry (:data:`FORMATS`, in :mod:`charte_ia.report.formats`) is loaded on first use, so
that a command which renders nothing (``charte-ia --aide``) does not import the reporters;
:data:`NOMS` gives the format names without loading anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from charte_ia.report.formats import FORMATS, Format, Reporter, Streamer

NOMS = ("html", "json", "junit", "markdown", "pdf", "sarif", "texte")
"""The names ``--format`` accepts, in alphabetical order (a test checks them against :data:`FORMATS`)."""

_EXTENSIONS = ((".junit.xml", "junit"), (".xml", "junit"), (".sarif", "sarif"), (".json", "json"),
               (".md", "markdown"), (".markdown", "markdown"), (".html", "html"), (".htm", "html"),
               (".txt", "texte"), (".pdf", "pdf"))


def format_of(sortie: str | None) -> str:
    """The format a ``--sortie`` file asks for by its extension (``r.html`` → ``html``), else ``texte``."""
    name = (sortie or "").lower()
    return next((fmt for extension, fmt in _EXTENSIONS if name.endswith(extension)), "texte")


__all__ = ["FORMATS", "NOMS", "Format", "Reporter", "Streamer", "format_of"]


def __getattr__(name: str) -> Any:
    if name in ("FORMATS", "Format", "Reporter", "Streamer"):
        from charte_ia.report import formats  # noqa: PLC0415 - loaded on first use

        return getattr(formats, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
