"""The CEL adapter: the only module that imports :mod:`celpy`.

cel-python 0.5 has sharp edges (DESIGN §7); this module hides them behind a small,
engine-neutral interface:

* :func:`compile_expression` parses an expression once, bounds its size, nesting and
  comprehension depth, and extracts the field paths it references, with positions;
* :func:`to_cel` converts plain Python data (the declaration, parameters, dates) into CEL
  values once per evaluation; ``None`` never enters CEL;
* :func:`evaluate` runs a compiled expression and returns either a plain Python value
  or a :class:`Failure` with a short French message (never the activation dump).

Only the interpreted runner is used: cel-python's compiled runner shares module
globals between threads. Interpreted programs build a fresh evaluator per call, so a
compiled :class:`Expression` may be evaluated from several threads at once. Creating a
``celpy.Environment`` lowers the interpreter's recursion limit; the one environment
this module needs is created once, and the previous limit is restored at once.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import celpy
from celpy import celtypes
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError, CELUnsupportedError

MAX_LENGTH = 2_000
"""Longest expression accepted, in characters."""
MAX_NESTING = 12
"""Deepest nesting of brackets accepted: ``(``, ``[`` and ``{``."""
MAX_NODES = 2_000
"""Largest syntax tree accepted, in nodes."""
MAX_TREE_DEPTH = 220
"""Deepest syntax tree accepted (each bracket level adds about a dozen tree levels)."""
MAX_COMPREHENSIONS = 2
"""Deepest nesting of ``all``/``exists``/``exists_one``/``map``/``filter`` accepted."""

_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_LOCK = threading.Lock()


def _environment() -> Any:
    limit = sys.getrecursionlimit()
    try:
        return celpy.Environment()
    finally:
        sys.setrecursionlimit(limit)


with _LOCK:
    _ENV = _environment()


class CelSyntaxError(Exception):
    """An expression that cannot be compiled.

    Attributes:
        message: What is wrong, in French.
        line: 1-based line inside the expression.
        column: 1-based column inside the expression.
        hint: How to fix it, when there is something useful to say.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Reference:
    """A dotted name an expression reads, such as ``projet.donnees.personnelles``.

    Attributes:
        chemin: The dotted path, root included.
        line: 1-based line of its first character in the expression.
        column: 1-based column of its first character in the expression.
        in_has: Whether it appears as the argument of ``has()``.
    """

    chemin: str
    line: int
    column: int
    in_has: bool = False

    @property
    def racine(self) -> str:
        """The root name (``projet``, ``param``, ``qualif``, ``date``…)."""
        return self.chemin.split(".", 1)[0]


@dataclass(frozen=True)
class Expression:
    """A compiled expression, ready to be evaluated many times.

    Attributes:
        source: The expression text.
        references: Every dotted name it reads from a root (bound macro variables excluded).
    """

    source: str
    references: tuple[Reference, ...]
    _program: Any = field(repr=False, compare=False)
    _by_root: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Computed once at compile time: the engine asks for it on every evaluation.
        by_root: dict[str, set[str]] = {}
        for reference in self.references:
            root, _, rest = reference.chemin.partition(".")
            if rest:
                by_root.setdefault(root, set()).add(rest)
        object.__setattr__(self, "_by_root", {k: frozenset(v) for k, v in by_root.items()})

    def chemins(self, racine: str) -> frozenset[str]:
        """The paths read under ``racine``, without the root: ``{"donnees.personnelles"}``."""
        return self._by_root.get(racine, frozenset())


@dataclass(frozen=True, slots=True)
class Failure:
    """An evaluation that did not produce a value.

    Attributes:
        message: Short French explanation, for the report.
        absent: The member name that was missing, when the failure is a missing member.
    """

    message: str
    absent: str | None = None


def compile_expression(text: str) -> Expression:
    """Parse and check an expression once.

    Raises:
        CelSyntaxError: Syntax error, or an expression beyond the size limits.
    """
    _check_text(text)
    with _LOCK:  # cel-python's parser is a process-wide singleton
        try:
            tree = _ENV.compile(text)
        except CELParseError as error:
            raise _syntax_error(text, error) from None
        except RecursionError:
            raise CelSyntaxError("expression trop imbriquée",
                                 hint="découpez-la en clauses ou en qualifications") from None
        program = _ENV.program(tree)
    references = _Walker().references(tree)
    return Expression(text, references, program)


def to_cel(value: Any) -> Any:
    """Convert plain data (dict, list, str, bool, int, float, date) into CEL values.

    ``None`` values inside mappings are dropped: an absent value stays absent, so that CEL
    reports it as missing instead of letting ``null`` leak through ``&&``.
    """
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return celtypes.IntType(value)
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, dt.datetime):
        return celtypes.TimestampType(value.astimezone(dt.UTC))
    if isinstance(value, dt.date):
        return celtypes.TimestampType(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC))
    if isinstance(value, list | tuple):
        return celtypes.ListType([to_cel(v) for v in value if v is not None])
    if isinstance(value, Mapping):
        return celtypes.MapType({celtypes.StringType(str(k)): to_cel(v)
                                 for k, v in value.items() if v is not None})
    raise TypeError(f"type non convertible en CEL : {type(value).__name__}")


def evaluate(expression: Expression, activation: Mapping[str, Any]) -> Any | Failure:
    """Evaluate a compiled expression.

    Args:
        expression: From :func:`compile_expression`.
        activation: Root names bound to values already converted by :func:`to_cel`.

    Returns:
        The result as plain Python data, or a :class:`Failure`.
    """
    try:
        result = expression._program.evaluate(dict(activation))
    except CELEvalError as error:
        return _failure(error)
    except CELUnsupportedError:
        return Failure("fonctionnalité CEL non prise en charge")
    except RecursionError:
        return Failure("expression trop profonde pour être évaluée")
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, ZeroDivisionError,
            OverflowError):
        # cel-python lets some Python exceptions through (macro arity, overflow…).
        return Failure("opération impossible sur ces valeurs")
    return _from_cel(result)


