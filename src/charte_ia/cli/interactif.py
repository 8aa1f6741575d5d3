"""``charte-ia completer --interactif``: the prompts (the questionnaire is :class:`api.Questionnaire`)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from charte_ia.api import Questionnaire
from charte_ia.cli.terminal import count, echo
from charte_ia.decision import Decision
from charte_ia.output import write_atomically
from charte_ia.questionnaire import NE_SAIT_PAS, choices, hint, parse_answer, shown_choice
from charte_ia.report.text import TITRES_VERDICT, question_lines, render_one


class _StopError(Exception):
    """The person asked to stop the questionnaire."""


def ask_all(session: Questionnaire, decision: Decision) -> Decision:
    """Ask the missing questions in order, showing the decision after each answer."""
    _line_editing()
    echo(f"Décision actuelle : {TITRES_VERDICT[decision.verdict]} — "
         f"{count(len(decision.informations_manquantes), 'question', 'questions')}")
    asked = 0
    while True:
        pending = session.pending(decision)
        if not pending:
            echo("\nPlus aucune question ne peut faire avancer la décision.")
            break
        info = pending[0]
        asked += 1
        echo("")
        echo(f"Question {asked} sur {asked - 1 + len(pending)}")
        echo("\n".join(question_lines(info)))
        try:
            value = _ask(session, info.champ)
        except _StopError:
            echo("Questionnaire interrompu.")
            break
        if value is NE_SAIT_PAS:
            session.skip(info.champ)
            continue
        decision = session.answer(info.champ, value)
        remaining = len(session.pending(decision))
        echo(f"→ Décision : {TITRES_VERDICT[decision.verdict]} — "
             f"{count(remaining, 'question restante', 'questions restantes')}")
    echo("")
    echo(render_one(decision), nl=False)
    return decision


def _line_editing() -> None:
    """Arrows, deletion and the history of the answers typed, in a terminal (GNU readline)."""
    if sys.stdin.isatty() and os.environ.get("TERM", "dumb") != "dumb":  # a terminal that edits lines
        with contextlib.suppress(ImportError):  # not on every platform: plain input then
            import readline  # noqa: F401, PLC0415  (importing it turns line editing on for input())


def _ask(session: Questionnaire, chemin: str) -> Any:
    champ = session.charte.vocabulaire.champ(chemin)
    assert champ is not None
    for number, choice in enumerate(choices(champ), start=1):
        echo(f"       {number}. {shown_choice(champ, choice)}")
    echo(f"     ({hint(champ)})")
    while True:
        try:
            typed = click.prompt("   Réponse", default="", show_default=False, prompt_suffix=" : ")
        except click.Abort:
            raise _StopError from None
        if typed.strip().lower() in ("q", "quitter"):
            raise _StopError
        try:
            return parse_answer(champ, typed)
        except ValueError as error:
            echo(f"   Réponse non valide : {error}")


def _confirm(question: str) -> bool:
    """A yes/no question answered in French (Entrée = oui)."""
    while True:
        try:
            typed = click.prompt(f"{question} [O/n]", default="", show_default=False, prompt_suffix=" ")
        except click.Abort:
            return False
        answer = typed.strip().lower()
        if answer in ("", "o", "oui"):
            return True
        if answer in ("n", "non"):
            return False
        echo("Répondez o (oui) ou n (non).")


def save_completed(declaration_path: str, sortie: str | None, session: Questionnaire) -> None:
    """Write the completed declaration; an existing file is replaced only once confirmed.

    Without an answer (or with a closed input), nothing is written: the declaration the
    person gave is never lost by accident.
    """
    target = Path(sortie) if sortie is not None else Path(declaration_path)
    answers = count(len(session.answers), "réponse", "réponses")
    if target.exists():
        itself = declaration_path != "-" and target.resolve() == Path(declaration_path).resolve()
        question = (f"Enregistrer les {answers} dans {target} (la fiche d'origine) ?" if itself
                    else f"{target} existe déjà : le remplacer par la fiche complétée ?")
        if not _confirm(question):
            echo("Fiche inchangée." if itself else f"{target} inchangé : rien n'a été enregistré.")
            return
    document = session.declaration.document
    original = (Path(declaration_path).read_text(encoding="utf-8") if declaration_path != "-"
                else "\n".join(document.lines) + "\n")
    write_atomically(target, session.completed_text(original))
    echo(f"Fiche complétée enregistrée dans {target} ({answers}).")
