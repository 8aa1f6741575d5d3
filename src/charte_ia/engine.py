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

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from typing import Any, Literal

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
    Decision,
    DerogationAppliquee,
    DonneeUtilisee,
    EffetReponse,
    EtatDerogation,
    ExceptionAppliquee,
    IdentiteCharte,
    IdentiteDeclaration,
    InformationManquante,
    ModificationLocale,
    Moteur,
    PaquetImporte,
    ParametreUtilise,
    Place,
    ProvenanceRegle,
    ResultatClause,
    ResultatQualification,
    ResultatRegle,
    Statut,
    StatutApres,
    SuiviDerogation,
    Verdict,
    summarise,
    verdict_of,
)
from charte_ia.declaration import Declaration
from charte_ia.derogation import Derogation, Derogations
from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, date_fr, did_you_mean, valeur_fr
from charte_ia.limits import DEFAULT_LIMITS
from charte_ia.model import (
    DEBUT_DES_TEMPS,
    Champ,
    Combinaison,
    EffetException,
    PorteeRegle,
    Severite,
    TypeChamp,
)
from charte_ia.source import Document
from charte_ia.version import __version__
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
    """What every expression of one evaluation reads, converted to CEL once per namespace."""

    charte: Charte
    declaration: Declaration
    jour: date
    parametres: dict[str, Any]
    projet: Any
    budget: cel.Budget
    qualifications: dict[str, Tri] = field(default_factory=dict)
    activations: dict[str, dict[str, Any]] = field(default_factory=dict)
    params_cel: dict[str, Any] = field(default_factory=dict)
    scopes: dict[PorteeRegle, Tri] = field(default_factory=dict)

    def scope(self, portee: PorteeRegle) -> Tri | None:
        """Whether the declaration is within a scope, once per declaration (``None``: every project)."""
        expression = scope_expression(portee)
        if expression is None:
            return None
        found = self.scopes.get(portee)
        if found is None:
            found = self.scopes[portee] = _tri(self, expression, "")
        return found

    @classmethod
    def build(cls, charte: Charte, declaration: Declaration, jour: date, budget: cel.Budget, *,
              seulement: set[str] | None = None, connues: dict[str, Tri] | None = None) -> _Context:
        """Convert the declaration once, then compute the qualifications, namespace by namespace.

        Args:
            budget: The evaluation steps left, shared by every expression evaluated in this context.
            seulement: Compute only these qualifications (and what they need), when given.
            connues: Qualifications already known for this declaration, reused as they are.
        """
        projet = cel.to_cel(_projet(declaration, charte.vocabulaire).get("projet", {}))
        context = cls(charte, declaration, jour, charte.parametres_au(jour), projet, budget)
        for qualification in charte.qualifications:
            if connues is not None and qualification.id in connues:
                context.qualifications[qualification.id] = connues[qualification.id]
            elif seulement is None or qualification.id in seulement:
                context.qualifications[qualification.id] = _tri(context, qualification.expression,
                                                                 qualification.espace, cache=False)
        return context

    def activation(self, espace: str, *, cache: bool = True) -> dict[str, Any]:
        """The CEL activation of a namespace: its parameters and qualifications, nested ones included.

        Parameters are converted once per namespace; qualifications are rebuilt while they are
        being computed (``cache=False``), then kept.
        """
        found = self.activations.get(espace) if cache else None
        if found is None:
            params = self.params_cel.get(espace)
            if params is None:
                params = self.params_cel[espace] = cel.to_cel(self._tree(espace, self.parametres))
            found = {"projet": self.projet, "date": cel.to_cel(self.jour), "param": params,
                     "qualif": cel.to_cel(self._tree(espace, {
                         name: tri.valeur for name, tri in self.qualifications.items()
                         if tri.valeur is not None}))}
            if cache:
                self.activations[espace] = found
        return found

    def _tree(self, espace: str, values: dict[str, Any]) -> dict[str, Any]:
        prefix = espace + "." if espace else ""
        tree: dict[str, Any] = {}
        for name, value in values.items():
            if not name.startswith(prefix):
                continue
            *groups, leaf = name[len(prefix):].split(".")
            node = tree
            for group in groups:
                node = node.setdefault(group, {})
            node[leaf] = value
        return tree


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
    periode = charte.meta.en_vigueur
    if not periode.contient(jour):
        until = f" au {date_fr(periode.au)}" if periode.au else ""
        raise InvalidInputError([Diagnostic(
            "charte-hors-vigueur", f"la charte n'est pas en vigueur au {date_fr(jour)} "
            f"(en vigueur du {date_fr(periode.du)}{until})",
            charte.lieu_vigueur or Location(charte.fichier),
            "choisissez une date de référence dans sa période de validité (--date AAAA-MM-JJ)")])
    context = _Context.build(charte, declaration, jour, cel.Budget.of(charte.limites))
    qualifications = tuple(
        ResultatQualification(id=q.id, titre=q.titre, valeur=tri.valeur,
                              manquants=tuple(sorted(tri.manquants, key=charte.vocabulaire.ordre)),
                              erreur=tri.erreur)
        for q in charte.qualifications if (tri := context.qualifications[q.id]) is not None)
    results = [_rule(context, regle) for regle in charte.regles]
    suivi: list[SuiviDerogation] = []
    if derogations is not None:
        results, suivi = _apply_derogations(charte, declaration, jour, derogations, results)
    verdict, motifs = verdict_of(results)
    return Decision(
        verdict=verdict,
        motifs=motifs,
        date_reference=jour,
        horodatage=horodatage,
        moteur=Moteur(version=__version__),
        charte=IdentiteCharte(
            id=charte.meta.id, titre=charte.meta.titre, version=charte.meta.version,
            fichier=charte.fichier, sha256=charte.sha256,
            paquets=tuple(PaquetImporte(**asdict(p)) for p in charte.paquets),
            principes=dict(charte.principes)),
        declaration=IdentiteDeclaration(id=declaration.id, nom=declaration.nom,
                                        fichier=declaration.document.name,
                                        sha256=declaration.document.sha256,
                                        empreinte=declaration.empreinte),
        resume=summarise(results),
        qualifications=qualifications,
        regles=tuple(results),
        assouplissements=tuple(_modification(m) for m in charte.assouplissements),
        derogations=tuple(suivi),
        informations_manquantes=rank_missing(context, results, verdict) if classer_manquants else (),
    )


