"""Fail closed, as a property: generated declarations and charters, never a wrong ``conforme``.

Hypothesis generates schema-valid declarations (any subset of the vocabulary's fields, any
admissible value, ``inconnu`` included) and small charters whose rules mix decided values,
unknown fields, runtime errors and over-budget traversals, at every severity. Whatever it
draws, evaluation must not raise, the verdict must follow from the rules, and a ``bloquant``
rule in error, undetermined or not met must keep the verdict away from ``conforme``.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import charte_ia
from charte_ia import Limits, Severite, Statut, Verdict
from charte_ia.decision import ResultatRegle
from charte_ia.declaration import Declaration, build_declaration
from charte_ia.load import charter_from_document
from charte_ia.model import Champ, TypeChamp
from charte_ia.source import read_bytes
from charte_ia.verdict import verdict_of
from charte_ia.vocabulary import INCONNU
from conftest import MINI_CHARTE, ROOT

JOUR = date(2026, 11, 22)
PAYS = ("FR", "DE", "IT", "US", "CN", "GB", "CH", "IN")
CHARTES = sorted((ROOT / "chartes").glob("*.yaml"))
FAILING = {Statut.NON_CONFORME, Statut.ERREUR, Statut.INDETERMINE}
SETTINGS = settings()
"""The profile loaded by ``conftest`` (``HYPOTHESIS_PROFILE``)."""


@cache
def _charter(path: Path) -> charte_ia.Charte:
    return charte_ia.load_charter(path)


# --- Generated declarations -----------------------------------------------------------------


def _scalar(kind: TypeChamp, valeurs: tuple[str, ...], champ: Champ | None = None) -> st.SearchStrategy[Any]:
    low = -10 if champ is None or champ.minimum is None else champ.minimum
    high = 10**9 if champ is None or champ.maximum is None else champ.maximum
    return {
        TypeChamp.BOOLEEN: st.booleans(),
        TypeChamp.TEXTE: st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                                 min_size=1, max_size=30).filter(str.strip),
        TypeChamp.ENTIER: st.integers(int(low), int(high)),  # within the vocabulary's range
        TypeChamp.DECIMAL: st.floats(max(low, -1e6), high, allow_nan=False, allow_infinity=False),
        TypeChamp.DATE: st.dates(date(1990, 1, 1), date(2040, 12, 31)).map(date.isoformat),
        TypeChamp.URL: st.sampled_from(["https://exemple.fr", "https://data.ville.fr/jeu?id=3"]),
        TypeChamp.ENUM: st.sampled_from(valeurs) if valeurs else st.nothing(),
        TypeChamp.PAYS: st.sampled_from(PAYS),
    }[kind]


def _value(champ: Champ) -> st.SearchStrategy[Any]:
    if champ.type is TypeChamp.LISTE and champ.element is not None:
        element = _scalar(champ.element.type, champ.element.valeurs)
        values = st.lists(element, min_size=champ.min_elements, max_size=min(6, champ.max_elements),
                          unique=True)
    else:
        values = _scalar(champ.type, champ.valeurs, champ)
    return st.one_of(values, st.just(INCONNU)) if not champ.obligatoire else values


@st.composite
def declarations(draw: st.DrawFn, vocabulaire: charte_ia.Vocabulaire) -> bytes:
    """The bytes of a schema-valid declaration: identification plus any subset of the fields."""
    projet: dict[str, Any] = {"id": draw(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)),
                              "nom": draw(_scalar(TypeChamp.TEXTE, ()))}
    champs = [c for c in vocabulaire.champs.values() if c.chemin not in ("projet.id", "projet.nom")]
    chosen = draw(st.lists(st.sampled_from(champs), max_size=40, unique_by=lambda c: c.chemin))
    for champ in sorted(chosen, key=lambda c: c.chemin):
        *groups, leaf = champ.chemin.split(".")[1:]
        node = projet
        for group in groups:
            node = node.setdefault(group, {})
        node[leaf] = draw(_value(champ))
    document = {"format": "fiche-projet-ia/2", "projet": projet}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


def _fail_closed(decision: charte_ia.Decision) -> None:
    verdict, motifs = verdict_of(decision.regles)
    assert (decision.verdict, decision.motifs) == (verdict, motifs)
    blocking = [r for r in decision.regles if r.severite is Severite.BLOQUANT and r.statut in FAILING]
    if blocking:
        assert decision.verdict is not Verdict.CONFORME, blocking[0].id
    if any(r.statut is Statut.ERREUR for r in decision.regles):
        assert decision.verdict is not Verdict.CONFORME


@pytest.mark.no_cover  # many generated inputs: the code they run is measured by the other tests
@pytest.mark.parametrize("chemin", CHARTES, ids=lambda p: p.stem)
def test_any_valid_declaration_is_evaluated_without_raising_and_fails_closed(chemin: Path) -> None:
    charte = _charter(chemin)

    @settings(SETTINGS, max_examples=max(3, SETTINGS.max_examples // 6))  # ~1 s each: every answer is tried
    @given(declarations(charte.vocabulaire))
    def check(raw: bytes) -> None:
        declaration = build_declaration(read_bytes(raw, "fiche.yaml"), charte.vocabulaire)
        decision = charte_ia.evaluate(charte, declaration, JOUR)
        _fail_closed(decision)
        if decision.verdict is Verdict.CONFORME:
            assert decision.informations_manquantes == ()
        for info in decision.informations_manquantes:
            for effet in info.effets:  # trying an answer fails closed too
                assert effet.verdict is not Verdict.CONFORME or all(
                    s.statut not in FAILING for s in effet.regles
                    if (r := decision.regle(s.regle)) is not None and r.severite is Severite.BLOQUANT)

    check()


# --- Generated charters ------------------------------------------------------------------------

ATOMS: dict[str, list[str]] = {
    "vrai": ["true", "projet.nom != ''", "date >= timestamp('2000-01-01T00:00:00Z')"],
    "faux": ["false", "size(projet.nom) > 10000"],
    "inconnu": ["projet.donnees.personnelles", "projet.hebergement.pays_stockage.all(p, p == 'FR')",
                "projet.decisions.volume_an > 100"],
    "erreur": ["1 / 0 == 1", "projet.nom + 1 == 2", "[1, 2][5] == 1", "projet.nom == 3",
               "[1,2,3,4,5,6,7,8,9,10,11,12].all(x, [1,2,3,4,5,6,7,8,9,10,11,12].exists(y, x == y))"],
}
"""Atoms whose outcome is known for a declaration that gives only its id and name."""
LIMITS = Limits(cel_max_steps=1_000)
"""With this budget, the traversal among the « erreur » atoms runs out of steps."""


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> tuple[str, str, bool]:
    """A CEL expression, what it gives (vrai, faux, inconnu, erreur), whether it reads an unknown field."""
    if depth >= 2 or draw(st.booleans()):
        kind = draw(st.sampled_from(sorted(ATOMS)))
        return draw(st.sampled_from(ATOMS[kind])), kind, kind == "inconnu"
    left, right = draw(expressions(depth + 1)), draw(expressions(depth + 1))
    operator = draw(st.sampled_from(["&&", "||", "!"]))
    if operator == "!":
        return f"!({left[0]})", {"vrai": "faux", "faux": "vrai"}.get(left[1], left[1]), left[2]
    return (f"({left[0]}) {operator} ({right[0]})", _combine(operator, left[1], right[1]),
            left[2] or right[2])


def _combine(operator: str, left: str, right: str) -> str:
    """CEL's commutative absorption: false && x is false, true || x is true, whatever x."""
    absorbing, neutral = ("faux", "vrai") if operator == "&&" else ("vrai", "faux")
    if absorbing in (left, right):
        return absorbing
    if left == right == neutral:
        return neutral
    return "erreur" if "erreur" in (left, right) else "inconnu"


