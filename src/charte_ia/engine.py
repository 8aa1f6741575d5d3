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

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from charte_ia import __version__, cel
from charte_ia.charter import Charte, ExceptionCompilee, Gabarit, Regle, entree_au
from charte_ia.decision import (
    Decision,
    DonneeUtilisee,
    ExceptionAppliquee,
    IdentiteCharte,
    IdentiteDeclaration,
    InformationManquante,
    Moteur,
    ParametreUtilise,
    Place,
    ResultatClause,
    ResultatQualification,
    ResultatRegle,
    Statut,
    summarise,
    verdict_of,
)
from charte_ia.declaration import Declaration
from charte_ia.model import DEBUT_DES_TEMPS, EffetException, Severite, TypeChamp
from charte_ia.vocabulary import Vocabulaire


@dataclass(frozen=True, slots=True)
class Tri:
    """The three-valued result of one expression.

    Attributes:
        valeur: ``True``, ``False``, or ``None`` when undetermined or in error.
        manquants: The unknown fields that keep it undetermined.
        erreur: Why it could not be evaluated, for a real error.
    """

    valeur: bool | None
    manquants: frozenset[str] = frozenset()
    erreur: str | None = None

    @property
    def inconnu(self) -> bool:
        """Undetermined for lack of information (not an error)."""
        return self.valeur is None and self.erreur is None


@dataclass
class _Context:
    """What every expression of one evaluation reads, converted to CEL once."""

    charte: Charte
    declaration: Declaration
    jour: date
    parametres: dict[str, Any]
    activation: dict[str, Any]
    qualifications: dict[str, Tri] = field(default_factory=dict)


def evaluate(charte: Charte, declaration: Declaration, jour: date, *,
             horodatage: str | None = None) -> Decision:
    """Check a declaration against a charter as of a reference date.

    Args:
        charte: A compiled charter (:func:`charte_ia.load_charter`).
        declaration: A validated declaration (:func:`charte_ia.load_declaration`).
        jour: The reference date: rules, severities and parameters in force that day apply.
        horodatage: Evaluation timestamp to record in the decision, if wanted.

    Returns:
        The decision, with the result of every rule.
    """
    parametres = charte.parametres_au(jour)
    context = _Context(charte, declaration, jour, parametres, {
        "projet": cel.to_cel(_projet(declaration, charte.vocabulaire).get("projet", {})),
        "param": cel.to_cel(parametres),
        "date": cel.to_cel(jour),
        "qualif": cel.to_cel({}),
    })
    qualifications = _qualifications(context)
    results = tuple(_rule(context, regle) for regle in charte.regles)
    verdict, motifs = verdict_of(results)
    return Decision(
        verdict=verdict,
        motifs=motifs,
        date_reference=jour,
        horodatage=horodatage,
        moteur=Moteur(version=__version__),
        charte=IdentiteCharte(id=charte.meta.id, titre=charte.meta.titre, version=charte.meta.version,
                              fichier=charte.fichier, sha256=charte.sha256),
        declaration=IdentiteDeclaration(id=declaration.id, nom=declaration.nom,
                                        fichier=declaration.document.name,
                                        sha256=declaration.document.sha256),
        resume=summarise(results),
        qualifications=qualifications,
        regles=results,
        informations_manquantes=_missing_information(charte, results),
    )


# --- Expressions -------------------------------------------------------------------------------


def _tri(context: _Context, expression: cel.Expression) -> Tri:
    result = cel.evaluate(expression, context.activation)
    if isinstance(result, bool):
        return Tri(result)
    if not isinstance(result, cel.Failure):
        return Tri(None, erreur=f"l'expression doit donner vrai ou faux, elle donne {_show(result)}")
    missing: set[str] = set()
    for chemin in expression.chemins("projet"):
        full = "projet." + chemin
        if not context.declaration.known(full):
            missing.add(full)
    for name in _qualification_names(expression):
        state = context.qualifications.get(name)
        if state is None or state.erreur is not None:
            return Tri(None, erreur=f"la qualification « {name} » n'a pas pu être évaluée")
        missing |= state.manquants
    if missing:
        return Tri(None, frozenset(missing))
    for name in _parameter_names(expression):
        if name not in context.parametres:
            return Tri(None, erreur=f"le paramètre « {name} » n'a pas de valeur au "
                                    f"{_french_date(context.jour)}")
    return Tri(None, erreur=result.message)


def _qualification_names(expression: cel.Expression) -> set[str]:
    return {c.split(".", 1)[0] for c in expression.chemins("qualif")}


def _parameter_names(expression: cel.Expression) -> set[str]:
    return {c.split(".", 1)[0] for c in expression.chemins("param")}


