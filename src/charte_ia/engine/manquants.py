"""The missing information, ranked the way a DPO asks, with the effect of each possible answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from charte_ia import cel
from charte_ia.charter import (
    Charte,
    Regle,
)
from charte_ia.decision import (
    EffetReponse,
    InformationManquante,
    ResultatRegle,
    Statut,
    StatutApres,
    Verdict,
)
from charte_ia.declaration import Declaration
from charte_ia.engine.contexte import Context, Tri, fields_of, scope_expression
from charte_ia.engine.regles import outcome_of
from charte_ia.model import (
    Champ,
    Severite,
    TypeChamp,
)
from charte_ia.verdict import verdict_of

# --- Missing information ---------------------------------------------------------------------

Role = Literal["applicabilite", "exigence"]
"""Whether a question decides if rules apply, or what they require."""
_WEIGHT = {Severite.BLOQUANT: 8, Severite.MAJEUR: 4, Severite.MINEUR: 2, Severite.INFO: 1}
_MAX_LIST_PROBES = 8
MAX_PROBED_ANSWERS = 24
"""A field with more possible answers (a charter's list of 35 000 communes) has no effects listed."""
MAX_PROBES = 400
"""Answers tried for one decision, all fields together: ranking stays bounded whatever the charter."""
_PROBE_COUNTRIES = ("FR", "US")
"""A country of the European Union and one outside it: the answers that split location rules."""


def rank_missing(context: Context, results: Sequence[ResultatRegle], verdict: Verdict
                 ) -> tuple[InformationManquante, ...]:
    """Rank the fields to fill in the way a DPO asks (``docs/decision.md``).

    Qualifying questions come first (is it an AI system? personal data? individual
    decisions?), a question whose prerequisites are still open comes after the others (never
    what the CNIL answered before whether an impact assessment exists), and within each
    stage the most decisive first.

    Each field an undetermined rule needs is scored: the rule's weight (bloquant 8,
    majeur 4, mineur 2, info 1), doubled when the field decides whether the rule applies
    (applicability or exception), divided by the number of fields the rule still needs
    unless one answer alone decides it; the sum over the rules is doubled when some
    answer would change the verdict. For fields with a finite set of answers, every
    answer is tried and its effect on the rules and on the verdict is recorded — for at most
    :data:`MAX_PROBED_ANSWERS` answers per field and :data:`MAX_PROBES` per decision, so that a
    charter with huge lists of choices costs no more than a small one. Ties follow the
    vocabulary order.
    """
    charte = context.charte
    concerned = _concerned(charte, results)
    qualification_fields = {q.id: fields_of(charte, q.expression, q.espace) for q in charte.qualifications}
    probes = cel.Budget.of(charte.limites)  # trying answers has its own budget: it cannot starve the rules
    tries = MAX_PROBES
    ranked = []
    for chemin, rules in concerned.items():
        champ = charte.vocabulaire.champ(chemin)
        if champ is None:  # pragma: no cover - paths are checked when the charter compiles
            continue
        unaffected = {name: context.qualifications[name] for name, fields in qualification_fields.items()
                      if chemin not in fields}
        answers = probe_answers(champ)
        if len(answers) > min(MAX_PROBED_ANSWERS, tries):
            answers = []  # too many to try: the question is ranked, without effects (never half of them)
        tries -= len(answers)
        effets = tuple(_answer_effect(context, results, (chemin, answer), [r for _, r in rules], unaffected,
                                      budget=probes)
                       for answer in answers)
        score, role = _score(charte, chemin, rules, effets, verdict)
        ranked.append((score, chemin, champ, rules, role, effets))
    ranked.sort(key=lambda item: (_stage(context.declaration, item[2]), -item[0],
                                  charte.vocabulaire.ordre(item[1])))
    return tuple(
        InformationManquante(rang=rank, champ=chemin, type=_type_name(champ), question=champ.question,
                             aide=champ.aide, section=champ.section, regles=tuple(r.id for _, r in rules),
                             role=role, score=score, effets=effets)
        for rank, (score, chemin, champ, rules, role, effets) in enumerate(ranked, start=1))


Concerned = dict[str, list[tuple[ResultatRegle, Regle]]]
"""Each missing field, with the undetermined rules that need it."""


def _concerned(charte: Charte, results: Sequence[ResultatRegle]) -> Concerned:
    """Each field an undetermined rule still needs, with the rules that need it."""
    concerned: dict[str, list[tuple[ResultatRegle, Regle]]] = {}
    for result in results:
        regle = charte.regle(result.id)
        if result.statut is Statut.INDETERMINE and regle is not None:
            for chemin in result.manquants:
                concerned.setdefault(chemin, []).append((result, regle))
    return concerned


def _score(charte: Charte, chemin: str, rules: list[tuple[ResultatRegle, Regle]],
           effets: tuple[EffetReponse, ...], verdict: Verdict) -> tuple[float, Role]:
    """How decisive a question is (see :func:`rank_missing`), and whether it decides applicability."""
    decided = {s.regle for effet in effets for s in effet.regles if s.statut is not Statut.INDETERMINE}
    score = 0.0
    role: Role = "exigence"
    for result, regle in rules:
        gating = chemin in _gating_fields(charte, regle)
        role = "applicabilite" if gating else role
        alone = regle.id in decided or len(result.manquants) == 1
        score += (_WEIGHT[result.severite or Severite.INFO] * (2 if gating else 1)
                  * (1 if alone else 1 / len(result.manquants)))
    if any(effet.verdict is not verdict for effet in effets):
        score *= 2
    return round(score, 3), role


def _stage(declaration: Declaration, champ: Champ) -> int:
    """A DPO's order: qualifying questions, then the others, then those whose prerequisites are open."""
    if champ.qualifiante:
        return 0
    return 2 if any(not declaration.decidable(p) for p in champ.prealables) else 1


def probe_answers(champ: Champ | None) -> list[Any]:
    """The answers worth trying for a field; none for open ones (text, numbers, dates…)."""
    if champ is None:
        return []
    if champ.type is TypeChamp.BOOLEEN:
        return [True, False]
    if champ.type is TypeChamp.ENUM:
        return [value for value in champ.valeurs if value not in champ.en_attente]
    if champ.type is TypeChamp.PAYS:
        return list(_PROBE_COUNTRIES)
    if champ.type is TypeChamp.LISTE and champ.element is not None:
        if champ.element.type is TypeChamp.PAYS:
            return [[country] for country in _PROBE_COUNTRIES]
        if champ.element.type is TypeChamp.ENUM and len(champ.element.valeurs) <= _MAX_LIST_PROBES:
            return [[], *([value] for value in champ.element.valeurs)]
    return []


def _answer_effect(context: Context, results: Sequence[ResultatRegle], reponse: tuple[str, Any],
                   rules: list[Regle], unaffected: dict[str, Tri], *, budget: cel.Budget) -> EffetReponse:
    chemin, answer = reponse
    probe = context.answering(chemin, answer, budget, unaffected)
    after = {}
    for regle in rules:
        outcome = outcome_of(probe, regle)
        after[regle.id] = Statut.HORS_VIGUEUR if outcome is None else outcome.statut
    changed = [r.model_copy(update={"statut": after[r.id]}) if r.id in after else r for r in results]
    verdict, _ = verdict_of(changed)
    champ = context.charte.vocabulaire.champ(chemin)
    return EffetReponse(reponse=answer, verdict=verdict, libelle=champ.libelle(answer) if champ else None,
                        regles=tuple(StatutApres(regle=regle_id, statut=statut)
                                     for regle_id, statut in after.items()))


def _gating_fields(charte: Charte, regle: Regle) -> set[str]:
    """Fields that decide whether the rule applies: its applicability and its exceptions."""
    fields: set[str] = set()
    if (scope := scope_expression(regle.source.portee)) is not None:
        fields |= fields_of(charte, scope, regle.espace)
    if regle.applicable_si is not None:
        fields |= fields_of(charte, regle.applicable_si, regle.espace)
    for exception in regle.exceptions:
        fields |= fields_of(charte, exception.condition, regle.espace)
    return fields


def _type_name(champ: Champ) -> str:
    if champ.type is TypeChamp.LISTE and champ.element is not None:
        return f"liste de {champ.element.type.value}"
    return champ.type.value


