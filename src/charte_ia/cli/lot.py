"""``verifier`` over one declaration or many: results as they come, reports written, a summary."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from charte_ia import api
from charte_ia.cli.francais import UsageFrancais, as_usage_error
from charte_ia.cli.terminal import (
    EXIT_INVALID,
    Tally,
    echo,
    exit_code,
    print_diagnostics,
    report_written,
    worst,
)
from charte_ia.report import FORMATS

if TYPE_CHECKING:
    from charte_ia.batch import Verification
    from charte_ia.charter import Charte
    from charte_ia.derogation import Derogations


@dataclass(frozen=True)
class Demande:
    """What one ``verifier`` run was asked: the reports, where, and how to count the verdicts."""

    formats: tuple[str, ...]
    sortie: str | None
    strict: bool
    quiet: bool
    horodatage: str | None
    processus: int | None


def verify_all(charte: Charte, files: list[str], jour: date, derogations: Derogations | None,
               demande: Demande) -> int:
    """Decide every declaration, print or write its reports, say the summary; the exit code.

    Into a folder, the reports are rendered where each declaration is decided (in the worker
    processes of a large run), so that the process writing them does nothing else.
    """
    sortie = demande.sortie
    if sortie is None and FORMATS[demande.formats[0]].binaire and sys.stdout.isatty():
        raise UsageFrancais(f"le format {demande.formats[0]} est un fichier binaire, illisible dans le "
                            f"terminal : donnez --sortie rapport{FORMATS[demande.formats[0]].extension}, "
                            "ou redirigez la sortie")
    rendered = sortie is not None and not api.one_file(demande.formats, sortie)
    runs = api.verify(charte, files, jour, derogations=derogations, horodatage=demande.horodatage,
                      processus=demande.processus, rendre=demande.formats if rendered else ())
    codes: list[int] = []
    projets: list[str] = []  # to warn of dérogations granted to no project checked
    tally = Tally(len(files), quiet=demande.quiet)

    def decided() -> Iterator[Verification]:
        for run in runs:
            print_diagnostics(run.diagnostics)
            tally.add(None if run.verdict is None else run.verdict.value)
            if run.verdict is None or run.projet is None:
                codes.append(EXIT_INVALID)
                continue
            if derogations is not None:
                projets.append(run.projet)
            codes.append(exit_code(run.verdict, strict=demande.strict))
            yield run

    if sortie is None:
        for chunk in FORMATS[demande.formats[0]].flux(run.decision for run in decided() if run.decision):
            echo(chunk, nl=False)
    else:
        with as_usage_error():
            written = (api.write_rendered(((run.projet or "", run.rendus) for run in decided()), sortie)
                       if rendered else
                       api.write_reports((run.decision for run in decided() if run.decision),
                                         demande.formats, sortie))
        tally.clear()
        report_written(written, sortie, quiet=demande.quiet)
    tally.close()
    print_diagnostics(api.unmatched_derogations(derogations, projets))
    return worst(codes)