def _qualifications(context: _Context) -> tuple[ResultatQualification, ...]:
    results = []
    decided: dict[str, bool] = {}
    for qualification in context.charte.qualifications:
        tri = _tri(context, qualification.expression)
        context.qualifications[qualification.id] = tri
        if tri.valeur is not None:
            decided[qualification.id] = tri.valeur
            context.activation["qualif"] = cel.to_cel(decided)
        results.append(ResultatQualification(
            id=qualification.id, titre=qualification.titre, valeur=tri.valeur,
            manquants=tuple(sorted(tri.manquants, key=context.charte.vocabulaire.ordre)),
            erreur=tri.erreur))
    return tuple(results)


# --- Rules -------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    statut: Statut
    manquants: set[str] = field(default_factory=set)
    erreur: str | None = None
    exception: ExceptionAppliquee | None = None


def _rule(context: _Context, regle: Regle) -> ResultatRegle:
    severite = regle.severite_au(context.jour)
    base: dict[str, Any] = {
        "id": regle.id, "titre": regle.titre, "principe": regle.principe, "severite": severite,
        "references": regle.references,
        "source": Place(fichier=regle.location.file, ligne=regle.location.line,
                        colonne=regle.location.column),
    }
    if severite is None or not regle.en_vigueur_au(context.jour):
        return ResultatRegle(statut=Statut.HORS_VIGUEUR, **base)
    applicable = _tri(context, regle.applicable_si) if regle.applicable_si else Tri(True)
    clauses = [(clause, _tri(context, clause.expression)) for clause in regle.clauses]
    outcome = _decide(context, regle, applicable, [tri for _, tri in clauses])
    failing = outcome.statut in (Statut.NON_CONFORME, Statut.INDETERMINE, Statut.ERREUR)
    return ResultatRegle(
        statut=outcome.statut,
        applicabilite=applicable.valeur,
        exception=outcome.exception,
        clauses=tuple(_clause_result(context, clause, tri) for clause, tri in clauses)
        if outcome.statut not in (Statut.NON_APPLICABLE,) else (),
        message=_render(context, regle.message) if failing else None,
        remediation=_render(context, regle.remediation) if failing and regle.remediation else None,
        manquants=tuple(sorted(outcome.manquants, key=context.charte.vocabulaire.ordre)),
        erreur=outcome.erreur,
        donnees=_data_used(context, regle),
        parametres=_parameters_used(context, regle),
        **base,
    )


def _decide(context: _Context, regle: Regle, applicable: Tri, clauses: list[Tri]) -> _Outcome:
    if applicable.erreur is not None:
        return _Outcome(Statut.ERREUR, erreur=f"condition d'application : {applicable.erreur}")
    if applicable.valeur is False:
        return _Outcome(Statut.NON_APPLICABLE)
    holding, unknown, error = _exceptions(context, regle.exceptions)
    if error is not None:
        return _Outcome(Statut.ERREUR, erreur=error)
    if holding is not None:
        statut = (Statut.NON_APPLICABLE if holding.effet is EffetException.NON_APPLICABLE
                  else Statut.CONFORME)
        return _Outcome(statut, exception=holding)
    errors = [tri.erreur for tri in clauses if tri.erreur is not None]
    if errors:
        return _Outcome(Statut.ERREUR, erreur=errors[0])
    met = _combine(regle.combinaison, clauses)
    if met.valeur is True:
        return _Outcome(Statut.CONFORME)
    pending = set(unknown) | (set(applicable.manquants) if applicable.inconnu else set())
    if met.valeur is False and not pending:
        return _Outcome(Statut.NON_CONFORME)
    return _Outcome(Statut.INDETERMINE, manquants=pending | set(met.manquants))


def _exceptions(context: _Context, exceptions: tuple[ExceptionCompilee, ...]
                ) -> tuple[ExceptionAppliquee | None, set[str], str | None]:
    holding: list[ExceptionCompilee] = []
    unknown: set[str] = set()
    for exception in exceptions:
        tri = _tri(context, exception.condition)
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


def _combine(combinaison: str, clauses: list[Tri]) -> Tri:
    """Kleene conjunction (``toutes``) or disjunction (``une_de``) of the clauses."""
    decisive = combinaison != "toutes"
    if any(tri.valeur is decisive for tri in clauses):
        return Tri(decisive)
    unknown = [tri for tri in clauses if tri.valeur is None]
    if unknown:
        return Tri(None, frozenset().union(*(tri.manquants for tri in unknown)))
    return Tri(not decisive)


