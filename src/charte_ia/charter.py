"""Compiling a charter: every expression parsed once, every path checked, before any declaration.

:func:`compile_charter` turns a validated :class:`~charte_ia.model.FichierCharte` into a
:class:`Charte`, ready to evaluate any number of declarations. It collects every problem
of the file (CEL syntax, unknown field paths with a "vouliez-vous dire", unknown
parameters, qualifications or principles, duplicate rule ids…) and reports them together,
each at its ``fichier:ligne:colonne``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from charte_ia import cel
from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, PathItem, did_you_mean
from charte_ia.model import (
    EffetException,
    FichierCharte,
    MetaCharte,
    Periode,
    Reference,
    RegleFichier,
    Severite,
)
from charte_ia.source import Document
from charte_ia.vocabulary import Vocabulaire

RACINES = ("projet", "param", "qualif", "date")
"""The root names a CEL expression may use."""

T = TypeVar("T")

_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True)
class Gabarit:
    """A message with ``{{ expression }}`` parts, rendered with the values of a declaration.

    Attributes:
        morceaux: Literal text and compiled expressions, in order.
    """

    morceaux: tuple[str | cel.Expression, ...]

    @property
    def expressions(self) -> tuple[cel.Expression, ...]:
        """The compiled expressions of the message."""
        return tuple(m for m in self.morceaux if isinstance(m, cel.Expression))


@dataclass(frozen=True)
class ClauseCompilee:
    """One clause of a requirement, compiled."""

    id: str
    expression: cel.Expression
    message: Gabarit | None
    location: Location


@dataclass(frozen=True)
class ExceptionCompilee:
    """One exception of a rule, compiled."""

    id: str
    condition: cel.Expression
    effet: EffetException
    justification: str
    references: tuple[Reference, ...]
    location: Location


@dataclass(frozen=True)
class Qualification:
    """A derived label, compiled; evaluated once per declaration, in charter order."""

    id: str
    titre: str
    expression: cel.Expression
    references: tuple[Reference, ...]
    location: Location


@dataclass(frozen=True)
class Regle:
    """A compiled rule (DESIGN §3).

    Attributes:
        id: Stable identifier.
        titre: Short title.
        principe: Key of the charter principle it belongs to.
        severites: Severity in force from each date, in date order.
        applicable_si: When the rule applies (``None`` = always).
        clauses: What it requires, as clauses.
        combinaison: ``toutes`` (all clauses) or ``une_de`` (at least one).
        exceptions: Cases where it does not apply or is deemed met.
        message: Message shown when the rule is not met.
        remediation: What to do about it.
        references: Legal and charter references.
        en_vigueur: When the rule is in force (``None`` = as the charter).
        location: Where the rule is written.
        source: The rule as written in the file.
    """

    id: str
    titre: str
    principe: str
    severites: tuple[tuple[date, Severite], ...]
    applicable_si: cel.Expression | None
    clauses: tuple[ClauseCompilee, ...]
    combinaison: str
    exceptions: tuple[ExceptionCompilee, ...]
    message: Gabarit
    remediation: Gabarit | None
    references: tuple[Reference, ...]
    en_vigueur: Periode | None
    location: Location
    source: RegleFichier

    def severite_au(self, jour: date) -> Severite | None:
        """The severity in force on ``jour`` (``None`` before the first dated value)."""
        return valeur_au(self.severites, jour)

    def en_vigueur_au(self, jour: date) -> bool:
        """Whether the rule is in force on ``jour``."""
        return self.en_vigueur is None or self.en_vigueur.contient(jour)


@dataclass(frozen=True)
class Charte:
    """A compiled charter: load it once, evaluate many declarations with it.

    Attributes:
        meta: The ``charte:`` block (id, version, adoption, principles…).
        fichier: The file name it was read from.
        sha256: Hash of the file's bytes.
        vocabulaire: The declaration vocabulary its rules are checked against.
        parametres: Dated values of each parameter, in date order.
        qualifications: Derived labels, in evaluation order.
        regles: The rules, in charter order.
        avertissements: Non-blocking remarks found while compiling.
    """

    meta: MetaCharte
    fichier: str
    sha256: str
    vocabulaire: Vocabulaire
    parametres: dict[str, tuple[tuple[date, Any], ...]]
    qualifications: tuple[Qualification, ...]
    regles: tuple[Regle, ...]
    avertissements: tuple[Diagnostic, ...] = ()

    def regle(self, regle_id: str) -> Regle | None:
        """The rule with this id, if any."""
        return next((r for r in self.regles if r.id == regle_id), None)

    def parametres_au(self, jour: date) -> dict[str, Any]:
        """Every parameter that has a value on ``jour``."""
        values = {}
        for name, dated in self.parametres.items():
            value = valeur_au(dated, jour)
            if value is not None:
                values[name] = value
        return values


def entree_au(dated: Sequence[tuple[date, T]], jour: date) -> tuple[date, T] | None:
    """The dated entry in force on ``jour``: the last one dated on or before it."""
    current: tuple[date, T] | None = None
    for entry in dated:
        if entry[0] <= jour:
            current = entry
    return current


def valeur_au(dated: Sequence[tuple[date, T]], jour: date) -> T | None:
    """The value in force on ``jour``."""
    entry = entree_au(dated, jour)
    return None if entry is None else entry[1]


def compile_charter(fichier: FichierCharte, document: Document, vocabulaire: Vocabulaire) -> Charte:
    """Compile every expression of a validated charter and check what it references.

    Raises:
        InvalidInputError: With every problem found in the file.
    """
    return _Compiler(fichier, document, vocabulaire).run()


class _Compiler:
    def __init__(self, fichier: FichierCharte, document: Document, vocabulaire: Vocabulaire) -> None:
        self.fichier = fichier
        self.document = document
        self.vocabulaire = vocabulaire
        self.problems: list[Diagnostic] = []
        self.qualifications_known: list[str] = []

    def run(self) -> Charte:
        parametres = self._parameters()
        qualifications = self._qualifications()
        regles = self._rules()
        if self.problems:
            self.problems.sort(key=lambda d: (d.location.line or 0, d.location.column or 0))
            raise InvalidInputError(self.problems)
        return Charte(self.fichier.charte, self.document.name, self.document.sha256,
                      self.vocabulaire, parametres, qualifications, regles)

    # -- blocks ---------------------------------------------------------------------------

    def _parameters(self) -> dict[str, tuple[tuple[date, Any], ...]]:
        result = {}
        for name, parametre in self.fichier.parametres.items():
            for day, value in parametre.valeurs.items():
                if value is None:
                    self._problem("parametre-vide", f"valeur vide pour le paramètre « {name} »",
                                  ("parametres", name, "valeurs", day.isoformat()),
                                  "donnez une valeur, ou retirez cette date")
            result[name] = tuple(sorted(parametre.valeurs.items()))
        return result

    def _qualifications(self) -> tuple[Qualification, ...]:
        compiled = []
        for name, qualification in self.fichier.qualifications.items():
            path: tuple[PathItem, ...] = ("qualifications", name, "expr")
            expression = self._expression(qualification.expr, path)
            self.qualifications_known.append(name)
            if expression is None:
                continue
            compiled.append(Qualification(name, qualification.titre, expression,
                                          qualification.references,
                                          self.document.locate(("qualifications", name), key=True)))
        return tuple(compiled)

    def _rules(self) -> tuple[Regle, ...]:
        compiled = []
        seen: dict[str, int] = {}
        principles = self.fichier.charte.principes
        for index, regle in enumerate(self.fichier.regles):
            where: tuple[PathItem, ...] = ("regles", index)
            if regle.id in seen:
                first = seen[regle.id] + 1
                self._problem("regle-dupliquee",
                              f"identifiant de règle « {regle.id} » déjà utilisé (règle n° {first})",
                              (*where, "id"), "chaque règle doit avoir un identifiant unique et stable")
            seen.setdefault(regle.id, index)
            if regle.principe not in principles:
                hint = did_you_mean(regle.principe, principles) or (
                    "principes déclarés dans « charte.principes » : " + ", ".join(principles))
                self._problem("principe-inconnu", f"principe inconnu « {regle.principe} »",
                              (*where, "principe"), hint)
            rule = self._rule(regle, where)
            if rule is not None:
                compiled.append(rule)
        return tuple(compiled)

    def _rule(self, regle: RegleFichier, where: tuple[PathItem, ...]) -> Regle | None:
        before = len(self.problems)
        applicable = (self._expression(regle.applicable_si, (*where, "applicable_si"))
                      if regle.applicable_si else None)
        clauses = self._clauses(regle, where)
        exceptions = []
        for number, exception in enumerate(regle.exceptions):
            at = (*where, "exceptions", number)
            condition = self._expression(exception.si, (*at, "si"))
            if condition is not None:
                exceptions.append(ExceptionCompilee(exception.id, condition, exception.effet,
                                                    exception.justification, exception.references,
                                                    self.document.locate(at)))
        message = self._template(regle.message, (*where, "message"))
        remediation = (self._template(regle.remediation, (*where, "remediation"))
                       if regle.remediation else None)
        if len(self.problems) > before or message is None:
            return None
        return Regle(regle.id, regle.titre, regle.principe, tuple(sorted(regle.severite.items())),
                     applicable, clauses, regle.exigence.combinaison, tuple(exceptions), message,
                     remediation, regle.references, regle.en_vigueur, self.document.locate(where),
                     regle)

    def _clauses(self, regle: RegleFichier, where: tuple[PathItem, ...]) -> tuple[ClauseCompilee, ...]:
        exigence = regle.exigence
        compiled = []
        for number, clause in enumerate(exigence.clauses):
            at = _clause_path(where, exigence.combinaison, number, exigence.expr is not None)
            expression = self._expression(clause.expr, (*at, "expr") if exigence.expr is None else at)
            message = self._template(clause.message, (*at, "message")) if clause.message else None
            if expression is not None:
                compiled.append(ClauseCompilee(clause.id, expression, message, self.document.locate(at)))
        return tuple(compiled)

    # -- expressions ----------------------------------------------------------------------

    def _expression(self, text: str, path: tuple[PathItem, ...],
                    offset: tuple[int, int] = (1, 1)) -> cel.Expression | None:
        try:
            expression = cel.compile_expression(text.strip())
        except cel.CelSyntaxError as error:
            line, column = _shift(offset, error.line, error.column + _leading(text))
            self.problems.append(Diagnostic("cel-syntaxe", error.message,
                                            self._at(path, line, column), error.hint))
            return None
        ok = True
        for reference in expression.references:
            line, column = _shift(offset, reference.line, reference.column + _leading(text))
            problem = self._check_reference(reference)
            if problem is not None:
                code, message, hint = problem
                self.problems.append(Diagnostic(code, message, self._at(path, line, column), hint))
                ok = False
        return expression if ok else None

    def _check_reference(self, reference: cel.Reference) -> tuple[str, str, str | None] | None:
        root, _, rest = reference.chemin.partition(".")
        if root not in RACINES:
            return ("cel-nom-inconnu", f"nom inconnu « {root} »",
                    did_you_mean(root, RACINES)
                    or "une expression lit projet.…, param.…, qualif.… ou date")
        if root == "projet":
            return self._check_field(reference)
        if root == "date":
            return None if not rest else ("cel-nom-inconnu", "« date » n'a pas de sous-champ",
                                          "date désigne la date de référence de l'évaluation")
        name = rest.split(".", 1)[0]
        if root == "param" and name not in self.fichier.parametres:
            return ("cel-parametre-inconnu", f"paramètre inconnu « {name} »",
                    did_you_mean(name, self.fichier.parametres)
                    or "déclarez-le dans le bloc « parametres » de la charte")
        if root == "qualif" and name not in self.qualifications_known:
            defined_later = name in self.fichier.qualifications
            return ("cel-qualification-inconnue",
                    f"qualification « {name} » " + ("définie plus loin" if defined_later else "inconnue"),
                    "une qualification ne peut utiliser que celles définies avant elle"
                    if defined_later else did_you_mean(name, self.qualifications_known)
                    or "déclarez-la dans le bloc « qualifications » de la charte")
        if not name:
            return ("cel-nom-inconnu", f"« {root} » doit être suivi d'un nom", None)
        return None

    def _check_field(self, reference: cel.Reference) -> tuple[str, str, str | None] | None:
        chemin = reference.chemin
        if self.vocabulaire.champ(chemin) is None:
            if chemin in self.vocabulaire.groupes:
                return ("cel-champ-groupe",
                        f"« {chemin} » est un groupe de champs, pas un champ",
                        "référencez un champ précis, par exemple " + next(
                            c for c in self.vocabulaire.champs if c.startswith(chemin + ".")))
            return ("cel-champ-inconnu", f"champ inconnu « {chemin} » dans le vocabulaire "
                    f"{self.vocabulaire.id}", self.vocabulaire.suggestion(chemin)
                    or "la liste des champs s'obtient avec « charte-ia schema »")
        if reference.in_has:
            return ("cel-has", f"has({chemin}) confond « non déclaré » et « faux »",
                    "utilisez directement la valeur du champ : un champ non renseigné rend la "
                    "règle « indéterminée », jamais fausse")
        return None

    def _template(self, text: str, path: tuple[PathItem, ...]) -> Gabarit | None:
        parts: list[str | cel.Expression] = []
        cursor = 0
        ok = True
        for match in _TEMPLATE.finditer(text):
            parts.append(text[cursor:match.start()])
            before = text[: match.start(1)]
            offset = (before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
            expression = self._expression(match.group(1), path, offset)
            if expression is None:
                ok = False
            else:
                parts.append(expression)
            cursor = match.end()
        parts.append(text[cursor:])
        return Gabarit(tuple(p for p in parts if p != "")) if ok else None

    # -- places ---------------------------------------------------------------------------

    def _at(self, path: tuple[PathItem, ...], line: int, column: int) -> Location:
        position = self.document.position(path)
        if position is None:
            return self.document.locate(path)
        if position.style == "|":  # literal block: lines are kept as written
            return Location(self.document.name, position.content_line + line - 1,
                            position.content_column + column - 1, path)
        # Plain, quoted and folded values may span several lines joined by spaces: walk them.
        offset = column - 1
        number, start = position.content_line, position.content_column
        while number <= len(self.document.lines):
            segment = self.document.lines[number - 1][start - 1:].rstrip()
            if line > 1 or offset <= len(segment):
                return Location(self.document.name, number, start + offset, path)
            offset -= len(segment) + 1
            number += 1
            following = self.document.lines[number - 1] if number <= len(self.document.lines) else ""
            start = len(following) - len(following.lstrip()) + 1
        return Location(self.document.name, position.content_line, position.content_column, path)

    def _problem(self, code: str, message: str, path: tuple[PathItem, ...],
                 hint: str | None = None) -> None:
        self.problems.append(Diagnostic(code, message, self.document.locate(path), hint))


def _clause_path(where: tuple[PathItem, ...], combinaison: str, number: int,
                 single: bool) -> tuple[PathItem, ...]:
    if single:
        return (*where, "exigence")
    return (*where, "exigence", combinaison, number)


def _leading(text: str) -> int:
    """Characters stripped before the expression on its first line."""
    stripped = text.lstrip()
    head = text[: len(text) - len(stripped)]
    return len(head) - (head.rfind("\n") + 1) if "\n" not in head else 0


def _shift(offset: tuple[int, int], line: int, column: int) -> tuple[int, int]:
    """Position of (line, column) of a sub-expression starting at ``offset`` in its text."""
    if line == 1:
        return offset[0], offset[1] + column - 1
    return offset[0] + line - 1, column
