"""Checking many declarations at once, as a CI engineer sees it: progress, a summary, quiet runs."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT, Run

JOUR = "2026-11-22"
CHARTE = ROOT / "chartes" / "commune-modele.yaml"
LABELS = {"conforme": ("conforme", "conformes"),
          "conforme_avec_reserves": ("conforme avec réserves", "conformes avec réserves"),
          "non_conforme": ("non conforme", "non conformes"), "incomplet": ("incomplète", "incomplètes")}


@pytest.fixture
def lot(tmp_path: Path) -> Path:
    """A folder of every shipped example, one of which the commune charter cannot read."""
    folder = tmp_path / "fiches"
    folder.mkdir()
    for path in sorted((ROOT / "exemples").glob("*.yaml")):
        shutil.copy(path, folder / path.name)
    return folder


def _expected(run: Callable[..., Run], lot: Path) -> tuple[Counter[str], int]:
    verdicts: Counter[str] = Counter()
    invalid = 0
    for path in sorted(lot.glob("*.yaml")):
        result = run("verifier", path, "--charte", CHARTE, "--date", JOUR, "-f", "json")
        if result.code == 3:
            invalid += 1
        else:
            verdicts[json.loads(result.out)["verdict"]] += 1
    return verdicts, invalid


def test_a_run_over_a_folder_ends_with_a_summary_of_its_verdicts(run: Callable[..., Run], lot: Path,
                                                                  tmp_path: Path) -> None:
    verdicts, invalid = _expected(run, lot)
    result = run("verifier", lot, "--charte", CHARTE, "--date", JOUR, "-f", "json", "-o", f"{tmp_path}/r/")
    total = sum(verdicts.values()) + invalid
    summary = result.err.strip().splitlines()[-1]
    assert summary.startswith(f"Bilan : {total} fiches — ")
    said = summary.removeprefix(f"Bilan : {total} fiches — ").removesuffix(".").split(", ")
    expected = [f"{verdicts[v]} {LABELS[v][verdicts[v] > 1]}" for v in LABELS if verdicts[v]]
    assert said == [*expected, f"{invalid} illisibles ou invalides"]
    assert f"{sum(verdicts.values())} rapports écrits dans {tmp_path}/r :" in result.err  # few: listed
    assert "fiches vérifiées" not in result.err  # no progress line when standard error is not a terminal


def test_a_quiet_run_says_only_the_results_and_the_problems(run: Callable[..., Run], lot: Path,
                                                            tmp_path: Path) -> None:
    result = run("verifier", lot, "--charte", CHARTE, "--date", JOUR, "-f", "json", "-o", f"{tmp_path}/r/",
                 "--silencieux")
    assert "Bilan" not in result.err
    assert "rapports écrits" not in result.err
    assert "erreur [" in result.err  # the declaration the charter cannot read is still reported
    assert len(list((tmp_path / "r").iterdir())) >= 9


def test_a_terminal_sees_the_progress_then_the_summary(lot: Path, tmp_path: Path) -> None:
    """In a pseudo-terminal, as a person running the command would."""
    command = [sys.executable, "-m", "charte_ia", "verifier", str(lot), "--charte", str(CHARTE),
               "--date", JOUR, "-f", "json", "-o", f"{tmp_path}/r/"]
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=follower, env={**os.environ, "COLUMNS": "100"})
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the command has ended and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(timeout=120) in (1, 3)
    text = seen.decode("utf-8")
    assert f"1/{len(list(lot.glob('*.yaml')))} fiches vérifiées" in text
    assert "\x1b[2K" in text  # the progress line is cleared before the summary
    assert text.rstrip().splitlines()[-1].startswith("Bilan : ")


def test_a_quoted_pattern_names_the_declarations(run: Callable[..., Run], lot: Path) -> None:
    """``'fiches/**/*.yaml'`` as a CI step writes it, quoted: expanded here, in name order."""
    (lot / "sous-dossier").mkdir()
    shutil.copy(ROOT / "exemples" / "robot-tondeuse.yaml", lot / "sous-dossier" / "autre.yaml")
    every = run("verifier", f"{lot}/**/*.yaml", "-c", CHARTE, "--date", JOUR, "-f", "json", "-q")
    files = [d["declaration"]["fichier"] for d in json.loads(every.out)]
    assert files == sorted(files)
    assert f"{lot}/sous-dossier/autre.yaml" in files
    assert len(files) + every.err.count("erreur [") >= len(list(lot.rglob("*.yaml")))  # unreadable ones said
    only = run("verifier", f"{lot}/robot-*.yaml", "-c", CHARTE, "--date", JOUR, "-f", "json")
    assert json.loads(only.out)["declaration"]["fichier"] == f"{lot}/robot-tondeuse.yaml"
    none = run("verifier", f"{lot}/*.yml", "-c", CHARTE)
    assert none.code == 3
    assert f"erreur [motif-sans-fiche] le motif « {lot}/*.yml » ne désigne aucun fichier" in none.err


def test_colours_on_a_terminal_never_with_no_color(run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch,
                                                    lot: Path) -> None:
    """The verdict in its colour where a terminal shows colours (or FORCE_COLOR asks for them in a CI
    log); NO_COLOR always wins; the words are the same either way."""
    fiche = lot / "aide-attribution-creche.yaml"
    plain = run("verifier", fiche, "-c", CHARTE, "--date", JOUR)
    assert "\x1b[" not in plain.out + plain.err  # not a terminal: no escape sequence
    monkeypatch.setenv("FORCE_COLOR", "1")
    forced = run("verifier", fiche, "-c", CHARTE, "--date", JOUR)
    assert forced.out.startswith("\x1b[31m\x1b[1mDécision : NON CONFORME\x1b[0m\n")
    assert re.sub(r"\x1b\[[0-9;]*m", "", forced.out) == plain.out
    bad = run("verifier", lot / "absente.yaml", "-c", CHARTE)
    assert ": \x1b[31m\x1b[1merreur\x1b[0m [fichier-introuvable]" in bad.err
    monkeypatch.setenv("NO_COLOR", "1")
    assert run("verifier", fiche, "-c", CHARTE, "--date", JOUR).out == plain.out