# --- Expressions -------------------------------------------------------------------------------


def _tri(context: _Context, expression: cel.Expression, espace: str, *, cache: bool = True) -> Tri:
    result = cel.evaluate(expression, context.activation(espace, cache=cache), context.budget)
    if isinstance(result, bool):
        return Tri(result)
    if not isinstance(result, cel.Failure):
        return Tri(None, erreur=f"l'expression doit donner vrai ou faux, elle donne {valeur_fr(result)}")
    missing: set[str] = set()
    for chemin in expression.chemins("projet"):
        full = "projet." + chemin
        if not context.declaration.decidable(full):
            missing.add(full)
    for name in _names(context.charte, expression, "qualif", espace):
        state = context.qualifications.get(name)
        if state is None or state.erreur is not None:
            return Tri(None, erreur=f"la qualification « {name} » n'a pas pu être évaluée")
        missing |= state.manquants
    if missing:
        return Tri(None, frozenset(missing))
    for name in _names(context.charte, expression, "param", espace):
        if name not in context.parametres:
            return Tri(None, erreur=f"le paramètre « {name} » n'a pas de valeur au "
                                    f"{date_fr(context.jour)}")
    return Tri(None, erreur=result.message)


def _names(charte: Charte, expression: cel.Expression, racine: str, espace: str) -> set[str]:
    """Full names of the parameters or qualifications an expression reads."""
    return {charte.nom_complet(espace, chemin) for chemin in expression.chemins(racine)}


# --- Rules -------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    statut: Statut
    applicable: Tri
    clauses: list[Tri]
    manquants: set[str] = field(default_factory=set)
    erreur: str | None = None
    exception: ExceptionAppliquee | None = None


_SCOPES = {
    PorteeRegle.SYSTEMES_IA: "projet.technique.est_systeme_ia == 'oui'",
    PorteeRegle.ALGORITHMES: "projet.technique.est_systeme_ia == 'oui'"
                             " || projet.usage.decisions_individuelles",
}
"""What each scope reads: « incertain » being unknown to the rules, an uncertain AI qualification
leaves a rule scoped to AI systems undetermined, never out of scope."""


@cache
def scope_expression(portee: PorteeRegle) -> cel.Expression | None:
    """The condition a rule's scope adds to its own condition of application (``None``: every project)."""
    text = _SCOPES.get(portee)
    return None if text is None else cel.compile_expression(text, DEFAULT_LIMITS)


