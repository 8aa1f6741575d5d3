"""What the command prints and the exit codes it gives (DESIGN §6)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from charte_ia.report.escape import visible

if TYPE_CHECKING:
    from charte_ia.decision import Decision
    from charte_ia.diagnostics import Diagnostic

EXIT_OK = 0
EXIT_NON_CONFORME = 1
EXIT_INCOMPLET = 2
EXIT_INVALID = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130
"""Ctrl-C (SIGINT), as shells report it: 128 + 2."""
EXIT_TERMINATED = 143
"""SIGTERM (a service manager, ``kill``, a CI timeout): 128 + 15."""

_EXIT_RANK = {EXIT_OK: 0, EXIT_INCOMPLET: 1, EXIT_NON_CONFORME: 2, EXIT_INVALID: 3, EXIT_INTERNAL: 4}


def exit_code(decision: Decision, *, strict: bool = False) -> int:
    """The exit code a decision gives (DESIGN §6)."""
    from charte_ia.decision import Verdict  # noqa: PLC0415 - loaded with the decision itself

    if decision.verdict is Verdict.NON_CONFORME:
        return EXIT_NON_CONFORME
    if decision.verdict is Verdict.INCOMPLET:
        return EXIT_INCOMPLET
    if decision.verdict is Verdict.CONFORME_AVEC_RESERVES and strict:
        return EXIT_NON_CONFORME
    return EXIT_OK


def worst(codes: Sequence[int]) -> int:
    """The worst of several exit codes: 4 > 3 > 1 > 2 > 0."""
    return max(codes, key=_EXIT_RANK.__getitem__, default=EXIT_OK)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print, unless the reader has gone (``… | head``): what was decided must still set the exit code.

    Everything printed may quote an input: control and bidi characters are shown escaped,
    never sent to the terminal.
    """
    with contextlib.suppress(BrokenPipeError):
        click.echo(visible(text), err=err, nl=nl)


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    """Each problem on standard error, located (``fichier:ligne:colonne``)."""
    for diagnostic in diagnostics:
        echo(str(diagnostic), err=True)


def count(number: int, singular: str, plural: str) -> str:
    """``1 règle``, ``3 règles`` (French: the singular for 0 and 1)."""
    return f"{number} {singular if number <= 1 else plural}"
