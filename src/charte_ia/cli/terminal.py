"""What the command prints and the exit codes it gives (DESIGN §6)."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from charte_ia.report.escape import visible

if TYPE_CHECKING:
    from charte_ia.decision import Verdict
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


def exit_code(verdict: Verdict, *, strict: bool = False) -> int:
    """The exit code a verdict gives (DESIGN §6)."""
    from charte_ia.decision import Verdict  # noqa: PLC0415 - loaded with the decision itself

    if verdict is Verdict.NON_CONFORME:
        return EXIT_NON_CONFORME
    if verdict is Verdict.INCOMPLET:
        return EXIT_INCOMPLET
    if verdict is Verdict.CONFORME_AVEC_RESERVES and strict:
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
    shown = visible(text)
    painted = colours_wanted(err=err)
    with contextlib.suppress(BrokenPipeError):
        click.echo(paint(shown) if painted else shown, err=err, nl=nl, color=painted or None)


def colours_wanted(*, err: bool) -> bool:
    """Colours on a terminal, as the tools people know do: never with ``NO_COLOR`` (no-color.org),
    always with ``FORCE_COLOR`` or ``CLICOLOR_FORCE`` (a CI log that shows them), never for
    ``TERM=dumb``. The words say everything; colours only help the eye."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR") or os.environ.get("CLICOLOR_FORCE", "0") not in ("", "0"):
        return True
    stream = sys.stderr if err else sys.stdout
    return stream.isatty() and os.environ.get("TERM") != "dumb"


_VERDICT_COLOURS = (("Décision : CONFORME AVEC RÉSERVES", "yellow"), ("Décision : NON CONFORME", "red"),
                    ("Décision : INCOMPLET", "magenta"), ("Décision : CONFORME", "green"))
_SEVERITY = re.compile(r"(?m)^(\S.*?: )(erreur|avertissement)( \[[a-z0-9-]+\])")


def paint(text: str) -> str:
    """The verdicts in their colour and in bold, ``erreur`` in red and ``avertissement`` in yellow."""
    for words, colour in _VERDICT_COLOURS:
        if words in text:
            styled = click.style(words, fg=colour, bold=True)
            text = re.sub(rf"{re.escape(words)}(?![A-ZÉ]| AVEC)", styled, text)
    return _SEVERITY.sub(lambda m: m.group(1) + click.style(
        m.group(2), fg="red" if m.group(2) == "erreur" else "yellow", bold=True) + m.group(3), text)


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    """Each problem on standard error, located (``fichier:ligne:colonne``), with its line and a caret."""
    files: dict[str, list[bytes] | None] = {}  # each file read once, however many problems it has
    for diagnostic in diagnostics:
        text = str(diagnostic)
        where = diagnostic.location
        if where.file not in files:
            files[where.file] = _lines_of(where.file)
        excerpt = source_excerpt(files[where.file], where.line, where.column)
        if excerpt:
            head, _, rest = text.partition("\n")
            text = head + "\n" + excerpt + ("\n" + rest if rest else "")
        echo(text, err=True)


_EXCERPT_WIDTH = 100
"""The characters of a long line shown around the column."""
_EXCERPT_BYTES = 4_000_000
"""The excerpt is read from the first bytes of the file only, as the loaders read them."""


def _lines_of(file: str) -> list[bytes] | None:
    """The lines of a file a problem points to, read again and bounded; never standard input."""
    if file == "-" or not Path(file).is_file():
        return None
    try:
        with open(file, "rb") as handle:
            return handle.read(_EXCERPT_BYTES).split(b"\n")
    except OSError:
        return None


def source_excerpt(lines: list[bytes] | None, line: int | None, column: int | None) -> str:
    """The line where a problem is, with a caret under its column; empty when unknown.

    The line is shown as text: control characters are made visible, a very long line is cut
    around the column.
    """
    if lines is None or line is None or column is None or not 0 < line <= len(lines):
        return ""
    source = lines[line - 1].decode("utf-8", errors="replace").rstrip("\r")
    start = max(0, column - 1 - _EXCERPT_WIDTH // 2)
    shown = source[start:start + _EXCERPT_WIDTH]
    caret = max(0, column - 1 - start)
    if caret > len(shown):
        return ""
    gutter = f"{line:>5} | "
    shown = "".join(c if c.isprintable() or c == "\t" else "\ufffd" for c in shown).replace("\t", " ")
    return (f"{gutter}{'…' if start else ''}{shown}{'…' if start + _EXCERPT_WIDTH < len(source) else ''}\n"
            f"{' ' * (len(gutter) - 2)}| {' ' * (caret + (1 if start else 0))}^")


def count(number: int, singular: str, plural: str) -> str:
    """``1 règle``, ``3 règles`` (French: the singular for 0 and 1)."""
    return f"{number} {singular if number <= 1 else plural}"


_VERDICTS = (("conforme", "conforme", "conformes"),
             ("conforme_avec_reserves", "conforme avec réserves", "conformes avec réserves"),
             ("non_conforme", "non conforme", "non conformes"),
             ("incomplet", "incomplète", "incomplètes"))


class Tally:
    """What a run over many declarations says on standard error: progress on a terminal, then a summary.

    The progress line is shown only when standard error is a terminal, and rewritten in place;
    the summary line is always written when more than one declaration was checked, unless
    ``quiet``. Standard output keeps the reports alone.
    """

    def __init__(self, total: int, *, quiet: bool) -> None:
        self.total = total
        self.quiet = quiet
        self.verdicts: dict[str, int] = {}
        self.invalid = 0
        self.live = not quiet and total > 1 and sys.stderr.isatty()

    def add(self, verdict: str | None) -> None:
        """One more declaration: its verdict, or ``None`` when it could not be read."""
        if verdict is None:
            self.invalid += 1
        else:
            self.verdicts[verdict] = self.verdicts.get(verdict, 0) + 1
        if self.live:
            done = self.invalid + sum(self.verdicts.values())
            click.echo(f"\r{done}/{self.total} fiches vérifiées", err=True, nl=False)

    def clear(self) -> None:
        """Clear the progress line, for what is written next."""
        if self.live:
            click.echo("\r\x1b[2K", err=True, nl=False)
            self.live = False

    def close(self) -> None:
        """Clear the progress line and write the summary."""
        self.clear()
        if self.quiet or self.total <= 1:
            return
        parts = [count(self.verdicts[key], one, many)
                 for key, one, many in _VERDICTS if self.verdicts.get(key)]
        if self.invalid:
            parts.append(count(self.invalid, "illisible ou invalide", "illisibles ou invalides"))
        checked = self.invalid + sum(self.verdicts.values())
        echo(f"Bilan : {count(checked, 'fiche', 'fiches')} — {', '.join(parts)}.", err=True)


def report_written(written: Sequence[Path], sortie: str, *, quiet: bool) -> None:
    """Where the reports went: the file, or the folder with each file when they are few."""
    if quiet:
        return
    if len(written) == 1 and Path(sortie) == written[0]:
        echo(f"Résultat écrit dans {sortie}", err=True)
        return
    if written:
        listed = len(written) <= _LISTED
        echo(f"{count(len(written), 'rapport écrit', 'rapports écrits')} dans {Path(sortie)}"
             + (" :" if listed else ""), err=True)
        for path in written if listed else ():
            echo(f"  {path}", err=True)


_LISTED = 12
"""Beyond this many reports, only their number and folder are said."""
