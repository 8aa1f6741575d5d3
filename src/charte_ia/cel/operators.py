"""Operators, member access and function calls of the compiled runner, as cel-python runs them.

Each builder receives a syntax tree node, the steps its visit costs (the node and the
single-child parents folded into it) and the function that compiles its children; it returns
the node's compiled form (:data:`Node`). Messages of error values are cel-python's own, word
for word: the adapter reads them to tell a missing field from a type error.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from celpy import celtypes
from celpy.evaluation import CELEvalError, NameContainer, base_functions

from charte_ia.cel.meter import Meter, result_cost, size_cost

Node = Callable[[dict[str, Any], Meter], Any]
"""A compiled node: from the names in scope and the meter, the node's value."""
Build = Callable[[Any, int], Node]
"""Compiles a child: its tree, and the steps of the parents folded into it."""

_OPERATORS = {"relation_lt": "_<_", "relation_le": "_<=_", "relation_ge": "_>=_",
              "relation_gt": "_>_", "relation_eq": "_==_", "relation_ne": "_!=_",
              "relation_in": "_in_", "addition_add": "_+_", "addition_sub": "_-_",
              "multiplication_div": "_/_", "multiplication_mul": "_*_",
              "multiplication_mod": "_%_", "unary_not": "!_", "unary_neg": "-_"}
_CAUGHT: dict[str, tuple[type[Exception], ...]] = {
    "relation": (),
    "addition": (ValueError, OverflowError),
    "multiplication": (ZeroDivisionError, ValueError, OverflowError),
}
"""Beyond ``TypeError``, the exceptions each operator node turns into an error value."""


class Constant:
    """A node whose value is known when the expression is compiled (a literal, a list of literals).

    Its parent may read :attr:`value` and charge :attr:`steps` itself, at the moment the
    interpreter would visit it: one call less, the same steps at the same point.
    """

    __slots__ = ("steps", "value")

    def __init__(self, steps: int, value: Any) -> None:
        self.steps = steps
        self.value = value

    def __call__(self, _a: dict[str, Any], m: Meter) -> Any:
        m.spend(self.steps)
        return self.value


class NotCompilableError(Exception):
    """A construct the compiled runner leaves to cel-python's interpreter."""


_ABSENT = object()
_GET: Callable[[Any, Any, Any], Any] = dict.get
_TRUE, _FALSE = celtypes.BoolType(True), celtypes.BoolType(False)


