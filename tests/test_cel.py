"""The CEL adapter: bounded, thread-safe, French, and leaving the interpreter as it found it."""

from __future__ import annotations

import sys
import threading
from datetime import date

import pytest

from charte_ia import cel
from charte_ia.cel import syntax
from charte_ia.limits import DEFAULT_LIMITS


def _run(text: str, **roots: object) -> object:
    return cel.evaluate(cel.compile_expression(text), {k: cel.to_cel(v) for k, v in roots.items()})


def test_importing_the_adapter_leaves_the_recursion_limit_alone() -> None:
    before = sys.getrecursionlimit()
    syntax.environment()
    assert sys.getrecursionlimit() == before


def test_references_are_extracted_with_positions_and_macro_variables_dropped() -> None:
    expression = cel.compile_expression(
        "projet.hebergement.pays_stockage.all(p, p in param.pays_autorises) && qualif.x")
    assert [(r.chemin, r.column) for r in expression.references] == [
        ("projet.hebergement.pays_stockage", 1), ("param.pays_autorises", 46), ("qualif.x", 71)]


def test_has_arguments_are_marked() -> None:
    expression = cel.compile_expression("has(projet.a.b)")
    assert [(r.chemin, r.in_has) for r in expression.references] == [("projet.a.b", True)]


@pytest.mark.parametrize(("text", "message"), [
    ("x" * (DEFAULT_LIMITS.cel_max_length + 1), "trop longue"),
    ("(" * (DEFAULT_LIMITS.cel_max_nesting + 1) + "true" + ")" * (DEFAULT_LIMITS.cel_max_nesting + 1),
     "trop imbriquée"),
    ("[1].all(a, [1].all(b, [1].all(c, true)))", "trop de parcours de listes imbriqués"),
    (" && ".join(["true"] * 1500), "expression trop"),
    ("projet.a &&& projet.b", "syntaxe CEL invalide"),
    ("projet.données", "non ASCII"),
])
def test_expressions_beyond_the_limits_are_refused_in_french(text: str, message: str) -> None:
    with pytest.raises(cel.CelSyntaxError) as refused:
        cel.compile_expression(text)
    assert message in refused.value.message


def test_syntax_error_position_is_inside_the_expression() -> None:
    with pytest.raises(cel.CelSyntaxError) as refused:
        cel.compile_expression("projet.a &&& projet.b")
    assert (refused.value.line, refused.value.column) == (1, 12)


def test_missing_member_is_a_failure_naming_it() -> None:
    result = _run("projet.a", projet={})
    assert isinstance(result, cel.Failure)
    assert result.absent == "a"


def test_absorption_decides_what_it_can() -> None:
    assert _run("projet.a && projet.b", projet={"b": False}) is False
    assert _run("projet.a || projet.b", projet={"b": True}) is True


def test_none_never_reaches_cel() -> None:
    result = _run("projet.a && true", projet={"a": None})
    assert isinstance(result, cel.Failure)


def test_error_messages_never_dump_the_activation() -> None:
    secret = "valeur-confidentielle"
    result = _run("inconnu_total(projet.a)", projet={"a": secret})
    assert isinstance(result, cel.Failure)
    assert secret not in result.message


def test_integer_decimal_comparison_is_explained() -> None:
    result = _run("projet.a == 1.0", projet={"a": 1})
    assert isinstance(result, cel.Failure)
    assert "écrivez 3.0" in result.message


def test_dates_become_timestamps_and_come_back_as_dates() -> None:
    assert _run("projet.d < date", projet={"d": date(2026, 1, 1)}, date=date(2026, 6, 1)) is True
    assert _run("projet.d", projet={"d": date(2026, 1, 1)}) == date(2026, 1, 1)


def test_errors_inside_literals_are_failures_not_values() -> None:
    assert isinstance(_run('{"a": 1 / 0}'), cel.Failure)


def test_concurrent_evaluation_gives_the_right_answers() -> None:
    expression = cel.compile_expression("projet.n % 2 == 0 && projet.l.all(x, x < projet.n)")
    wrong: list[int] = []

    def work(offset: int) -> None:
        for n in range(offset, offset + 300):
            activation = {"projet": cel.to_cel({"n": n, "l": [n - 1, n - 2]})}
            if cel.evaluate(expression, activation) is not (n % 2 == 0):
                wrong.append(n)

    threads = [threading.Thread(target=work, args=(i * 1000,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