def _outcome(context: _Context, regle: Regle) -> _Outcome | None:
    """The status of a rule in force (``None`` when it is not in force)."""
    if regle.severite_au(context.jour) is None or not regle.en_vigueur_au(context.jour):
        return None
    espace = regle.espace
    applicable = _tri(context, regle.applicable_si, espace) if regle.applicable_si else Tri(True)
    scope = context.scope(regle.source.portee)
    if scope is not None:
        applicable = _both(scope, applicable)
    clauses = [_tri(context, clause.expression, espace) for clause in regle.clauses]
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


def _rule(context: _Context, regle: Regle) -> ResultatRegle:
    base: dict[str, Any] = {
        "id": regle.id, "titre": regle.titre, "principe": regle.principe,
        "severite": regle.severite_au(context.jour), "references": regle.references,
        "source": _place(regle.location),
        "provenance": None if regle.provenance is None else ProvenanceRegle(
            paquet=regle.provenance.paquet, version=regle.provenance.version, espace=regle.provenance.espace,
            fichier=regle.provenance.fichier, ligne=regle.provenance.ligne),
        "modifications": tuple(_modification(m) for m in regle.modifications),
        "a_verifier": regle.source.a_verifier,
        "nature": regle.source.nature,
    }
    outcome = _outcome(context, regle)
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
        message=_render(context, regle.message, regle.espace) if failing
        else _questions(context, manquants) if outcome.statut is Statut.INDETERMINE else None,
        remediation=_render(context, regle.remediation, regle.espace)
        if failing and regle.remediation else None,
        manquants=manquants,
        erreur=outcome.erreur,
        donnees=_data_used(context, regle),
        parametres=_parameters_used(context, regle),
        **base,
    )


def _decide(context: _Context, regle: Regle, applicable: Tri, clauses: list[Tri]) -> _Outcome:
    def outcome(statut: Statut, **extra: Any) -> _Outcome:
        return _Outcome(statut, applicable, clauses, **extra)

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


def _exceptions(context: _Context, regle: Regle) -> tuple[ExceptionAppliquee | None, set[str], str | None]:
    holding: list[ExceptionCompilee] = []
    unknown: set[str] = set()
    for exception in regle.exceptions:
        tri = _tri(context, exception.condition, regle.espace)
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


def _clause_result(context: _Context, regle: Regle, clause: ClauseCompilee, tri: Tri) -> ResultatClause:
    expression = clause.expression.source
    if tri.erreur is not None:
        return ResultatClause(id=clause.id, statut=Statut.ERREUR, expression=expression, erreur=tri.erreur)
    if tri.valeur is None:
        return ResultatClause(id=clause.id, statut=Statut.INDETERMINE, expression=expression,
                              manquants=tuple(sorted(tri.manquants, key=context.charte.vocabulaire.ordre)))
    if tri.valeur:
        return ResultatClause(id=clause.id, statut=Statut.CONFORME, expression=expression)
    message = _render(context, clause.message, regle.espace) if clause.message else None
    return ResultatClause(id=clause.id, statut=Statut.NON_CONFORME, expression=expression, message=message)


def _expressions(regle: Regle) -> list[cel.Expression]:
    found = [c.expression for c in regle.clauses] + [e.condition for e in regle.exceptions]
    if regle.applicable_si is not None:
        found.insert(0, regle.applicable_si)
    if (scope := scope_expression(regle.source.portee)) is not None:
        found.insert(0, scope)
    return found


def qualifications_of(charte: Charte, expression: cel.Expression, espace: str) -> set[str]:
    """The qualifications an expression needs, directly or through other qualifications."""
    found: set[str] = set()
    for name in _names(charte, expression, "qualif", espace):
        qualification = charte.qualification(name)
        if qualification is not None and name not in found:
            found.add(name)
            found |= qualifications_of(charte, qualification.expression, qualification.espace)
    return found


def fields_of(charte: Charte, expression: cel.Expression, espace: str) -> set[str]:
    """The declaration fields an expression reads, through the qualifications it uses too."""
    paths = {"projet." + c for c in expression.chemins("projet")}
    for name in _names(charte, expression, "qualif", espace):
        qualification = charte.qualification(name)
        if qualification is not None:
            paths |= fields_of(charte, qualification.expression, qualification.espace)
    return paths


def _data_used(context: _Context, regle: Regle) -> tuple[DonneeUtilisee, ...]:
    paths: set[str] = set()
    for expression in _expressions(regle):
        paths |= fields_of(context.charte, expression, regle.espace)
    used = []
    for chemin in sorted(paths, key=context.charte.vocabulaire.ordre):
        if context.declaration.known(chemin):
            location = context.declaration.location(chemin)
            used.append(DonneeUtilisee(champ=chemin, valeur=context.declaration.valeurs[chemin],
                                       position=_place(location) if location else None))
    return tuple(used)


