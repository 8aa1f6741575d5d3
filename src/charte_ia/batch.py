"""Many declarations against one charter: in order, one at a time in memory, over several processes.

:func:`decide_files` reads and decides each declaration in turn and hands its
:class:`Verification` back before the next is read, so that ten thousand declarations keep
one decision in memory at a time. With several processes (``processus``), the charter
compiled once is shared by forking: nothing of it is copied, and the decisions come back in
the order of the files, identical to those of a single process.
"""

from __future__ import annotations

import collections
import glob
import itertools
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from charte_ia.charter import Charte
from charte_ia.decision import Decision, Verdict
from charte_ia.declaration import Declaration
from charte_ia.derogation import Derogations
from charte_ia.diagnostics import Diagnostic, InvalidInputError, InvalidRequestError, Location
from charte_ia.engine import evaluate
from charte_ia.load import load_declaration
from charte_ia.output import ReportNames, write_atomically
from charte_ia.report import FORMATS
from charte_ia.source import STDIN_NAME

PROCESSES_FROM = 32
"""Below this many declarations, one process decides them all: starting others would not pay."""
_AHEAD = 4
"""Declarations sent to each process ahead of the one being read back: memory stays bounded."""


@dataclass(frozen=True)
class Verification:
    """One declaration of a run: its decision, or why it could not be read.

    Attributes:
        chemin: The file as it was given (``-`` for standard input).
        decision: ``None`` when the declaration could not be read, or when its reports were
            rendered where it was decided (``rendus``): only they come back.
        diagnostics: The reading errors, or the warnings of a declaration that was read
            (a version-1 declaration converted on the fly).
        verdict: The verdict, ``None`` when the declaration could not be read.
        projet: The declaration's id (``projet.id``), when it was read.
        rendus: Each report asked for (``rendre``), as ``(format, texte)``.
    """

    chemin: str
    decision: Decision | None
    diagnostics: tuple[Diagnostic, ...] = ()
    verdict: Verdict | None = None
    projet: str | None = None
    rendus: tuple[tuple[str, str | bytes], ...] = ()


@dataclass(frozen=True)
class _Work:
    charte: Charte
    jour: date
    derogations: Derogations | None
    horodatage: str | None
    rendre: tuple[str, ...] = ()


