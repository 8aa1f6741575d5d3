"""The committee report as PDF: the HTML report laid out on A4 by WeasyPrint.

The page is the HTML report itself (same text, same print style sheet), so that the PDF
and the page never say different things. WeasyPrint is given nothing to fetch: the report
holds no image, stylesheet or font link, and a fetcher that refuses every address makes sure
a text from the inputs never reaches the network or the disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

from charte_ia.decision import Decision
from charte_ia.diagnostics import InvalidRequestError
from charte_ia.report.comite import render_html


def stream(decisions: Iterable[Decision]) -> Iterator[bytes]:
    """One PDF document per decision (the format writes one file per declaration)."""
    for decision in decisions:
        yield render_pdf([decision])


def render_pdf(decisions: list[Decision]) -> bytes:
    """The PDF bytes of the committee report of these decisions.

    Raises:
        InvalidRequestError: WeasyPrint, or the system libraries it draws with (Pango), is missing.
    """
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: PLC0415 - loaded when a PDF is asked for
    except (ImportError, OSError) as error:
        raise InvalidRequestError(
            "le format pdf demande WeasyPrint et les bibliothèques Pango du système : installez "
            f"« charte-ia[pdf] » (pip install 'charte-ia[pdf]') — {type(error).__name__} : {error}") from None
    document = weasyprint.HTML(string=render_html(decisions), url_fetcher=_refuse)
    pdf: bytes = document.write_pdf()
    return pdf


def _refuse(url: str, *_args: Any, **_kwargs: Any) -> NoReturn:
    raise ValueError(f"ressource refusée : {url[:80]}")
