"""Terminal output, for a reader who is not a programmer.

The verdict and its meaning come first; then the rules that are not met, those that
cannot be decided and the information to add, each with its message, where the value
is written in the declaration, what to do and the references. Nothing relies on colour,
and no character from the inputs can drive the terminal (:func:`~charte_ia.report.escape.visible`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from charte_ia.decision import (
    Decision,
    EtatDerogation,
    InformationManquante,
    ResultatRegle,
    Statut,
    Verdict,
)
from charte_ia.diagnostics import date_fr, nombre_fr, valeur_fr
from charte_ia.model import Reference, Severite, folded_choice
from charte_ia.report.escape import one_line, visible

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
    return "".join(stream(decisions))


def stream(decisions: Iterable[Decision]) -> Iterator[str]:
    """Each decision as soon as it comes, separated by a blank line."""
    for index, decision in enumerate(decisions):
        yield render_one(decision) if index == 0 else "\n" + render_one(decision)


def render_one(decision: Decision) -> str:
    """Render one decision for the terminal."""
    lines = [
        f"Décision : {TITRES_VERDICT[decision.verdict]}",
        f"  {SENS_VERDICT[decision.verdict]}",
    ]
    if decision.resume.derogee:
        derogees = nombre_fr(decision.resume.derogee, "règle dérogée", "règles dérogées")
        lines.append(f"  Cette décision tient compte de {derogees} par le comité d'éthique "
                     "(voir ci-dessous).")
    if decision.assouplissements:
        assouplies = nombre_fr(len(decision.assouplissements), "règle importée", "règles importées")
        lines.append(f"  La charte assouplit {assouplies}, motifs ci-dessous.")
    lines += [
        "",
        f"Projet            : {decision.declaration.nom} ({decision.declaration.id})",
        f"Fiche             : {decision.declaration.fichier}",
        f"Charte            : {decision.charte.titre}, version {decision.charte.version}",
        f"Date de référence : {date_fr(decision.date_reference)}",
    ]
    if decision.charte.paquets:
        lines.append("Paquets importés  : " + ", ".join(
            f"{p.id} {p.version} (espace {p.espace})" for p in decision.charte.paquets))
    rules = decision.regles
    failing = [r for r in rules if r.statut is Statut.NON_CONFORME and r.severite in _MAJOR]
    errors = [r for r in rules if r.statut is Statut.ERREUR]
    undecided = [r for r in rules if r.statut is Statut.INDETERMINE]
    remarks = [r for r in rules if r.statut is Statut.NON_CONFORME and r.severite not in _MAJOR]
    waived = [r for r in rules if r.statut is Statut.DEROGEE]
    _section(lines, "Règles non respectées", failing)
    _section(lines, "Règles en erreur (à corriger dans la charte)", errors)
    _section(lines, "Règles indéterminées, faute d'information", undecided)
    _section(lines, "Observations (règles mineures ou informatives)", remarks)
    _section(lines, "Règles dérogées par le comité d'éthique", waived)
    lines.extend(_derogations(decision))
    lines.extend(_loosenings(decision))
    lines.extend(_not_in_force(decision))
    if decision.informations_manquantes:
        lines += ["", "Informations à compléter dans la fiche, la plus utile d'abord :"]
        for info in decision.informations_manquantes:
            lines.extend(question_lines(info))
    lines += ["", _summary(decision)]
    # Each entry is one line: a line break inside a value (a project's name) cannot start a
    # line of its own that would look like the report's.
    return visible("\n".join(one_line(line) for line in lines) + "\n")


def question_lines(info: InformationManquante) -> list[str]:
    """One missing piece of information: the question, the field, the rules, what answers do."""
    lines = [f"  {info.rang}. {info.question}",
             f"     champ {info.champ} ({info.type}) — règles concernées : {', '.join(info.regles)}"]
    for effet in info.effets:
        statuts = ", ".join(f"{s.regle} {LIBELLES_STATUT[s.statut][0]}" for s in effet.regles)
        lines.append(f"     si {_labelled(effet.reponse, effet.libelle)} : {statuts} → décision "
                     f"{TITRES_VERDICT[effet.verdict].lower()}")
    return lines


def _derogations(decision: Decision) -> list[str]:
    if not decision.derogations:
        return []
    lines = ["", "Dérogations accordées à ce projet :"]
    for suivi in decision.derogations:
        lines.append(f"  {suivi.id} ({suivi.regle}) — {LIBELLES_DEROGATION[suivi.etat]} : {suivi.detail}")
    return lines


LIBELLES_DEROGATION = {
    EtatDerogation.UTILISEE: "utilisée",
    EtatDerogation.A_REEXAMINER: "À RÉEXAMINER",
    EtatDerogation.EXPIREE: "EXPIRÉE",
    EtatDerogation.PAS_ENCORE_VALABLE: "pas encore valable",
    EtatDerogation.SANS_OBJET: "sans objet",
    EtatDerogation.ORPHELINE: "ORPHELINE",
}
"""How each state of a dérogation is written."""


def _loosenings(decision: Decision) -> list[str]:
    if not decision.assouplissements:
        return []
    lines = ["", "Assouplissements des règles importées (décidés par la charte ou un paquet) :"]
    for change in decision.assouplissements:
        lines.append(f"  {change.cible} — {change.description}")
        lines.append(f"    motif : {change.motif} ({change.auteur}, {change.position.fichier}:"
                     f"{change.position.ligne})")
    return lines


def _not_in_force(decision: Decision) -> list[str]:
    dormant = [r for r in decision.regles if r.statut is Statut.HORS_VIGUEUR]
    if not dormant:
        return []
    date = date_fr(decision.date_reference)
    return ["", f"Règles hors vigueur au {date} (non évaluées) : " + ", ".join(r.id for r in dormant)]


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
    yield f"    Nature : {rule.nature.libelle}"
    if rule.message:  # for an undetermined rule: the question to answer, never a violation
        yield f"    {rule.message}"
    yield from _why(rule)
    yield from _values(rule)
    if rule.remediation:
        yield f"    Que faire : {rule.remediation}"
    if rule.references:
        yield "    Références : " + " ; ".join(format_reference(r) for r in rule.references)
    if rule.a_verifier:
        yield f"    À faire vérifier par un juriste : {rule.a_verifier}"
    yield from _origin(rule)


def _why(rule: ResultatRegle) -> Iterable[str]:
    """Which clause failed, what is missing, which dérogation applies."""
    if rule.exception is None and rule.statut in (Statut.NON_CONFORME, Statut.DEROGEE):
        for clause in rule.clauses:
            if clause.statut is Statut.NON_CONFORME:
                yield f"    • clause « {clause.id} » non respectée : {clause.expression}"
                if clause.message:
                    yield f"      {clause.message}"
    if rule.erreur:
        yield f"    Erreur : {rule.erreur}"
    if rule.manquants:
        yield "    Champs à compléter : " + ", ".join(rule.manquants)
    if rule.derogation is not None:
        d = rule.derogation
        yield (f"    Dérogation {d.id} accordée par {d.accordee_par} ({d.deliberation}), "
               f"jusqu'au {date_fr(d.expire_le)}")
        yield "    Mesures compensatoires : " + " ; ".join(d.mesures_compensatoires)


def _values(rule: ResultatRegle) -> Iterable[str]:
    """The declaration values and the parameters the rule used."""
    for donnee in rule.donnees:
        if donnee.position is not None:
            yield (f"    Valeur lue : {donnee.champ} = {_labelled(donnee.valeur, donnee.libelle)} "
                   f"({donnee.position.fichier}:{donnee.position.ligne}:{donnee.position.colonne})")
    for parametre in rule.parametres:
        since = f", depuis le {date_fr(parametre.depuis)}" if parametre.depuis else ""
        yield f"    Paramètre : {parametre.nom} = {_value(parametre.valeur)}{since}"


def _origin(rule: ResultatRegle) -> Iterable[str]:
    """Where the rule is written, and what importers changed in it."""
    if rule.provenance is not None:
        yield (f"    Règle du paquet {rule.provenance.paquet} {rule.provenance.version}, "
               f"{rule.source.fichier}:{rule.source.ligne}")
    else:
        yield f"    Règle définie dans {rule.source.fichier}:{rule.source.ligne}"
    for change in rule.modifications:
        kind = "Assouplie" if change.assouplissement else "Modifiée"
        why = f" — motif : {change.motif}" if change.motif else ""
        yield f"    {kind} par {change.auteur} : {change.description}{why}"


def format_reference(reference: Reference) -> str:
    """A reference written as « Texte, art. 1, 2 »."""
    text = reference.texte
    if reference.articles:
        text += ", art. " + ", ".join(reference.articles)
    return text


def _value(value: object) -> str:
    return valeur_fr(value, crochets=True)


def _labelled(value: object, libelle: str | None) -> str:
    """A value as it is written in the declaration, followed by its label for a choice (unless the
    label only says the same word: « non », « Non »)."""
    written = _value(value)
    if not libelle or folded_choice(libelle) == folded_choice(written.strip("[]")):
        return written
    return f"{written} ({libelle})"


def _summary(decision: Decision) -> str:
    resume = decision.resume
    parts = []
    for statut in Statut:
        count = getattr(resume, statut.value)
        if count:
            singular, plural = LIBELLES_STATUT[statut]
            parts.append(f"{count} {singular if count == 1 else plural}")
    return f"Bilan : {nombre_fr(resume.total, 'règle', 'règles')} — " + ", ".join(parts) + "."
