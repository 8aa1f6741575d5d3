"""The published contracts: JSON Schemas, and byte-identical decisions for identical inputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from charte_ia.source import read_file
from conftest import CHARTE_MODELE, EXEMPLES, FIXTURES, Run

FICHES = sorted(EXEMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, object]]:
    from charte_ia.decision import decision_json_schema
    from charte_ia.vocabulary import default_vocabulary

    return {"declaration": default_vocabulary().json_schema(), "decision": decision_json_schema()}


def test_schema_command_prints_the_declaration_schema(run: Callable[..., Run],
                                                      schemas: dict[str, dict[str, object]]) -> None:
    result = run("schema")
    assert result.code == 0
    assert json.loads(result.out) == schemas["declaration"]
    assert json.loads(run("schema", "decision").out) == schemas["decision"]


@pytest.mark.parametrize("fiche", FICHES, ids=[f.name for f in FICHES])
def test_examples_validate_against_the_published_declaration_schema(
        fiche: Path, schemas: dict[str, dict[str, object]]) -> None:
    validator = jsonschema.Draft202012Validator(schemas["declaration"])
    validator.check_schema(schemas["declaration"])
    # Read as an editor would send it: dates as text, as in JSON.
    assert list(validator.iter_errors(read_file(fiche).data)) == []


def test_declaration_schema_refuses_what_the_loader_refuses(schemas: dict[str, dict[str, object]]) -> None:
    validator = jsonschema.Draft202012Validator(schemas["declaration"])
    bad = {"format": "fiche-projet-ia/2", "projet": {"id": "a", "nom": "b", "donnees": {"personnels": True}}}
    assert list(validator.iter_errors(bad))
    question = schemas["declaration"]["$defs"]["ProjetDonnees"]["properties"]["personnelles"]["title"]
    assert question.startswith("Le système traite-t-il des données personnelles")


@pytest.mark.parametrize("fiche", FICHES, ids=[f.name for f in FICHES])
def test_decisions_validate_against_the_published_decision_schema(
        run: Callable[..., Run], fiche: Path, schemas: dict[str, dict[str, object]]) -> None:
    result = run("verifier", fiche, "-c", CHARTE_MODELE, "--date", "2026-11-22", "-f", "json")
    decision = json.loads(result.out)
    jsonschema.Draft202012Validator(schemas["decision"]).validate(decision)
    assert decision["format"] == "decision-charte-ia/1"


def test_same_inputs_give_byte_identical_json(run: Callable[..., Run]) -> None:
    args = ("verifier", *FICHES, "-c", CHARTE_MODELE, "--date", "2026-11-22", "-f", "json")
    first, second = run(*args), run(*args)
    assert first.out == second.out
    assert json.loads(first.out)[0]["horodatage"] is None


def test_decision_records_hashes_and_reference_date(run: Callable[..., Run]) -> None:
    import hashlib

    fiche = EXEMPLES / "traduction-accueil.yaml"
    decision = json.loads(run("verifier", fiche, "-c", CHARTE_MODELE, "--date", "2026-11-22",
                              "-f", "json").out)
    assert decision["date_reference"] == "2026-11-22"
    assert decision["declaration"]["sha256"] == hashlib.sha256(fiche.read_bytes()).hexdigest()
    assert decision["charte"]["sha256"] == hashlib.sha256(CHARTE_MODELE.read_bytes()).hexdigest()
    assert decision["charte"]["version"] == "1.1.0"
    pack = FIXTURES / "communs-v1.yaml"
    assert decision["charte"]["paquets"] == [{
        "id": "communs-territoriaux", "titre": "Communs territoriaux pour une intelligence artificielle "
        "de confiance", "version": "1.0.0", "espace": "communs",
        "fichier": str(pack),
        "sha256": hashlib.sha256(pack.read_bytes()).hexdigest()}]


def test_timestamp_only_when_asked(run: Callable[..., Run]) -> None:
    decision = json.loads(run("verifier", EXEMPLES / "chatbot-etat-civil.yaml", "-c", CHARTE_MODELE,
                              "-f", "json", "--horodater").out)
    assert decision["horodatage"].endswith("Z")


def test_valider_accepts_the_model_charter(run: Callable[..., Run]) -> None:
    result = run("valider", CHARTE_MODELE)
    assert result.code == 0
    assert "charte valide — 11 règles, 2 qualifications, 2 paramètres" in result.out


def test_decisions_with_derogations_and_loosenings_validate_against_the_schema(
        run: Callable[..., Run], write, schemas: dict[str, dict[str, object]]) -> None:
    derogations = FIXTURES / "derogations" / "comite-ethique-2026.yaml"
    write("communs-v1.yaml", (FIXTURES / "communs-v1.yaml").read_text(encoding="utf-8"))
    loosened = write("charte.yaml", CHARTE_MODELE.read_text(encoding="utf-8").replace(
        "surcharges:\n", "surcharges:\n  communs.DON-02:\n    severite: mineur\n    motif: Essai.\n", 1))
    validator = jsonschema.Draft202012Validator(schemas["decision"])
    for charte in (CHARTE_MODELE, loosened):
        decision = json.loads(run("verifier", EXEMPLES / "aide-attribution-creche.yaml", "-c", charte,
                                  "--date", "2026-11-22", "--derogations", derogations, "-f", "json").out)
        validator.validate(decision)
        assert decision["derogations"][0]["etat"] == "utilisee"
    assert decision["assouplissements"][0]["cible"] == "communs.DON-02"


def test_every_choice_of_the_shipped_vocabulary_has_a_label_editors_show() -> None:
    """A committee reads « Validation systématique par un agent », not validation_systematique."""
    from charte_ia.vocabulary import default_vocabulary

    vocabulaire = default_vocabulary()
    schema = json.dumps(vocabulaire.json_schema(), ensure_ascii=False)
    unlabelled = []
    for champ in vocabulaire.champs.values():
        choices, labels = ((champ.element.valeurs, champ.element.libelles) if champ.element
                           else (champ.valeurs, champ.libelles))
        unlabelled += [f"{champ.chemin}: {v}" for v in choices if not labels.get(v, "").strip()]
    assert unlabelled == []
    assert vocabulaire.champ("projet.controle_humain.mode").libelle("validation_systematique") \
        == "Validation systématique par un agent"
    assert vocabulaire.champ("projet.usage.publics").libelle(["usagers", "mineurs"]) == "Usagers, Mineurs"
    assert '"enumDescriptions": ["Aucun contrôle humain", "Contrôle par échantillonnage"' in schema


def test_a_label_for_a_choice_the_field_does_not_have_is_refused() -> None:
    from pydantic import ValidationError

    from charte_ia.model import Champ

    refused = "libelles nomme des valeurs que le champ ne prévoit pas : peut"
    with pytest.raises(ValidationError, match=refused):
        Champ(chemin="projet.x", type="enum", section="s", question="Q ?", valeurs=("oui", "non"),
              libelles={"oui": "Oui", "peut": "Peut-être"})
