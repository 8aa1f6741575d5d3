"""Evaluating a declaration against a compiled charter, with three-valued logic.

A value the declaration does not give is *unknown*, never false. CEL's commutative error
absorption decides what it can (``false && inconnu`` is false); an expression that still
fails while reading unknown fields is *undetermined*, with the list of those fields. Any
other failure, or a result that is not a boolean, makes the rule ``erreur``: a broken
rule never counts as met.

Evaluation is a pure function of the charter, the declaration and the reference date:
nothing is parsed here (the charter was compiled once), nothing is printed.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from charte_ia import cel
from charte_ia.charter import Charte, Gabarit, Regle
from charte_ia.decision import (
    Decision,
    IdentiteCharte,
    IdentiteDeclaration,
    Moteur,
    PaquetImporte,
    ResultatQualification,
    ResultatRegle,
    SuiviDerogation,
)
from charte_ia.declaration import Declaration
from charte_ia.derogation import Derogations
from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, date_fr
from charte_ia.engine.contexte import (
    Context,
    Tri,
    expressions_of,
    fields_of,
    qualifications_of,
    scope_expression,
    supposing,
)
from charte_ia.engine.derogations import apply_derogations
from charte_ia.engine.manquants import MAX_PROBED_ANSWERS, MAX_PROBES, probe_answers, rank_missing
from charte_ia.engine.regles import modification_of, rule_result
from charte_ia.verdict import summarise, verdict_of
from charte_ia.version import __version__

__all__ = [
    "MAX_PROBED_ANSWERS",
    "MAX_PROBES",
    "Tri",
    "evaluate",
    "evaluate_rule",
    "fields_of",
    "probe_answers",
    "qualifications_of",
    "scope_expression",
    "supposing",
]


def evaluate(charte: Charte, declaration: Declaration, jour: date, *,
             derogations: Derogations | None = None, horodatage: str | None = None,
             classer_manquants: bool = True) -> Decision:
    """Vérifier une fiche au regard d'une charte, à une date de référence.

    L'évaluation ne lève jamais d'exception pour une règle cassée : la règle prend le statut
    ``erreur`` et le verdict ne peut alors pas être ``conforme``.

    Args:
        charte: Une charte compilée (:func:`charte_ia.load_charter`).
        declaration: Une fiche validée (:func:`charte_ia.load_declaration`).
        jour: La date de référence : les règles, sévérités et paramètres en vigueur ce jour-là s'appliquent.
        derogations: Les dérogations accordées par le comité d'éthique
            (:func:`charte_ia.load_derogations`), s'il y en a.
        horodatage: L'heure de l'évaluation à inscrire dans la décision, si on le souhaite.
        classer_manquants: Classer les informations manquantes (chaque réponse possible est
            essayée) ; sans cela, ``informations_manquantes`` reste vide.

    Returns:
        La décision, avec le résultat de chaque règle.

    Raises:
        InvalidInputError: La charte n'est pas en vigueur le jour ``jour``.
    """
    _check_in_force(charte, jour)
    context = Context.build(charte, declaration, jour, cel.Budget.of(charte.limites))
    results = [rule_result(context, regle) for regle in charte.regles]
    suivi: list[SuiviDerogation] = []
    if derogations is not None:
        results, suivi = apply_derogations(charte, declaration, jour, derogations, results)
    verdict, motifs = verdict_of(results)
    return Decision(
        verdict=verdict,
        motifs=motifs,
        date_reference=jour,
        horodatage=horodatage,
        moteur=Moteur(version=__version__, evaluation=context.budget.evaluation),
        charte=IdentiteCharte(
            id=charte.meta.id, titre=charte.meta.titre, version=charte.meta.version,
            fichier=charte.fichier, sha256=charte.sha256,
            paquets=tuple(PaquetImporte(**asdict(p)) for p in charte.paquets),
            principes=dict(charte.principes)),
        declaration=_identity(declaration),
        resume=summarise(results),
        qualifications=_qualifications(context),
        regles=tuple(results),
        assouplissements=tuple(modification_of(m) for m in charte.assouplissements),
        derogations=tuple(suivi),
        informations_manquantes=rank_missing(context, results, verdict) if classer_manquants else (),
    )


def evaluate_rule(charte: Charte, declaration: Declaration, jour: date, regle: Regle) -> ResultatRegle:
    """Le résultat d'une seule règle, sans évaluer les autres (les exemples d'une règle).

    Seules les qualifications que la règle lit, directement ou non, sont calculées ; le
    résultat est celui que donnerait :func:`evaluate` pour cette règle, le budget de la
    décision n'étant dépensé que par elle.

    Raises:
        InvalidInputError: La charte n'est pas en vigueur le jour ``jour``.
    """
    _check_in_force(charte, jour)
    expressions = list(expressions_of(regle))
    for holder in (regle, *regle.clauses, *regle.exceptions):  # messages may read qualifications too
        messages = [value for value in vars(holder).values() if isinstance(value, Gabarit)]
        expressions += [e for message in messages for e in message.expressions]
    needed: set[str] = set()
    for expression in expressions:
        needed |= qualifications_of(charte, expression, regle.espace)
    context = Context.build(charte, declaration, jour, cel.Budget.of(charte.limites), seulement=needed)
    return rule_result(context, regle)


def _qualifications(context: Context) -> tuple[ResultatQualification, ...]:
    charte = context.charte
    return tuple(
        ResultatQualification(id=q.id, titre=q.titre, valeur=tri.valeur,
                              manquants=tuple(sorted(tri.manquants, key=charte.vocabulaire.ordre)),
                              erreur=tri.erreur)
        for q in charte.qualifications if (tri := context.qualifications[q.id]) is not None)


def _identity(declaration: Declaration) -> IdentiteDeclaration:
    return IdentiteDeclaration(id=declaration.id, nom=declaration.nom, fichier=declaration.document.name,
                               sha256=declaration.document.sha256, empreinte=declaration.empreinte)


def _check_in_force(charte: Charte, jour: date) -> None:
    """Refuse a reference date outside the charter's period of validity."""
    periode = charte.meta.en_vigueur
    if periode.contient(jour):
        return
    until = f" au {date_fr(periode.au)}" if periode.au else ""
    raise InvalidInputError([Diagnostic(
        "charte-hors-vigueur", f"la charte n'est pas en vigueur au {date_fr(jour)} "
        f"(en vigueur du {date_fr(periode.du)}{until})",
        charte.lieu_vigueur or Location(charte.fichier),
        "choisissez une date de référence dans sa période de validité (--date AAAA-MM-JJ)")])


