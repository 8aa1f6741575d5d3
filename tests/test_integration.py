"""The CI integration examples: the pre-commit hook, GitHub Actions and GitLab CI.

Each example is read as its CI system would read it, and the command it runs is run here on
a copy of the shipped content laid out as a repository of declarations (``fiches/`` and
``charte/``), so that the files it uploads or publishes really exist.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from junitparser import JUnitXml

import charte_ia
from conftest import ROOT

FICHES = ("chatbot-etat-civil.yaml", "aide-attribution-creche.yaml")


@pytest.fixture
def depot(tmp_path: Path) -> Path:
    """A repository of declarations as a collectivité would keep it."""
    (tmp_path / "fiches").mkdir()
    for name in FICHES:
        shutil.copy(ROOT / "exemples" / name, tmp_path / "fiches" / name)
    (tmp_path / "charte").mkdir()
    shutil.copy(ROOT / "chartes" / "commune-modele.yaml", tmp_path / "charte" / "charte-ia.yaml")
    return tmp_path


def _charte_ia(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a ``charte-ia …`` command line as a shell would, globs included."""
    words = shlex.split(command)
    assert words[0] == "charte-ia"
    args = [match for word in words[1:] for match in (sorted(glob.glob(word, root_dir=cwd)) or [word])]
    return subprocess.run([sys.executable, "-m", "charte_ia", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"}, check=False)


def test_pre_commit_hook_checks_the_changed_declarations(depot: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert [h["id"] for h in hooks] == ["charte-ia"]
    hook = hooks[0]
    assert hook["language"] == "python"
    assert hook["entry"] == "charte-ia verifier"
    changed = ["fiches/aide-attribution-creche.yaml"]
    assert all(re.search(hook["files"], path) for path in changed)
    # pre-commit runs: entry + args + the changed files
    command = f"{hook['entry']} --charte charte/charte-ia.yaml --date 2026-11-22 {changed[0]}"
    result = _charte_ia(command, depot)
    assert result.returncode == 1  # a non-conforming declaration stops the commit
    assert "Décision : NON CONFORME" in result.stdout


def test_github_actions_example_writes_the_sarif_it_uploads(depot: Path) -> None:
    workflow = yaml.safe_load((ROOT / "integration" / "github-actions.yml").read_text("utf-8"))
    steps = workflow["jobs"]["verifier"]["steps"]
    check = next(s for s in steps if s.get("id") == "verifier")
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert workflow["jobs"]["verifier"]["permissions"]["security-events"] == "write"
    result = _charte_ia(check["run"] + " --date 2026-11-22", depot)
    assert result.returncode == 1, result.stderr
    sarif_files = sorted((depot / upload["with"]["sarif_file"]).glob("*.sarif"))
    assert [p.name for p in sarif_files] == ["2026-attribution-creche.sarif", "2026-chatbot-etat-civil.sarif"]
    assert sorted((depot / "rapports").glob("*.html"))


def test_gitlab_example_writes_the_junit_report_it_publishes(depot: Path) -> None:
    job = yaml.safe_load((ROOT / "integration" / "gitlab-ci.yml").read_text("utf-8"))["charte-ia"]
    command = next(line for line in job["script"] if line.startswith("charte-ia"))
    result = _charte_ia(command + " --date 2026-11-22", depot)
    assert result.returncode == 1, result.stderr
    reports = sorted(glob.glob(job["artifacts"]["reports"]["junit"], root_dir=depot))
    assert reports == ["rapports/2026-attribution-creche.junit.xml",
                       "rapports/2026-chatbot-etat-civil.junit.xml"]
    suite = next(iter(JUnitXml.fromfile(str(depot / reports[0]))))
    assert suite.failures == 1
    assert job["artifacts"]["when"] == "always"


def test_a_folder_is_checked_over_several_processes_with_the_same_decisions(tmp_path: Path) -> None:
    """A portfolio (the shipped examples) given as a folder to two processes, and as files to one."""
    folder = tmp_path / "portefeuille"
    folder.mkdir()
    examples = sorted((ROOT / "exemples").glob("*.yaml"))
    for copy in range(1):
        for example in examples:
            (folder / f"{example.stem}-{copy}.yaml").write_bytes(example.read_bytes())
    charte = ROOT / "chartes" / "metropole-modele.yaml"

    def verifier(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "charte_ia", "verifier", *map(str, args), "--charte",
                               str(charte), "--date", "2026-11-22", "--format", "json"],
                              capture_output=True, text=True, check=False, timeout=600)

    several = verifier(folder, "--processus", "2")
    listed = verifier(*sorted(folder.iterdir()), "--processus", "1")
    assert several.returncode == listed.returncode == 1  # some are non conformes
    assert several.stdout == listed.stdout  # same decisions, in the order of the files
    assert several.stderr == listed.stderr
    files = [d["declaration"]["fichier"] for d in json.loads(several.stdout)]
    assert files == sorted(str(p) for p in folder.iterdir())


def test_reports_rendered_by_two_processes_are_those_one_process_writes(tmp_path: Path) -> None:
    """Into a folder, each report is rendered where its declaration is decided: the files written,
    the exit code (an unreadable declaration among them: 3) and the summary do not depend on it."""
    folder = tmp_path / "lot"
    folder.mkdir()
    charte = charte_ia.load_charter(ROOT / "chartes" / "commune-modele.yaml")
    examples = [p for p in sorted((ROOT / "exemples").glob("*.yaml")) if _reads(p, charte)]
    for copy in range(1):
        for example in examples:
            (folder / f"{example.stem}-{copy}.yaml").write_bytes(example.read_bytes())
    (folder / "illisible.yaml").write_text("projet: [\n", encoding="utf-8")

    def verifier(sortie: Path, processus: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "charte_ia", "verifier", str(folder), "--charte",
                               str(ROOT / "chartes" / "commune-modele.yaml"), "--date", "2026-11-22",
                               "--format", "json", "--format", "markdown", "--sortie", f"{sortie}/",
                               "--processus", processus],
                              capture_output=True, text=True, check=False, timeout=600)

    one, two = verifier(tmp_path / "un", "1"), verifier(tmp_path / "deux", "2")
    assert one.returncode == two.returncode == 3
    assert one.stderr.replace("/un", "/deux") == two.stderr
    assert f"Bilan : {len(examples) + 1} fiches" in two.stderr
    assert "1 illisible ou invalide." in two.stderr
    written = sorted(p.name for p in (tmp_path / "deux").iterdir())
    assert written == sorted(p.name for p in (tmp_path / "un").iterdir())
    assert len(written) == 2 * len(examples)  # a JSON and a Markdown report for each
    for name in written:
        assert (tmp_path / "un" / name).read_bytes() == (tmp_path / "deux" / name).read_bytes(), name
    decided = [charte_ia.evaluate(charte, charte_ia.load_declaration(path, vocabulaire=charte.vocabulaire),
                                  date(2026, 11, 22)).to_json() for path in sorted(folder.glob("*-*.yaml"))]
    files = [(tmp_path / "deux" / n).read_text(encoding="utf-8") for n in written if n.endswith(".json")]
    assert sorted(files) == sorted(decided)  # the decisions evaluate() gives, byte for byte


def _reads(path: Path, charte: charte_ia.Charte) -> bool:
    try:
        charte_ia.load_declaration(path, vocabulaire=charte.vocabulaire)
    except charte_ia.InvalidInputError:
        return False
    return True


def test_evaluate_many_decides_like_evaluate_in_order_over_two_processes() -> None:
    """The public batch API, run in a fresh interpreter (forking a test worker would copy its threads)."""
    script = """
import sys
from datetime import date
import charte_ia
charte = charte_ia.load_charter(sys.argv[1])
fiches = []
for path in sys.argv[2:]:
    try:
        fiches.append(charte_ia.load_declaration(path, vocabulaire=charte.vocabulaire))
    except charte_ia.InvalidInputError:
        pass
jour = date(2026, 11, 22)
one = [charte_ia.evaluate(charte, f, jour).to_json() for f in fiches]
two = [d.to_json() for d in charte_ia.evaluate_many(charte, fiches * 3, jour, processus=2)]
assert two == one * 3, "différent"
print(len(two), "décisions identiques")
"""
    examples = sorted(str(p) for p in (ROOT / "exemples").glob("*.yaml"))
    charte = str(ROOT / "chartes" / "commune-modele.yaml")
    done = subprocess.run([sys.executable, "-c", script, charte, *examples],
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("décisions identiques")
    assert int(done.stdout.split()[0]) >= 27  # at least 9 readable examples, three times


def test_an_empty_folder_is_an_error_not_a_silent_success(tmp_path: Path) -> None:
    from charte_ia.cli import main

    (tmp_path / "vide").mkdir()
    with pytest.raises(SystemExit) as ended:
        main(["verifier", str(tmp_path / "vide"), "--charte", str(ROOT / "chartes" / "commune-modele.yaml")])
    assert ended.value.code == 3
