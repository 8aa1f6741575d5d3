"""Terminal output, for a reader who is not a programmer.

The verdict and its meaning come first; then the rules that are not met, those that
cannot be decided and the information to add, each with its message, where the value
is written in the declaration, what to do and the references. Nothing relies on colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from charte_ia.decision import Decision, ResultatRegle, Statut, Verdict
from charte_ia.model import Reference, Severite

TITRES_VERDICT = {
    Verdict.CONFORME: "CONFORME",
    Verdict.CONFORME_AVEC_RESERVES: "CONFORME AVEC RÉSERVES",
    Verdict.NON_CONFORME: "NON CONFORME",
    Verdict.INCOMPLET: "INCOMPLET",
}

SENS_VERDICT = {
    Verdict.CONFORME: "Le projet respecte la charte.",
    Verdict.CONFORME_AVEC_RESERVES: "Le projet peut être mis en œuvre, sous réserve de lever "
                                    "les points majeurs ci-dessous.",
    Verdict.NON_CONFORME: "Le projet ne respecte pas au moins une règle bloquante : il ne peut "
                          "pas être mis en œuvre en l'état.",
    Verdict.INCOMPLET: "La fiche ne permet pas de conclure : des informations manquent pour "
                       "des règles bloquantes ou majeures.",
}

LIBELLES_STATUT = {
    Statut.CONFORME: ("conforme", "conformes"),
    Statut.NON_CONFORME: ("non conforme", "non conformes"),
    Statut.NON_APPLICABLE: ("non applicable", "non applicables"),
    Statut.INDETERMINE: ("indéterminée", "indéterminées"),
    Statut.DEROGEE: ("dérogée", "dérogées"),
    Statut.HORS_VIGUEUR: ("hors vigueur", "hors vigueur"),
    Statut.ERREUR: ("en erreur", "en erreur"),
}
"""How each status is written, singular and plural."""

_MAJOR = {Severite.BLOQUANT, Severite.MAJEUR}


def render(decisions: Sequence[Decision]) -> str:
    """Render decisions for the terminal, one after the other."""
    return "\n".join(render_one(d) for d in decisions)


def render_one(decision: Decision) -> str:
    """Render one decision for the terminal."""
    lines = [
        f"Décision : {TITRES_VERDICT[decision.verdict]}",
        f"  {SENS_VERDICT[decision.verdict]}",
        "",
        f"Projet            : {decision.declaration.nom} ({decision.declaration.id})",
        f"Fiche             : {decision.declaration.fichier}",
        f"Charte            : {decision.charte.titre}, version {decision.charte.version}",
        f"Date de référence : {decision.date_reference.strftime('%d/%m/%Y')}",
    ]
    rules = decision.regles
    failing = [r for r in rules if r.statut is Statut.NON_CONFORME and r.severite in _MAJOR]
    errors = [r for r in rules if r.statut is Statut.ERREUR]
    undecided = [r for r in rules if r.statut is Statut.INDETERMINE]
    remarks = [r for r in rules if r.statut is Statut.NON_CONFORME and r.severite not in _MAJOR]
    _section(lines, "Règles non respectées", failing)
    _section(lines, "Règles en erreur (à corriger dans la charte)", errors)
    _section(lines, "Règles indéterminées, faute d'information", undecided)
    _section(lines, "Observations (règles mineures ou informatives)", remarks)
    if decision.informations_manquantes:
        lines += ["", "Informations à compléter dans la fiche, par ordre d'importance :"]
        for rank, info in enumerate(decision.informations_manquantes, start=1):
            lines.append(f"  {rank}. {info.question}")
            lines.append(f"     champ {info.champ} — règles concernées : {', '.join(info.regles)}")
    lines += ["", _summary(decision)]
    return "\n".join(lines) + "\n"


def _section(lines: list[str], title: str, rules: list[ResultatRegle]) -> None:
    if not rules:
        return
    lines += ["", f"{title} ({len(rules)}) :"]
    for rule in rules:
        lines.append("")
        lines.extend(_rule(rule))


def _rule(rule: ResultatRegle) -> Iterable[str]:
    severite = rule.severite.value if rule.severite else "sans sévérité"
    yield f"  [{severite}] {rule.id} — {rule.titre}"
    if rule.message and rule.statut is not Statut.INDETERMINE:
        yield f"    {rule.message}"
    if rule.exception is None and rule.statut is Statut.NON_CONFORME:
        for clause in rule.clauses:
            if clause.statut is Statut.NON_CONFORME and clause.message:
                yield f"    • {clause.message}"
    if rule.erreur:
        yield f"    Erreur : {rule.erreur}"
    if rule.manquants:
        yield "    Il manque : " + ", ".join(rule.manquants)
    for donnee in rule.donnees:
        if donnee.position is not None:
            yield (f"    Valeur lue : {donnee.champ} = {_value(donnee.valeur)} "
                   f"({donnee.position.fichier}:{donnee.position.ligne}:{donnee.position.colonne})")
    if rule.remediation:
        yield f"    Que faire : {rule.remediation}"
    if rule.references:
        yield "    Références : " + " ; ".join(format_reference(r) for r in rule.references)
    yield f"    Règle définie dans {rule.source.fichier}:{rule.source.ligne}"


def format_reference(reference: Reference) -> str:
    """A reference written as « Texte, art. 1, 2 »."""
    text = reference.texte
    if reference.articles:
        text += ", art. " + ", ".join(reference.articles)
    return text


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _summary(decision: Decision) -> str:
    resume = decision.resume
    parts = []
    for statut in Statut:
        count = getattr(resume, statut.value)
        if count:
            singular, plural = LIBELLES_STATUT[statut]
            parts.append(f"{count} {singular if count == 1 else plural}")
    return f"Bilan : {resume.total} règles — " + ", ".join(parts) + "."
