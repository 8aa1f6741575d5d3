"""The compiled runner against cel-python's interpreter: same values, same failures, same steps.

The compiled runner is the default; the interpreter is the reference. Every check here runs
both on the same input and compares what a user could see: the value or the French failure of
each expression, the steps it spent (so a budget runs out at the same point), and whole
decisions, byte for byte but for the ``moteur.evaluation`` field that names the runner.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import charte_ia
from charte_ia import cel
from charte_ia.cel import run as cel_run
from charte_ia.charter import Charte, Gabarit
from charte_ia.decision import Decision
from charte_ia.declaration import build_declaration
from charte_ia.diagnostics import InvalidInputError
from charte_ia.engine import probe_answers
from charte_ia.engine.contexte import Context, expressions_of
from charte_ia.load import charter_from_document
from charte_ia.model import TypeChamp
from charte_ia.source import read_bytes
from conftest import ROOT

JOUR = date(2026, 12, 1)
CHARTES = sorted((ROOT / "chartes").glob("*.yaml"))
PAQUETS = sorted((ROOT / "src" / "charte_ia" / "paquets").glob("*.yaml"))
EXEMPLES = sorted((ROOT / "exemples").glob("*.yaml"))
HOSTILES = ROOT / "tests" / "hostiles"
CONTENT = pytest.mark.no_cover
"""Tests sized by the shipped content: run without the coverage tracer, which would triple their time."""


@cache
def _charter(path: Path) -> Charte:
    return charte_ia.load_charter(path)


def _accepted(charte: Charte) -> Iterator[charte_ia.Declaration]:
    for path in EXEMPLES:
        try:
            yield charte_ia.load_declaration(path, vocabulaire=charte.vocabulaire)
        except InvalidInputError:  # an example written for another charter's vocabulary
            continue


def _all_expressions(charte: Charte) -> Iterator[cel.Expression]:
    for qualification in charte.qualifications:
        yield qualification.expression
    for regle in charte.regles:
        yield from expressions_of(regle)
        for holder in (regle, *regle.clauses, *regle.exceptions):
            for value in vars(holder).values():
                if isinstance(value, Gabarit):
                    yield from value.expressions


def _both(expression: cel.Expression, activation: dict[str, Any], per_expression: int = 50_000,
          total: int = 300_000) -> tuple[Any, Any]:
    """Each runner's (result, steps spent) for the same expression, activation and budget."""
    outcomes = []
    for evaluation in ("interpretee", "compilee"):
        budget = cel.Budget(per_expression, total, evaluation)
        outcomes.append((cel_run.evaluate(expression, activation, budget), total - budget.left))
    return outcomes[0], outcomes[1]


def _json(decision: Decision) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(decision.to_json())
    data["moteur"].pop("evaluation")
    return data


def _decide(charte: Charte, declaration: charte_ia.Declaration, evaluation: str,
            monkeypatch: pytest.MonkeyPatch) -> Decision:
    monkeypatch.setenv("CHARTE_IA_EVALUATION", evaluation)
    decision = charte_ia.evaluate(charte, declaration, JOUR)
    assert decision.moteur.evaluation == evaluation
    return decision


# --- Shipped content ---------------------------------------------------------------------------


@CONTENT
@pytest.mark.parametrize("chemin", CHARTES + PAQUETS, ids=lambda p: p.stem)
def test_every_shipped_expression_is_compiled(chemin: Path) -> None:
    """The fast path is not a fallback that never runs: the shipped content uses it throughout."""
    expressions = list(_all_expressions(_charter(chemin)))
    assert expressions
    assert [e.source for e in expressions if e._compiled is None] == []


