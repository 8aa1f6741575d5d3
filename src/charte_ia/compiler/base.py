"""What every step of a compilation shares: the state of the load, the file compiled, its expressions."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from charte_ia import cel
from charte_ia.charter import (
    RACINES,
    ClauseCompilee,
    ExceptionCompilee,
    Gabarit,
    Modification,
    PaquetLu,
    Portee,
    Qualification,
    Regle,
    RegleDesactivee,
    joindre,
)
from charte_ia.diagnostics import (
    Diagnostic,
    Location,
    PathItem,
    did_you_mean,
    valeur_fr,
)
from charte_ia.limits import Limits
from charte_ia.model import (
    Clause,
    ExceptionRegle,
    FichierCharte,
    FichierPaquet,
    TypeChamp,
)
from charte_ia.source import Document
from charte_ia.vocabulary import Vocabulaire

TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
PACK_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_IMPORT_DEPTH = 16
"""How deeply imports may nest (a charter importing a pack importing a pack…)."""
class PackReader(Protocol):
    """Where the documents of the imported packs come from (see :mod:`charte_ia.packs`)."""

    def shipped(self) -> Sequence[str]:
        """The names of the packs that can be imported by name."""

    def read_shipped(self, name: str, limits: Limits) -> Document:
        """The document of a pack imported by name."""

    def read_path(self, path: Path, limits: Limits) -> Document:
        """The document of a pack imported by path (raises InvalidInputError if unreadable)."""




def key_of_file(name: str) -> str:
    return "fichier:" + (str(Path(name).resolve()) if name != "-" else "-")


@dataclass
class State:
    """What the compilation of a charter and all its packs builds together."""

    vocabulaire: Vocabulaire
    limits: Limits
    reader: PackReader
    problems: list[Diagnostic] = field(default_factory=list)
    portees: dict[str, Portee] = field(default_factory=dict)
    parametres: dict[str, tuple[tuple[date, Any], ...]] = field(default_factory=dict)
    verrouilles: set[str] = field(default_factory=set)
    lieux_parametres: dict[str, Location] = field(default_factory=dict)
    qualifications: list[Qualification] = field(default_factory=list)
    paquets: list[PaquetLu] = field(default_factory=list)
    principes: dict[str, str] = field(default_factory=dict)
    modifications: list[Modification] = field(default_factory=list)
    desactivees: list[RegleDesactivee] = field(default_factory=list)
    packs: dict[str, tuple[Document, FichierPaquet | None]] = field(default_factory=dict)
    """Each pack file read and validated once per load, however many times it is imported."""
    expressions: dict[str, cel.Expression] = field(default_factory=dict)
    """Each expression text compiled once per load: a pack imported twice shares its programs."""
    imports: int = 0

    def problem(self, diagnostic: Diagnostic) -> None:
        self.problems.append(diagnostic)

    def compile(self, text: str) -> cel.Expression:
        """Compile an expression, or reuse it when the same text was compiled in this load.

        Raises:
            cel.CelSyntaxError: As :func:`charte_ia.cel.compile_expression`.
        """
        found = self.expressions.get(text)
        if found is None:
            found = self.expressions[text] = cel.compile_expression(text, self.limits)
        return found


class UnitBase(ABC):
    """One file being compiled: what every step reads, its expressions and where its problems go."""

    def __init__(self, state: State, fichier: FichierCharte | FichierPaquet, document: Document, *,
                 espace: str, stack: tuple[str, ...], identity: tuple[str, str, str],
                 principes: dict[str, str]) -> None:
        self.state = state
        self.fichier = fichier
        self.document = document
        self.espace = espace
        self.stack = stack
        self.auteur, self.titre, self.version = identity
        self.principes = dict(principes)
        self.is_pack = isinstance(fichier, FichierPaquet)

    @abstractmethod
    def run(self) -> list[Regle]:
        """Compile the file and what it imports: its rules, imported ones first."""

    def _compile_clauses(self, clauses: tuple[Clause, ...], at: tuple[PathItem, ...],
                         espace: str) -> tuple[ClauseCompilee, ...]:
        compiled = []
        for number, clause in enumerate(clauses):
            path = (*at, number)
            expression = self._expression(clause.expr, (*path, "expr"), espace)
            message = self._template(clause.message, (*path, "message"), espace) if clause.message else None
            if expression is not None:
                compiled.append(ClauseCompilee(clause.id, expression, message, self.document.locate(path)))
        return tuple(compiled)

    def _exceptions(self, exceptions: tuple[ExceptionRegle, ...], at: tuple[PathItem, ...],
                    espace: str) -> tuple[ExceptionCompilee, ...]:
        compiled = []
        for number, exception in enumerate(exceptions):
            path = (*at, number)
            condition = self._expression(exception.si, (*path, "si"), espace)
            if condition is not None:
                compiled.append(
                    ExceptionCompilee(
                        id=exception.id,
                        condition=condition,
                        effet=exception.effet,
                        justification=exception.justification,
                        references=exception.references,
                        location=self.document.locate(path),
                    )
                )
        return tuple(compiled)

    # -- expressions ------------------------------------------------------------------------

    def _expression(self, text: str, path: tuple[PathItem, ...], espace: str | None = None,
                    offset: tuple[int, int] = (1, 1)) -> cel.Expression | None:
        scope = self.espace if espace is None else espace
        try:
            expression = self.state.compile(text.strip())
        except cel.CelSyntaxError as error:
            line, column = shift(offset, error.line, error.column + leading(text))
            self.state.problem(Diagnostic("cel-syntaxe", error.message, self._at(path, line, column),
                                          error.hint))
            return None
        ok = True
        for reference in expression.references:
            line, column = shift(offset, reference.line, reference.column + leading(text))
            problem = self._check_reference(reference, scope)
            if problem is not None:
                code, message, hint = problem
                self.state.problem(Diagnostic(code, message, self._at(path, line, column), hint))
                ok = False
        for comparaison in expression.comparaisons if ok else ():
            wrong = self._check_answer(comparaison)
            if wrong is not None:
                line, column = shift(offset, comparaison.line, comparaison.column + leading(text))
                self.state.problem(Diagnostic("cel-valeur-inconnue", wrong[0], self._at(path, line, column),
                                              wrong[1]))
                ok = False
        return expression if ok else None

    def _check_answer(self, comparaison: cel.Comparaison) -> tuple[str, str] | None:
        """A text compared with a choice field must be one of its answers (a typo never holds)."""
        champ = self.state.vocabulaire.champ(comparaison.chemin)
        if champ is not None and champ.type is TypeChamp.LISTE and champ.element is not None:
            kind, valeurs = champ.element.type, champ.element.valeurs
        elif champ is not None:
            kind, valeurs = champ.type, champ.valeurs
        else:
            return None
        if kind is TypeChamp.BOOLEEN:
            return (f"« {comparaison.chemin} » est une réponse oui/non : elle se compare à true ou false, "
                    f"pas au texte « {comparaison.valeur} »", "écrivez par exemple "
                    f"{comparaison.chemin} == true, ou simplement {comparaison.chemin}")
        if kind is not TypeChamp.ENUM or comparaison.valeur in valeurs:
            return None
        return (f"« {comparaison.valeur} » n'est pas une réponse possible de « {comparaison.chemin} » : "
                "la règle ne serait jamais remplie", did_you_mean(comparaison.valeur, valeurs)
                or "réponses possibles : " + ", ".join(valeurs))

    def _check_reference(self, reference: cel.Reference, scope: str) -> tuple[str, str, str | None] | None:
        root, _, rest = reference.chemin.partition(".")
        if root not in RACINES:
            return ("cel-nom-inconnu", f"nom inconnu « {root} »",
                    did_you_mean(root, RACINES) or "une expression lit projet.…, param.…, qualif.… ou date")
        if root == "projet":
            return self._check_field(reference)
        if root == "date":
            return None if not rest else ("cel-nom-inconnu", "« date » n'a pas de sous-champ",
                                          "date désigne la date de référence de l'évaluation")
        if not rest:
            return ("cel-nom-inconnu", f"« {root} » doit être suivi d'un nom", None)
        steps = rest.split(".")
        current = scope
        while len(steps) > 1 and steps[0] in self.state.portees[current].sous_espaces:
            current = joindre(current, steps.pop(0))
        portee = self.state.portees[current]
        name = steps[0]
        where = f" dans l'espace « {current} »" if current else ""
        if root == "param" and name not in portee.parametres:
            return ("cel-parametre-inconnu", f"paramètre inconnu « {name} »{where}",
                    did_you_mean(name, [*portee.parametres, *portee.sous_espaces])
                    or "déclarez-le dans le bloc « parametres »")
        if root == "qualif" and name not in portee.qualifications:
            later = current == self.espace and name in self.fichier.qualifications
            return ("cel-qualification-inconnue",
                    f"qualification « {name} » " + ("définie plus loin" if later else f"inconnue{where}"),
                    "une qualification ne peut utiliser que celles définies avant elle" if later
                    else did_you_mean(name, [*portee.qualifications, *portee.sous_espaces])
                    or "déclarez-la dans le bloc « qualifications »")
        return None

    def _check_field(self, reference: cel.Reference) -> tuple[str, str, str | None] | None:
        vocabulaire = self.state.vocabulaire
        chemin = reference.chemin
        if vocabulaire.champ(chemin) is None:
            if chemin in vocabulaire.groupes:
                return ("cel-champ-groupe", f"« {chemin} » est un groupe de champs, pas un champ",
                        "référencez un champ précis, par exemple "
                        + next(c for c in vocabulaire.champs if c.startswith(chemin + ".")))
            return ("cel-champ-inconnu", f"champ inconnu « {chemin} » dans le vocabulaire {vocabulaire.id}",
                    vocabulaire.suggestion(chemin)
                    or "la liste des champs s'obtient avec « charte-ia schema »")
        if reference.in_has:
            return ("cel-has", f"has({chemin}) confond « non déclaré » et « faux »",
                    "utilisez directement la valeur du champ : un champ non renseigné rend la règle "
                    "« indéterminée », jamais fausse")
        return None

    def _template(self, text: str, path: tuple[PathItem, ...], espace: str | None = None) -> Gabarit | None:
        parts: list[str | cel.Expression] = []
        cursor = 0
        ok = True
        for match in TEMPLATE.finditer(text):
            parts.append(text[cursor:match.start()])
            before = text[: match.start(1)]
            offset = (before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
            expression = self._expression(match.group(1), path, espace, offset)
            if expression is None:
                ok = False
            else:
                parts.append(expression)
            cursor = match.end()
        parts.append(text[cursor:])
        return Gabarit(tuple(p for p in parts if p != "")) if ok else None

    # -- places -----------------------------------------------------------------------------

    def _at(self, path: tuple[PathItem, ...], line: int, column: int) -> Location:
        document = self.document
        position = document.position(path)
        if position is None:
            return document.locate(path)
        if position.style == "|":  # literal block: lines are kept as written
            return Location(document.name, position.content_line + line - 1,
                            position.content_column + column - 1, path)
        # Plain, quoted and folded values may span several lines joined by spaces: walk them.
        offset = column - 1
        number, start = position.content_line, position.content_column
        while number <= len(document.lines):
            segment = document.lines[number - 1][start - 1:].rstrip()
            if line > 1 or offset <= len(segment):
                return Location(document.name, number, start + offset, path)
            offset -= len(segment) + 1
            number += 1
            following = document.lines[number - 1] if number <= len(document.lines) else ""
            start = len(following) - len(following.lstrip()) + 1
        return Location(document.name, position.content_line, position.content_column, path)

    def _problem(self, code: str, message: str, path: tuple[PathItem, ...], hint: str | None = None,
                 *, key: bool = False) -> None:
        self.state.problem(Diagnostic(code, message, self.document.locate(path, key=key), hint))



def pack_of(regle: Regle) -> str:
    return regle.provenance.paquet if regle.provenance else "?"


def short_name(key: str) -> str:
    kind, _, value = key.partition(":")
    return value if kind == "integre" else Path(value).name


def brief(value: Any) -> str:
    text = "(aucune)" if value is None else valeur_fr(value, crochets=True)
    return text if len(text) <= 60 else text[:57] + "…]"


def leading(text: str) -> int:
    """Characters stripped before the expression on its first line."""
    stripped = text.lstrip()
    head = text[: len(text) - len(stripped)]
    return len(head) - (head.rfind("\n") + 1) if "\n" not in head else 0


def shift(offset: tuple[int, int], line: int, column: int) -> tuple[int, int]:
    """Position of (line, column) of a sub-expression starting at ``offset`` in its text."""
    if line == 1:
        return offset[0], offset[1] + column - 1
    return offset[0] + line - 1, column
