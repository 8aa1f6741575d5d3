"""Shared helpers: run the command as a user would, write small files, load the model charter."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from charte_ia.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
settings.register_profile("ci", max_examples=20, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("approfondi", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
"""Generated tests: 20 fixed examples each by default (``make test``, CI), reproducible from one
run to the next; ``HYPOTHESIS_PROFILE=approfondi`` searches 400 random examples each."""

os.environ["CHARTE_IA_CACHE"] = tempfile.mkdtemp(prefix="charte-ia-tests-")
atexit.register(shutil.rmtree, os.environ["CHARTE_IA_CACHE"], ignore_errors=True)
"""Each test process keeps its compiled charters and CEL parser in a folder of its own, never in
the home folder of whoever runs the tests (a test that needs another cache sets its own)."""

CHARTE_MODELE = FIXTURES / "charte-v1.yaml"
"""A frozen charter importing a frozen pack: the mechanics tests do not move with the content."""
EXEMPLES = FIXTURES / "fiches"
"""Frozen declarations for the mechanics tests (the shipped ones are in ``exemples/``)."""


@dataclass(frozen=True)
class Run:
    """What one run of ``charte-ia`` printed, and how it ended."""

    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``charte-ia`` with these arguments, through its real error boundary."""

    def _run(*args: str | Path) -> Run:
        with pytest.raises(SystemExit) as ended:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        code = ended.value.code
        return Run(code if isinstance(code, int) else 0, captured.out, captured.err)

    return _run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a dedented text file in a temporary folder and return its path."""

    def _write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return path

    return _write


MINI_CHARTE = """
format: charte_ia/1
charte:
  id: fr.test.charte
  titre: Charte de test
  version: 1.0.0
  en_vigueur: {du: 2026-01-01}
  principes:
    test: Principe de test
parametres:
  pays_autorises:
    description: Pays admis
    valeurs:
      2026-01-01: [FR]
      2026-07-01: [FR, DE]
regles:
"""
"""The head of a small charter; tests append their own rules."""


def mini_fiche(projet: str) -> str:
    """A declaration with the given ``projet`` body (indented YAML lines)."""
    body = textwrap.indent(textwrap.dedent(projet).strip("\n"), "  ")
    return f"format: fiche-projet-ia/2\nprojet:\n  id: test\n  nom: Projet de test\n{body}\n"
