"""Compiling an expression once: the one cel-python environment, bounds, syntax errors, references."""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import celpy
import lark
from celpy import celparser
from celpy.celparser import CELParseError

from charte_ia.cel.compiled import compile_tree
from charte_ia.cel.tree import Comparaison, comparisons, name_chain
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.output import cache_folder

MAX_NODES = 2_000
"""Largest syntax tree accepted, in nodes."""
TREE_LEVELS_PER_BRACKET = 18
"""Syntax tree levels one bracket level adds, at most (the tree depth is bounded with it)."""

_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_EXTENSIONS = frozenset({"reduce", "min"})
"""cel-python macros outside the CEL specification: refused, so that charters stay portable."""
LOCK = threading.Lock()


def environment() -> Any:
    """A cel-python environment; its parser is read from the cache when there is one."""
    limit = sys.getrecursionlimit()
    try:
        _parser_from_cache()
        return celpy.Environment()
    finally:
        sys.setrecursionlimit(limit)


def _parser_from_cache() -> None:
    """Give cel-python its parser, built as cel-python builds it, through lark's own cache.

    Building the parser analyses the CEL grammar: a third of a second at every start of the
    command. lark keeps the analysed grammar in a file named after the grammar, the options and
    lark's version (the user's private cache folder, :func:`~charte_ia.output.cache_folder`),
    and checks that digest before using it; without a folder, cel-python builds its parser.
    """
    folder = cache_folder()
    if folder is None or celparser.CELParser.CEL_PARSER is not None:
        return
    grammar = (Path(celparser.__file__).parent / "cel.lark").read_text(encoding="utf-8")
    celparser.CELParser.CEL_PARSER = lark.Lark(  # the options of celparser.CELParser, word for word
        grammar, parser="lalr", start="expr", debug=True, g_regex_flags=re.M,
        lexer_callbacks={"IDENT": celparser.CELParser.ambiguous_literals}, propagate_positions=True,
        maybe_placeholders=False, priority="invert", tree_class=lark.Tree,
        cache=str(folder / "analyseur-cel.lark"))


_ENVIRONMENTS: list[Any] = []


def shared_environment() -> Any:
    """The one cel-python environment of the process, built on first use (call it under :data:`LOCK`).

    Building it builds cel-python's parser, a third of a second: a command that compiles no
    expression (``--aide``, ``--version``, ``schema``) never pays for it.
    """
    if not _ENVIRONMENTS:
        _ENVIRONMENTS.append(environment())
    return _ENVIRONMENTS[0]


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
    _compiled: Any = field(repr=False, compare=False)
    """The compiled runner's form of the tree (:mod:`~charte_ia.cel.compiled`), or ``None`` when
    the expression uses something only the interpreter runs."""
    _by_root: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    _base: Any = field(init=False, repr=False, compare=False)
    """cel-python's base activation (functions and type names), built once: every evaluation
    clones it and never changes it, so it may be shared between threads. Building it again for
    each evaluation was an eighth of the time of a short expression."""

    def __post_init__(self) -> None:
        # Computed once at compile time: the engine asks for it on every evaluation.
        by_root: dict[str, set[str]] = {}
        for reference in self.references:
            root, _, rest = reference.chemin.partition(".")
            if rest:
                by_root.setdefault(root, set()).add(rest)
        object.__setattr__(self, "_by_root", {k: frozenset(v) for k, v in by_root.items()})
        object.__setattr__(self, "_base", self._program.new_activation())

    @property
    def comparaisons(self) -> tuple[Comparaison, ...]:
        """The texts compared with a field of the declaration (:class:`Comparaison`)."""
        return tuple(comparisons(self._program.ast))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its text, references and syntax tree: the runners are rebuilt from the tree
        (the cache of compiled charters, :mod:`charte_ia.charter_cache`)."""
        return (_restore, (self.source, self.references, self._program.ast))

    def chemins(self, racine: str) -> frozenset[str]:
        """The paths read under ``racine``, without the root: ``{"donnees.personnelles"}``."""
        return self._by_root.get(racine, frozenset())




def _restore(source: str, references: tuple[Reference, ...], tree: Any) -> Expression:
    with LOCK:
        program = shared_environment().program(tree)
    return Expression(source, references, program, compile_tree(tree))


def compile_expression(text: str, limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Parse and check an expression once.

    Raises:
        CelSyntaxError: Syntax error, or an expression beyond the size limits.
    """
    _check_text(text, limits)
    with LOCK:  # cel-python's parser is a process-wide singleton
        try:
            tree = shared_environment().compile(text)
        except CELParseError as error:
            raise _syntax_error(text, error) from None
        except RecursionError:
            raise CelSyntaxError("expression trop imbriquée",
                                 hint="découpez-la en clauses ou en qualifications") from None
        program = shared_environment().program(tree)
    references = _Walker(limits).references(tree)
    return Expression(text, references, program, compile_tree(tree))




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
        chain = name_chain(node)
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
                variable = name_chain(args[0]) if args else None
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
