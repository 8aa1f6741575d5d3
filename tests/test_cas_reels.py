"""Real, documented projects: does the tool decide as a careful DPO does?

``tests/cas-reels/cas.yaml`` holds each project's sources, facts, hypotheses and the decision
a DPO would give, written before the tool was run (``tests/cas-reels/README.md``). A case
agrees when the verdict and every rule status it lists are the tool's. Agreement must reach
95 %; each disagreement is explained in the case (``ecart``), and an explanation that no
longer matches a disagreement fails, so that none outlives its cause.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from charte_ia import evaluate, load_charter, load_declaration
from charte_ia.charter import Charte
from charte_ia.decision import Decision

pytestmark = pytest.mark.no_cover  # the shipped content: its code paths are measured by other tests

CAS_REELS = Path(__file__).parent / "cas-reels"
CHARTES = Path(__file__).parents[1] / "src" / "charte_ia" / "chartes"
CAS: list[dict[str, Any]] = yaml.safe_load((CAS_REELS / "cas.yaml").read_text("utf-8"))["cas"]
INTERCOMMUNALITES = {"communaute_communes", "communaute_agglomeration", "communaute_urbaine", "metropole"}


@cache
def _charter(name: str) -> Charte:
    return load_charter(CHARTES / f"{name}.yaml")


@cache
def _decision(case_id: str) -> Decision:
    case = next(c for c in CAS if c["id"] == case_id)
    charte = _charter(case["charte"])
    declaration = load_declaration(CAS_REELS / case["fiche"], vocabulaire=charte.vocabulaire)
    return evaluate(charte, declaration, date.fromisoformat(str(case["date"])))


def _differences(case: dict[str, Any]) -> list[str]:
    decision = _decision(case["id"])
    attendu = case["attendu"]
    found = []
    if decision.verdict.value != attendu["verdict"]:
        found.append(f"verdict : attendu {attendu['verdict']}, obtenu {decision.verdict.value}")
    for regle_id, statut in attendu.get("regles", {}).items():
        result = decision.regle(regle_id)
        got = result.statut.value if result is not None else "absente"
        if got != statut:
            found.append(f"{regle_id} : attendu {statut}, obtenu {got}")
    if (first := attendu.get("premiere_question")) is not None:
        asked = decision.informations_manquantes[0].champ if decision.informations_manquantes else None
        if asked != first:
            found.append(f"première question : attendu {first}, obtenu {asked}")
    return found


def test_the_cases_cover_what_a_dpo_meets() -> None:
    assert len(CAS) >= 20
    assert len({c["id"] for c in CAS}) == len(CAS)
    assert {c["attendu"]["verdict"] for c in CAS} == {"conforme", "conforme_avec_reserves", "non_conforme",
                                                     "incomplet"}
    types = {c["type"] for c in CAS}
    assert {"commune", "departement", "region"} <= types
    assert types & INTERCOMMUNALITES
    qualifications = {yaml.safe_load((CAS_REELS / c["fiche"]).read_text("utf-8"))["projet"]["technique"]
                      ["est_systeme_ia"] for c in CAS}
    assert {"oui", "non"} <= qualifications, "des systèmes d'IA et des algorithmes sans IA"


@pytest.mark.parametrize("case", CAS, ids=[c["id"] for c in CAS])
def test_each_case_is_sourced_and_reasoned(case: dict[str, Any]) -> None:
    assert case["sources"], "un cas réel cite au moins une source"
    for source in case["sources"]:
        assert str(source["url"]).startswith("https://")
        assert source["titre"]
        date.fromisoformat(str(source["date"]))
    for key in ("faits", "hypotheses", "raisonnement"):
        assert case[key].strip(), f"« {key} » est vide"
    assert (CAS_REELS / case["fiche"]).is_file()


@pytest.mark.parametrize("case", CAS, ids=[c["id"] for c in CAS])
def test_a_disagreement_is_explained_and_an_explanation_is_current(case: dict[str, Any]) -> None:
    differences = _differences(case)
    if "ecart" in case:
        assert differences, f"l'écart expliqué n'existe plus : retirer « ecart » du cas ({case['ecart']})"
    else:
        assert not differences, "désaccord sans explication : " + " ; ".join(differences)


def test_the_tool_agrees_with_the_dpo_on_at_least_95_percent_of_real_projects() -> None:
    agreeing = sum(1 for case in CAS if not _differences(case))
    assert agreeing / len(CAS) >= 0.95, f"accord {agreeing}/{len(CAS)}"
