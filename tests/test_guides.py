"""The guides of the documentation site, run as written.

Each guide is a story: files shown with a title (```yaml title="ma-charte.yaml"```) are
written, in order, into a fresh folder beside the repository's ``exemples/``, ``chartes/``
and ``regles/``; each ``$ commande`` of a ```console``` block is run there by the shell,
with the project's ``charte-ia`` first on the PATH, and what it prints (standard output and
error, as in a terminal) must match the lines shown under it. A line ``…`` stands for any
number of lines; a line ending with ``…`` only gives the beginning of the line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = sorted((ROOT / "docs" / "guides").glob("*.md"))
SHARED = ("exemples", "chartes", "regles", "integration", ".pre-commit-hooks.yaml")
_FENCE = re.compile(r"^```(\w*)(.*)$")
_TITLE = re.compile(r'title="([^"]+)"')


@dataclass
class Command:
    line: int
    text: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Step:
    """A file to write, or a command to run and what it must print."""

    fichier: str | None = None
    contenu: str = ""
    commande: Command | None = None


def steps(guide: Path) -> list[Step]:
    """The files and commands of a guide, in reading order."""
    found: list[Step] = []
    lines = guide.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index].strip())
        if match is None or lines[index].strip() == "```":
            index += 1
            continue
        indent = len(lines[index]) - len(lines[index].lstrip())
        language, options = match.group(1), match.group(2)
        start = index + 1
        end = start
        while lines[end].strip() != "```":
            end += 1
        body = [line[indent:] for line in lines[start:end]]
        title = _TITLE.search(options)
        if title and "--8<--" not in "".join(body):
            found.append(Step(fichier=title.group(1), contenu="\n".join(body) + "\n"))
        elif language == "console":
            for offset, line in enumerate(body):
                if line.startswith("$ "):
                    found.append(Step(commande=Command(start + offset + 1, line[2:])))
                elif found and found[-1].commande is not None:
                    found[-1].commande.expected.append(line)
        index = end + 1
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` has the lines shown, ``…`` standing for any lines in between."""
    segments: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == "…":
            segments.append([])
        else:
            segments[-1].append(line.rstrip())
    anchored_start = bool(expected) and expected[0].strip() != "…"
    anchored_end = bool(expected) and expected[-1].strip() != "…"
    position = 0
    for number, segment in enumerate(segments):
        if not segment:
            continue
        first, last = number == 0 and anchored_start, number == len(segments) - 1 and anchored_end
        starts = [position] if first else range(position, len(actual) - len(segment) + 1)
        found = next((s for s in starts if _same(segment, actual[s:s + len(segment)])
                      and (not last or s + len(segment) == len(actual))), None)
        if found is None:
            return False
        position = found + len(segment)
    return True


def _same(expected: list[str], actual: list[str]) -> bool:
    if len(expected) != len(actual):
        return False
    return all(a == e or (e.endswith("…") and a.startswith(e[:-1]))
               for e, a in zip(expected, actual, strict=True))


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    for name in SHARED:
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def test_every_guide_has_commands() -> None:
    assert len(GUIDES) == 8
    for guide in GUIDES:
        assert any(s.commande for s in steps(guide)), f"{guide.name} ne contient aucune commande"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.stem)
def test_guide_runs_as_written(guide: Path, sandbox: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "LC_ALL": "C.UTF-8", "TZ": "Europe/Paris", "COLUMNS": "100", "NO_COLOR": "1",
           "PYTHONUNBUFFERED": "1"}  # standard output and error interleaved as in a terminal
    env.pop("CHARTE_IA_DEBUG", None)
    for step in steps(guide):
        if step.fichier is not None:
            target = sandbox / step.fichier
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.contenu, encoding="utf-8")
            continue
        command = step.commande
        assert command is not None
        done = subprocess.run(["bash", "-c", command.text], cwd=sandbox, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=120, check=False)
        actual = done.stdout.rstrip("\n").splitlines()
        actual = [line.rstrip() for line in actual]
        if not command.expected:  # nothing shown: the command must simply succeed
            where = f"{guide.name}:{command.line}"
            assert done.returncode == 0, f"{where} : code {done.returncode}\n{done.stdout}"
        assert "Traceback" not in done.stdout, f"{guide.name}:{command.line} : {done.stdout}"
        assert matches(command.expected, actual), (
            f"{guide.name}:{command.line} : « {command.text} » n'affiche pas ce que dit le guide.\n"
            "--- attendu ---\n" + "\n".join(command.expected) + "\n--- obtenu ---\n" + "\n".join(actual))


def test_matching_rules() -> None:
    actual = ["Décision : CONFORME", "  détail", "  autre", "Bilan : 3 règles"]
    assert matches(["Décision : CONFORME", "…", "Bilan : 3 règles"], actual)
    assert matches(["Décision : CONF…", "…"], actual)
    assert not matches(["Décision : NON CONFORME", "…"], actual)
    assert not matches(["Décision : CONFORME"], actual)  # the rest of the output is not shown
    assert not matches(["…", "  autre", "  détail", "…"], actual)  # order matters
    assert matches([], [])
