"""Declarations given as Python data or text (a procurement tool's form), checked as files are."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import yaml

import charte_ia
from conftest import CHARTE_MODELE, EXEMPLES

JOUR = date(2026, 11, 22)
FICHE = EXEMPLES / "aide-attribution-creche.yaml"


@pytest.fixture(scope="module")
def charte() -> charte_ia.Charte:
    return charte_ia.load_charter(CHARTE_MODELE)


def _decided(charte: charte_ia.Charte, source: Any) -> dict[str, Any]:
    decision = json.loads(charte_ia.evaluate(
        charte, charte_ia.load_declaration(source, vocabulaire=charte.vocabulaire), JOUR).to_json())
    for rule in decision["regles"]:  # a place in a file; data have none
        for donnee in rule["donnees"]:
            donnee["position"] = None
    del decision["declaration"]["fichier"], decision["declaration"]["sha256"]
    return decision


def test_a_dict_a_yaml_text_and_a_json_text_decide_as_the_file(charte: charte_ia.Charte) -> None:
    text = FICHE.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    from_file = _decided(charte, FICHE)
    assert from_file["verdict"] == "non_conforme"
    assert _decided(charte, data) == from_file
    assert _decided(charte, text) == from_file
    assert _decided(charte, text.encode("utf-8")) == from_file
    assert _decided(charte, json.dumps(data, default=str)) == from_file  # dates as text in JSON
    # the content fingerprint a dérogation records does not depend on the way the fiche came
    fiches = [charte_ia.load_declaration(s, vocabulaire=charte.vocabulaire) for s in (FICHE, data, text)]
    assert len({f.empreinte for f in fiches}) == 1
    assert charte_ia.load_declaration(data, vocabulaire=charte.vocabulaire).document.name == "<données>"


def test_a_wrong_value_in_data_is_placed_by_its_path(charte: charte_ia.Charte) -> None:
    data = yaml.safe_load(FICHE.read_text(encoding="utf-8"))
    data["projet"]["controle_humain"]["mode"] = "au_hasard"
    with pytest.raises(charte_ia.InvalidInputError) as refused:
        charte_ia.load_declaration(data, vocabulaire=charte.vocabulaire)
    [problem] = refused.value.diagnostics
    assert problem.location.line is None  # no line to point at in a dict
    assert problem.location.logical_path == "projet.controle_humain.mode"
    assert str(problem).startswith("<données>: erreur [fiche] ")


@pytest.mark.parametrize(("data", "code", "where"), [
    ({"format": "fiche-projet-ia/2", "projet": {"id": object()}}, "donnees-type", "projet.id"),
    ({"format": "fiche-projet-ia/2", "projet": {1: "x"}}, "donnees-cle", "projet"),
    ({"format": "fiche-projet-ia/2", "projet": {"nom": {"a", "b"}}}, "donnees-type", "projet.nom"),
    ({"format": "fiche-projet-ia/2", "projet": {"publics": list(range(30_000))}}, "yaml-trop-de-noeuds",
     None),
])
def test_hostile_data_is_refused_without_running_anything(data: dict[str, Any], code: str,
                                                          where: str | None) -> None:
    with pytest.raises(charte_ia.InvalidInputError) as refused:
        charte_ia.load_declaration(data)
    [problem] = refused.value.diagnostics
    assert problem.code == code
    if where is not None:
        assert problem.location.logical_path == where


def test_data_that_contains_itself_stops_at_the_depth_limit() -> None:
    cycle: dict[str, Any] = {"format": "fiche-projet-ia/2"}
    cycle["projet"] = cycle
    with pytest.raises(charte_ia.InvalidInputError) as refused:
        charte_ia.load_declaration(cycle)
    assert [d.code for d in refused.value.diagnostics] == ["yaml-profondeur"]


def test_something_that_is_not_a_declaration_is_refused_in_french() -> None:
    with pytest.raises(charte_ia.InvalidInputError) as refused:
        charte_ia.load_declaration(42)  # type: ignore[arg-type]
    assert "fiche de type int : un chemin, un texte YAML ou JSON, ou un dictionnaire est attendu" \
        in str(refused.value)
