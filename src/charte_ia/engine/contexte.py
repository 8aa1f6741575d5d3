"""The context of one evaluation: the declaration converted once, the qualifications, three-valued results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

from charte_ia import cel
from charte_ia.charter import (
    Charte,
    Regle,
)
from charte_ia.declaration import Declaration
from charte_ia.diagnostics import date_fr, valeur_fr
from charte_ia.limits import DEFAULT_LIMITS
from charte_ia.model import (
    PorteeRegle,
    TypeChamp,
)
from charte_ia.source import Document
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
class Context:
    """What every expression of one evaluation reads, converted to CEL once per namespace."""

    charte: Charte
    declaration: Declaration
    jour: date
    parametres: dict[str, Any]
    projet: Any
    budget: cel.Budget
    qualifications: dict[str, Tri] = field(default_factory=dict)
    activations: dict[str, dict[str, Any]] = field(default_factory=dict)
    qualif_cel: dict[str, Any] = field(default_factory=dict)
    """Each namespace's converted qualifications, kept up to date as qualifications are known."""
    scopes: dict[PorteeRegle, Tri] = field(default_factory=dict)
    donnees: dict[str, Any] = field(default_factory=dict)
    """Each declared value a rule reads, as the decision shows it: built once, shared by the rules."""

    def scope(self, portee: PorteeRegle) -> Tri | None:
        """Whether the declaration is within a scope, once per declaration (``None``: every project)."""
        expression = scope_expression(portee)
        if expression is None:
            return None
        found = self.scopes.get(portee)
        if found is None:
            found = self.scopes[portee] = tri_of(self, expression, "")
        return found

    @classmethod
    def build(cls, charte: Charte, declaration: Declaration, jour: date, budget: cel.Budget, *,
              seulement: set[str] | None = None, connues: dict[str, Tri] | None = None,
              projet: Any = None) -> Context:
        """Convert the declaration once, then compute the qualifications, namespace by namespace.

        Args:
            budget: The evaluation steps left, shared by every expression evaluated in this context.
            seulement: Compute only these qualifications (and what they need), when given.
            connues: Qualifications already known for this declaration, reused as they are.
            projet: The declaration already converted for CEL (:meth:`answering`), when it is.
        """
        if projet is None:
            projet = cel.to_cel(projet_of(declaration, charte.vocabulaire).get("projet", {}))
        context = cls(charte, declaration, jour, charte.parametres_au(jour), projet, budget)
        for qualification in charte.qualifications:
            if connues is not None and qualification.id in connues:
                context.qualifie(qualification.id, connues[qualification.id])
            elif seulement is None or qualification.id in seulement:
                context.qualifie(qualification.id, tri_of(context, qualification.expression,
                                                          qualification.espace))
        return context

    def qualifie(self, name: str, tri: Tri) -> None:
        """Record a qualification, and add its value to the namespaces' converted maps already built.

        Qualifications are only ever added, after every expression that could read them: an
        activation handed out earlier sees the new value, as a fresh one would.
        """
        self.qualifications[name] = tri
        if tri.valeur is None:
            return
        value = cel.to_cel(tri.valeur)
        for espace, tree in self.qualif_cel.items():
            prefix = espace + "." if espace else ""
            if name.startswith(prefix):
                *groups, leaf = name[len(prefix):].split(".")
                node = tree
                for group in groups:
                    node = node.setdefault(cel.to_cel(group), cel.to_cel({}))
                node[cel.to_cel(leaf)] = value

    def answering(self, chemin: str, answer: Any, budget: cel.Budget, connues: dict[str, Tri]) -> Context:
        """The context of the same declaration with one more answer: only that field is converted.

        The converted declaration is shared, but for the maps on the way to ``chemin``, which are
        copied; the answered field is no longer awaited (:meth:`Declaration.avec_reponse`).
        """
        supposed = self.declaration.avec_reponse(chemin, answer)
        value = projet_of(replace(supposed, valeurs={chemin: answer}, en_attente=frozenset()),
                          self.charte.vocabulaire)["projet"]
        *groups, leaf = chemin.split(".")[1:]
        for group in groups:
            value = value[group]
        projet = _with(self.projet, [*groups, leaf], cel.to_cel(value[leaf]))
        return Context.build(self.charte, supposed, self.jour, budget, connues=connues, projet=projet)

    def activation(self, espace: str) -> dict[str, Any]:
        """The CEL activation of a namespace: its parameters and qualifications, nested ones included.

        Parameters and the date are converted once per namespace and day for the charter (kept in
        ``charte.memo``: the same for every declaration); qualifications once per namespace, then
        kept up to date as more are known (:meth:`qualifie`).
        """
        found = self.activations.get(espace)
        if found is None:
            memo = self.charte.memo
            params = memo.get(("param", espace, self.jour))
            if params is None:
                params = memo[("param", espace, self.jour)] = cel.to_cel(self._tree(espace, self.parametres))
            jour = memo.get(("date", self.jour))
            if jour is None:
                jour = memo[("date", self.jour)] = cel.to_cel(self.jour)
            qualif = self.qualif_cel[espace] = cel.to_cel(self._tree(espace, {
                name: tri.valeur for name, tri in self.qualifications.items() if tri.valeur is not None}))
            found = self.activations[espace] = {"projet": self.projet, "date": jour, "param": params,
                                                "qualif": qualif}
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


