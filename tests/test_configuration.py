"""``charte-ia.toml``: a project folder names its charter and formats once; the command line wins."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT, Run

FICHE = ROOT / "exemples" / "chatbot-etat-civil.yaml"


@pytest.fixture
def projet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FICHE, tmp_path / "fiche.yaml")
    shutil.copy(ROOT / "chartes" / "commune-modele.yaml", tmp_path / "ma-charte.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_configuration_gives_the_charter_the_date_and_the_formats(run: Callable[..., Run],
                                                                      projet: Path) -> None:
    (projet / "charte-ia.toml").write_text('charte = "ma-charte.yaml"\ndate = 2026-11-22\n\n'
                                           '[verifier]\nformat = ["json", "sarif"]\nsortie = "rapports/"\n',
                                           encoding="utf-8")
    result = run("verifier", "fiche.yaml")
    assert result.code == 0, result.err
    written = sorted(p.name for p in (projet / "rapports").iterdir())
    assert written == ["2026-chatbot-etat-civil.json", "2026-chatbot-etat-civil.sarif"]
    decision = json.loads((projet / "rapports" / "2026-chatbot-etat-civil.json").read_text(encoding="utf-8"))
    assert decision["date_reference"] == "2026-11-22"
    assert decision["charte"]["fichier"].endswith("ma-charte.yaml")
    # what the command line says wins; the other commands take the keys they have
    assert run("verifier", "fiche.yaml", "--date", "2026-12-01", "-f", "json").code == 0
    again = json.loads((projet / "rapports" / "2026-chatbot-etat-civil.json").read_text(encoding="utf-8"))
    assert again["date_reference"] == "2026-12-01"
    assert run("expliquer", "AIA-05").code == 0  # --charte from the configuration


def test_a_pyproject_table_is_read_and_a_model_charter_named(run: Callable[..., Run], projet: Path) -> None:
    text = '[project]\nname = "x"\n\n[tool.charte-ia]\ncharte = "commune-modele"\ndate = "2026-11-22"\n'
    (projet / "pyproject.toml").write_text(text, encoding="utf-8")
    result = run("verifier", "fiche.yaml", "-f", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["charte"]["fichier"].endswith("commune-modele.yaml")


@pytest.mark.parametrize(("text", "message"), [
    ('chartes = "x"\n', "clé inconnue « chartes »"),
    ('[verifier]\nprocessus = "2"\n', "« verifier.processus » : valeur de type inattendu"),
    ('charte = "x\n', "configuration TOML invalide"),
    ('[verifier]\nsorties = "r/"\n', "clé inconnue « verifier.sorties »"),
])
def test_a_wrong_configuration_is_refused_located_in_french(run: Callable[..., Run], projet: Path,
                                                            text: str, message: str) -> None:
    (projet / "charte-ia.toml").write_text(text, encoding="utf-8")
    result = run("verifier", "fiche.yaml")
    assert result.code == 3
    assert result.err.startswith("charte-ia.toml")
    assert message in result.err


def test_another_configuration_file_is_named_with_config(run: Callable[..., Run], projet: Path) -> None:
    (projet / "ailleurs.toml").write_text('charte = "commune-modele"\ndate = 2026-11-22\n', encoding="utf-8")
    result = run("--config", "ailleurs.toml", "verifier", "fiche.yaml", "-f", "json")
    assert result.code == 0, result.err
    assert run("verifier", "fiche.yaml").code == 3  # without it, no charter is given
