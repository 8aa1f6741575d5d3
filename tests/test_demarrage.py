"""``charte-ia init``: a team starts from a model charter and a declaration that asks the right questions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT, Run


def test_init_writes_a_model_charter_and_a_declaration_that_verifier_questions(
        run: Callable[..., Run], tmp_path: Path) -> None:
    result = run("init", "--dossier", tmp_path)
    assert result.code == 0, result.err
    charte, fiche = tmp_path / "charte.yaml", tmp_path / "fiche.yaml"
    assert charte.read_bytes() == (ROOT / "chartes" / "commune-modele.yaml").read_bytes()
    assert f"charte-ia verifier {fiche} --charte {charte}" in result.err
    decision = run("verifier", fiche, "--charte", charte, "--date", "2026-11-22", "-f", "json")
    assert decision.code == 2  # incomplet: nothing is decided on « inconnu »
    asked = [q["champ"] for q in json.loads(decision.out)["informations_manquantes"]]
    qualifying = {"projet.technique.est_systeme_ia", "projet.usage.decisions_individuelles",
                  "projet.donnees.personnelles"}
    assert set(asked[:3]) == qualifying  # the qualifying questions come first


def test_init_never_replaces_a_file(run: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "fiche.yaml").write_text("ma fiche\n", encoding="utf-8")
    result = run("init", "--dossier", tmp_path)
    assert result.code == 3
    assert "déjà présent" in result.err
    assert (tmp_path / "fiche.yaml").read_text(encoding="utf-8") == "ma fiche\n"
    assert not (tmp_path / "charte.yaml").exists()


@pytest.mark.parametrize("modele", ["departement-modele", "metropole-modele"])
def test_init_copies_the_model_charter_asked_for(run: Callable[..., Run], tmp_path: Path,
                                                 modele: str) -> None:
    assert run("init", "--modele", modele, "--dossier", tmp_path).code == 0
    assert (tmp_path / "charte.yaml").read_bytes() == (ROOT / "chartes" / f"{modele}.yaml").read_bytes()


def test_an_unknown_model_charter_is_refused_with_the_nearest_name(run: Callable[..., Run],
                                                                   tmp_path: Path) -> None:
    result = run("init", "--modele", "commune", "--dossier", tmp_path)
    assert result.code == 3
    assert "vouliez-vous dire « commune-modele »" in result.err
    assert list(tmp_path.iterdir()) == []
