"""Problems found in the inputs, as values.

Loading a charter or a declaration collects every problem of the file into
:class:`Diagnostic` values (a machine code, a French message, a place and a hint)
and raises one :class:`InvalidInputError` carrying them all. The codes are
stable: they are documented in ``docs/diagnostics.md`` and tools may rely on them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

PathItem = str | int
"""One step of a logical path inside a document: a mapping key or a list index."""


@dataclass(frozen=True, slots=True)
class Location:
    """L'endroit d'un fichier où se trouve un problème ou une valeur.

    Attributes:
        file: Le nom du fichier, tel que l'utilisateur l'a donné (``-`` pour l'entrée standard).
        line: La ligne (à partir de 1), quand elle est connue.
        column: La colonne (à partir de 1), quand elle est connue.
        path: Le chemin logique dans le document, par exemple ``("regles", 3, "exigence")``.
    """

    file: str
    line: int | None = None
    column: int | None = None
    path: tuple[PathItem, ...] = ()

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def logical_path(self) -> str:
        """The path written the way users read it, for instance ``regles[3].exigence``."""
        return format_path(self.path)


def format_path(path: Iterable[PathItem]) -> str:
    """Write a logical path as ``a.b[2].c``."""
    text = ""
    for item in path:
        if isinstance(item, int):
            text += f"[{item}]"
        else:
            text += f".{item}" if text else item
    return text


def date_fr(day: date) -> str:
    """A date written the French way, as messages and reports show it: ``22/11/2026``."""
    return day.strftime("%d/%m/%Y")


def valeur_fr(value: Any, *, crochets: bool = False) -> str:
    """A value written the French way: ``oui``/``non``, ``3,5``, ``22/11/2026``, ``FR, DE``.

    A list of more than 50 values shows its first 20 and its size, a text of more than
    500 characters its first 200 and its length: a report stays readable whatever the input.

    Args:
        crochets: Write a list between brackets (``[FR, DE]``, ``[]``), as where a value
            is quoted beside its field; without them, an empty list is ``(aucun)``.
    """
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, date):
        return date_fr(value)
    if isinstance(value, list):
        shown = value if len(value) <= _MAX_ITEMS else value[:_SHOWN_ITEMS]
        items = ", ".join(valeur_fr(v) for v in shown)
        if len(shown) < len(value):
            items += f", … ({len(value)} valeurs en tout)"
        return f"[{items}]" if crochets else items or "(aucun)"
    if isinstance(value, dict):
        return ", ".join(f"{k} : {valeur_fr(v)}" for k, v in value.items())
    text = str(value)
    if len(text) > _MAX_CHARS:
        return f"{text[:_SHOWN_CHARS]}… ({len(text)} caractères)"
    return text


_MAX_ITEMS, _SHOWN_ITEMS = 50, 20
"""A longer list is shown by its first items and its size."""
_MAX_CHARS, _SHOWN_CHARS = 500, 200
"""A longer text is shown by its beginning and its length."""


def nombre_fr(n: int, singulier: str, pluriel: str | None = None) -> str:
    """``n`` with its noun in French: singular for 0 and 1 (« 1 règle », « 3 règles »)."""
    return f"{n} {singulier if n <= 1 else (pluriel or singulier + 's')}"


class Gravite(StrEnum):
    """La gravité d'un diagnostic : une ``erreur`` arrête le chargement, un ``avertissement`` non."""

    ERREUR = "erreur"
    AVERTISSEMENT = "avertissement"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Un problème trouvé dans un fichier d'entrée.

    Attributes:
        code: Code stable, par exemple ``cel-syntaxe`` (voir les codes de diagnostic).
        message: Ce qui ne va pas, en français, pour la personne qui doit le corriger.
        location: Où il se trouve.
        hint: Comment le corriger, quand il y a quelque chose d'utile à dire.
        gravite: ``erreur`` (le chargement échoue) ou ``avertissement``.
    """

    code: str
    message: str
    location: Location
    hint: str | None = None
    gravite: Gravite = field(default=Gravite.ERREUR)

    def __str__(self) -> str:
        where = str(self.location)
        logical = self.location.logical_path
        text = f"{where}: {self.gravite.value} [{self.code}] {self.message}"
        if logical:
            text += f"\n    à l'emplacement : {logical}"
        if self.hint:
            text += f"\n    conseil : {self.hint}"
        return text


class CharteIAError(Exception):
    """La base des exceptions levées par charte-ia."""


class InvalidRequestError(CharteIAError):
    """A request that cannot be served as asked; the message is French and says what to change."""


class InvalidInputError(CharteIAError):
    """Une entrée (charte, paquet, fiche, dérogations, option) inutilisable ; porte tous ses diagnostics.

    Attributes:
        diagnostics: Tous les problèmes trouvés, dans l'ordre du fichier.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        count = len(self.diagnostics)
        super().__init__(
            f"{count} problème{'s' if count > 1 else ''} dans les données d'entrée"
        )

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """Suggest the closest candidate to a misspelt name, as a French hint.

    Args:
        word: What the user wrote.
        candidates: The names that would have been accepted.

    Returns:
        ``"vouliez-vous dire « x » ?"`` or ``None`` when nothing is close enough.
    """
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    if not matches:
        return None
    return f"vouliez-vous dire « {matches[0]} » ?"
