"""Files: nothing lost, nothing clobbered, every failure explained, interruptions clean."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from charte_ia import output
from charte_ia.output import ReportNames, write_atomically
from conftest import CHARTE_MODELE, EXEMPLES, FIXTURES, ROOT, Run

CRECHE = EXEMPLES / "aide-attribution-creche.yaml"  # non conforme
CHATBOT = EXEMPLES / "chatbot-etat-civil.yaml"  # conforme
JOUR = "2026-11-22"


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    previous = os.umask(0o022)

    def _set(value: int) -> None:
        os.umask(value)

    yield _set
    os.umask(previous)


def _with_id(source: Path, target: Path, new_id: str) -> Path:
    text = source.read_text(encoding="utf-8")
    old_id = next(line for line in text.splitlines() if line.startswith("  id: "))
    target.write_text(text.replace(old_id, f"  id: {json.dumps(new_id)}", 1), encoding="utf-8")
    return target


def test_two_declarations_never_share_a_report(run: Callable[..., Run], tmp_path: Path) -> None:
    """The loss observed: ids ``x``, ``x``, ``x-2`` wrote the only non-conforme report over."""
    fiches = [_with_id(CHATBOT, tmp_path / "a.yaml", "x"), _with_id(CHATBOT, tmp_path / "b.yaml", "x"),
              _with_id(CRECHE, tmp_path / "c.yaml", "x-2"), _with_id(CHATBOT, tmp_path / "d.yaml", "X")]
    result = run("verifier", *fiches, "-c", CHARTE_MODELE, "--date", JOUR, "-f", "json",
                 "-o", f"{tmp_path}/rapports/")
    assert result.code == 1
    reports = sorted((tmp_path / "rapports").glob("*.json"))
    assert [p.name for p in reports] == ["X-3.json", "x-2-2.json", "x-2.json", "x.json"]
    verdicts = {p.stem: json.loads(p.read_text(encoding="utf-8"))["verdict"] for p in reports}
    assert verdicts == {"x": "conforme", "x-2": "conforme", "x-2-2": "non_conforme", "X-3": "conforme"}


def test_long_and_odd_ids_get_short_stable_names() -> None:
    long_id = "projet-" + "tres-long-" * 40
    first, again = ReportNames().stem(long_id), ReportNames().stem(long_id)
    assert first == again
    assert len(first) <= output.MAX_STEM
    assert first.startswith("projet-tres-long-")
    names = ReportNames()
    assert [names.stem(i) for i in ("../../etc/passwd", "NUL", "  ", "é/è", long_id + "x")] == [
        "etc-passwd", "fiche-NUL", "fiche", "fiche-2", ReportNames().stem(long_id + "x")]
    assert ReportNames().stem(long_id + "x") != first


def test_an_id_cannot_write_outside_the_folder(run: Callable[..., Run], tmp_path: Path) -> None:
    hostile = ROOT / "tests" / "hostiles" / "rapport-identifiant-hostile.yaml"
    result = run("verifier", hostile, "-c", CHARTE_MODELE, "--date", JOUR, "-f", "json", "-f", "html",
                 "-o", f"{tmp_path}/rapports/")
    assert result.code == 0, result.err
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    stem = ReportNames().stem("../../../etc/cron.d/" + "x" * 300)
    assert [str(p) for p in written] == [f"rapports/{stem}.html", f"rapports/{stem}.json"]
    assert stem.startswith("etc-cron.d-xxx")
    assert len(stem) <= output.MAX_STEM


def test_a_file_where_a_folder_is_expected(run: Callable[..., Run], tmp_path: Path) -> None:
    existing = tmp_path / "rapport.txt"
    existing.write_text("à garder\n", encoding="utf-8")
    result = run("verifier", CHATBOT, "-c", CHARTE_MODELE, "--date", JOUR, "-f", "json", "-f", "html",
                 "-o", existing)
    assert result.code == 3
    assert result.err.startswith(f"{existing}: erreur [sortie-impossible] « {existing} » est un fichier")
    assert existing.read_text(encoding="utf-8") == "à garder\n"
    below = run("verifier", CHATBOT, "-c", CHARTE_MODELE, "--date", JOUR, "-o", existing / "r.txt")
    assert below.code == 3
    assert "erreur [sortie-impossible] écriture impossible de" in below.err
    assert "interne" not in below.err


@pytest.mark.parametrize(("code", "cause"), [
    (errno.ENOSPC, "disque plein"), (errno.EROFS, "système de fichiers en lecture seule"),
    (errno.EACCES, "permission refusée"), (errno.EDQUOT, "quota de disque dépassé")])
def test_write_failures_are_explained_and_leave_nothing(run: Callable[..., Run], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch, code: int,
                                                        cause: str) -> None:
    def failing(*_: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output.os, "replace", failing)
    target = tmp_path / "rapport.json"
    result = run("verifier", CHATBOT, "-c", CHARTE_MODELE, "--date", JOUR, "-f", "json", "-o", target)
    assert result.code == 3
    assert f"{target}: erreur [sortie-impossible] écriture impossible de « {target} » : {cause}" in result.err
    assert list(tmp_path.iterdir()) == []


def test_reports_follow_the_umask_and_a_replaced_file_keeps_its_mode(
        run: Callable[..., Run], tmp_path: Path, umask: Callable[[int], None]) -> None:
    shared = tmp_path / "partage.txt"
    assert run("verifier", CHATBOT, "-c", CHARTE_MODELE, "--date", JOUR, "-o", shared).code == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644
    umask(0o027)
    group = tmp_path / "groupe.txt"
    run("verifier", CHATBOT, "-c", CHARTE_MODELE, "--date", JOUR, "-o", group)
    assert stat.S_IMODE(group.stat().st_mode) == 0o640
    private = tmp_path / "fiche.yaml"
    private.write_text("ancienne\n", encoding="utf-8")
    private.chmod(0o600)
    write_atomically(private, "nouvelle\n")
    assert private.read_text(encoding="utf-8") == "nouvelle\n"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_documenter_removes_only_what_it_made(run: Callable[..., Run], tmp_path: Path,
                                             umask: Callable[[int], None]) -> None:
    umask(0o022)
    mine = tmp_path / ".catalogue.ancien"
    mine.mkdir()
    (mine / "notes.md").write_text("mes notes\n", encoding="utf-8")
    for _ in range(2):
        result = run("documenter", FIXTURES / "communs-v1.yaml", "--sortie", tmp_path / "catalogue",
                     "--date", JOUR)
        assert result.code == 0, result.err
    assert (mine / "notes.md").read_text(encoding="utf-8") == "mes notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".catalogue.ancien", "catalogue"]
    assert stat.S_IMODE((tmp_path / "catalogue").stat().st_mode) == 0o755


@pytest.mark.parametrize(("sent", "code", "message"), [
    (signal.SIGINT, 130, "Interrompu (Ctrl-C) : aucun fichier n'est resté à moitié écrit."),
    (signal.SIGTERM, 143, "Arrêté (SIGTERM) : aucun fichier n'est resté à moitié écrit.")])
def test_interruptions_exit_with_the_shell_codes_and_leave_no_temporary_file(
        tmp_path: Path, sent: signal.Signals, code: int, message: str) -> None:
    """The second declaration is a pipe nobody writes to: the run is stopped while it waits."""
    pipe = tmp_path / "fiche-en-attente.yaml"
    os.mkfifo(pipe)
    folder = tmp_path / "rapports"
    command = [sys.executable, "-m", "charte_ia", "verifier", str(CHATBOT), str(pipe),
               "-c", str(CHARTE_MODELE), "--date", JOUR, "-f", "json", "-f", "html", "-o", f"{folder}/"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (folder / "2026-chatbot-etat-civil.html").exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "le premier rapport n'a jamais été écrit"
            time.sleep(0.05)
        process.send_signal(sent)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == code
    assert err.splitlines() == [message]
    assert out == ""
    assert sorted(p.name for p in folder.iterdir()) == ["2026-chatbot-etat-civil.html",
                                                        "2026-chatbot-etat-civil.json"]


def test_the_cel_parser_is_kept_in_a_private_cache_and_decides_the_same(tmp_path: Path) -> None:
    """The analysed CEL grammar is kept between runs, only in a folder no one else can write to."""
    fiche, charte = ROOT / "exemples" / "traduction-accueil.yaml", ROOT / "chartes" / "commune-modele.yaml"
    command = [sys.executable, "-m", "charte_ia", "verifier", str(fiche), "--charte", str(charte),
               "--date", "2026-11-22", "-f", "json"]
    cache = tmp_path / "cache"

    def run(folder: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, capture_output=True, text=True, check=False,
                              env={**os.environ, "CHARTE_IA_CACHE": folder})

    without = run("")
    first, second = run(str(cache)), run(str(cache))
    assert without.returncode == first.returncode == second.returncode == 0
    assert without.stdout == first.stdout == second.stdout
    assert (cache / "analyseur-cel.lark").is_file()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    shared = tmp_path / "partage"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could plant a file here: never used
    assert run(str(shared)).stdout == without.stdout
    assert list(shared.iterdir()) == []


def test_a_model_charter_is_named_instead_of_a_path(run: Callable[..., Run], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fiche = ROOT / "exemples" / "chatbot-etat-civil.yaml"
    by_path = run("verifier", fiche, "--charte", ROOT / "chartes" / "commune-modele.yaml", "--date", JOUR,
                  "-f", "json")
    monkeypatch.chdir(tmp_path)  # no file called commune-modele here
    by_name = run("verifier", fiche, "--charte", "commune-modele", "--date", JOUR, "-f", "json")
    assert by_name.code == by_path.code == 0
    named, pathed = json.loads(by_name.out), json.loads(by_path.out)
    assert named["charte"]["fichier"].endswith("commune-modele.yaml")
    assert named["charte"]["sha256"] == pathed["charte"]["sha256"]
    assert ([(r["id"], r["statut"]) for r in named["regles"]]
            == [(r["id"], r["statut"]) for r in pathed["regles"]])
    assert (named["verdict"], named["resume"]) == (pathed["verdict"], pathed["resume"])
    misspelt = run("verifier", fiche, "--charte", "commune-modle", "--date", JOUR)
    assert misspelt.code == 3
    assert "vouliez-vous dire « commune-modele »" in misspelt.err
    unknown = run("verifier", fiche, "--charte", "ailleurs.yaml", "--date", JOUR)
    assert unknown.code == 3
    assert "commune-modele, departement-modele, metropole-modele" in unknown.err
    (tmp_path / "commune-modele").write_text("pas: une charte\n", encoding="utf-8")
    assert run("verifier", fiche, "--charte", "commune-modele", "--date", JOUR).code == 3  # a file wins


@pytest.mark.parametrize(("name", "start"), [("r.html", "<!DOCTYPE html>"), ("r.json", "{"),
                                             ("r.sarif", "{"), ("r.junit.xml", "<?xml"), ("r.md", "# "),
                                             ("r.txt", "Décision"), ("r", "Décision")])
def test_the_output_format_follows_the_extension_of_the_file(run: Callable[..., Run], tmp_path: Path,
                                                            name: str, start: str) -> None:
    fiche = ROOT / "exemples" / "chatbot-etat-civil.yaml"
    result = run("verifier", fiche, "--charte", CHARTE_MODELE, "--date", JOUR, "-o", tmp_path / name)
    assert result.code == 0, result.err
    text = (tmp_path / name).read_text(encoding="utf-8")
    assert text.startswith(start), text[:80]
    if name == "r.sarif":
        assert json.loads(text)["version"] == "2.1.0"
    explicit = run("verifier", fiche, "--charte", CHARTE_MODELE, "--date", JOUR, "-o", tmp_path / name,
                   "-f", "json")  # an explicit format wins over the extension
    assert json.loads((tmp_path / name).read_text(encoding="utf-8"))["format"] == "decision-charte-ia/1"
    assert explicit.code == 0