def _clause_result(context: _Context, clause: Any, tri: Tri) -> ResultatClause:
    if tri.erreur is not None:
        return ResultatClause(id=clause.id, statut=Statut.ERREUR, erreur=tri.erreur)
    if tri.valeur is None:
        return ResultatClause(id=clause.id, statut=Statut.INDETERMINE,
                              manquants=tuple(sorted(tri.manquants, key=context.charte.vocabulaire.ordre)))
    if tri.valeur:
        return ResultatClause(id=clause.id, statut=Statut.CONFORME)
    message = _render(context, clause.message) if clause.message else None
    return ResultatClause(id=clause.id, statut=Statut.NON_CONFORME, message=message)


def _expressions(regle: Regle) -> list[cel.Expression]:
    found = [c.expression for c in regle.clauses] + [e.condition for e in regle.exceptions]
    if regle.applicable_si is not None:
        found.insert(0, regle.applicable_si)
    return found


def _data_used(context: _Context, regle: Regle) -> tuple[DonneeUtilisee, ...]:
    paths: set[str] = set()
    for expression in _expressions(regle):
        paths |= {"projet." + c for c in expression.chemins("projet")}
        for name in _qualification_names(expression):
            qualification = next((q for q in context.charte.qualifications if q.id == name), None)
            if qualification is not None:
                paths |= {"projet." + c for c in qualification.expression.chemins("projet")}
    used = []
    for chemin in sorted(paths, key=context.charte.vocabulaire.ordre):
        if context.declaration.known(chemin):
            location = context.declaration.location(chemin)
            place = (Place(fichier=location.file, ligne=location.line, colonne=location.column)
                     if location else None)
            used.append(DonneeUtilisee(champ=chemin, valeur=context.declaration.valeurs[chemin],
                                       position=place))
    return tuple(used)


def _parameters_used(context: _Context, regle: Regle) -> tuple[ParametreUtilise, ...]:
    names: set[str] = set()
    for expression in _expressions(regle):
        names |= _parameter_names(expression)
    used = []
    for name in sorted(names):
        entry = entree_au(context.charte.parametres.get(name, ()), context.jour)
        if entry is not None:
            since, value = entry
            used.append(ParametreUtilise(nom=name, valeur=value,
                                         depuis=None if since == DEBUT_DES_TEMPS else since))
    return tuple(used)


# --- Messages ----------------------------------------------------------------------------------


def _render(context: _Context, gabarit: Gabarit | None) -> str | None:
    if gabarit is None:
        return None
    text = ""
    for part in gabarit.morceaux:
        if isinstance(part, str):
            text += part
        else:
            value = cel.evaluate(part, context.activation)
            text += "(inconnu)" if isinstance(value, cel.Failure) else _show(value)
    return " ".join(text.split())


def _show(value: Any) -> str:
    """A value written the French way, for messages."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, date):
        return _french_date(value)
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) if value else "(aucun)"
    if isinstance(value, dict):
        return ", ".join(f"{k} : {_show(v)}" for k, v in value.items())
    return str(value)


def _french_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _projet(declaration: Declaration, vocabulaire: Vocabulaire) -> dict[str, Any]:
    """The declared values as nested data, dates as :class:`date` so that CEL compares them."""
    tree: dict[str, Any] = {}
    for chemin, value in declaration.valeurs.items():
        node = tree
        *groups, leaf = chemin.split(".")
        for group in groups:
            node = node.setdefault(group, {})
        champ = vocabulaire.champ(chemin)
        is_date = champ is not None and (champ.type is TypeChamp.DATE or (
            champ.element is not None and champ.element.type is TypeChamp.DATE))
        if is_date:
            node[leaf] = ([date.fromisoformat(v) for v in value] if isinstance(value, list)
                          else date.fromisoformat(value))
        else:
            node[leaf] = value
    return tree


# --- Missing information ---------------------------------------------------------------------


_WEIGHT = {Severite.BLOQUANT: 0, Severite.MAJEUR: 1, Severite.MINEUR: 2, Severite.INFO: 3}


def _missing_information(charte: Charte, results: tuple[ResultatRegle, ...]
                         ) -> tuple[InformationManquante, ...]:
    concerned: dict[str, list[ResultatRegle]] = {}
    for result in results:
        if result.statut is Statut.INDETERMINE:
            for chemin in result.manquants:
                concerned.setdefault(chemin, []).append(result)

    def rank(chemin: str) -> tuple[int, int, int]:
        rules = concerned[chemin]
        gravest = min(_WEIGHT[r.severite] for r in rules if r.severite is not None)
        return gravest, -len(rules), charte.vocabulaire.ordre(chemin)

    missing = []
    for chemin in sorted(concerned, key=rank):
        champ = charte.vocabulaire.champ(chemin)
        if champ is None:  # pragma: no cover - paths are checked when the charter compiles
            continue
        missing.append(InformationManquante(champ=chemin, question=champ.question, aide=champ.aide,
                                            section=champ.section,
                                            regles=tuple(r.id for r in concerned[chemin])))
    return tuple(missing)
