"""One rule against one declaration: applicability, exceptions, clauses, messages, what it read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from charte_ia import cel
from charte_ia.charter import (
    Charte,
    ClauseCompilee,
    ExceptionCompilee,
    Gabarit,
    Modification,
    Regle,
    entree_au,
)
from charte_ia.decision import (
    DonneeUtilisee,
    ExceptionAppliquee,
    ModificationLocale,
    ParametreUtilise,
    Place,
    ProvenanceRegle,
    ResultatClause,
    ResultatRegle,
    Statut,
)
from charte_ia.diagnostics import Location, valeur_fr
from charte_ia.engine.contexte import (
    Context,
    Tri,
    expressions_of,
    fields_of,
    names_of,
    tri_of,
)
from charte_ia.model import (
    DEBUT_DES_TEMPS,
    Combinaison,
    EffetException,
)

# --- Rules -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    statut: Statut
    applicable: Tri
    clauses: list[Tri]
    manquants: set[str] = field(default_factory=set)
    erreur: str | None = None
    exception: ExceptionAppliquee | None = None


def outcome_of(context: Context, regle: Regle) -> Outcome | None:
    """The status of a rule in force (``None`` when it is not in force)."""
    if regle.severite_au(context.jour) is None or not regle.en_vigueur_au(context.jour):
        return None
    espace = regle.espace
    applicable = tri_of(context, regle.applicable_si, espace) if regle.applicable_si else Tri(True)
    scope = context.scope(regle.source.portee)
    if scope is not None:
        applicable = _both(scope, applicable)
    clauses = [tri_of(context, clause.expression, espace) for clause in regle.clauses]
    return _decide(context, regle, applicable, clauses)


def _both(first: Tri, second: Tri) -> Tri:
    """Kleene conjunction of two conditions: false wins, then an error, then the unknown."""
    if first.valeur is False or second.valeur is False:
        return Tri(False)
    for tri in (first, second):
        if tri.erreur is not None:
            return tri
    if first.valeur is True and second.valeur is True:
        return Tri(True)
    return Tri(None, first.manquants | second.manquants)


@dataclass(frozen=True, slots=True)
class _Static:
    """What a rule's result takes from the charter alone: the same for every declaration."""

    regle: Regle
    base: dict[str, Any]
    champs: tuple[str, ...]
    parametres: tuple[str, ...]


def _static(charte: Charte, regle: Regle) -> _Static:
    key = ("regle", id(regle))
    found: _Static | None = charte.memo.get(key)
    if found is not None and found.regle is regle:
        return found
    paths: set[str] = set()
    names: set[str] = set()
    for expression in expressions_of(regle):
        paths |= fields_of(charte, expression, regle.espace)
        names |= names_of(charte, expression, "param", regle.espace)
    base: dict[str, Any] = {
        "id": regle.id, "titre": regle.titre, "principe": regle.principe, "references": regle.references,
        "source": place_of(regle.location),
        "provenance": None if regle.provenance is None else ProvenanceRegle(
            paquet=regle.provenance.paquet, version=regle.provenance.version, espace=regle.provenance.espace,
            fichier=regle.provenance.fichier, ligne=regle.provenance.ligne),
        "modifications": tuple(modification_of(m) for m in regle.modifications),
        "a_verifier": regle.source.a_verifier,
        "nature": regle.source.nature,
    }
    found = charte.memo[key] = _Static(regle, base, tuple(sorted(paths, key=charte.vocabulaire.ordre)),
                                       tuple(sorted(names)))
    return found


def rule_result(context: Context, regle: Regle) -> ResultatRegle:
    static = _static(context.charte, regle)
    base = {**static.base, "severite": regle.severite_au(context.jour)}
    outcome = outcome_of(context, regle)
    if outcome is None:
        return ResultatRegle(statut=Statut.HORS_VIGUEUR, **base)
    failing = outcome.statut in (Statut.NON_CONFORME, Statut.ERREUR)
    manquants = tuple(sorted(outcome.manquants, key=context.charte.vocabulaire.ordre))
    return ResultatRegle(
        statut=outcome.statut,
        applicabilite=outcome.applicable.valeur,
        exception=outcome.exception,
        clauses=tuple(_clause_result(context, regle, clause, tri)
                      for clause, tri in zip(regle.clauses, outcome.clauses, strict=True))
        if outcome.statut is not Statut.NON_APPLICABLE and not (
            outcome.statut is Statut.INDETERMINE and outcome.applicable.inconnu) else (),
        message=render(context, regle.message, regle.espace) if failing
        else questions_text(context, manquants) if outcome.statut is Statut.INDETERMINE else None,
        remediation=render(context, regle.remediation, regle.espace)
        if failing and regle.remediation else None,
        manquants=manquants,
        erreur=outcome.erreur,
        donnees=_data_used(context, static.champs),
        parametres=_parameters_used(context, static.parametres),
        **base,
    )


def _decide(context: Context, regle: Regle, applicable: Tri, clauses: list[Tri]) -> Outcome:
    def outcome(statut: Statut, **extra: Any) -> Outcome:
        return Outcome(statut, applicable, clauses, **extra)

    if applicable.erreur is not None:
        return outcome(Statut.ERREUR, erreur=f"condition d'application : {applicable.erreur}")
    if applicable.valeur is False:
        return outcome(Statut.NON_APPLICABLE)
    holding, unknown, error = _exceptions(context, regle)
    if error is not None:
        return outcome(Statut.ERREUR, erreur=error)
    if holding is not None:
        statut = (Statut.NON_APPLICABLE if holding.effet is EffetException.NON_APPLICABLE
                  else Statut.CONFORME)
        return outcome(statut, exception=holding)
    errors = [tri.erreur for tri in clauses if tri.erreur is not None]
    if errors:
        return outcome(Statut.ERREUR, erreur=errors[0])
    met = _combine(regle.combinaison, clauses)
    if met.valeur is True:
        return outcome(Statut.CONFORME)
    if applicable.inconnu:  # whether the rule applies comes first: its requirement may not matter
        return outcome(Statut.INDETERMINE, manquants=set(applicable.manquants))
    if met.valeur is False and not unknown:
        return outcome(Statut.NON_CONFORME)
    return outcome(Statut.INDETERMINE, manquants=set(unknown) | set(met.manquants))


