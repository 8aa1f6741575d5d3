"""Checking one answer against its field, one checker per type; ``inconnu`` is always admitted."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic_core import PydanticCustomError

from charte_ia.diagnostics import did_you_mean, nombre_fr, valeur_fr
from charte_ia.model import (
    Champ,
    TypeChamp,
)

INCONNU = "inconnu"
"""The word a declaration uses to say that a value is not known yet."""

_VOCABULARY_FILE = "fiche-projet-ia-2.yaml"
COUNTRY = re.compile(r"^([A-Z]{2}|HORS_UE)$")
"""An ISO 3166-1 code, UE (in the EU or EEA, country not specified) or HORS_UE (outside, not specified)."""
URL = re.compile(r"^https?://\S+$")



def check_value(champ: Champ, value: Any) -> Any:
    """Check one answer for a field, as declaration validation would.

    Returns:
        The value, normalised (a decimal as ``float``, a date as ``AAAA-MM-JJ``).

    Raises:
        ValueError: With the French message validation would give.
    """
    try:
        return checker_of(champ)(value)
    except PydanticCustomError as error:
        raise ValueError(error.message()) from None


Checker = Callable[[Any], Any]


def value_error(message: str, value: Any) -> PydanticCustomError:
    shown = str(value) if len(str(value)) <= 60 else str(value)[:57] + "…"
    return PydanticCustomError("valeur_champ", message + " ; « {valeur} » reçu", {"valeur": shown})


def _bounded(check: Checker, minimum: float | None, maximum: float | None) -> Checker:
    if minimum is None and maximum is None:
        return check
    if minimum is not None and maximum is not None:
        expected = f"nombre entre {valeur_fr(minimum)} et {valeur_fr(maximum)} attendu"
    elif minimum == 0:
        expected = "nombre positif ou nul attendu"
    else:
        expected = (f"au moins {valeur_fr(minimum)} attendu" if minimum is not None
                    else f"au plus {valeur_fr(maximum)} attendu")

    def bounded(v: Any) -> Any:
        value = check(v)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise value_error(expected, v)
        return value
    return bounded


OUI_NON = {"oui": True, "non": False}
"""Booleans as the reports and the questionnaire write them, accepted in a declaration too."""


def _scalar_checker(kind: TypeChamp, valeurs: tuple[str, ...]) -> Checker:
    if kind is TypeChamp.BOOLEEN:
        def check(v: Any) -> Any:
            if isinstance(v, bool):
                return v
            if isinstance(v, str) and v.strip().lower() in OUI_NON:
                return OUI_NON[v.strip().lower()]  # as the reports write them
            raise value_error("réponse attendue : oui ou non (ou true, false)", v)
        return check
    if kind in (TypeChamp.ENTIER, TypeChamp.DECIMAL):
        integer = kind is TypeChamp.ENTIER

        def check(v: Any) -> Any:
            if isinstance(v, bool) or not isinstance(v, int | float) or (integer and isinstance(v, float)):
                raise value_error("nombre entier attendu" if integer else "nombre attendu", v)
            if isinstance(v, float) and not math.isfinite(v):
                raise value_error("nombre fini attendu", v)
            return v if integer else float(v)
        return check
    if kind is TypeChamp.DATE:
        def check(v: Any) -> Any:
            if isinstance(v, str):
                try:
                    return date.fromisoformat(v).isoformat()
                except ValueError:
                    pass
            raise value_error("date attendue au format AAAA-MM-JJ", v)
        return check
    if kind is TypeChamp.ENUM:
        def check(v: Any) -> Any:
            if isinstance(v, str) and v in valeurs:
                return v
            hint = did_you_mean(str(v), valeurs)
            raise value_error("valeur non prévue (valeurs possibles : " + ", ".join(valeurs) + ")"
                         + (f" — {hint}" if hint else ""), v)
        return check
    pattern, expected = {
        TypeChamp.PAYS: (COUNTRY, "code pays ISO 3166-1 à deux lettres majuscules attendu (FR, DE…), ou UE "
                                   "(dans l'Union, pays non précisé), ou HORS_UE"),
        TypeChamp.URL: (URL, "adresse web attendue (https://…)"),
    }.get(kind, (None, "texte non vide attendu"))

    def check_text(v: Any) -> Any:
        if isinstance(v, str) and v.strip() and (pattern is None or pattern.match(v)):
            return v
        raise value_error(expected, v)
    return check_text


def checker_of(champ: Champ) -> Checker:
    if champ.type is not TypeChamp.LISTE:
        inner = _bounded(_scalar_checker(champ.type, champ.valeurs), champ.minimum, champ.maximum)
    else:
        assert champ.element is not None  # guaranteed by _check_type
        item = _scalar_checker(champ.element.type, champ.element.valeurs)
        limit, least = champ.max_elements, champ.min_elements

        def inner(v: Any) -> Any:
            if not isinstance(v, list):
                raise value_error("liste attendue (des éléments « - valeur »)", v)
            if len(v) < least:
                why = "une liste vide" if not v else "une liste plus courte"
                raise value_error(f"au moins {nombre_fr(least, 'élément')} attendu : {why} ne peut pas "
                                  "être vraie ici ; si vous ne savez pas, écrivez « inconnu »", v or "[]")
            if len(v) > limit:
                raise value_error(f"au plus {limit} éléments admis", f"{len(v)} éléments")
            checked = []
            for index, element in enumerate(v, start=1):
                try:
                    checked.append(item(element))
                except PydanticCustomError as error:
                    raise PydanticCustomError(
                        "valeur_champ", "élément n° {n} : {detail}",
                        {"n": index, "detail": error.message()}) from None
            return checked

    def check(v: Any) -> Any:
        if v is None or v == INCONNU:
            if champ.obligatoire:
                raise value_error("valeur obligatoire : ce champ identifie la fiche", v)
            return v
        return inner(v)
    return check