def _boolean(comparison: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """cel-python's ``evaluation.boolean(comparison)``, built once instead of at every comparison."""
    def bool_function(a: Any, b: Any) -> Any:
        if isinstance(a, CELEvalError):
            return a
        if isinstance(b, CELEvalError):
            return b
        value = comparison(a, b)
        if value == NotImplemented:
            return value
        return _TRUE if value else _FALSE
    return bool_function


def _operator_in(item: Any, container: Any) -> Any:
    """cel-python's ``evaluation.operator_in``, without its ``typing.cast`` (a tenth of its time)."""
    if isinstance(item, CELEvalError):
        return item
    if isinstance(container, CELEvalError):
        return container
    result_value: Any = _FALSE
    for c in container:
        try:
            if c == item:
                return _TRUE
        except TypeError as ex:
            result_value = CELEvalError("no such overload", ex.__class__, ex.args)
    return result_value


FUNCTIONS: dict[str, Any] = {**base_functions, "_in_": _operator_in, **{
    name: _boolean(comparison) for name, comparison in (
        ("_<_", operator.lt), ("_<=_", operator.le), ("_>_", operator.gt), ("_>=_", operator.ge),
        ("_==_", operator.eq), ("_!=_", operator.ne))}}
"""cel-python's standard functions, with the same code for membership and for comparisons, which
cel-python wraps anew at each call (``evaluation.bool_lt``…): here they are wrapped once."""


def error(message: str, ex: BaseException) -> CELEvalError:
    """An error value caused by a Python exception, as cel-python builds it."""
    value = CELEvalError(message, ex.__class__, ex.args)
    value.__cause__ = ex
    return value


def ternary(tree: Any, cost: int, build: Build) -> Node:
    if len(tree.children) != 3:
        raise NotCompilableError("expr")
    condition, yes, no = (build(child, 0) for child in tree.children)
    choose = FUNCTIONS["_?_:_"]

    def run_ternary(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost)
        cond = condition(a, m)
        left = right = celtypes.BoolType(False)
        try:
            if cond:
                left = yes(a, m)
            else:
                right = no(a, m)
            return choose(cond, left, right)
        except TypeError as ex:
            return error(f"found no matching overload for _?_:_ applied to "
                          f"'({type(cond)}, {type(left)}, {type(right)})'", ex)
    return run_ternary


def logical(tree: Any, cost: int, build: Build) -> Node:
    name = "_||_" if tree.data == "conditionalor" else "_&&_"
    left, right = (build(child, 0) for child in tree.children)
    function = FUNCTIONS[name]

    def run_logical(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost)
        lhs, rhs = left(a, m), right(a, m)
        try:
            return function(lhs, rhs)
        except TypeError as ex:
            return error(f"found no matching overload for {name} applied to '({type(lhs)}, {type(rhs)})'", ex)
    return run_logical


def binary(tree: Any, cost: int, build: Build) -> Node:
    """``a < b``, ``a + b``, ``a * b``…: the operator node is one more step, around the left operand."""
    operator, right_tree = tree.children
    if len(operator.children) != 1:
        raise NotCompilableError(operator.data)
    left, right = build(operator.children[0], 1), build(right_tree, 0)
    function, label = FUNCTIONS[_OPERATORS[operator.data]], operator.data
    caught = _CAUGHT[tree.data]
    sized = tree.data == "addition"
    # A literal operand is not called: its steps are charged where the interpreter visits it.
    first = cost + left.steps if isinstance(left, Constant) else cost
    fixed_left, fixed_right = isinstance(left, Constant), isinstance(right, Constant)
    left_value = left.value if isinstance(left, Constant) else None
    right_steps, right_value = (right.steps, right.value) if isinstance(right, Constant) else (0, None)

    def run_binary(a: dict[str, Any], m: Meter) -> Any:
        m.spend(first)
        lhs = left_value if fixed_left else left(a, m)
        if fixed_right:
            m.spend(right_steps)
            rhs = right_value
        else:
            rhs = right(a, m)
        try:
            value = function(lhs, rhs)
        except TypeError as ex:
            return error(f"found no matching overload for {label!r} applied to "
                         f"'({type(lhs)}, {type(rhs)})'", ex)
        except caught as ex:
            zero = isinstance(ex, ZeroDivisionError)
            return error("modulus or divide by zero" if zero else "return error for overflow", ex)
        if sized:
            m.spend(result_cost(value))
        return value
    return run_binary


def unary(tree: Any, cost: int, build: Build) -> Node:
    operator, operand_tree = tree.children
    operand, label = build(operand_tree, 0), operator.data
    function = FUNCTIONS[_OPERATORS[label]]

    def run_unary(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost + 1)  # the operator node is visited too
        value = operand(a, m)
        try:
            return function(value)
        except TypeError as ex:
            return error(f"found no matching overload for {label!r} applied to '({type(value)})'", ex)
        except ValueError as ex:
            return error("return error for overflow", ex)
    return run_unary


def member_dot(tree: Any, cost: int, build: Build) -> Node:
    member_tree, token = tree.children
    base, name = build(member_tree, 0), str(token)

    def run_member_dot(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost)
        member = base(a, m)
        if type(member) is celtypes.MapType:  # the common case, without MapType's key check (a name is a str)
            found = _GET(member, name, _ABSENT)
            if found is not _ABSENT:
                return found
            return CELEvalError(f"no such member in mapping: {name!r}", KeyError, None)
        if isinstance(member, CELEvalError):
            return member
        if isinstance(member, NameContainer):
            if name in member:
                return member[name].value
            return CELEvalError(f"No {name!r} in bindings {sorted(member.keys())}", KeyError, None)
        if isinstance(member, celtypes.MessageType):
            return member.get(name)
        if isinstance(member, celtypes.MapType):
            try:
                return member[name]
            except KeyError:
                return CELEvalError(f"no such member in mapping: {name!r}", KeyError, None)
        return CELEvalError(f"{member!r} with type: '{type(member)}' does not support field selection",
                            TypeError, None)
    return run_member_dot


def member_index(tree: Any, cost: int, build: Build) -> Node:
    member, index = (build(child, 0) for child in tree.children)
    function = FUNCTIONS["_[_]"]

    def run_member_index(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost)
        container, key = member(a, m), index(a, m)
        try:
            return function(container, key)
        except TypeError as ex:
            return error("found no matching overload for _[_] applied to "
                         f"'({type(container)}, {type(key)})'", ex)
        except KeyError as ex:
            return error("no such key", ex)
        except IndexError as ex:
            return error("invalid_argument", ex)
    return run_member_index


def call(name: str, values: list[Any]) -> Any:
    """A standard function applied to evaluated arguments, as cel-python's ``function_eval``."""
    function = FUNCTIONS.get(name)
    if function is None:
        return CELEvalError(f"undeclared reference to '{name}'", KeyError, (name,))
    for value in values:
        if isinstance(value, CELEvalError):
            return value
    try:
        return function(*values)
    except ValueError as ex:
        return error("return error for overflow", ex)
    except (TypeError, AttributeError) as ex:
        return error("no such overload", ex)


def method(tree: Any, cost: int, build: Build) -> Node:
    """``x.startsWith(y)``, ``x.size()``…: the argument list is a node of its own, one more step."""
    target, name = build(tree.children[0], 0), str(tree.children[1])
    arguments = expressions(tree.children[2].children, build) if len(tree.children) > 2 else None

    def run_method(a: dict[str, Any], m: Meter) -> Any:
        m.spend(cost)
        subject = target(a, m)
        values: Any = None
        if arguments is not None:
            m.spend(1)
            values = listed([argument(a, m) for argument in arguments])
        m.spend(size_cost([subject]) + size_cost(values))
        function = FUNCTIONS.get(name)
        if function is None:
            return CELEvalError(f"undeclared reference to {name!r}", KeyError, (name,))
        if isinstance(subject, CELEvalError):
            return subject
        if isinstance(values, CELEvalError):
            return values
        try:
            return function(subject, *(values or []))
        except ValueError as ex:
            return error("return error for overflow", ex)
        except (TypeError, AttributeError) as ex:
            return error("no such overload", ex)
    return run_method


def expressions(trees: Any, build: Build) -> list[Node]:
    return [build(child, 0) for child in trees]


def listed(values: list[Any]) -> Any:
    """An argument list, as cel-python's ``exprlist``: its first error, or the list."""
    for value in values:
        if isinstance(value, CELEvalError):
            return value
    return celtypes.ListType(values)


