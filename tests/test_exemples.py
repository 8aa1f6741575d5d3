"""End to end: every shipped example gives its recorded decision, through the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, Run

EXEMPLES = ROOT / "exemples"
ATTENDUS = yaml.safe_load((Path(__file__).parent / "exemples_attendus.yaml").read_text("utf-8"))
CAS = sorted(ATTENDUS["fiches"].items())


def test_every_example_has_a_recorded_result() -> None:
    assert sorted(p.name for p in EXEMPLES.glob("*.yaml")) == [name for name, _ in CAS]


def test_examples_reach_all_four_verdicts() -> None:
    verdicts = {attendu["verdict"] for _, attendu in CAS}
    assert verdicts == {"conforme", "conforme_avec_reserves", "non_conforme", "incomplet"}


@pytest.mark.parametrize(("fiche", "attendu"), CAS, ids=[name for name, _ in CAS])
def test_example_gives_its_recorded_decision(run: Callable[..., Run], fiche: str,
                                             attendu: dict[str, Any]) -> None:
    result = run("verifier", EXEMPLES / fiche, "--charte", ROOT / ATTENDUS["charte"],
                 "--date", str(ATTENDUS["date"]), "--format", "json")
    assert result.code == attendu["code"], result.err
    decision = json.loads(result.out)
    assert decision["verdict"] == attendu["verdict"]
    assert {r["id"]: r["statut"] for r in decision["regles"]} == attendu["regles"]
    assert list(decision["motifs"]) == attendu.get("motifs", [])
    if "manquants" in attendu:
        ranked = [info["champ"] for info in decision["informations_manquantes"]]
        assert ranked[: len(attendu["manquants"])] == attendu["manquants"]


@pytest.mark.parametrize(("fiche", "attendu"), CAS, ids=[name for name, _ in CAS])
def test_terminal_output_starts_with_the_verdict(run: Callable[..., Run], fiche: str,
                                                 attendu: dict[str, Any]) -> None:
    result = run("verifier", EXEMPLES / fiche, "--charte", ROOT / ATTENDUS["charte"],
                 "--date", str(ATTENDUS["date"]))
    titles = {"conforme": "CONFORME", "conforme_avec_reserves": "CONFORME AVEC RÉSERVES",
              "non_conforme": "NON CONFORME", "incomplet": "INCOMPLET"}
    assert result.out.splitlines()[0] == f"Décision : {titles[attendu['verdict']]}"
    for rule_id in attendu.get("motifs", []):
        assert rule_id in result.out


def test_failing_rule_is_explained_with_the_line_of_the_value(run: Callable[..., Run]) -> None:
    fiche = EXEMPLES / "aide-attribution-creche.yaml"
    result = run("verifier", fiche, "--charte", ROOT / ATTENDUS["charte"], "--date", "2026-11-22")
    line = next(number for number, text in enumerate(fiche.read_text("utf-8").splitlines(), 1)
                if text.strip().startswith("mode:"))
    assert f"projet.controle_humain.mode = echantillonnage ({fiche}:{line}:11)" in result.out
    assert "Que faire : Prévoir une validation par un agent" in result.out
    assert "Règlement (UE) 2016/679 (RGPD), art. 22" in result.out


def test_incomplete_output_lists_the_questions_to_answer(run: Callable[..., Run]) -> None:
    result = run("verifier", EXEMPLES / "aide-instruction-solidarite.yaml", "--charte",
                 ROOT / ATTENDUS["charte"], "--date", "2026-11-22")
    assert result.code == 2
    assert "Informations à compléter" in result.out
    assert "1. L'analyse d'impact relative à la protection des données (AIPD) a-t-elle été réalisée ?" \
        in result.out


def test_several_declarations_give_the_worst_exit_code(run: Callable[..., Run]) -> None:
    result = run("verifier", EXEMPLES / "chatbot-etat-civil.yaml",
                 EXEMPLES / "aide-instruction-solidarite.yaml",
                 EXEMPLES / "aide-attribution-creche.yaml",
                 "--charte", ROOT / ATTENDUS["charte"], "--date", "2026-11-22", "--format", "json")
    assert result.code == 1  # non conforme outranks incomplet
    assert [d["verdict"] for d in json.loads(result.out)] == ["conforme", "incomplet", "non_conforme"]


def test_strict_turns_reserves_into_a_failure(run: Callable[..., Run]) -> None:
    args = ("verifier", EXEMPLES / "traduction-accueil.yaml", "--charte", ROOT / ATTENDUS["charte"],
            "--date", "2026-11-22")
    assert run(*args).code == 0
    assert run(*args, "--strict").code == 1


def test_declaration_read_from_standard_input(run: Callable[..., Run],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    raw = (EXEMPLES / "aide-attribution-creche.yaml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    result = run("verifier", "-", "--charte", ROOT / ATTENDUS["charte"], "--date", "2026-11-22",
                 "-f", "json")
    assert result.code == 1
    assert json.loads(result.out)["declaration"]["fichier"] == "-"


def test_internal_error_is_reported_in_french_without_traceback(run: Callable[..., Run],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import charte_ia.cli

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(charte_ia.cli, "evaluate", broken)
    result = run("verifier", EXEMPLES / "chatbot-etat-civil.yaml", "--charte", ROOT / ATTENDUS["charte"])
    assert result.code == 4
    assert "erreur interne (RuntimeError)" in result.err
    assert "Traceback" not in result.err
    assert result.out == ""