@st.composite
def charters(draw: st.DrawFn) -> tuple[str, list[tuple[str, set[Statut]]]]:
    """A small charter, with the statuses each of its rules may take for a minimal declaration."""
    rules = []
    text = MINI_CHARTE
    for index in range(draw(st.integers(1, 6))):
        exigence = draw(expressions())
        severite = draw(st.sampled_from(["bloquant", "majeur", "mineur", "info"]))
        applicable = draw(st.none() | expressions())
        text += (f"  - id: R{index}\n    titre: Règle {index}\n    principe: test\n    severite: {severite}\n"
                 f"    exigence: {yaml.safe_dump(exigence[0], width=10**6).splitlines()[0]}\n"
                 f"    message: Échec de R{index}\n")
        if applicable is not None:
            text += f"    applicable_si: {yaml.safe_dump(applicable[0], width=10**6).splitlines()[0]}\n"
        rules.append((f"R{index}", _expected(exigence[1:], None if applicable is None else applicable[1:])))
    return text, rules


def _outcomes(kind: str, reads_unknown: bool) -> set[Statut]:
    """An expression in error that reads an unknown field may be blamed on that field."""
    if kind == "erreur":
        return {Statut.ERREUR, Statut.INDETERMINE} if reads_unknown else {Statut.ERREUR}
    return {"vrai": {Statut.CONFORME}, "faux": {Statut.NON_CONFORME}, "inconnu": {Statut.INDETERMINE}}[kind]


