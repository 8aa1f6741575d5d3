"""Running a compiled expression, metered: values in and out of CEL, failures in French."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from celpy import celtypes
from celpy.evaluation import CELEvalError, CELUnsupportedError, Evaluator

from charte_ia.cel.compiled import run
from charte_ia.cel.meter import Meter, OverBudget, result_cost, size_cost
from charte_ia.cel.syntax import Expression
from charte_ia.limits import DEFAULT_LIMITS, Limits


@dataclass(frozen=True, slots=True)
class Failure:
    """An evaluation that did not produce a value.

    Attributes:
        message: Short French explanation, for the report.
        absent: The member name that was missing, when the failure is a missing member.
    """

    message: str
    absent: str | None = None


EVALUATIONS = ("compilee", "interpretee")
"""How expressions run: compiled once into Python functions (the default), or walked by
cel-python's interpreter at every evaluation (the reference, ``CHARTE_IA_EVALUATION=interpretee``).
Both give the same values, failures and steps."""


def evaluation_chosen(environ: Mapping[str, str] | None = None) -> str:
    """The runner chosen by ``CHARTE_IA_EVALUATION`` (``compilee`` unless it says ``interpretee``)."""
    value = (os.environ if environ is None else environ).get("CHARTE_IA_EVALUATION", "")
    return "interpretee" if value.strip().lower() == "interpretee" else "compilee"


class Budget:
    """The evaluation steps a decision may still spend, and the cap for one expression.

    A budget belongs to one evaluation at a time: it is not shared between threads. It also
    says which runner the decision uses (:data:`EVALUATIONS`).
    """

    def __init__(self, per_expression: int, total: int, evaluation: str = "compilee") -> None:
        self.per_expression = per_expression
        self.left = total
        self.evaluation = evaluation

    @classmethod
    def of(cls, limits: Limits, evaluation: str | None = None) -> Budget:
        """A fresh budget for one decision, with the runner given or chosen by the environment."""
        return cls(limits.cel_max_steps, limits.decision_max_steps, evaluation or evaluation_chosen())


class _MeteredEvaluator(Evaluator):
    """cel-python's tree-walking evaluator, charged one step per node visited."""

    def __init__(self, ast: Any, activation: Any, meter: Meter) -> None:
        super().__init__(ast, activation)
        self._meter = meter

    def sub_evaluator(self, ast: Any) -> _MeteredEvaluator:  # macros: same meter
        return _MeteredEvaluator(ast, self.activation, self._meter)

    def _visit_tree(self, tree: Any) -> Any:
        self._meter.spend(1)
        return super()._visit_tree(tree)

    def addition(self, tree: Any) -> Any:
        result = super().addition(tree)
        self._meter.spend(result_cost(result))  # a concatenation: charged by what it builds
        return result

    def function_eval(self, name_token: Any, exprlist: Any = None) -> Any:
        self._meter.spend(size_cost(exprlist))  # before the call: a long text is never scanned for free
        return super().function_eval(name_token, exprlist)

    def method_eval(self, object: Any, method_ident: Any, exprlist: Any = None) -> Any:
        self._meter.spend(size_cost([object]) + size_cost(exprlist))
        return super().method_eval(object, method_ident, exprlist)


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
        return _text(celtypes.StringType, value)
    if isinstance(value, dt.datetime):
        return celtypes.TimestampType(value.astimezone(dt.UTC))
    if isinstance(value, dt.date):
        return celtypes.TimestampType(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC))
    if isinstance(value, list | tuple):
        return celtypes.ListType([to_cel(v) for v in value if v is not None])
    if isinstance(value, Mapping):
        converted = celtypes.MapType()
        dict.update(converted, {_text(celtypes.StringType, str(k)): to_cel(v)
                                for k, v in value.items() if v is not None})
        return converted
    raise TypeError(f"type non convertible en CEL : {type(value).__name__}")


_text = str.__new__
"""A ``StringType`` made from a ``str`` without going through its constructor's type dispatch."""


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
    meter = Meter(min(budget.per_expression, budget.left))
    compiled = expression._compiled if budget.evaluation == "compilee" else None
    names = dict(activation)
    try:
        if compiled is not None:
            result = run(compiled, names, meter)
        else:
            result = _MeteredEvaluator(expression._program.ast, expression._base, meter).evaluate(names)
    except OverBudget:
        meter.spent = meter.left + 1  # where the steps ran out does not depend on the runner
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