@CONTENT
@pytest.mark.parametrize("chemin", CHARTES, ids=lambda p: p.stem)
def test_decisions_are_byte_identical_whichever_runner(chemin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """And every expression the examples evaluate gives the same value, failure and steps."""
    charte, seen, different = _charter(chemin), [], []
    real = cel_run.evaluate

    def compare(expression: cel.Expression, activation: Any, budget: cel.Budget | None = None) -> Any:
        if budget is not None and budget.evaluation == "interpretee":  # the same budget, the other runner
            twin = cel.Budget(budget.per_expression, budget.left, "compilee")
            before = budget.left
            result = real(expression, activation, budget)
            other = real(expression, activation, twin)
            seen.append(expression.source)
            if (result, before - budget.left) != (other, before - twin.left):
                different.append((expression.source, result, other))
            return result
        return real(expression, activation, budget)

    monkeypatch.setattr(cel, "evaluate", compare)
    decided = 0
    for declaration in _accepted(charte):
        reference = _decide(charte, declaration, "interpretee", monkeypatch)
        compiled = _decide(charte, declaration, "compilee", monkeypatch)
        assert _json(reference) == _json(compiled), declaration.id
        decided += 1
    assert decided >= 5
    assert len(seen) > 500
    assert different == []


def test_the_hostile_costly_charters_stop_at_the_same_step_whichever_runner(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fiche = charte_ia.load_declaration(HOSTILES / "cout-fiche.yaml")
    charte = charte_ia.load_charter(HOSTILES / "cout-charte.yaml")
    reference = _decide(charte, fiche, "interpretee", monkeypatch)
    compiled = _decide(charte, fiche, "compilee", monkeypatch)
    assert _json(reference) == _json(compiled)
    assert {r.statut for r in compiled.regles} >= {charte_ia.Statut.ERREUR}


# --- The semantics, case by case -------------------------------------------------------------

DATA = {
    "p": {"b": True, "f": False, "n": 12, "g": 9_223_372_036_854_775_000, "d": 2.5, "s": "Marseille",
          "l": ["FR", "DE"], "v": [], "e": [1, 0, 3], "m": {"a": 1, "b": "x"},
          "t": date(2026, 3, 1), "x": "a" * 700},
}


LEFT_TO_THE_INTERPRETER = {"type(p.n) == int"}
"""A type name used as a value: the compiled runner does not cover it, the interpreter runs it."""


@pytest.mark.parametrize("text", [
    "false && 1 / 0 == 1", "1 / 0 == 1 && false", "true || p.absent", "p.absent || true",
    "p.absent && false", "p.absent", "p.m.absent == 1", "has(p.m.a) && !has(p.m.z)",
    "p.e.map(x, 6 / x).size() == 3 || true",  # the error escapes map(), even under ||
    "p.e.all(x, 6 / x > 1)", "p.e.exists(x, 6 / x > 1)", "p.e.exists_one(x, x == 0)",
    "p.e.filter(x, x > 0) == [1, 3]", "p.g + 1000 > 0", "-9223372036854775807 - 2 < 0",
    "18446744073709551615u + 1u > 0u", "p.n < p.d", "p.n == 12.0", "p.d * 2.0 == 5.0", "p.n % 0 == 1",
    "p.s + 1 == 2", "p.s.startsWith('Mar') && p.s.contains('eil') && p.s.endsWith('lle')",
    "p.s.matches('^M.*e$')", "size(p.l) == 2 && size(p.s) == 9", "p.l[5] == 'FR'", "p.m['z'] == 1",
    "p.b ? p.n > 10 : p.absent", "p.f ? p.absent : p.n > 10", "p.n ? true : false",
    "p.t < timestamp('2026-06-01T00:00:00Z')", "int(p.d) == 2 && string(p.n) == '12'",
    "double(p.n) == 12.0 && uint(p.n) == 12u", "{'a': 1, 'a': 2}.size() == 1", "[1, 'a'] == [1, 'a']",
    "p.l + p.v == ['FR', 'DE']", "p.x + p.x + p.x != ''", "dyn(p.n) == 12", "type(p.n) == int",
    "p.v.all(x, false) && !p.v.exists(x, true)", "p.m.exists(k, k == 'b')", "p.s.all(c, c != 'z')",
    "p.n.all(x, true)", "undefined_fn(1) == 1", "p.s.unknownMethod()", "-p.s == 1", "!p.n",
    "p.l.all(x, p.l.all(y, x + y != ''))", "'ab'.size() == 2", "p.m.a.b == 1", "p.n.x == 1",
    "[1, 2, 3][1] == 2 && {'k': [1]}['k'][0] == 1", "b'abc' == b'abc'", "null == null",
    "p.e.map(x, x * 2)[2] == 6", "(p.n > 1) == true", "p.d / 0.0 > 1.0",
])
def test_both_runners_give_the_same_value_failure_and_steps(text: str) -> None:
    expression = cel.compile_expression(text)
    assert (expression._compiled is None) == (text in LEFT_TO_THE_INTERPRETER)
    activation = {k: cel.to_cel(v) for k, v in DATA.items()}
    reference, compiled = _both(expression, activation)
    assert compiled == reference


@pytest.mark.parametrize("per_expression", [5, 20, 60, 200, 2_000])
def test_a_budget_runs_out_at_the_same_point_whichever_runner(per_expression: int) -> None:
    expression = cel.compile_expression("p.e.all(x, p.l.exists(y, y + string(x) != '')) && size(p.x) > 1")
    activation = {k: cel.to_cel(v) for k, v in DATA.items()}
    reference, compiled = _both(expression, activation, per_expression=per_expression, total=300)
    assert compiled == reference


# --- Generated expressions ---------------------------------------------------------------------

_LEAVES = ["p.n", "p.d", "p.s", "p.b", "p.f", "p.l", "p.e", "p.m", "p.absent", "p.m.a", "1", "0", "2.5",
           "'FR'", "true", "false", "[1, 2]", "['FR']", "{'a': 1}", "9223372036854775807", "3u", "null",
           "p.t", "timestamp('2026-01-01T00:00:00Z')"]
_BINARY = ["&&", "||", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%"]
_WRAPPERS = ["!({})", "-({})", "size({})", "has({}.a)", "({}).all(x, x == 1)", "({}).exists(x, x != 'FR')",
             "({}).map(x, x)", "({}).filter(x, true)", "({}).exists_one(x, true)", "string({})",
             "int({})", "({})[0]", "dyn({})"]


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(_LEAVES))
    shape = draw(st.integers(0, 2))
    if shape == 0:
        return draw(st.sampled_from(_WRAPPERS)).format(draw(_expressions(depth + 1)))
    if shape == 1:
        return (f"({draw(_expressions(depth + 1))}) ? ({draw(_expressions(depth + 1))})"
                f" : ({draw(_expressions(depth + 1))})")
    operator = draw(st.sampled_from(_BINARY))
    return f"({draw(_expressions(depth + 1))}) {operator} ({draw(_expressions(depth + 1))})"


@given(_expressions(), st.sampled_from([30, 300, 50_000]))
def test_generated_expressions_behave_the_same_under_both_runners(text: str, per_expression: int) -> None:
    try:
        expression = cel.compile_expression(text)
    except cel.CelSyntaxError:
        return
    activation = {k: cel.to_cel(v) for k, v in DATA.items()}
    reference, compiled = _both(expression, activation, per_expression=per_expression)
    assert compiled == reference, text


# --- What one decision converts once -----------------------------------------------------------


@CONTENT
@pytest.mark.parametrize("chemin", CHARTES, ids=lambda p: p.stem)
def test_a_probed_answer_converts_one_field_and_reads_as_a_full_conversion(chemin: Path) -> None:
    """Ranking missing information tries answers: each try patches the converted declaration."""
    charte, tried = _charter(chemin), 0
    for declaration in list(_accepted(charte))[:2]:  # every unanswered field of two examples
        context = Context.build(charte, declaration, JOUR, cel.Budget.of(charte.limites))
        for champ in charte.vocabulaire.champs.values():
            if declaration.decidable(champ.chemin):
                continue
            answers = ["2026-01-15"] if champ.type is TypeChamp.DATE else probe_answers(champ)[:2]
            for answer in answers:
                probe = context.answering(champ.chemin, answer, cel.Budget.of(charte.limites), {})
                full = Context.build(charte, declaration.avec_reponse(champ.chemin, answer), JOUR,
                                     cel.Budget.of(charte.limites))
                assert probe.projet == full.projet, champ.chemin
                assert probe.qualifications == full.qualifications, champ.chemin
                tried += 1
    assert tried > 50


# --- Generated declarations and charters -------------------------------------------------------


@CONTENT
def test_generated_declarations_get_the_same_decision_whichever_runner(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from test_proprietes import declarations  # the schema-valid declarations of the property tests

    charte = _charter(ROOT / "chartes" / "commune-modele.yaml")

    @settings(max_examples=max(3, settings().max_examples // 6))  # every possible answer is tried twice
    @given(declarations(charte.vocabulaire))
    def check(raw: bytes) -> None:
        declaration = build_declaration(read_bytes(raw, "fiche.yaml"), charte.vocabulaire)
        reference = _decide(charte, declaration, "interpretee", monkeypatch)
        assert _json(_decide(charte, declaration, "compilee", monkeypatch)) == _json(reference)

    check()


def test_generated_charters_get_the_same_decision_whichever_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small charters mixing decided values, unknown fields, runtime errors and exhausted budgets."""
    from test_proprietes import LIMITS, charters

    declaration = build_declaration(read_bytes(b"format: fiche-projet-ia/2\nprojet:\n  id: minimale\n"
                                               b"  nom: Fiche minimale\n", "fiche.yaml"),
                                    charte_ia.default_vocabulary())

    @given(charters())
    def check(generated: tuple[str, Any]) -> None:
        charte = charter_from_document(read_bytes(generated[0].encode(), "charte.yaml"), limits=LIMITS)
        reference = _decide(charte, declaration, "interpretee", monkeypatch)
        assert _json(_decide(charte, declaration, "compilee", monkeypatch)) == _json(reference)

    check()
