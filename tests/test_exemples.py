"""End to end: every shipped example gives its recorded decision under each model charter.

The recorded decisions are the charter test files ``tests/chartes/*.yaml`` (``tests-charte/1``),
also run by ``charte-ia tester`` in ``make test``. The other tests of this file exercise the
command on the frozen fixtures of ``tests/fixtures``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from charte_ia.decision import decision_json_schema
from conftest import CHARTE_MODELE, ROOT, Run
from conftest import EXEMPLES as FICHES

EXEMPLES = ROOT / "exemples"
SCHEMA_DECISION = decision_json_schema()
TESTS_CHARTES = sorted((ROOT / "tests" / "chartes").glob("*.yaml"))
CAS = [(path, case) for path in TESTS_CHARTES
       for case in yaml.safe_load(path.read_text("utf-8"))["cas"]]


def _target(path: Path, relative: str) -> Path:
    return (path.parent / relative).resolve()


def test_every_example_is_recorded_under_a_model_charter() -> None:
    recorded = {_target(path, case["fiche"]).name for path, case in CAS}
    assert sorted(p.name for p in EXEMPLES.glob("*.yaml")) == sorted(recorded)
    assert len(recorded) >= 12


def test_examples_reach_all_four_verdicts_across_three_charters() -> None:
    verdicts = {case["attendu"]["verdict"] for _, case in CAS}
    assert verdicts == {"conforme", "conforme_avec_reserves", "non_conforme", "incomplet"}
    charters = {yaml.safe_load(path.read_text("utf-8"))["charte"] for path in TESTS_CHARTES}
    assert len(charters) == 3


def test_the_same_project_is_judged_differently_by_different_charters() -> None:
    verdicts: dict[str, set[str]] = {}
    for _, case in CAS:
        if str(case["date"]) == "2026-11-22":
            verdicts.setdefault(case["fiche"], set()).add(case["attendu"]["verdict"])
    assert any(len(found) > 1 for found in verdicts.values())


@pytest.mark.parametrize(("path", "case"), CAS, ids=[f"{p.stem}:{c['nom']}" for p, c in CAS])
def test_example_gives_its_recorded_decision(run: Callable[..., Run], path: Path,
                                             case: dict[str, Any]) -> None:
    charter = _target(path, yaml.safe_load(path.read_text("utf-8"))["charte"])
    result = run("verifier", _target(path, case["fiche"]), "--charte", charter, "--date", str(case["date"]),
                 "--format", "json")
    decision = json.loads(result.out)
    jsonschema.Draft202012Validator(SCHEMA_DECISION).validate(decision)  # the published contract
    attendu = case["attendu"]
    assert decision["verdict"] == attendu["verdict"]
    expected_code = {"conforme": 0, "conforme_avec_reserves": 0, "non_conforme": 1, "incomplet": 2}
    assert result.code == expected_code[attendu["verdict"]], result.err
    statuses = {r["id"]: r["statut"] for r in decision["regles"]}
    for regle, statut in attendu.get("regles", {}).items():
        assert statuses[regle] == statut, regle
    failing = {r["id"] for r in decision["regles"] if r["severite"] != "info"
               and r["statut"] in ("non_conforme", "indetermine", "erreur")}
    assert failing == set(attendu.get("regles", {}))
    if "manquants" in attendu:
        ranked = [info["champ"] for info in decision["informations_manquantes"]]
        assert ranked[: len(attendu["manquants"])] == attendu["manquants"]


@pytest.mark.no_cover  # the shipped content, at volume: what it runs is measured by other tests
def test_tester_passes_on_every_shipped_pack_and_charter_with_full_coverage(run: Callable[..., Run]) -> None:
    files = [*sorted((ROOT / "regles").glob("*.yaml")), *sorted((ROOT / "chartes").glob("*.yaml")),
             *TESTS_CHARTES]
    result = run("tester", *files, "--seuil", "100")
    assert result.code == 0, result.out
    assert result.out.count("✓") == 10
    assert "couverture 100 % de 22 règles" in result.out  # reglement-ia


@pytest.mark.no_cover  # the shipped content, at volume: what it runs is measured by other tests
def test_valider_passes_strictly_on_every_shipped_pack_and_charter(run: Callable[..., Run]) -> None:
    files = [*sorted((ROOT / "regles").glob("*.yaml")), *sorted((ROOT / "chartes").glob("*.yaml"))]
    result = run("valider", *files, "--strict", "--date", "2026-11-22")
    assert result.code == 0, result.err
    assert result.err == ""


@pytest.mark.parametrize("fiche", sorted(FICHES.glob("*.yaml")), ids=lambda p: p.name)
def test_terminal_output_starts_with_the_verdict(run: Callable[..., Run], fiche: Path) -> None:
    decision = json.loads(run("verifier", fiche, "--charte", CHARTE_MODELE, "--date", "2026-11-22",
                              "--format", "json").out)
    result = run("verifier", fiche, "--charte", CHARTE_MODELE, "--date", "2026-11-22")
    titles = {"conforme": "CONFORME", "conforme_avec_reserves": "CONFORME AVEC RÉSERVES",
              "non_conforme": "NON CONFORME", "incomplet": "INCOMPLET"}
    assert result.out.splitlines()[0] == f"Décision : {titles[decision['verdict']]}"
    for rule_id in decision["motifs"]:
        assert rule_id in result.out


def test_failing_rule_is_explained_with_the_line_of_the_value(run: Callable[..., Run]) -> None:
    fiche = FICHES / "aide-attribution-creche.yaml"
    result = run("verifier", fiche, "--charte", CHARTE_MODELE, "--date", "2026-11-22")
    line = next(number for number, text in enumerate(fiche.read_text("utf-8").splitlines(), 1)
                if text.strip().startswith("mode:"))
    read = "projet.controle_humain.mode = echantillonnage (Contrôle par échantillonnage)"
    assert f"{read} ({fiche}:{line}:11)" in result.out  # the value as written, its label, its place
    assert "Que faire : Prévoir une validation par un agent" in result.out
    assert "Règlement (UE) 2016/679 (RGPD), art. 22" in result.out


def test_incomplete_output_lists_the_questions_to_answer(run: Callable[..., Run]) -> None:
    result = run("verifier", FICHES / "aide-instruction-solidarite.yaml", "--charte",
                 CHARTE_MODELE, "--date", "2026-11-22")
    assert result.code == 2
    assert "Informations à compléter" in result.out
    assert "1. L'analyse d'impact relative à la protection des données (AIPD) a-t-elle été réalisée ?" \
        in result.out


def test_several_declarations_give_the_worst_exit_code(run: Callable[..., Run]) -> None:
    result = run("verifier", FICHES / "chatbot-etat-civil.yaml",
                 FICHES / "aide-instruction-solidarite.yaml",
                 FICHES / "aide-attribution-creche.yaml",
                 "--charte", CHARTE_MODELE, "--date", "2026-11-22", "--format", "json")
    assert result.code == 1  # non conforme outranks incomplet
    assert [d["verdict"] for d in json.loads(result.out)] == ["conforme", "incomplet", "non_conforme"]


def test_strict_turns_reserves_into_a_failure(run: Callable[..., Run]) -> None:
    args = ("verifier", FICHES / "traduction-accueil.yaml", "--charte", CHARTE_MODELE,
            "--date", "2026-11-22")
    assert run(*args).code == 0
    assert run(*args, "--strict").code == 1


def test_declaration_read_from_standard_input(run: Callable[..., Run],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    raw = (FICHES / "aide-attribution-creche.yaml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    result = run("verifier", "-", "--charte", CHARTE_MODELE, "--date", "2026-11-22",
                 "-f", "json")
    assert result.code == 1
    assert json.loads(result.out)["declaration"]["fichier"] == "-"


def test_internal_error_is_reported_in_french_without_traceback(run: Callable[..., Run],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import charte_ia.batch

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(charte_ia.batch, "evaluate", broken)
    result = run("verifier", FICHES / "chatbot-etat-civil.yaml", "--charte", CHARTE_MODELE)
    assert result.code == 4
    assert "erreur interne (RuntimeError)" in result.err
    assert "Traceback" not in result.err
    assert result.out == ""
