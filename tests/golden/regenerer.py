"""Regenerate the golden reports: ``make golden``, then review the diff before committing it.

Each case is a shipped declaration checked against a model charter on a fixed date, written
in every output format. ``tests/test_golden.py`` produces them again and compares byte for
byte: a change to a reporter, a template or a shipped rule shows up as a diff in review.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
JOUR = "2026-12-01"
FORMATS = {"texte": "txt", "markdown": "md", "html": "html", "json": "json", "sarif": "sarif", "junit": "xml"}
CASES = {
    # name: (declaration, charter, extra arguments)
    "chatbot-etat-civil": ("exemples/chatbot-etat-civil.yaml", "chartes/commune-modele.yaml", ()),
    "traduction-accueil-derogation": ("exemples/traduction-accueil.yaml", "chartes/commune-modele.yaml",
                                      ("--derogations", "exemples/derogations/comite-ethique-2026.yaml")),
    "aide-attribution-creche": ("exemples/aide-attribution-creche.yaml", "chartes/commune-modele.yaml", ()),
    "aide-instruction-solidarite": ("exemples/aide-instruction-solidarite.yaml",
                                    "chartes/departement-modele.yaml", ()),
}


def render(case: str, fmt: str) -> str:
    """The report of one case in one format, as ``charte-ia verifier`` prints it."""
    from charte_ia.cli import main

    fiche, charte, extra = CASES[case]
    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(ROOT)  # paths in the reports are the relative ones a user types
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), \
                contextlib.suppress(SystemExit):
            main(["verifier", fiche, "--charte", charte, "--date", JOUR, "--format", fmt, *extra])
    finally:
        os.chdir(previous)
    return out.getvalue()


def path_of(case: str, fmt: str) -> Path:
    return GOLDEN / f"{case}.{FORMATS[fmt]}"


def main() -> None:
    for case in CASES:
        for fmt in FORMATS:
            path_of(case, fmt).write_text(render(case, fmt), encoding="utf-8")
    print(f"{len(CASES) * len(FORMATS)} rapports de référence écrits dans {GOLDEN.relative_to(ROOT)}/")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
