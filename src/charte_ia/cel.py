"""The CEL adapter: the only module that imports :mod:`celpy`.

cel-python 0.5 has sharp edges (DESIGN §7); this module hides them behind a small,
engine-neutral interface:

* :func:`compile_expression` parses an expression once, bounds its size, nesting and
  comprehension depth, and extracts the field paths it references, with positions;
* :func:`to_cel` converts plain Python data (the declaration, parameters, dates) into CEL
  values once per evaluation; ``None`` never enters CEL;
* :func:`evaluate` runs a compiled expression and returns either a plain Python value
  or a :class:`Failure` with a short French message (never the activation dump).

cel-python has no cost limit: a list traversal nested in another over long lists runs for
minutes. Every evaluation here is metered: each node of the syntax tree visited is one step,
drawn from a :class:`Budget` (per expression and per decision, :mod:`charte_ia.limits`).
An exhausted budget is a :class:`Failure`, so the rule is in ``erreur``; steps, unlike
seconds, give the same decision on every machine. Concatenations are charged by the size
of what they build, so that memory stays bounded too, and every function or method call
(``matches``, ``contains``, ``startsWith``, ``size``…) by the size of its arguments, before
it runs, so that the budget bounds the time spent on long texts as well.

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
from celpy.evaluation import CELEvalError, CELUnsupportedError, Evaluator

from charte_ia.limits import DEFAULT_LIMITS, Limits

MAX_NODES = 2_000
"""Largest syntax tree accepted, in nodes."""
TREE_LEVELS_PER_BRACKET = 18
"""Syntax tree levels one bracket level adds, at most (the tree depth is bounded with it)."""

_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_EXTENSIONS = frozenset({"reduce", "min"})
"""cel-python macros outside the CEL specification: refused, so that charters stay portable."""
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


class Budget:
    """The evaluation steps a decision may still spend, and the cap for one expression.

    A budget belongs to one evaluation at a time: it is not shared between threads.
    """

    def __init__(self, per_expression: int, total: int) -> None:
        self.per_expression = per_expression
        self.left = total

    @classmethod
    def of(cls, limits: Limits) -> Budget:
        """A fresh budget for one decision."""
        return cls(limits.cel_max_steps, limits.decision_max_steps)


class _OverBudget(BaseException):
    """Raised inside cel-python when the steps run out.

    A :class:`BaseException`, so that no handler of cel-python catches it, logs it or turns
    it into a value: it always reaches :func:`evaluate`.
    """


class _Meter:
    __slots__ = ("left", "spent")

    def __init__(self, left: int) -> None:
        self.left = left
        self.spent = 0

    def spend(self, steps: int) -> None:
        self.spent += steps
        if self.spent > self.left:
            raise _OverBudget


class _MeteredEvaluator(Evaluator):
    """cel-python's tree-walking evaluator, charged one step per node visited."""

    def __init__(self, ast: Any, activation: Any, meter: _Meter) -> None:
        super().__init__(ast, activation)
        self._meter = meter

    def sub_evaluator(self, ast: Any) -> _MeteredEvaluator:  # macros: same meter
        return _MeteredEvaluator(ast, self.activation, self._meter)

    def _visit_tree(self, tree: Any) -> Any:
        self._meter.spend(1)
        return super()._visit_tree(tree)

    def addition(self, tree: Any) -> Any:
        result = super().addition(tree)
        if isinstance(result, str | list):  # a concatenation: charged by what it builds
            self._meter.spend(len(result) // 64)
        return result

    def function_eval(self, name_token: Any, exprlist: Any = None) -> Any:
        self._meter.spend(_size_cost(exprlist))  # before the call: a long text is never scanned for free
        return super().function_eval(name_token, exprlist)

    def method_eval(self, object: Any, method_ident: Any, exprlist: Any = None) -> Any:
        self._meter.spend(_size_cost([object]) + _size_cost(exprlist))
        return super().method_eval(object, method_ident, exprlist)


def _size_cost(arguments: Any) -> int:
    """Steps a call costs for the size of its arguments: one per 64 characters or elements."""
    if not isinstance(arguments, list | tuple):
        return 0
    return sum(len(a) // 64 for a in arguments if isinstance(a, str | bytes | list | dict))


def compile_expression(text: str, limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Parse and check an expression once.

    Raises:
        CelSyntaxError: Syntax error, or an expression beyond the size limits.
    """
    _check_text(text, limits)
    with _LOCK:  # cel-python's parser is a process-wide singleton
        try:
            tree = _ENV.compile(text)
        except CELParseError as error:
            raise _syntax_error(text, error) from None
        except RecursionError:
            raise CelSyntaxError("expression trop imbriquée",
                                 hint="découpez-la en clauses ou en qualifications") from None
        program = _ENV.program(tree)
    references = _Walker(limits).references(tree)
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


def evaluate(expression: Expression, activation: Mapping[str, Any],
             budget: Budget | None = None) -> Any | Failure:
    """Evaluate a compiled expression, within a budget of steps.

    Args:
        expression: From :func:`compile_expression`.
        activation: Root names bound to values already converted by :func:`to_cel`.
        budget: The steps left to the decision; a fresh default one when not given.

    Returns:
        The result as plain Python data, or a :class:`Failure` (also when the budget runs out).
    """
    budget = budget if budget is not None else Budget.of(DEFAULT_LIMITS)
    if budget.left <= 0:
        return _spent()
    meter = _Meter(min(budget.per_expression, budget.left))
    program = expression._program
    try:
        result = _MeteredEvaluator(program.ast, program.new_activation(), meter).evaluate(dict(activation))
    except _OverBudget:
        if meter.left < budget.per_expression:
            return _spent()
        return Failure(f"évaluation interrompue : plus de {_thousands(budget.per_expression)} étapes "
                       "pour cette expression (des listes trop longues parcourues l'une dans l'autre ?)")
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
    finally:
        budget.left -= meter.spent
    return _from_cel(result)


def _spent() -> Failure:
    return Failure("évaluation interrompue : la décision a épuisé son budget d'étapes "
                   "(ses expressions sont trop coûteuses à évaluer ensemble)")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


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
    if "overflow" in text:
        return Failure("dépassement de capacité : le résultat d'un calcul dépasse les entiers de 64 bits")
    if "divide by zero" in text or "modulus by zero" in text:
        return Failure("division par zéro")
    if "unbound function" in text or "undefined function" in text.lower():
        return Failure("fonction inconnue")
    if "index" in text.lower() and "range" in text.lower():
        return Failure("indice hors de la liste")
    return Failure("erreur d'évaluation de l'expression")


def _check_text(text: str, limits: Limits) -> None:
    if len(text) > limits.cel_max_length:
        raise CelSyntaxError(f"expression trop longue ({len(text)} caractères, au plus "
                             f"{limits.cel_max_length})", hint="découpez-la en clauses ou en qualifications")
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
            if depth > limits.cel_max_nesting:
                raise CelSyntaxError(f"expression trop imbriquée (plus de {limits.cel_max_nesting} niveaux "
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

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
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
            if depth > TREE_LEVELS_PER_BRACKET * (self.limits.cel_max_nesting + 1):
                raise CelSyntaxError("expression trop imbriquée",
                                     hint="découpez-la en clauses ou en qualifications")
            stack.extend((child, depth + 1) for child in getattr(node, "children", ()))

    def _visit(self, node: Any, *, in_has: bool, comprehensions: int) -> None:
        kind = getattr(node, "data", None)
        if kind is None:
            return
        if kind == "literal":
            _check_integer(node)
        chain = _chain(node)
        if chain is not None:
            self.found.append(Reference(".".join(chain), node.meta.line, node.meta.column, in_has))
            return
        if kind == "member_dot_arg":
            method = str(node.children[1])
            if method in _EXTENSIONS:
                raise CelSyntaxError(f"« {method}() » n'appartient pas au langage CEL standard",
                                     node.meta.line, node.meta.column,
                                     "utilisez all, exists, exists_one, map ou filter")
            if method in _MACROS:
                comprehensions += 1
                if comprehensions > self.limits.cel_max_comprehensions:
                    raise CelSyntaxError(
                        "trop de parcours de listes imbriqués (au plus "
                        f"{self.limits.cel_max_comprehensions})",
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


_INT_RANGE = {"INT_LIT": (-(2**63), 2**63 - 1), "UINT_LIT": (0, 2**64 - 1)}


def _check_integer(node: Any) -> None:
    """Refuse an integer literal CEL cannot hold (64 bits): it would fail at every evaluation."""
    token = node.children[0]
    bounds = _INT_RANGE.get(getattr(token, "type", ""))
    if bounds is None:
        return
    text = str(token).rstrip("uU")
    value = int(text, 16) if text.lower().startswith(("0x", "-0x")) else int(text)
    if not bounds[0] <= value <= bounds[1]:
        raise CelSyntaxError(f"nombre entier trop grand pour CEL ({text}) : au plus 64 bits",
                             node.meta.line, node.meta.column,
                             "un seuil de cette taille ne décrit pas un projet ; vérifiez le nombre")


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
