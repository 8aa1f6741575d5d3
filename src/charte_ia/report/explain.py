"""``charte-ia expliquer``: one rule in full, or the merged charter with each rule's origin.

For a rule: what it requires, clause by clause, when it applies, its exceptions, its
severity over time, the parameters in force at the reference date, the declaration
fields it reads with their questions, its references, the pack it comes from and every
local change made by an importer, loosenings with their motif.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from charte_ia import cel
from charte_ia.charter import Charte, Gabarit, Regle, describe_period, describe_severities, entree_au
from charte_ia.diagnostics import date_fr, valeur_fr
from charte_ia.engine import fields_of
from charte_ia.model import DEBUT_DES_TEMPS, Combinaison
from charte_ia.report.text import format_reference


def explain_charter(charte: Charte, jour: date) -> str:
    """The merged charter: packs, rules with their origin and changes, parameters, qualifications."""
    meta = charte.meta
    lines = [f"Charte : {meta.titre}", f"  {meta.id}, version {meta.version} — {charte.fichier}",
             f"  en vigueur {describe_period(meta.en_vigueur)}",
             f"  sha256 {charte.sha256}"]
    if charte.paquets:
        lines += ["", f"Paquets importés ({len(charte.paquets)}) :"]
        for paquet in charte.paquets:
            lines.append(f"  {paquet.id} {paquet.version}, espace « {paquet.espace} » — {paquet.fichier}")
            lines.append(f"    sha256 {paquet.sha256}")
    lines.extend(_rules_by_principle(charte, jour))
    if charte.desactivees:
        lines += ["", "Règles désactivées :"]
        for off in charte.desactivees:
            lines.append(f"  {off.id} {off.titre} — par {off.auteur}, motif : {off.motif} ({off.location})")
    if charte.parametres:
        lines += ["", f"Paramètres au {date_fr(jour)} :"]
        for name, dated in charte.parametres.items():
            lines.append(f"  {name} = {_parameter(dated, jour)}")
        for change in charte.modifications:
            if change.nature == "parametre":
                lines.append(f"    modifié par {change.auteur} : {change.description}"
                             + (f" — motif : {change.motif}" if change.motif else ""))
    if charte.qualifications:
        lines += ["", "Qualifications (calculées avant les règles) :"]
        for qualification in charte.qualifications:
            lines.append(f"  {qualification.id} — {qualification.titre}")
            lines.append(f"    {qualification.expression.source}")
    return "\n".join(lines) + "\n"


def _rules_by_principle(charte: Charte, jour: date) -> list[str]:
    lines = ["", f"Règles au {date_fr(jour)} ({len(charte.regles)}) :"]
    for principe, titre in charte.principes.items():
        rules = [r for r in charte.regles if r.principe == principe]
        if rules:
            lines += ["", f"  {titre} ({principe})"]
        for regle in rules:
            severite = regle.severite_au(jour)
            state = severite.value if severite and regle.en_vigueur_au(jour) else "hors vigueur"
            lines.append(f"    {regle.id} [{state}] {regle.titre}")
            lines.append(f"      {_origin(regle)}")
            for change in regle.modifications:
                lines.append(f"      {_change(change.assouplissement)} par {change.auteur} : "
                             f"{change.description}" + (f" — motif : {change.motif}" if change.motif else ""))
    return lines


def explain_rule(charte: Charte, regle: Regle, jour: date) -> str:
    """One rule in full, as of ``jour``."""
    source = regle.source
    lines = [f"Règle {regle.id} — {regle.titre}",
             f"  Principe : {charte.principes.get(regle.principe, regle.principe)} ({regle.principe})",
             f"  Sévérité : {describe_severities(regle.severites)} ; au {date_fr(jour)} : "
             + (s.value if (s := regle.severite_au(jour)) else "aucune (hors vigueur)"),
             f"  En vigueur : {_period(regle)}" + ("" if regle.en_vigueur_au(jour) else
                                                    f" — hors vigueur au {date_fr(jour)}"),
             f"  Nature : {source.nature.libelle}",
             f"  Concerne : {source.portee.libelle}"]
    if source.description:
        lines += ["", _indent(source.description.strip(), 2)]
    lines += ["", "  S'applique : " + (f"si {regle.applicable_si.source}" if regle.applicable_si
                                        else "toujours")]
    combinaison = "toutes les clauses" if regle.combinaison is Combinaison.TOUTES else "au moins une clause"
    lines.append(f"  Exigence ({combinaison}) :")
    for clause in regle.clauses:
        lines.append(f"    - {clause.id} : {clause.expression.source}")
        if clause.message is not None:
            lines.append(f"        message : {_template(clause.message)}")
    if regle.exceptions:
        lines.append("  Exceptions :")
        for exception in regle.exceptions:
            lines.append(f"    - {exception.id} (effet : {exception.effet.value}) "
                         f"si {exception.condition.source}")
            lines.append(f"        {exception.justification}")
    lines += ["", f"  Message : {_template(regle.message)}"]
    if regle.remediation is not None:
        lines.append(f"  Que faire : {_template(regle.remediation)}")
    if regle.references:
        lines.append("  Références :")
        for reference in regle.references:
            link = f" <{reference.url}>" if reference.url else ""
            lines.append(f"    - {format_reference(reference)}{link}")
    if source.a_verifier:
        lines.append(f"  À faire vérifier par un juriste : {source.a_verifier}")
    lines.extend(_inputs(charte, regle, jour))
    lines += ["", f"  Provenance : {_origin(regle)}"]
    if regle.verrouille:
        lines.append("  Verrouillée : une charte peut la renforcer, jamais l'assouplir ni la désactiver")
    for change in regle.modifications:
        lines.append(f"  {_change(change.assouplissement)} par {change.auteur} ({change.location}) : "
                     f"{change.description}" + (f" — motif : {change.motif}" if change.motif else ""))
    if source.revu_le is not None:
        lines.append(f"  Revue le {date_fr(source.revu_le)}")
    return "\n".join(lines) + "\n"


def _inputs(charte: Charte, regle: Regle, jour: date) -> list[str]:
    expressions: list[cel.Expression] = [c.expression for c in regle.clauses]
    expressions += [e.condition for e in regle.exceptions]
    if regle.applicable_si is not None:
        expressions.append(regle.applicable_si)
    fields: set[str] = set()
    parameters: set[str] = set()
    for expression in expressions:
        fields |= fields_of(charte, expression, regle.espace)
        parameters |= {charte.nom_complet(regle.espace, c) for c in expression.chemins("param")}
    lines = []
    if parameters:
        lines += ["", f"  Paramètres au {date_fr(jour)} :"]
        for name in sorted(parameters):
            lines.append(f"    - {name} = {_parameter(charte.parametres.get(name, ()), jour)}")
    if fields:
        lines += ["", "  Champs de la fiche lus :"]
        for chemin in sorted(fields, key=charte.vocabulaire.ordre):
            champ = charte.vocabulaire.champ(chemin)
            lines.append(f"    - {chemin} : {champ.question if champ else ''}")
    return lines


def _origin(regle: Regle) -> str:
    if regle.provenance is None:
        return f"règle de la charte, {regle.location.file}:{regle.location.line}"
    p = regle.provenance
    return f"paquet {p.paquet} {p.version} (espace « {p.espace} »), {p.fichier}:{p.ligne}"


def _change(loosening: bool) -> str:
    return "ASSOUPLIE" if loosening else "Modifiée"


def _period(regle: Regle) -> str:
    return "comme la charte" if regle.en_vigueur is None else describe_period(regle.en_vigueur)


def _parameter(dated: Any, jour: date) -> str:
    entry = entree_au(dated, jour)
    if entry is None:
        return "(aucune valeur à cette date)"
    since, value = entry
    since_text = "" if since == DEBUT_DES_TEMPS else f" (depuis le {date_fr(since)})"
    return valeur_fr(value, crochets=True) + since_text


def _template(gabarit: Gabarit) -> str:
    return "".join(m if isinstance(m, str) else "{{ " + m.source + " }}" for m in gabarit.morceaux)


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())