def _parameters_used(context: _Context, regle: Regle) -> tuple[ParametreUtilise, ...]:
    names: set[str] = set()
    for expression in _expressions(regle):
        names |= _names(context.charte, expression, "param", regle.espace)
    used = []
    for name in sorted(names):
        entry = entree_au(context.charte.parametres.get(name, ()), context.jour)
        if entry is not None:
            since, value = entry
            used.append(ParametreUtilise(nom=name, valeur=value,
                                         depuis=None if since == DEBUT_DES_TEMPS else since))
    return tuple(used)


def _place(location: Location) -> Place:
    return Place(fichier=location.file, ligne=location.line, colonne=location.column)


def _modification(modification: Modification) -> ModificationLocale:
    return ModificationLocale(cible=modification.cible, nature=modification.nature,
                              description=modification.description,
                              assouplissement=modification.assouplissement, motif=modification.motif,
                              auteur=modification.auteur, position=_place(modification.location))


# --- Dérogations -------------------------------------------------------------------------------


def _apply_derogations(charte: Charte, declaration: Declaration, jour: date, derogations: Derogations,
                       results: list[ResultatRegle]) -> tuple[list[ResultatRegle], list[SuiviDerogation]]:
    by_id = {r.id: index for index, r in enumerate(results)}
    suivi = []
    for index, derogation in derogations.pour(declaration.id):
        place = _place(derogations.location(index))
        for regle_id in derogation.regles:
            position = by_id.get(regle_id)
            current = None if position is None else results[position]
            etat, detail = _derogation_state(derogation, jour, current, declaration.empreinte)
            if position is None:
                known = [r.id for r in charte.regles]
                detail += f" ({hint})" if (hint := did_you_mean(regle_id, known)) else ""
            elif etat is EtatDerogation.UTILISEE:
                results[position] = results[position].model_copy(update={
                    "statut": Statut.DEROGEE,
                    "derogation": DerogationAppliquee(
                        id=derogation.id, accordee_par=derogation.accordee_par,
                        deliberation=derogation.deliberation, accordee_le=derogation.accordee_le,
                        expire_le=derogation.expire_le, justification=derogation.justification,
                        mesures_compensatoires=derogation.mesures_compensatoires)})
            suivi.append(SuiviDerogation(id=derogation.id, regle=regle_id, etat=etat, detail=detail,
                                         accordee_le=derogation.accordee_le,
                                         expire_le=derogation.expire_le, position=place))
    return results, suivi


def _derogation_state(derogation: Derogation, jour: date, result: ResultatRegle | None,
                      empreinte: str) -> tuple[EtatDerogation, str]:
    if result is None:
        return EtatDerogation.ORPHELINE, "la charte n'a pas de règle en vigueur portant cet identifiant"
    if derogation.empreinte_fiche != empreinte:
        return EtatDerogation.A_REEXAMINER, (
            "la fiche n'est plus celle que le comité a examinée (son contenu a changé, ou une autre "
            "fiche reprend l'identifiant du projet) : la dérogation ne s'applique pas ; le comité "
            f"doit réexaminer la fiche, puis inscrire son empreinte ({empreinte[:19]}…, donnée par "
            "« charte-ia empreinte FICHE ») s'il maintient la dérogation")
    if jour > derogation.expire_le:
        return EtatDerogation.EXPIREE, (f"expirée le {date_fr(derogation.expire_le)} : elle ne "
                                        f"s'applique plus, la règle est {_statut(result.statut)}")
    if jour < derogation.accordee_le:
        return EtatDerogation.PAS_ENCORE_VALABLE, (f"accordée à compter du "
                                                   f"{date_fr(derogation.accordee_le)}")
    if result.statut is Statut.NON_CONFORME:
        return EtatDerogation.UTILISEE, (f"la règle non respectée est dérogée jusqu'au "
                                         f"{date_fr(derogation.expire_le)}")
    reasons = {
        Statut.INDETERMINE: "la règle est indéterminée : une dérogation ne remplace pas une "
                            "information manquante",
        Statut.ERREUR: "la règle est en erreur : elle doit être corrigée dans la charte",
        Statut.HORS_VIGUEUR: "la règle n'est pas en vigueur à la date de référence",
    }
    return EtatDerogation.SANS_OBJET, reasons.get(
        result.statut, f"la règle est {_statut(result.statut)} : la dérogation n'a pas servi")


def _statut(statut: Statut) -> str:
    return statut.value.replace("_", " ").replace("indetermine", "indéterminée")