def _exceptions(context: Context, regle: Regle) -> tuple[ExceptionAppliquee | None, set[str], str | None]:
    holding: list[ExceptionCompilee] = []
    unknown: set[str] = set()
    for exception in regle.exceptions:
        tri = tri_of(context, exception.condition, regle.espace)
        if tri.erreur is not None:
            return None, set(), f"exception « {exception.id} » : {tri.erreur}"
        if tri.valeur is True:
            holding.append(exception)
        elif tri.inconnu:
            unknown |= tri.manquants
    effects = {e.effet for e in holding}
    if len(effects) > 1:
        names = " et ".join(f"« {e.id} »" for e in holding)
        return None, set(), f"les exceptions {names} s'appliquent en même temps avec des effets différents"
    if holding:
        first = holding[0]
        return ExceptionAppliquee(id=first.id, effet=first.effet,
                                  justification=first.justification), set(), None
    return None, unknown, None


def _combine(combinaison: Combinaison, clauses: list[Tri]) -> Tri:
    """Kleene conjunction (``toutes``) or disjunction (``une_de``) of the clauses."""
    decisive = combinaison is not Combinaison.TOUTES
    if any(tri.valeur is decisive for tri in clauses):
        return Tri(decisive)
    unknown = [tri for tri in clauses if tri.valeur is None]
    if unknown:
        return Tri(None, frozenset().union(*(tri.manquants for tri in unknown)))
    return Tri(not decisive)


def _clause_result(context: Context, regle: Regle, clause: ClauseCompilee, tri: Tri) -> ResultatClause:
    expression = clause.expression.source
    if tri.erreur is not None:
        return ResultatClause(id=clause.id, statut=Statut.ERREUR, expression=expression, erreur=tri.erreur)
    if tri.valeur is None:
        return ResultatClause(id=clause.id, statut=Statut.INDETERMINE, expression=expression,
                              manquants=tuple(sorted(tri.manquants, key=context.charte.vocabulaire.ordre)))
    if tri.valeur:
        return ResultatClause(id=clause.id, statut=Statut.CONFORME, expression=expression)
    message = render(context, clause.message, regle.espace) if clause.message else None
    return ResultatClause(id=clause.id, statut=Statut.NON_CONFORME, expression=expression, message=message)


def _data_used(context: Context, champs: tuple[str, ...]) -> tuple[DonneeUtilisee, ...]:
    used = []
    valeurs, built = context.declaration.valeurs, context.donnees
    for chemin in champs:
        if chemin in valeurs:
            donnee = built.get(chemin)
            if donnee is None:
                location = context.declaration.location(chemin)
                champ = context.charte.vocabulaire.champ(chemin)
                valeur = valeurs[chemin]
                donnee = built[chemin] = DonneeUtilisee(
                    champ=chemin, valeur=valeur, position=place_of(location) if location else None,
                    question=champ.question if champ else None,
                    libelle=champ.libelle(valeur) if champ else None)
            used.append(donnee)
    return tuple(used)


def _parameters_used(context: Context, names: tuple[str, ...]) -> tuple[ParametreUtilise, ...]:
    used = []
    for name in names:
        entry = entree_au(context.charte.parametres.get(name, ()), context.jour)
        if entry is not None:
            since, value = entry
            used.append(ParametreUtilise(nom=name, valeur=value,
                                         depuis=None if since == DEBUT_DES_TEMPS else since))
    return tuple(used)


def place_of(location: Location) -> Place:
    return Place(fichier=location.file, ligne=location.line, colonne=location.column)


def modification_of(modification: Modification) -> ModificationLocale:
    return ModificationLocale(cible=modification.cible, nature=modification.nature,
                              description=modification.description,
                              assouplissement=modification.assouplissement, motif=modification.motif,
                              auteur=modification.auteur, position=place_of(modification.location))


# --- Messages ----------------------------------------------------------------------------------


def questions_text(context: Context, manquants: Sequence[str]) -> str:
    """What an undetermined rule says: the questions to answer, never its violation message."""
    asked = []
    for chemin in manquants:
        champ = context.charte.vocabulaire.champ(chemin)
        question = f"« {champ.question} »" if champ is not None else f"« {chemin} »"
        if chemin in context.declaration.en_attente:
            question += (f" (réponse « {context.declaration.valeurs[chemin]} » : à préciser, elle ne permet "
                         "pas encore de décider)")
        asked.append(question)
    if not asked:
        return "À préciser pour décider."
    head = "À préciser pour décider : " if len(asked) == 1 else "À préciser pour décider, dans l'ordre : "
    return head + " ; ".join(asked)


def render(context: Context, gabarit: Gabarit | None, espace: str) -> str | None:
    if gabarit is None:
        return None
    text = ""
    for part in gabarit.morceaux:
        if isinstance(part, str):
            text += part
        else:
            value = cel.evaluate(part, context.activation(espace), context.budget)
            text += "(inconnu)" if isinstance(value, cel.Failure) else valeur_fr(value)
    return " ".join(text.split())