def _from_cel(value: Any) -> Any | Failure:
    if isinstance(value, CELEvalError):  # errors inside literals come back as values
        return _failure(value)
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.IntType | celtypes.UintType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, celtypes.TimestampType):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, celtypes.ListType):
        items = [_from_cel(v) for v in value]
        failed = next((i for i in items if isinstance(i, Failure)), None)
        return failed if failed is not None else items
    if isinstance(value, celtypes.MapType):
        pairs = {str(k): _from_cel(v) for k, v in value.items()}
        failed = next((i for i in pairs.values() if isinstance(i, Failure)), None)
        return failed if failed is not None else pairs
    if value is None:
        return Failure("valeur nulle")
    return str(value)


_NO_MEMBER = re.compile(r"no such member in mapping: '([^']*)'")
_UNDECLARED = re.compile(r"undeclared reference to '([^']*)'")


def _failure(error: CELEvalError) -> Failure:
    text = str(error.args[0]) if error.args else ""
    if match := _NO_MEMBER.search(text):
        return Failure(f"valeur absente : « {match.group(1)} »", absent=match.group(1))
    if match := _UNDECLARED.search(text):
        return Failure(f"nom inconnu : « {match.group(1)} »", absent=match.group(1))
    if "no matching overload" in text or "no such overload" in text:
        return Failure("opération impossible entre ces types de valeurs (un entier et un "
                       "décimal ne se comparent pas : écrivez 3.0 plutôt que 3 pour un décimal)")
    if "divide by zero" in text or "modulus by zero" in text:
        return Failure("division par zéro")
    if "unbound function" in text or "undefined function" in text.lower():
        return Failure("fonction inconnue")
    if "index" in text.lower() and "range" in text.lower():
        return Failure("indice hors de la liste")
    return Failure("erreur d'évaluation de l'expression")


