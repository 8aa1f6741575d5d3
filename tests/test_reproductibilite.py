"""Same inputs, same decision: from several threads, under any hash seed, locale, time zone or key order."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import charte_ia
from charte_ia.declaration import Declaration, build_declaration
from charte_ia.source import read_bytes
from conftest import ROOT

JOUR = date(2026, 11, 22)
CHARTE = ROOT / "chartes" / "metropole-modele.yaml"
"""Its vocabulary holds every field the examples use."""
EXEMPLES = sorted((ROOT / "exemples").glob("*.yaml"))


def _variants(charte: charte_ia.Charte, count: int) -> list[Declaration]:
    """Declarations drawn from the examples: fields dropped, booleans flipped, answers set to ``inconnu``."""
    rng = random.Random(2026)
    sources = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in EXEMPLES]
    declarations = []
    for index in range(count):
        data = _mutated(rng, rng.choice(sources))
        raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
        declarations.append(build_declaration(read_bytes(raw, f"variante-{index}.yaml"), charte.vocabulaire))
    return declarations


def _mutated(rng: random.Random, value: Any, depth: int = 0) -> Any:
    if isinstance(value, dict):
        kept = {k: _mutated(rng, v, depth + 1) for k, v in value.items()
                if depth < 2 or rng.random() > 0.2}
        return {k: ("inconnu" if depth >= 2 and rng.random() < 0.1 else v) for k, v in kept.items()}
    if isinstance(value, bool):
        return value if rng.random() > 0.3 else not value
    return value


@pytest.mark.no_cover  # many generated inputs: the code they run is measured by the other tests
def test_one_charter_evaluated_from_many_threads_decides_as_sequentially() -> None:
    charte = charte_ia.load_charter(CHARTE)
    declarations = list(enumerate(_variants(charte, 24)))

    def decide(item: tuple[int, Declaration]) -> str:
        index, declaration = item  # the first also tries every missing answer (much slower)
        return charte_ia.evaluate(charte, declaration, JOUR, classer_manquants=index == 0).to_json()

    sequential = [decide(item) for item in declarations]
    assert len(set(sequential)) > 18  # the variants really differ
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(decide, declarations)) == sequential


def _shuffled(rng: random.Random, value: Any) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(rng, v) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(rng, v) for v in value]
    return value


def _without_places(value: Any) -> Any:
    """The decision without file names, hashes and positions: they move with the keys."""
    if isinstance(value, dict):
        return {k: _without_places(v) for k, v in value.items()
                if k not in {"fichier", "sha256", "ligne", "colonne", "position", "source"}}
    if isinstance(value, list):
        return [_without_places(v) for v in value]
    return value


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_order_of_keys_changes_nothing_but_positions(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    fiche = EXEMPLES[seed]
    charte = charte_ia.load_charter(CHARTE)
    reference = charte_ia.evaluate(charte, charte_ia.load_declaration(fiche, vocabulaire=charte.vocabulaire),
                                   JOUR)
    shuffled = tmp_path / fiche.name
    data = _shuffled(rng, yaml.safe_load(fiche.read_text(encoding="utf-8")))
    shuffled.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    moved = charte_ia.load_declaration(shuffled, vocabulaire=charte.vocabulaire)
    decision = charte_ia.evaluate(charte, moved, JOUR)
    assert decision.to_json() != reference.to_json()  # positions did move
    after, before = decision.model_dump(mode="json"), reference.model_dump(mode="json")
    assert _without_places(after) == _without_places(before)


@pytest.mark.skipif(sys.platform == "win32", reason="les fuseaux TZ se règlent ainsi sous Unix")
def test_reports_are_byte_identical_whatever_the_hash_seed_locale_or_time_zone(tmp_path: Path) -> None:
    fiche = ROOT / "exemples" / "aide-attribution-creche.yaml"
    outputs = []
    for seed, lang, zone in (("0", "C.UTF-8", "UTC"), ("1", "fr_FR.UTF-8", "Pacific/Kiritimati"),
                             ("4242", "de_DE.UTF-8", "America/Adak")):
        folder = tmp_path / f"sortie-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "LC_ALL": lang, "LANG": lang, "TZ": zone}
        done = subprocess.run(
            [sys.executable, "-m", "charte_ia", "verifier", str(fiche), "--charte", str(CHARTE),
             "--date", "2026-11-22", "--sortie", f"{folder}/", "--format", "json", "--format", "sarif",
             "--format", "junit", "--format", "markdown", "--format", "html", "--format", "texte"],
            capture_output=True, text=True, env=env, timeout=120, check=False)
        assert done.returncode in (0, 1, 2), done.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert len(outputs[0]) == 6
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.parametrize("valeur", [0.00001, 1.5e-07, 2.5, 123456.75, 1e16, -0.0])
def test_the_json_text_is_the_one_json_dumps_writes_small_decimals_included(valeur: float) -> None:
    """pydantic writes the decision six times faster, but spells 1e-05 « 0.00001 »: json takes over."""
    import json

    from charte_ia.decision import DonneeUtilisee
    from conftest import CHARTE_MODELE, EXEMPLES

    charte = charte_ia.load_charter(CHARTE_MODELE)
    fiche = charte_ia.load_declaration(EXEMPLES / "chatbot-etat-civil.yaml", vocabulaire=charte.vocabulaire)
    decision = charte_ia.evaluate(charte, fiche, date(2026, 11, 22))
    first, *rest = decision.regles
    read = first.model_copy(update={"donnees": (DonneeUtilisee(champ="projet.x", valeur=valeur),)})
    decision = decision.model_copy(update={"regles": (read, *rest)})
    text = decision.to_json()
    assert text == json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    assert f'"valeur": {json.dumps(valeur)}' in text
