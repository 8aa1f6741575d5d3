"""Turning what a person types at the questionnaire into a declaration value.

``charte-ia completer --interactif`` asks the missing questions one at a time. This
module reads an answer the way a French user writes it (``oui``/``non``, the number or
the name of a choice, ``15/03/2026``, ``3,5``, ``FR, DE``) and checks it exactly as the
declaration would be checked. Typing nothing, ``?`` or ``je ne sais pas`` means "I do not
know yet": the question is not asked again in this session.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from charte_ia.diagnostics import did_you_mean
from charte_ia.model import Champ, TypeChamp, folded_choice
from charte_ia.vocabulary import check_value

NE_SAIT_PAS = object()
"""The answer "je ne sais pas"."""

_YES = {"o", "oui", "y", "yes", "vrai", "true"}
_NO = {"n", "non", "no", "faux", "false"}
_UNKNOWN = {"", "?", "je ne sais pas", "jsp", "inconnu", "ne sais pas"}
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def hint(champ: Champ) -> str:
    """What to type, shown under the question."""
    kind = champ.element.type if champ.type is TypeChamp.LISTE and champ.element else champ.type
    texts = {
        TypeChamp.BOOLEEN: "répondez oui ou non",
        TypeChamp.ENTIER: "un nombre entier",
        TypeChamp.DECIMAL: "un nombre (3,5 ou 3.5)",
        TypeChamp.DATE: "une date (JJ/MM/AAAA)",
        TypeChamp.URL: "une adresse web (https://…)",
        TypeChamp.PAYS: "un code pays à deux lettres (FR, DE…)",
        TypeChamp.ENUM: "le numéro ou le nom d'un choix",
        TypeChamp.TEXTE: "du texte",
    }
    text = texts.get(kind, "une valeur")
    if champ.type is TypeChamp.LISTE:
        text = f"une liste séparée par des virgules ({text} par élément)"
    return text + " ; Entrée ou « ? » si vous ne savez pas ; « q » pour arrêter"


def choices(champ: Champ) -> tuple[str, ...]:
    """The numbered choices to show, for an ``enum`` field or a list of them."""
    if champ.type is TypeChamp.ENUM:
        return champ.valeurs
    if champ.type is TypeChamp.LISTE and champ.element and champ.element.type is TypeChamp.ENUM:
        return champ.element.valeurs
    return ()


def parse_answer(champ: Champ, text: str) -> Any:
    """The value typed for ``champ``, checked; :data:`NE_SAIT_PAS` for "I do not know".

    Raises:
        ValueError: With a French message saying what is expected.
    """
    typed = text.strip()
    if typed.lower() in _UNKNOWN:
        return NE_SAIT_PAS
    if champ.type is TypeChamp.LISTE and champ.element is not None:
        items = [t.strip() for t in typed.split(",") if t.strip()]
        element = champ.element
        value: Any = [_scalar(element.type, element.valeurs, item, element.libelles) for item in items]
    else:
        value = _scalar(champ.type, champ.valeurs, typed, champ.libelles)
    return check_value(champ, value)


def shown_choice(champ: Champ, valeur: str) -> str:
    """A choice as the questionnaire lists it: its label, then the value to write in the file."""
    label = champ.libelle(valeur)
    return f"{label} ({valeur})" if label and label != valeur else valeur


def _scalar(kind: TypeChamp, valeurs: tuple[str, ...], typed: str, libelles: dict[str, str]) -> Any:
    if kind is TypeChamp.ENUM:
        return _choice(typed, valeurs, libelles)
    reader = _READERS.get(kind)
    return reader(typed, valeurs) if reader is not None else typed


def _boolean(typed: str, _: tuple[str, ...]) -> bool:
    if typed.lower() in _YES:
        return True
    if typed.lower() in _NO:
        return False
    raise ValueError("répondez oui ou non")


def _choice(typed: str, valeurs: tuple[str, ...], libelles: dict[str, str]) -> str:
    if typed.isdigit() and 1 <= int(typed) <= len(valeurs):
        return valeurs[int(typed) - 1]
    if typed in valeurs:
        return typed
    folded = {folded_choice(valeur): valeur for valeur in valeurs}
    # a choice by its label too (« Contrôle par échantillonnage » for echantillonnage)
    folded.update({folded_choice(label): valeur for valeur, label in libelles.items()
                   if folded_choice(label) not in folded})
    if folded_choice(typed) in folded:  # « Validation systématique » for validation_systematique
        return folded[folded_choice(typed)]
    suggestion = did_you_mean(typed, valeurs)
    raise ValueError("choix inconnu" + (f" ({suggestion})" if suggestion else "")
                     + " ; tapez le numéro d'un choix")


def _integer(typed: str, _: tuple[str, ...]) -> int:
    try:
        return int(typed)
    except ValueError:
        raise ValueError("nombre entier attendu") from None


def _decimal(typed: str, _: tuple[str, ...]) -> float:
    try:
        return float(typed.replace(",", "."))
    except ValueError:
        raise ValueError("nombre attendu (par exemple 3,5)") from None


def _date(typed: str, _: tuple[str, ...]) -> str:
    match = _FRENCH_DATE.match(typed)
    if match is None:
        return typed  # AAAA-MM-JJ, or refused by the field check
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise ValueError("cette date n'existe pas") from None


_READERS: dict[TypeChamp, Callable[[str, tuple[str, ...]], Any]] = {
    TypeChamp.BOOLEEN: _boolean,
    TypeChamp.ENTIER: _integer,
    TypeChamp.DECIMAL: _decimal,
    TypeChamp.DATE: _date,
    TypeChamp.PAYS: lambda typed, _: typed.upper(),
}
