"""The compiled runner: a cel-python syntax tree turned once into nested Python functions.

cel-python's interpreter walks the syntax tree at every evaluation: for each node it looks up
a method, builds lists of children and, inside ``all()`` or ``map()``, a new evaluator and a
new activation per item. That walk is nine tenths of the time of a decision. Here the same
tree is walked once, when the charter is compiled, into one Python function per node.

The functions do what cel-python's :class:`~celpy.evaluation.Evaluator` does, node for node:

* the same operators and standard functions (cel-python's own ``base_functions``), so
  ``int``/``uint``/``double`` rules, overflow errors and timestamps are cel-python's;
* the same error values with the same messages, the same absorption of errors by ``&&``,
  ``||`` and ``?:``, and the same errors that escape ``map()``, ``filter()`` and
  ``exists_one()`` while ``all()`` and ``exists()`` keep them as values;
* the same steps, charged on the same :class:`~charte_ia.cel.meter.Meter`: one per syntax tree
  node the interpreter would visit, plus the size of arguments and concatenations.

A tree that uses something outside that set (protobuf messages, names of types or packages,
``.name`` from the root, a macro of another shape) is not compiled: :func:`compile_tree` gives
``None`` and the interpreter evaluates that expression. A test runs every shipped expression
through both runners and compares values, failures and steps.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

from celpy import celtypes
from celpy.evaluation import CELEvalError, Evaluator, base_functions, eval_error

from charte_ia.cel.meter import Meter, result_cost, size_cost
from charte_ia.cel.operators import (
    Build,
    Constant,
    Node,
    NotCompilableError,
    binary,
    call,
    expressions,
    listed,
    logical,
    member_dot,
    member_index,
    method,
    ternary,
    unary,
)

_PASS = frozenset({"expr", "conditionalor", "conditionaland", "relation", "addition",
                   "multiplication", "unary", "member"})
"""Nodes that, with a single child, give its value: one step each, then the child."""
_AND: Any = eval_error("no such overload", TypeError)(celtypes.logical_and)
_OR: Any = eval_error("no such overload", TypeError)(celtypes.logical_or)
_ROOT_NAMES = frozenset({"google"})
"""Names cel-python's base activation resolves by itself (a package): left to the interpreter."""


def compile_tree(tree: Any) -> Node | None:
    """The compiled form of a cel-python syntax tree, or ``None`` to keep the interpreter."""
    try:
        return _node(tree, 0)
    except NotCompilableError:
        return None


def run(node: Node, activation: dict[str, Any], meter: Meter) -> Any:
    """Evaluate a compiled tree; an error value is raised, as cel-python's ``evaluate`` does."""
    value = node(activation, meter)
    if isinstance(value, CELEvalError):
        raise value
    return value


def _node(tree: Any, above: int) -> Node:
    """Compile ``tree``; ``above`` counts the single-child parents folded into it (one step each)."""
    kind = getattr(tree, "data", None)
    children: list[Any] = getattr(tree, "children", [])
    if kind in _PASS and len(children) == 1:
        inner = _node(children[0], above + 1)
        return _sized(inner) if kind == "addition" else inner
    builder = _BUILDERS.get(kind) if isinstance(kind, str) else None
    if builder is None:
        raise NotCompilableError(kind)
    return builder(tree, above + 1, _node)


def _sized(inner: Node) -> Node:
    """An ``addition`` node with one child: cel-python's meter charges the size of its value."""
    if isinstance(inner, Constant):
        return Constant(inner.steps + result_cost(inner.value), inner.value)

    def run_sized(a: dict[str, Any], m: Meter) -> Any:
        value = inner(a, m)
        m.spend(result_cost(value))
        return value
    return run_sized


# --- Macros ------------------------------------------------------------------------------------

_MACROS = frozenset({"map", "filter", "all", "exists", "exists_one"})


def _member_dot_arg(tree: Any, cost: int, build: Build) -> Node:
    name = str(tree.children[1])
    if name in {"reduce", "min"}:
        raise NotCompilableError(name)
    if name not in _MACROS:
        return method(tree, cost, build)
    arguments = tree.children[2].children if len(tree.children) > 2 else []
    if len(arguments) != 2:
        raise NotCompilableError(name)
    idents = list(arguments[0].find_data("ident"))
    if len(idents) != 1:
        raise NotCompilableError(name)
    variable, target, body = str(idents[0].children[0]), build(tree.children[0], 0), build(arguments[1], 0)
    return _macro(cost, name, variable, target, body)


