"""Compiled charters kept on disk: the next run does not compile again, unless something changed."""

from __future__ import annotations

import os
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest

import charte_ia
from charte_ia import load
from conftest import FIXTURES, MINI_CHARTE, ROOT, mini_fiche

CHARTE = ROOT / "chartes" / "commune-modele.yaml"
FICHE = ROOT / "exemples" / "aide-attribution-creche.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder of its own, and no charter compiled earlier in this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHARTE_IA_CACHE", str(folder))
    monkeypatch.setattr(load, "_COMPILED", type(load._COMPILED)())
    return folder / "chartes-compilees"


def _compilations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = load._compile

    def counted(document: object, *args: object) -> charte_ia.Charte:
        seen.append(getattr(document, "name", "?"))
        return real(document, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "_compile", counted)
    return seen


def _forget() -> None:
    load._COMPILED.clear()  # as a new process would start


def test_the_second_run_reads_the_compiled_charter_and_decides_the_same(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _compilations(monkeypatch)
    first = charte_ia.load_charter(CHARTE)
    [kept] = cache.iterdir()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    _forget()
    second = charte_ia.load_charter(CHARTE)
    assert compiled == [str(CHARTE)]  # compiled once, read back the second time
    assert second is not first
    fiche = charte_ia.load_declaration(FICHE, vocabulaire=second.vocabulaire)
    assert (charte_ia.evaluate(second, fiche, date(2026, 11, 22)).to_json()
            == charte_ia.evaluate(first, fiche, date(2026, 11, 22)).to_json())


@pytest.mark.usefixtures("cache")
def test_a_changed_pack_makes_the_charter_compiled_again(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("charte-v1.yaml", "communs-v1.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    charter, pack = tmp_path / "charte-v1.yaml", tmp_path / "communs-v1.yaml"
    compiled = _compilations(monkeypatch)
    charte_ia.load_charter(charter)
    _forget()
    charte_ia.load_charter(charter)
    assert len(compiled) == 1
    pack.write_text(pack.read_text(encoding="utf-8") + "\n# modifié\n", encoding="utf-8")
    _forget()
    again = charte_ia.load_charter(charter)
    assert len(compiled) == 2
    assert again.paquets[0].fichier.endswith("communs-v1.yaml")


def test_a_damaged_or_foreign_cache_file_is_ignored(cache: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    charter = tmp_path / "charte.yaml"
    charter.write_text(MINI_CHARTE + "  - {id: R1, titre: R, principe: test, severite: mineur, "
                       "exigence: 'true', message: m}\n", encoding="utf-8")
    compiled = _compilations(monkeypatch)
    charte_ia.load_charter(charter)
    [kept] = cache.iterdir()
    kept.write_bytes(kept.read_bytes()[:100])  # truncated
    _forget()
    charte_ia.load_charter(charter)
    kept.chmod(0o666)  # writable by anyone: never trusted
    _forget()
    charte_ia.load_charter(charter)
    assert len(compiled) == 3
    fiche = tmp_path / "fiche.yaml"
    fiche.write_text(mini_fiche(""), encoding="utf-8")
    assert charte_ia.load_charter(charter).regle("R1") is not None


def test_an_empty_cache_setting_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTE_IA_CACHE", "")
    monkeypatch.setattr(load, "_COMPILED", type(load._COMPILED)())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    charte_ia.load_charter(CHARTE)
    assert os.listdir(tmp_path) == []
