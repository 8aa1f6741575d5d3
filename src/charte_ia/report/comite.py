"""The committee report, in Markdown and in self-contained HTML.

Both formats are rendered from the same templates' input, built here from the decision
alone (the JSON contract): verdict and its meaning first, identity of what was checked, a
summary by principle, then for each rule that fails, cannot be decided or is derogated a
« Pourquoi ? » and a « Que faire ? », the questions to answer, the dérogations and the
loosened overrides. Templates are Jinja2 files shipped with the package.

Every value comes from untrusted inputs and is shown as text, never as markup: HTML is
autoescaped whatever the template's name, Markdown values are escaped for CommonMark
(:mod:`charte_ia.report.escape`), and in both, control and bidi characters are made
visible. The verdict comes first, before any text from the inputs. The HTML page carries
its style sheet inline and a Content-Security-Policy that allows that style sheet only:
no script, no remote resource, no form.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from charte_ia.decision import Decision, ResultatRegle, Statut, Verdict
from charte_ia.diagnostics import date_fr, nombre_fr, valeur_fr
from charte_ia.model import Severite
from charte_ia.report import escape, synthese, vue
from charte_ia.report.text import (
    LIBELLES_DEROGATION,
    LIBELLES_STATUT,
    SENS_VERDICT,
    TITRES_VERDICT,
    format_reference,
)

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
    views = [_view(d, index) for index, d in enumerate(decisions, start=1)]
    title = views[0]["titre_onglet"] if len(views) == 1 else "Avis de conformité des projets d'IA"
    css, css_hash = _stylesheet()
    html: str = _template("rapport.html.j2").render(vues=views, titre_page=title, css=css,
                                                    empreinte_css=css_hash)
    return html


class MarkdownSur(str):
    """Markdown built by a filter from escaped pieces: written as it is, never escaped again."""

    __slots__ = ()


def _markdown_finalize(value: Any) -> Any:
    """Every value interpolated in a Markdown template is plain text, unless a filter built it."""
    if isinstance(value, MarkdownSur) or not isinstance(value, str):
        return value
    return escape.markdown(value)


def _html_finalize(value: Any) -> Any:
    """Control and bidi characters made visible; HTML escaping follows (autoescape)."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return escape.visible(value)


def _code(value: Any, table: bool = False) -> MarkdownSur:
    return MarkdownSur(escape.markdown_code(str(value), in_table=table))


def _link(text: str, url: str | None) -> MarkdownSur:
    return MarkdownSur(escape.markdown_link(text, url))


_FILTERS = {"date_fr": date_fr, "valeur": valeur_fr, "reference": format_reference, "nombre": nombre_fr}


@cache
def _environment(kind: str) -> Environment:
    """The Jinja environment of a format: HTML is always autoescaped, whatever a template's name."""
    common: dict[str, Any] = {"loader": PackageLoader("charte_ia.report", "gabarits"),
                              "undefined": StrictUndefined, "trim_blocks": True, "lstrip_blocks": True,
                              "keep_trailing_newline": True}
    if kind == "html":
        environment = Environment(autoescape=True, finalize=_html_finalize, **common)
        environment.filters["url_sure"] = escape.safe_url
        environment.filters["visible"] = escape.visible
    else:
        environment = Environment(autoescape=False, finalize=_markdown_finalize, **common)
        environment.filters["code"] = _code
        environment.filters["lien"] = _link
    environment.filters.update(_FILTERS)
    return environment


def _template(name: str) -> Any:
    return _environment("html" if name.endswith(".html.j2") else "markdown").get_template(name)


@cache
def _stylesheet() -> tuple[Markup, str]:
    """The report's style sheet, and its hash for the Content-Security-Policy (no other style runs)."""
    css = (resources.files("charte_ia.report") / "gabarits" / "rapport.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return Markup(css), f"'sha256-{digest}'"


def _view(decision: Decision, index: int = 1) -> dict[str, Any]:
    rules = decision.regles
    grave = [r for r in rules if r.statut in (Statut.NON_CONFORME, Statut.ERREUR)
             and r.severite in (Severite.BLOQUANT, Severite.MAJEUR)]
    undecided = [r for r in rules if r.statut is Statut.INDETERMINE]
    waived = [r for r in rules if r.statut is Statut.DEROGEE]
    remarks = [r for r in rules if r.statut in (Statut.NON_CONFORME, Statut.ERREUR)
               and r.severite in (Severite.MINEUR, Severite.INFO)]
    loi, charte = vue.natures(decision)
    barres = vue.barres(decision)
    return {
        "d": decision,
        # The true verdict comes before any text taken from the inputs, in the title too.
        "titre_page": f"Avis de conformité : {TITRES_VERDICT[decision.verdict]}",
        "titre_onglet": f"{TITRES_VERDICT[decision.verdict]} — avis de conformité — "
                        f"{decision.declaration.nom}",
        "titre_verdict": TITRES_VERDICT[decision.verdict],
        "sens_verdict": SENS_VERDICT[decision.verdict],
        "marque_verdict": MARQUES_VERDICT[decision.verdict],
        "classe_verdict": decision.verdict.value + (" derogee" if decision.resume.derogee else ""),
        "prochaine_etape": vue.prochaine_etape(decision),
        "decisives": [r for r in rules if r.id in decision.motifs],
        "derogations_actives": vue.derogations_actives(decision),
        "principes": _by_principle(rules),
        "barres": barres,
        "svg": synthese.svg(barres, f"s{index}"),
        "en_mots": synthese.en_mots,
        "titre_principe": lambda key: decision.charte.principes.get(key, key),
        "graves": vue.trier(grave),
        "indeterminees": vue.trier(undecided),
        "questions": vue.questions(decision),
        "derogees": vue.trier(waived),
        "observations": vue.trier(remarks),
        "respectees": [r for r in rules if r.statut is Statut.CONFORME],
        "non_applicables": [r for r in rules if r.statut is Statut.NON_APPLICABLE],
        "hors_vigueur": [r for r in rules if r.statut is Statut.HORS_VIGUEUR],
        "nombre_loi": loi,
        "nombre_charte": charte,
        "glossaire": vue.GLOSSAIRE,
        "valeur_lue": vue.valeur,
        "titres": lambda ids: vue.titres(decision, ids),
        "statut": lambda s: LIBELLES_STATUT[s][0],
        "etat_derogation": lambda e: LIBELLES_DEROGATION[e],
        "toutes": rules,
    }


def _by_principle(rules: Sequence[ResultatRegle]) -> list[LignePrincipe]:
    lines: dict[str, LignePrincipe] = {}
    for rule in rules:
        line = lines.setdefault(rule.principe, LignePrincipe(rule.principe))
        line.comptes[rule.statut.value] = line.comptes.get(rule.statut.value, 0) + 1
    return list(lines.values())

