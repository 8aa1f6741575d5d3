"""The committee report, in Markdown and in self-contained HTML.

Both formats are rendered from the same templates' input, built here from the decision
alone (the JSON contract): verdict and its meaning first, identity of what was checked, a
summary by principle, then for each rule that fails, cannot be decided or is derogated a
« Pourquoi ? » and a « Que faire ? », the questions to answer, the dérogations and the
loosened overrides. Templates are Jinja2 files shipped with the package; HTML is escaped
automatically and carries its stylesheet inline (no network, no external asset).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from charte_ia.decision import Decision, ResultatRegle, Statut, Verdict
from charte_ia.diagnostics import date_fr, nombre_fr, valeur_fr
from charte_ia.model import Severite
from charte_ia.report.text import (
    LIBELLES_DEROGATION,
    LIBELLES_STATUT,
    SENS_VERDICT,
    TITRES_VERDICT,
    format_reference,
)

ORDRE_SEVERITE = {Severite.BLOQUANT: 0, Severite.MAJEUR: 1, Severite.MINEUR: 2, Severite.INFO: 3}
MARQUES_VERDICT = {
    Verdict.CONFORME: "✔",
    Verdict.CONFORME_AVEC_RESERVES: "!",
    Verdict.NON_CONFORME: "✘",
    Verdict.INCOMPLET: "?",
}
"""A sign shown beside the verdict, so that it never depends on colour alone."""


@dataclass
class LignePrincipe:
    """One line of the summary by principle."""

    principe: str
    comptes: dict[str, int] = field(default_factory=dict)


def render_markdown(decisions: Sequence[Decision]) -> str:
    """The committee report in Markdown, one section per decision."""
    return "\n\n---\n\n".join(_template("rapport.md.j2").render(**_view(d)) for d in decisions)


def render_html(decisions: Sequence[Decision]) -> str:
    """The committee report as one self-contained HTML page (one decision per page is usual)."""
    views = [_view(d) for d in decisions]
    title = views[0]["titre_page"] if len(views) == 1 else "Avis de conformité des projets d'IA"
    html: str = _template("rapport.html.j2").render(vues=views, titre_page=title)
    return html


@cache
def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("charte_ia.report", "gabarits"),
                              autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters["date_fr"] = date_fr
    environment.filters["valeur"] = valeur_fr
    environment.filters["reference"] = format_reference
    environment.filters["nombre"] = nombre_fr
    return environment


def _template(name: str) -> Any:
    return _environment().get_template(name)


def _view(decision: Decision) -> dict[str, Any]:
    rules = decision.regles
    grave = [r for r in rules if r.statut in (Statut.NON_CONFORME, Statut.ERREUR)
             and r.severite in (Severite.BLOQUANT, Severite.MAJEUR)]
    undecided = [r for r in rules if r.statut is Statut.INDETERMINE]
    waived = [r for r in rules if r.statut is Statut.DEROGEE]
    remarks = [r for r in rules if r.statut in (Statut.NON_CONFORME, Statut.ERREUR)
               and r.severite in (Severite.MINEUR, Severite.INFO)]
    return {
        "d": decision,
        "titre_page": f"Avis de conformité — {decision.declaration.nom}",
        "titre_verdict": TITRES_VERDICT[decision.verdict],
        "sens_verdict": SENS_VERDICT[decision.verdict],
        "marque_verdict": MARQUES_VERDICT[decision.verdict],
        "classe_verdict": decision.verdict.value,
        "principes": _by_principle(rules),
        "titre_principe": lambda key: decision.charte.principes.get(key, key),
        "sections": [
            ("Règles non respectées", "non-respectees", _sorted(grave)),
            ("Règles indéterminées, faute d'information", "indeterminees", _sorted(undecided)),
            ("Règles dérogées par le comité d'éthique", "derogees", _sorted(waived)),
        ],
        "observations": _sorted(remarks),
        "hors_vigueur": [r for r in rules if r.statut is Statut.HORS_VIGUEUR],
        "statut": lambda s: LIBELLES_STATUT[s][0],
        "etat_derogation": lambda e: LIBELLES_DEROGATION[e],
        "toutes": rules,
    }


def _sorted(rules: list[ResultatRegle]) -> list[ResultatRegle]:
    return sorted(rules, key=lambda r: ORDRE_SEVERITE.get(r.severite, 4) if r.severite else 4)


def _by_principle(rules: Sequence[ResultatRegle]) -> list[LignePrincipe]:
    lines: dict[str, LignePrincipe] = {}
    for rule in rules:
        line = lines.setdefault(rule.principe, LignePrincipe(rule.principe))
        line.comptes[rule.statut.value] = line.comptes.get(rule.statut.value, 0) + 1
    return list(lines.values())