def _check_text(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise CelSyntaxError(f"expression trop longue ({len(text)} caractères, au plus {MAX_LENGTH})",
                             hint="découpez-la en clauses ou en qualifications")
    depth = 0
    quote: str | None = None
    line, column = 1, 0
    for index, char in enumerate(text):
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = None
            continue
        if char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
            if depth > MAX_NESTING:
                raise CelSyntaxError(f"expression trop imbriquée (plus de {MAX_NESTING} niveaux "
                                     "de parenthèses ou de crochets)", line, column,
                                     "découpez-la en clauses ou en qualifications")
        elif char in ")]}":
            depth -= 1


def _syntax_error(text: str, error: CELParseError) -> CelSyntaxError:
    line = getattr(error, "line", None) or 1
    column = getattr(error, "column", None) or 1
    lines = text.splitlines() or [""]
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    near = current[column - 1: column + 9].strip() if column - 1 < len(current) else ""
    around = current[max(0, column - 2):column + 1]
    if re.search(r"[^\x00-\x7f]", around):
        return CelSyntaxError("caractère non ASCII dans un nom : les noms de champs s'écrivent "
                              "sans accent", line, column,
                              "écrivez par exemple projet.donnees et non projet.données")
    if near:
        message = f"syntaxe CEL invalide près de « {near} »"
    else:
        message = "syntaxe CEL invalide : l'expression s'arrête trop tôt"
    hint = None
    if "=" in near and "==" not in near:
        hint = "pour comparer, écrivez « == » (et non « = »)"
    elif re.search(r"\b(and|or|not)\b", text):
        hint = "les opérateurs logiques s'écrivent « && » (et), « || » (ou), « ! » (non)"
    elif text.count("(") != text.count(")"):
        hint = "les parenthèses ne sont pas équilibrées"
    elif text.count("'") % 2 or text.count('"') % 2:
        hint = "un guillemet n'est pas refermé"
    return CelSyntaxError(message, line, column, hint)


class _Walker:
    """Walks a cel-python syntax tree: bounds, references and bound macro variables."""

    def __init__(self) -> None:
        self.found: list[Reference] = []
        self.bound: set[str] = set()
        self.nodes = 0

    def references(self, tree: Any) -> tuple[Reference, ...]:
        self._bounds(tree)
        self._visit(tree, in_has=False, comprehensions=0)
        unique: dict[str, Reference] = {}
        for ref in self.found:
            if ref.racine not in self.bound:
                unique.setdefault(ref.chemin + ("!" if ref.in_has else ""), ref)
        return tuple(unique.values())

    def _bounds(self, tree: Any) -> None:
        stack = [(tree, 1)]
        while stack:
            node, depth = stack.pop()
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise CelSyntaxError(f"expression trop grande (plus de {MAX_NODES} nœuds)",
                                     hint="découpez-la en clauses ou en qualifications")
            if depth > MAX_TREE_DEPTH:
                raise CelSyntaxError("expression trop imbriquée",
                                     hint="découpez-la en clauses ou en qualifications")
            stack.extend((child, depth + 1) for child in getattr(node, "children", ()))

    def _visit(self, node: Any, *, in_has: bool, comprehensions: int) -> None:
        kind = getattr(node, "data", None)
        if kind is None:
            return
        chain = _chain(node)
        if chain is not None:
            self.found.append(Reference(".".join(chain), node.meta.line, node.meta.column, in_has))
            return
        if kind == "member_dot_arg":
            method = str(node.children[1])
            if method in _MACROS:
                comprehensions += 1
                if comprehensions > MAX_COMPREHENSIONS:
                    raise CelSyntaxError(
                        f"trop de parcours de listes imbriqués (au plus {MAX_COMPREHENSIONS})",
                        node.meta.line, node.meta.column,
                        "un parcours imbriqué dans un autre peut coûter très cher à évaluer")
                args = node.children[2].children if len(node.children) > 2 else []
                variable = _chain(args[0]) if args else None
                if variable is not None and len(variable) == 1:
                    self.bound.add(variable[0])
        if kind == "ident_arg" and str(node.children[0]) == "has":
            for child in node.children[1:]:
                self._visit(child, in_has=True, comprehensions=comprehensions)
            return
        for child in node.children:
            self._visit(child, in_has=in_has, comprehensions=comprehensions)


def _chain(node: Any) -> list[str] | None:
    """The dotted name a subtree denotes (``projet.donnees.pays``), or ``None``."""
    while getattr(node, "data", None) in {"expr", "conditionalor", "conditionaland", "relation",
                                          "addition", "multiplication", "unary", "member",
                                          "primary"} and len(node.children) == 1:
        node = node.children[0]
    kind = getattr(node, "data", None)
    if kind == "ident":
        return [str(node.children[0])]
    if kind == "member_dot":
        base = _chain(node.children[0])
        return None if base is None else [*base, str(node.children[1])]
    return None


# --- Expressions in words, for the rule catalogue ------------------------------------------

Nommer = Callable[[str], str | None]
"""Gives the French label of a dotted name (``projet.x``, ``qualif.y``, ``param.z``), if known."""

_COMPARISONS = {"relation_eq": "vaut", "relation_ne": "ne vaut pas", "relation_lt": "est inférieur à",
                "relation_le": "est au plus", "relation_gt": "est supérieur à",
                "relation_ge": "est au moins", "relation_in": "figure parmi"}
_NEGATED = {"relation_eq": "ne vaut pas", "relation_ne": "vaut", "relation_in": "ne figure pas parmi",
            "relation_lt": "est au moins", "relation_le": "est supérieur à",
            "relation_gt": "est au plus", "relation_ge": "est inférieur à"}
_WRAPPERS = frozenset({"expr", "conditionalor", "conditionaland", "relation", "addition",
                       "multiplication", "unary", "member", "primary", "paren_expr"})
_QUANTIFIERS = {"exists": "au moins une valeur de {liste} est telle que : {condition}",
                "all": "chaque valeur de {liste} est telle que : {condition}",
                "exists_one": "exactement une valeur de {liste} est telle que : {condition}"}


def in_words(expression: Expression, nommer: Nommer) -> str:
    """The expression told in French, for readers who do not read CEL.

    Logical operators, comparisons, ``in``, ``has()``, ``size()`` and the list macros
    ``exists``/``all``/``exists_one`` are told in words, each name by its label from
    ``nommer`` (a field by its question, a qualification by its title); any other
    construct is quoted as code between backquotes.
    """
    with _LOCK:
        tree = _ENV.compile(expression.source)
    return _Words(expression.source, nommer).phrase(tree)[0]


class _Words:
    def __init__(self, text: str, nommer: Nommer) -> None:
        self.text = text
        self.nommer = nommer
        self.bound: dict[str, str] = {}

    def phrase(self, node: Any) -> tuple[str, str]:
        """The words for ``node`` and their kind: ``et``, ``ou`` or ``atome``."""
        node = _unwrap(node)
        kind = getattr(node, "data", None)
        children = getattr(node, "children", [])
        if kind in {"conditionalor", "conditionaland"}:
            joiner = " ou " if kind == "conditionalor" else " et "
            word = "ou" if kind == "conditionalor" else "et"
            return joiner.join(self.group(part, word) for part in _operands(node, kind)), word
        if kind == "expr" and len(children) == 3:
            return (f"si {self.group(children[0], '')} alors {self.group(children[1], '')}, "
                    f"sinon {self.group(children[2], '')}"), "ou"
        if kind == "relation" and len(children) == 2 and children[0].data in _COMPARISONS:
            return self.comparison(node, _COMPARISONS), "atome"
        if kind == "unary" and len(children) == 2 and getattr(children[0], "data", "") == "unary_not":
            return self.negation(children[1]), "atome"
        chain = _chain(node)
        if chain is not None:
            return self.condition(chain, True), "atome"
        if kind == "ident_arg" and str(children[0]) == "has" and len(_arguments(node)) == 1:
            return f"{self.value(_arguments(node)[0])} est renseigné", "atome"
        if kind == "member_dot_arg" and str(children[1]) in _QUANTIFIERS and len(children) > 2:
            return self.quantifier(node), "atome"
        return self.code(node), "atome"

    def group(self, node: Any, parent: str) -> str:
        text, kind = self.phrase(node)
        return f"({text})" if kind not in {"atome", parent} else text

    def comparison(self, node: Any, verbs: dict[str, str]) -> str:
        operator, right = node.children
        return f"{self.value(operator.children[0])} {verbs[operator.data]} {self.value(right)}"

    def negation(self, node: Any) -> str:
        chain = _chain(node)
        if chain is not None:
            return self.condition(chain, False)
        inner = _unwrap(node)
        if (getattr(inner, "data", None) == "relation" and len(inner.children) == 2
                and inner.children[0].data in _NEGATED):
            return self.comparison(inner, _NEGATED)
        text, kind = self.phrase(node)
        return f"non ({text})" if kind != "atome" else f"non : {text}"

    def condition(self, chain: list[str], yes: bool) -> str:
        """A name used as a condition: ``« question » : oui``."""
        return f"{self.name(chain)} : {'oui' if yes else 'non'}"

    def quantifier(self, node: Any) -> str:
        args = node.children[2].children
        variable = _chain(args[0]) if args else None
        if variable is None or len(variable) != 1 or len(args) != 2:
            return self.code(node)
        self.bound[variable[0]] = "la valeur"
        condition = self.phrase(args[1])[0]
        template = _QUANTIFIERS[str(node.children[1])]
        return template.format(liste=self.value(node.children[0]), condition=condition)

    def value(self, node: Any) -> str:
        node = _unwrap(node)
        kind = getattr(node, "data", None)
        chain = _chain(node)
        if chain is not None:
            return self.name(chain)
        if kind == "literal":
            return _literal(str(node.children[0]))
        if kind == "list_lit":
            items = node.children[0].children if node.children else []
            return ", ".join(self.value(item) for item in items) or "aucune valeur"
        if kind == "ident_arg" and str(node.children[0]) == "size" and len(_arguments(node)) == 1:
            return f"le nombre de valeurs de {self.value(_arguments(node)[0])}"
        return self.phrase(node)[0]

    def name(self, chain: list[str]) -> str:
        if len(chain) == 1 and chain[0] in self.bound:
            return self.bound[chain[0]]
        dotted = ".".join(chain)
        label = self.nommer(dotted)
        if label is not None:
            return label
        return "la date de référence" if dotted == "date" else f"`{dotted}`"

    def code(self, node: Any) -> str:
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return f"`{self.text}`"
        return "`" + " ".join(self.text[meta.start_pos:meta.end_pos].split()) + "`"


def _unwrap(node: Any) -> Any:
    while getattr(node, "data", None) in _WRAPPERS and len(node.children) == 1:
        node = node.children[0]
    return node


def _arguments(node: Any) -> list[Any]:
    """The arguments of a call ``f(a, b)``."""
    return list(node.children[1].children) if len(node.children) > 1 else []


def _operands(node: Any, kind: str) -> list[Any]:
    """The operands of a left-recursive ``a || b || c`` (or ``&&``) chain, in order."""
    parts = []
    while getattr(node, "data", None) == kind and len(node.children) == 2:
        parts.append(node.children[1])
        node = _unwrap(node.children[0])
    parts.append(node)
    return parts[::-1]


def _literal(token: str) -> str:
    if token in {"true", "false"}:
        return "oui" if token == "true" else "non"
    if token[:1] in {"'", '"'}:
        return f"« {token[1:-1]} »"
    return token
