"""Markdown pieces of the catalogue, and how its values are written."""


from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from charte_ia.charter import Gabarit, Regle, describe_period
from charte_ia.diagnostics import Location, date_fr, valeur_fr
from charte_ia.model import DEBUT_DES_TEMPS, Champ, TypeChamp
from charte_ia.report import escape

TYPES = {TypeChamp.BOOLEEN: "oui ou non", TypeChamp.TEXTE: "texte", TypeChamp.ENTIER: "nombre entier",
          TypeChamp.DECIMAL: "nombre décimal", TypeChamp.DATE: "date (AAAA-MM-JJ)",
          TypeChamp.URL: "adresse web", TypeChamp.ENUM: "une valeur parmi une liste",
          TypeChamp.PAYS: "pays (code ISO à deux lettres)", TypeChamp.LISTE: "liste"}
EXAMPLE_VALUES = {TypeChamp.BOOLEEN: "true", TypeChamp.TEXTE: "« … »", TypeChamp.ENTIER: "12",
                   TypeChamp.DECIMAL: "0.5", TypeChamp.DATE: "2026-09-01", TypeChamp.URL: "https://…",
                   TypeChamp.PAYS: "FR"}
STATUS_SIGNS = {"conforme": "✔", "non_conforme": "✘", "non_applicable": "–", "indetermine": "?",
                 "erreur": "⚠", "derogee": "≈"}



class Markdown:
    """A Markdown page, built block by block."""

    def __init__(self) -> None:
        self.blocks: list[str] = []

    def title(self, text: str) -> None:
        self.blocks.append(f"# {text}")

    def heading(self, level: int, text: str) -> None:
        self.blocks.append(f"{'#' * level} {text}")

    def para(self, text: str) -> None:
        self.blocks.append(text.strip())

    def facts(self, items: Sequence[tuple[str, str]]) -> None:
        self.blocks.append("\n".join(f"- **{label}** : {value}" for label, value in items))

    def bullets(self, items: Iterable[str]) -> None:
        self.blocks.append("\n".join(f"- {item}" for item in items))

    def code(self, text: str, language: str = "text") -> None:
        self.blocks.append(f"```{language}\n{text}\n```")

    def admonition(self, kind: str, title: str, text: str) -> None:
        self.blocks.append(f'!!! {kind} "{title}"\n\n    {text}')

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(cell.replace("\n", " ").replace("|", "\\|") for cell in row) + " |"
                  for row in rows]
        self.blocks.append("\n".join(lines))

    def text(self) -> str:
        return "\n\n".join(self.blocks) + "\n"


def plain(text: str | None) -> str:
    """Plain text made safe for Markdown (:func:`charte_ia.report.escape.markdown`), spaces collapsed."""
    return escape.markdown(" ".join((text or "").split()))


def md_link(text: str, target: str | None) -> str:
    return f"[{text}]({target})" if target else text


def relative(depuis: str, cible: str) -> str:
    """The link from page ``depuis`` to page ``cible``, both relative to the catalogue."""
    anchor = ""
    if "#" in cible:
        cible, anchor = cible.split("#", 1)
        anchor = "#" + anchor
    return os.path.relpath(cible, os.path.dirname(depuis) or ".").replace(os.sep, "/") + anchor


def where(location: Location) -> str:
    return f"`{Path(location.file).name}:{location.line}`" if location.line else f"`{location.file}`"


def first_sentence(text: str | None) -> str:
    text = " ".join((text or "").split())
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


def type_fr(champ: Champ) -> str:
    if champ.type is TypeChamp.LISTE and champ.element is not None:
        return f"liste ({TYPES[champ.element.type]})"
    return TYPES[champ.type]


def status_sign(value: str) -> str:
    return f"{STATUS_SIGNS.get(value, '')} {value.replace('_', ' ')}".strip()


def dated_values(dated: Sequence[tuple[date, Any]]) -> str:
    parts = [valeur_fr(value, crochets=True)
             + ("" if day == DEBUT_DES_TEMPS else f" à partir du {date_fr(day)}") for day, value in dated]
    return ", puis ".join(parts) if parts else "aucune valeur"


def period_fr(regle: Regle) -> str:
    return "comme la charte qui l'applique" if regle.en_vigueur is None else describe_period(regle.en_vigueur)


def template_md(gabarit: Gabarit) -> str:
    """A message in Markdown: its text escaped, its ``{{ expression }}`` parts as code."""
    return "".join(plain(m) if isinstance(m, str) else "`{{ " + m.source + " }}`" for m in gabarit.morceaux)


def yaml_example(champ: Champ) -> str:
    steps = champ.chemin.split(".")
    if champ.type is TypeChamp.ENUM:
        value = champ.valeurs[0] if champ.valeurs else "…"
    elif champ.type is TypeChamp.LISTE:
        element = champ.element
        first = (element.valeurs[0] if element and element.valeurs
                 else EXAMPLE_VALUES.get(element.type if element else TypeChamp.TEXTE, "…"))
        value = f"[{first}]"
    else:
        value = EXAMPLE_VALUES.get(champ.type, "…")
    lines = [f"{'  ' * depth}{step}:" for depth, step in enumerate(steps[:-1])]
    lines.append(f"{'  ' * (len(steps) - 1)}{steps[-1]}: {value}   # ou : inconnu")
    return "\n".join(lines)