def _macro(cost: int, name: str, variable: str, target: Node, body: Node) -> Node:
    """The five macros, as cel-python runs them: in ``all()`` and ``exists()`` an error of the body
    stays a value, for ``&&``/``||`` to absorb; in ``map()``, ``filter()`` and ``exists_one()`` it
    ends the whole evaluation."""
    keeps_errors = name in {"all", "exists"}
    combine, start = (_AND, celtypes.BoolType(True)) if name == "all" else (_OR, celtypes.BoolType(False))

    def run_macro(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost)
        items = target(a, m)
        if isinstance(items, CELEvalError):
            return items

        def item(value: Any) -> Any:
            scope = dict(a)
            scope[variable] = value
            if not keeps_errors:
                return run(body, scope, m)
            try:
                return run(body, scope, m)
            except CELEvalError as ex:
                return ex
        if name == "map":
            return celtypes.ListType(map(item, items))
        if name == "filter":
            return celtypes.ListType(filter(item, items))
        if name == "exists_one":
            return celtypes.BoolType(sum(1 for value in items if bool(item(value))) == 1)
        return reduce(combine, map(item, items), start)
    return run_macro


# --- Primaries ---------------------------------------------------------------------------------


def _primary(tree: Any, cost: int, build: Build) -> Node:
    if len(tree.children) != 1:
        raise NotCompilableError("primary")
    child = tree.children[0]
    kind = getattr(child, "data", None)
    if kind == "paren_expr":
        return build(child.children[0], cost)
    if kind == "literal":
        return _literal(child, cost)
    if kind == "list_lit":
        return _list(child, cost, build)
    if kind == "map_lit":
        return _map(child, cost, build)
    if kind == "ident_arg":
        return _ident_arg(child, cost, build)
    if kind == "ident":
        return _ident(str(child.children[0]), cost)
    raise NotCompilableError(kind)


def _literal(tree: Any, cost: int) -> Node:
    try:
        value = Evaluator.literal(_LITERALS, tree)  # cel-python's own reading of the token
    except Exception as ex:  # an invalid unsigned literal, an unknown kind: left to the interpreter
        raise NotCompilableError("literal") from ex
    return Constant(cost + 1, value)


def _list(tree: Any, cost: int, build: Build) -> Node:
    if not tree.children:
        def run_empty_list(_a: dict[str, Any], m: Meter) -> Any:
            m.spend(cost)
            return celtypes.ListType()
        return run_empty_list
    items = expressions(tree.children[0].children, build)
    if all(isinstance(item, Constant) for item in items):
        return Constant(cost + 1 + sum(item.steps for item in items),  # type: ignore[attr-defined]
                        listed([item.value for item in items]))  # type: ignore[attr-defined]

    def run_list(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost + 1)  # the exprlist node
        return listed([item(a, m) for item in items])
    return run_list


def _map(tree: Any, cost: int, build: Build) -> Node:
    parts = expressions(tree.children[0].children, build) if tree.children else []

    def run_map(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost)
        if not parts:
            return celtypes.MapType()
        try:
            m.spend(1)  # the mapinits node
            values = [part(a, m) for part in parts]
            built = celtypes.MapType()
            for key, value in zip(values[0::2], values[1::2], strict=False):
                if key in built:
                    raise ValueError(f"Duplicate key {key!r}")
                built[key] = value
            return built
        except (ValueError, TypeError) as ex:
            return CELEvalError(ex.args[0], ex.__class__, ex.args)
    return run_map


def _ident_arg(tree: Any, cost: int, build: Build) -> Node:
    name = str(tree.children[0])
    arguments = expressions(tree.children[1].children, build) if len(tree.children) > 1 else []
    if name in {"has", "dyn"}:
        if len(arguments) != 1:
            raise NotCompilableError(name)
        only = arguments[0]
        if name == "dyn":
            return build(tree.children[1].children[0], cost)
        def run_has(a: dict[str, Any], m: Meter) -> Any:
            m.spend(cost)
            return celtypes.BoolType(not isinstance(only(a, m), CELEvalError))
        return run_has

    def run_function(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost)
        values = [argument(a, m) for argument in arguments]
        m.spend(size_cost(values))
        return call(name, values)
    return run_function


def _ident(name: str, cost: int) -> Node:
    if name in base_functions or name in _ROOT_NAMES:
        raise NotCompilableError(name)  # a function or a type used as a value: cel-python resolves it

    def run_ident(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost)
        try:
            return a[name]
        except KeyError:
            return CELEvalError(f"undeclared reference to '{name}'", KeyError, (name,))
    return run_ident


_LITERALS: Any = None
"""Stands for the evaluator in :meth:`Evaluator.literal`, which reads nothing of it."""

_BUILDERS: dict[str, Callable[[Any, int, Build], Node]] = {
    "expr": ternary, "conditionalor": logical, "conditionaland": logical,
    "relation": binary, "addition": binary, "multiplication": binary, "unary": unary,
    "member_dot": member_dot, "member_dot_arg": _member_dot_arg, "member_index": member_index,
    "primary": _primary,
}