def _with(tree: Any, path: list[str], value: Any) -> Any:
    """A copy of a converted map where ``path`` holds ``value``; the maps off the path are shared."""
    head, *rest = path
    key = cel.to_cel(head)
    copy = type(tree)(tree)
    copy[key] = value if not rest else _with(tree[key] if key in tree else cel.to_cel({}), rest, value)
    return copy


# --- Expressions -------------------------------------------------------------------------------


def tri_of(context: Context, expression: cel.Expression, espace: str) -> Tri:
    result = cel.evaluate(expression, context.activation(espace), context.budget)
    if isinstance(result, bool):
        return Tri(result)
    if not isinstance(result, cel.Failure):
        return Tri(None, erreur=f"l'expression doit donner vrai ou faux, elle donne {valeur_fr(result)}")
    missing: set[str] = set()
    for chemin in expression.chemins("projet"):
        full = "projet." + chemin
        if not context.declaration.decidable(full):
            missing.add(full)
    for name in names_of(context.charte, expression, "qualif", espace):
        state = context.qualifications.get(name)
        if state is None or state.erreur is not None:
            return Tri(None, erreur=f"la qualification « {name} » n'a pas pu être évaluée")
        missing |= state.manquants
    if missing:
        return Tri(None, frozenset(missing))
    for name in names_of(context.charte, expression, "param", espace):
        if name not in context.parametres:
            return Tri(None, erreur=f"le paramètre « {name} » n'a pas de valeur au "
                                    f"{date_fr(context.jour)}")
    return Tri(None, erreur=result.message)


def names_of(charte: Charte, expression: cel.Expression, racine: str, espace: str) -> frozenset[str]:
    """Full names of the parameters or qualifications an expression reads (kept in ``charte.memo``)."""
    key = ("noms", expression.source, racine, espace)
    found = charte.memo.get(key)
    if found is None:
        found = charte.memo[key] = frozenset(charte.nom_complet(espace, chemin)
                                             for chemin in expression.chemins(racine))
    return found


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


def expressions_of(regle: Regle) -> list[cel.Expression]:
    found = [c.expression for c in regle.clauses] + [e.condition for e in regle.exceptions]
    if regle.applicable_si is not None:
        found.insert(0, regle.applicable_si)
    if (scope := scope_expression(regle.source.portee)) is not None:
        found.insert(0, scope)
    return found


def qualifications_of(charte: Charte, expression: cel.Expression, espace: str) -> set[str]:
    """The qualifications an expression needs, directly or through other qualifications."""
    found: set[str] = set()
    for name in names_of(charte, expression, "qualif", espace):
        qualification = charte.qualification(name)
        if qualification is not None and name not in found:
            found.add(name)
            found |= qualifications_of(charte, qualification.expression, qualification.espace)
    return found


def fields_of(charte: Charte, expression: cel.Expression, espace: str) -> frozenset[str]:
    """The declaration fields an expression reads, through the qualifications it uses too."""
    key = ("champs", expression.source, espace)
    found = charte.memo.get(key)
    if found is None:
        paths = {"projet." + c for c in expression.chemins("projet")}
        for name in names_of(charte, expression, "qualif", espace):
            qualification = charte.qualification(name)
            if qualification is not None:
                paths |= fields_of(charte, qualification.expression, qualification.espace)
        found = charte.memo[key] = frozenset(paths)
    return found


def projet_of(declaration: Declaration, vocabulaire: Vocabulaire) -> dict[str, Any]:
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
    document = Document(name="(supposition)", data={}, sha256="", values={}, keys={})
    context = Context.build(
        charte,
        Declaration(document=document, id="", nom="", valeurs=valeurs, inconnus=frozenset()),
        jour,
        budget,
        seulement=qualifications,
    )

    def truth(expression: cel.Expression, espace: str) -> bool | None:
        return tri_of(context, expression, espace).valeur

    return truth