# --- Messages ----------------------------------------------------------------------------------


def _questions(context: _Context, manquants: Sequence[str]) -> str:
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


def _render(context: _Context, gabarit: Gabarit | None, espace: str) -> str | None:
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


def _projet(declaration: Declaration, vocabulaire: Vocabulaire) -> dict[str, Any]:
    """The declared values as nested data, dates as :class:`date` so that CEL compares them."""
    tree: dict[str, Any] = {}
    for chemin, value in declaration.valeurs.items():
        if chemin in declaration.en_attente:
            continue  # « incertain », an awaited opinion: read as unknown, never decided on
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

_WEIGHT = {Severite.BLOQUANT: 8, Severite.MAJEUR: 4, Severite.MINEUR: 2, Severite.INFO: 1}
_MAX_LIST_PROBES = 8
MAX_PROBED_ANSWERS = 24
"""A field with more possible answers (a charter's list of 35 000 communes) has no effects listed."""
MAX_PROBES = 400
"""Answers tried for one decision, all fields together: ranking stays bounded whatever the charter."""
_PROBE_COUNTRIES = ("FR", "US")
"""A country of the European Union and one outside it: the answers that split location rules."""


def rank_missing(context: _Context, results: Sequence[ResultatRegle], verdict: Verdict
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
    concerned: dict[str, list[tuple[ResultatRegle, Regle]]] = {}
    for result in results:
        regle = charte.regle(result.id)
        if result.statut is Statut.INDETERMINE and regle is not None:
            for chemin in result.manquants:
                concerned.setdefault(chemin, []).append((result, regle))
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
        decided = {s.regle for effet in effets for s in effet.regles if s.statut is not Statut.INDETERMINE}
        score = 0.0
        role: Literal["applicabilite", "exigence"] = "exigence"
        for result, regle in rules:
            gating = chemin in _gating_fields(charte, regle)
            role = "applicabilite" if gating else role
            alone = regle.id in decided or len(result.manquants) == 1
            score += (_WEIGHT[result.severite or Severite.INFO] * (2 if gating else 1)
                      * (1 if alone else 1 / len(result.manquants)))
        if any(effet.verdict is not verdict for effet in effets):
            score *= 2
        ranked.append((round(score, 3), chemin, champ, rules, role, effets))
    ranked.sort(key=lambda item: (_stage(context.declaration, item[2]), -item[0],
                                  charte.vocabulaire.ordre(item[1])))
    return tuple(
        InformationManquante(rang=rank, champ=chemin, type=_type_name(champ), question=champ.question,
                             aide=champ.aide, section=champ.section, regles=tuple(r.id for _, r in rules),
                             role=role, score=score, effets=effets)
        for rank, (score, chemin, champ, rules, role, effets) in enumerate(ranked, start=1))


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


def _answer_effect(context: _Context, results: Sequence[ResultatRegle], reponse: tuple[str, Any],
                   rules: list[Regle], unaffected: dict[str, Tri], *, budget: cel.Budget) -> EffetReponse:
    chemin, answer = reponse
    declaration = context.declaration
    supposed = declaration.avec_reponse(chemin, answer)
    probe = _Context.build(context.charte, supposed, context.jour, budget, connues=unaffected)
    after = {}
    for regle in rules:
        outcome = _outcome(probe, regle)
        after[regle.id] = Statut.HORS_VIGUEUR if outcome is None else outcome.statut
    changed = [r.model_copy(update={"statut": after[r.id]}) if r.id in after else r for r in results]
    verdict, _ = verdict_of(changed)
    return EffetReponse(reponse=answer, verdict=verdict,
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


def supposing(charte: Charte, valeurs: dict[str, Any], jour: date, budget: cel.Budget, *,
              qualifications: set[str] | None = None) -> Callable[[cel.Expression, str], bool | None]:
    """Evaluate expressions of the charter against a declaration that says only ``valeurs``.

    Used to explore a rule without a real declaration (the linter tries every
    combination of answers). The returned function gives ``True``, ``False`` or ``None``
    (undetermined or in error).

    Args:
        budget: The evaluation steps the exploration may spend; once they are spent, every
            expression gives ``None``.
        qualifications: The qualifications the expressions need (all when ``None``).
    """
    document = Document("(supposition)", {}, "", {}, {})
    context = _Context.build(charte, Declaration(document, "", "", valeurs, frozenset()), jour,
                             budget, seulement=qualifications)

    def truth(expression: cel.Expression, espace: str) -> bool | None:
        return _tri(context, expression, espace).valeur

    return truth