def expand(chemins: Iterable[str]) -> list[str]:
    """The files to check: each folder replaced by the YAML files it holds, in name order, and
    each pattern (``fiches/**/*.yaml``, quoted so that the shell leaves it) by the files it names.

    Raises:
        InvalidInputError: A folder holds no YAML file, or a pattern names no file: nothing would
            be checked, and an empty run must not look like a successful one.
    """
    found: list[str] = []
    for chemin in chemins:
        folder = Path(chemin)
        if chemin != STDIN_NAME and not folder.exists() and glob.has_magic(chemin):
            found += _matching(chemin)
            continue
        if chemin == STDIN_NAME or not folder.is_dir():
            found.append(chemin)
            continue
        files = sorted(str(p) for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise InvalidInputError([Diagnostic(
                "dossier-sans-fiche", f"le dossier « {chemin} » ne contient aucune fiche (.yaml, .yml)",
                Location(chemin), "donnez le dossier des fiches, ou les fiches elles-mêmes")])
        found += files
    return found


def _matching(pattern: str) -> list[str]:
    files = sorted(p for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
    if not files:
        raise InvalidInputError([Diagnostic(
            "motif-sans-fiche", f"le motif « {pattern} » ne désigne aucun fichier", Location(pattern),
            "vérifiez le motif : « * » remplace un nom, « ** » des dossiers (fiches/**/*.yaml)")])
    return files


def decide_file(work: _Work, chemin: str) -> Verification:
    """Read one declaration and decide it; a declaration that cannot be read gives its diagnostics."""
    charte = work.charte
    try:
        declaration = load_declaration(chemin, vocabulaire=charte.vocabulaire, limits=charte.limites)
    except InvalidInputError as error:
        return Verification(chemin, None, tuple(error.diagnostics))
    decision = evaluate(charte, declaration, work.jour, derogations=work.derogations,
                        horodatage=work.horodatage)
    warnings = tuple(declaration.avertissements)
    if not work.rendre:
        return Verification(chemin, decision, warnings, decision.verdict, decision.declaration.id)
    rendus = tuple((name, FORMATS[name].contenu([decision])) for name in work.rendre)
    return Verification(chemin, None, warnings, decision.verdict, decision.declaration.id, rendus)


def decide_files(charte: Charte, chemins: Iterable[str], jour: date, *,
                 derogations: Derogations | None = None, horodatage: str | None = None,
                 processus: int | None = None, rendre: tuple[str, ...] = ()) -> Iterator[Verification]:
    """Decide every declaration, in the order given, streaming.

    Args:
        rendre: Render these reports of each declaration where it is decided, and send back
            their texts instead of the decision: with several processes, the process that
            reads the results then only writes them (a decision is three times longer to
            copy from one process to another than to render as JSON).
        processus: How many processes decide; ``None`` chooses: one below
            :data:`PROCESSES_FROM` declarations, else one per core. Several processes need
            ``fork`` (Linux, and macOS when asked); elsewhere, and for standard input, one
            process decides.
    """
    files = list(chemins)
    work = _Work(charte, jour, derogations, horodatage, rendre)
    count = 1 if STDIN_NAME in files else _processes(processus, len(files))
    if count <= 1:
        for chemin in files:
            yield decide_file(work, chemin)
        return
    yield from _in_processes(work, files, count)


def evaluate_many(charte: Charte, declarations: Iterable[Declaration], jour: date, *,
                  derogations: Derogations | None = None, processus: int | None = None) -> Iterator[Decision]:
    """Vérifier de nombreuses fiches au regard d'une charte, dans l'ordre, sur plusieurs processus.

    Les décisions sont celles que donnerait :func:`charte_ia.evaluate` pour chaque fiche, dans
    l'ordre des fiches, quel que soit le nombre de processus.

    Args:
        charte: Une charte compilée (:func:`charte_ia.load_charter`), partagée par tous les processus.
        declarations: Des fiches validées (:func:`charte_ia.load_declaration`).
        jour: La date de référence.
        derogations: Les dérogations accordées, s'il y en a.
        processus: Le nombre de processus ; par défaut un seul en dessous de 32 fiches, un par
            cœur au-delà. Plusieurs processus demandent ``fork`` (Linux) ; ailleurs, un seul.

    Raises:
        InvalidInputError: La charte n'est pas en vigueur le jour ``jour``.
    """
    fiches = list(declarations)
    count = _processes(processus, len(fiches))
    if count <= 1:
        for declaration in fiches:
            yield evaluate(charte, declaration, jour, derogations=derogations)
        return
    work = _Work(charte, jour, derogations, None)
    yield from _pooled(work, fiches, count, _evaluate_shared)


def _evaluate_shared(declaration: Declaration) -> Decision:
    work = _SHARED[0]
    return evaluate(work.charte, declaration, work.jour, derogations=work.derogations)


def _processes(asked: int | None, items: int) -> int:
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if asked is not None:
        return max(1, min(asked, items))
    return 1 if items < PROCESSES_FROM else max(1, min(os.cpu_count() or 1, 8))


_SHARED: list[_Work] = []
"""The work of the run, set before forking so that every process inherits it without a copy."""


def _in_processes(work: _Work, files: list[str], count: int) -> Iterator[Verification]:
    return _pooled(work, files, count, _decide_shared)


def _pooled(work: _Work, items: list[Any], count: int, task: Callable[[Any], Any]) -> Iterator[Any]:
    """``task`` on each item over ``count`` forked processes, results in the order of the items."""
    _SHARED[:] = [work]
    try:
        with multiprocessing.get_context("fork").Pool(count, initializer=_quiet_worker) as pool:
            pending: collections.deque[Any] = collections.deque()
            remaining = iter(items)
            for item in itertools.islice(remaining, count * _AHEAD):
                pending.append(pool.apply_async(task, (item,)))
            while pending:
                result = pending.popleft().get()
                following = next(remaining, None)
                if following is not None:
                    pending.append(pool.apply_async(task, (following,)))
                yield result
    finally:
        _SHARED.clear()


def _quiet_worker() -> None:
    """A worker leaves Ctrl-C and SIGTERM to the parent, which stops them all at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _decide_shared(chemin: str) -> Verification:
    return decide_file(_SHARED[0], chemin)


# --- Reports -----------------------------------------------------------------------------------


def one_file(formats: Sequence[str], sortie: str) -> bool:
    """Whether the reports go into the file ``sortie`` (one format, no folder), or one per declaration."""
    return len(formats) == 1 and not Path(sortie).is_dir() and not sortie.endswith(("/", os.sep))


def write_reports(decisions: Iterable[Decision], formats: Sequence[str], sortie: str) -> list[Path]:
    """Write the reports into one file, or into a folder with one file per declaration and format.

    Decisions are written as they come: nothing but the names of the files written is kept
    from one declaration to the next. Nothing is written when there is no decision.

    Returns:
        The files written, in order.

    Raises:
        InvalidRequestError: A format that holds one declaration per file was asked for
            several declarations into one file.
        InvalidInputError: The folder is a file, or a file cannot be written.
    """
    stream = iter(decisions)
    first = next(stream, None)
    if first is None:
        return []
    pending = itertools.chain([first], stream)
    target = Path(sortie)
    if one_file(formats, sortie):
        fmt = FORMATS[formats[0]]
        if not fmt.plusieurs:
            second = next(stream, None)
            if second is not None:
                raise InvalidRequestError(f"le format {formats[0]} écrit une fiche par fichier : donnez un "
                                          "dossier (--sortie DOSSIER/)")
        write_atomically(target, fmt.flux(pending))
        return [target]
    return write_rendered(((d.declaration.id, tuple((name, FORMATS[name].flux([d])) for name in formats))
                           for d in pending), sortie)


Rendus = Iterable[tuple[str, Sequence[tuple[str, str | bytes | Iterable[str] | Iterable[bytes]]]]]
"""For each declaration, its ``projet.id`` and its reports as ``(format, texte)``."""


def write_rendered(rendus: Rendus, sortie: str) -> list[Path]:
    """Write reports already rendered into the folder ``sortie``: one file per declaration and format.

    Args:
        rendus: For each declaration, its ``projet.id`` and its reports as ``(format, texte)``
            (:attr:`Verification.rendus`), written as they come.

    Raises:
        InvalidInputError: ``sortie`` is a file, or a file cannot be written.
    """
    target = Path(sortie)
    if target.exists() and not target.is_dir():
        raise InvalidInputError([Diagnostic(
            "sortie-impossible", f"« {sortie} » est un fichier : un dossier est attendu pour écrire un "
            "rapport par fiche et par format", Location(sortie),
            "donnez un dossier (--sortie rapports/), ou un seul format pour écrire un seul fichier")])
    written = []
    names = ReportNames()
    for projet, reports in rendus:
        stem = names.stem(projet)
        for name, text in reports:
            path = target / f"{stem}{FORMATS[name].extension}"
            write_atomically(path, text)
            written.append(path)
    return written