def _expected(exigence: tuple[str, bool], applicable: tuple[str, bool] | None) -> set[Statut]:
    outcomes = _outcomes(*exigence)
    if applicable is None or applicable[0] == "vrai":
        return outcomes
    if applicable[0] == "faux":
        return {Statut.NON_APPLICABLE}
    # Unknown applicability: decided only when the requirement is met anyway.
    unknown = {Statut.CONFORME} if outcomes == {Statut.CONFORME} else {Statut.INDETERMINE, Statut.ERREUR}
    if applicable[0] == "erreur":
        return {Statut.ERREUR} | (unknown if applicable[1] else set())
    return unknown


@pytest.fixture(scope="module")
def minimal_declaration() -> Declaration:
    raw = b"format: fiche-projet-ia/2\nprojet:\n  id: minimale\n  nom: Fiche minimale\n"
    return build_declaration(read_bytes(raw, "fiche.yaml"), charte_ia.default_vocabulary())


def test_errors_unknowns_and_budgets_never_yield_conforme(minimal_declaration: Declaration) -> None:
    @SETTINGS
    @given(charters())
    def check(generated: tuple[str, list[tuple[str, set[Statut]]]]) -> None:
        text, rules = generated
        charte = charter_from_document(read_bytes(text.encode(), "charte.yaml"), limits=LIMITS)
        decision = charte_ia.evaluate(charte, minimal_declaration, JOUR)
        _fail_closed(decision)
        for rule_id, expected in rules:
            result = decision.regle(rule_id)
            assert result is not None
            assert result.statut in expected, (rule_id, result.erreur)
            if result.statut is Statut.ERREUR:
                assert result.erreur

    check()


@st.composite
def results(draw: st.DrawFn) -> list[ResultatRegle]:
    count = draw(st.integers(0, 12))
    return [ResultatRegle.model_construct(
        id=f"R{i}", titre="", principe="test", severite=draw(st.sampled_from(list(Severite))),
        statut=draw(st.sampled_from(list(Statut))), source=None) for i in range(count)]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(results())
def test_the_verdict_is_conforme_only_when_nothing_blocks_or_fails(regles: list[ResultatRegle]) -> None:
    verdict, motifs = verdict_of(regles)
    if verdict is Verdict.CONFORME:
        assert not any(r.statut is Statut.ERREUR for r in regles)
        assert not any(r.statut in FAILING for r in regles
                       if r.severite in (Severite.BLOQUANT, Severite.MAJEUR))
        assert motifs == ()
    else:
        assert motifs
        assert all(r.statut in FAILING for r in regles if r.id in motifs)
