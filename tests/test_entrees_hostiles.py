"""Hostile input: every file of ``tests/hostiles/`` is refused in French, located, quickly.

The corpus holds what an untrusted vendor or another collectivité could send: alias bombs,
endless nesting, binary files, Python tags, duplicate keys, several documents, CEL that is
too long, too nested or too costly. Each must end with a located French diagnostic and the
exit code 3, or, for rules that are valid but too costly to evaluate, with the status
``erreur`` — never a traceback, a hang, or ``conforme``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import charte_ia
from charte_ia import Limits, Statut, Verdict, cel, engine, output
from charte_ia.diagnostics import InvalidInputError
from charte_ia.engine import manquants
from charte_ia.limits import DEFAULT_LIMITS
from charte_ia.source import read_bytes
from conftest import MINI_CHARTE, ROOT, Run, mini_fiche

CORPUS = ROOT / "tests" / "hostiles"
CHARTE = ROOT / "chartes" / "commune-modele.yaml"
FICHE = ROOT / "tests" / "fixtures" / "fiches" / "chatbot-etat-civil.yaml"
JOUR = "2026-11-22"
ENGLISH = re.compile(r"Traceback|Error\b|\bfound\b|\bexpected\b|\bwhile\b|\bmapping\b", re.IGNORECASE)


def _command(path: Path) -> list[str]:
    name = path.name
    if name.startswith("fiche-"):
        return ["verifier", str(path), "--charte", str(CHARTE), "--date", JOUR]
    if name.startswith("derogations-"):
        return ["verifier", str(FICHE), "--charte", str(CHARTE), "--date", JOUR, "--derogations", str(path)]
    return ["valider", str(path), "--date", JOUR]


HOSTILE = sorted(p for p in CORPUS.glob("*.yaml")
                 if p.name.split("-")[0] in {"fiche", "charte", "derogations"})


def test_the_corpus_covers_what_an_attacker_would_try() -> None:
    names = {p.stem for p in HOSTILE}
    for expected in ("fiche-milliard-de-rires", "fiche-profonde", "fiche-cle-dupliquee",
                     "fiche-etiquette-python", "fiche-plusieurs-documents", "fiche-latin1", "fiche-binaire",
                     "charte-cel-trop-longue", "charte-cel-trop-imbriquee", "charte-parcours-imbriques",
                     "derogations-milliard-de-rires"):
        assert expected in names


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_every_hostile_file_is_refused_with_a_located_french_message(run: Callable[..., Run],
                                                                     path: Path) -> None:
    result = run(*_command(path))
    assert result.code == 3, result.err
    first = result.err.splitlines()[0]
    assert re.match(r".*hostiles/[\w./-]+\.yaml:\d+:\d+: erreur \[[a-z-]+\] ", first), first
    assert not ENGLISH.search(result.err), result.err
    assert "conforme" not in result.out


def test_a_diamond_of_imports_is_read_once_and_each_problem_said_once(
        run: Callable[..., Run], write: Callable[[str, str], Path]) -> None:
    """16 levels, each importing the next twice: 65 536 paths, which once took minutes."""
    result = run("valider", CORPUS / "charte-losange.yaml", "--date", JOUR)
    assert result.code == 3
    assert result.err.count("[cel-champ-inconnu]") == 1
    assert result.err.count("[import-trop-nombreux] plus de 64 paquets importés") == 1
    pack = "format: paquet_regles/1\npaquet: {{id: {id}, titre: T, version: 1.0.0, principes: {{p: P}}}}\n"
    write("c.yaml", pack.format(id="c") + "regles:\n  - {id: R, titre: T, principe: p, severite: info, "
          "exigence: 'projet.donnees.personnelles', message: M}\n")
    for name in ("a", "b"):
        write(f"{name}.yaml", pack.format(id=name)
              + "importe:\n  - {paquet: ./c.yaml, version: 1.0.0, espace: c}\n")
    charte = write("charte.yaml", MINI_CHARTE.replace("regles:\n", "importe:\n"
                   "  - {paquet: ./a.yaml, version: 1.0.0, espace: a}\n"
                   "  - {paquet: ./b.yaml, version: 1.0.0, espace: b}\n"))
    legit = charte_ia.load_charter(charte)
    assert [r.id for r in legit.regles] == ["a.c.R", "b.c.R"]  # each path keeps its own copy
    assert legit.regles[0].clauses[0].expression is legit.regles[1].clauses[0].expression  # compiled once


def test_another_declaration_cannot_borrow_a_derogation(run: Callable[..., Run]) -> None:
    fixtures = ROOT / "tests" / "fixtures"
    result = run("verifier", CORPUS / "emprunt-fiche.yaml", "--charte", fixtures / "charte-v1.yaml",
                 "--derogations", fixtures / "derogations" / "comite-ethique-2026.yaml", "--date", JOUR,
                 "-f", "json")
    decision = json.loads(result.out)
    assert (result.code, decision["verdict"]) == (1, "non_conforme")
    assert [d["etat"] for d in decision["derogations"]] == ["a_reexaminer"]
    assert decision["resume"]["derogee"] == 0


def test_the_python_tag_is_never_executed(run: Callable[..., Run], tmp_path: Path) -> None:
    trap = tmp_path / "piege"
    fiche = tmp_path / "fiche.yaml"
    fiche.write_text(mini_fiche(f"finalite: !!python/object/apply:os.system ['touch {trap}']"),
                     encoding="utf-8")
    assert run("verifier", fiche, "--charte", CHARTE).code == 3
    assert not trap.exists()


def _limited(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command in a process whose address space is capped at 2 Go."""

    def cap() -> None:  # pragma: no cover - runs in the child process
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    return subprocess.run([sys.executable, "-m", "charte_ia", *args], capture_output=True, text=True,
                          timeout=120, preexec_fn=cap if sys.platform == "linux" else None,
                          env={**os.environ, **(env or {})}, check=False)


@pytest.mark.parametrize("name", ["fiche-milliard-de-rires", "fiche-alias-texte-geant", "fiche-profonde"])
def test_bombs_stop_within_bounded_memory(name: str) -> None:
    done = _limited(*_command(CORPUS / f"{name}.yaml"))
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "MemoryError" not in done.stderr


def test_a_file_over_the_size_limit_is_refused_without_being_read_whole(run: Callable[..., Run],
                                                                      tmp_path: Path) -> None:
    big = tmp_path / "grande.yaml"
    big.write_text(mini_fiche("finalite: " + "x" * (DEFAULT_LIMITS.max_bytes + 10)), encoding="utf-8")
    result = run("verifier", big, "--charte", CHARTE)
    assert result.code == 3
    assert "[fichier-trop-grand] fichier trop volumineux (plus de 1 Mo)" in result.err


@pytest.mark.no_cover  # a large input: the code it runs is measured by the smaller hostile files
def test_a_million_keys_stop_at_the_node_limit() -> None:
    text = "".join(f"k{i}: {i}\n" for i in range(60_000)).encode()
    with pytest.raises(InvalidInputError) as refused:
        read_bytes(text, "cles.yaml")
    diagnostic = refused.value.diagnostics[0]
    assert diagnostic.code == "yaml-trop-de-noeuds"
    assert diagnostic.location.line == 10_000  # stopped while parsing, at the first value too many


# --- Limits are configurable ----------------------------------------------------------------


def test_limits_are_read_from_the_environment(run: Callable[..., Run],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTE_IA_MAX_OCTETS", "500")
    result = run("verifier", FICHE, "--charte", CHARTE, "--date", JOUR)
    assert result.code == 3
    assert "plus de 500 octets" in result.err
    monkeypatch.setenv("CHARTE_IA_MAX_OCTETS", "2_000_000")
    monkeypatch.setenv("CHARTE_IA_MAX_PROFONDEUR", "3")
    result = run("verifier", FICHE, "--charte", CHARTE, "--date", JOUR)
    assert result.code == 3
    assert "[yaml-profondeur]" in result.err


@pytest.mark.parametrize("value", ["beaucoup", "0", "-5", "1.5", "500"])
def test_a_wrong_limit_in_the_environment_is_refused(run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch,
                                                     value: str) -> None:
    monkeypatch.setenv("CHARTE_IA_CEL_MAX_IMBRICATION", value)
    result = run("valider", CHARTE)
    assert result.code == 3
    assert "CHARTE_IA_CEL_MAX_IMBRICATION: erreur [limite-invalide]" in result.err
    assert "un entier positif est attendu" in result.err


def test_the_library_takes_its_limits_as_a_value(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as refused:
        charte_ia.load_declaration(FICHE, limits=Limits(max_nodes=10))
    assert refused.value.diagnostics[0].code == "yaml-trop-de-noeuds"
    with pytest.raises(ValueError, match="entier positif"):
        Limits(max_bytes=0)
    with pytest.raises(ValueError, match="au plus 4"):
        Limits(cel_max_comprehensions=5)
    path = tmp_path / "charte.yaml"
    path.write_text(MINI_CHARTE + _rule("R1", "[1, 2, 3].all(x, x > 0)"), encoding="utf-8")
    with pytest.raises(InvalidInputError) as refused:
        charte_ia.load_charter(path, limits=Limits(cel_max_length=10))
    assert "expression trop longue (23 caractères, au plus 10)" in str(refused.value)


# --- Evaluation cost ---------------------------------------------------------------------------


def _rule(rule_id: str, exigence: str, severite: str = "bloquant") -> str:
    return (f"  - id: {rule_id}\n    titre: Règle {rule_id}\n    principe: test\n"
            f"    severite: {severite}\n    exigence: \"{exigence}\"\n    message: Échec de {rule_id}\n")


def test_a_costly_rule_is_in_error_and_the_project_not_compliant(run: Callable[..., Run]) -> None:
    result = run("verifier", CORPUS / "cout-fiche.yaml", "--charte", CORPUS / "cout-charte.yaml",
                 "--date", JOUR, "--format", "json")
    assert result.code == 1
    decision = json.loads(result.out)
    assert decision["verdict"] == "non_conforme"
    statuts = {r["id"]: (r["statut"], r["erreur"]) for r in decision["regles"]}
    assert statuts["COUT-01"][0] == statuts["COUT-02"][0] == "erreur"
    assert "plus de 50\u202f000 étapes" in statuts["COUT-01"][1]
    assert statuts["COUT-03"] == ("conforme", None)


def test_string_functions_are_charged_by_the_size_of_their_input() -> None:
    """The case observed: a 900 KB text scanned inside two nested all() ran for over a minute."""
    text = cel.to_cel({"t": "a" * 640_000})
    for source in ("p.t.contains('b')", "p.t.matches('b$')", "p.t.startsWith('b')", "size(p.t) > 0"):
        budget = cel.Budget(per_expression=1_000_000, total=1_000_000)
        assert cel.evaluate(cel.compile_expression(source), {"p": text}, budget) in (True, False)
        assert budget.left <= 1_000_000 - 10_000, source  # 640 000 characters: at least 10 000 steps
    nested = cel.compile_expression("p.l.all(x, p.l.all(y, p.t.contains(x + y)))")
    many = cel.to_cel({"t": "a" * 640_000, "l": [str(i) for i in range(10)]})
    failure = cel.evaluate(nested, {"p": many}, cel.Budget.of(DEFAULT_LIMITS))
    assert isinstance(failure, cel.Failure)
    assert "plus de 50\u202f000 étapes" in failure.message  # stopped after a handful of scans


def test_ranking_missing_information_tries_a_bounded_number_of_answers(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The case observed: one choice field of 15 000 values took 110 s and 6 GB to rank."""
    charte = CORPUS / "cout-choix-charte.yaml"
    tried = []
    real = manquants._answer_effect
    monkeypatch.setattr(manquants, "_answer_effect", lambda *a, **k: tried.append(1) or real(*a, **k))
    loaded = charte_ia.load_charter(charte)
    fiche = tmp_path / "fiche.yaml"
    fiche.write_text(mini_fiche(""), encoding="utf-8")
    decision = charte_ia.evaluate(loaded, charte_ia.load_declaration(fiche, vocabulaire=loaded.vocabulaire),
                                  date(2026, 9, 1))
    questions = {q.champ: q for q in decision.informations_manquantes}
    assert set(questions) == {"projet.grand.choix", "projet.petit.choix"}
    assert questions["projet.grand.choix"].effets == ()  # too many answers: ranked, effects not listed
    assert [e.reponse for e in questions["projet.petit.choix"].effets] == ["a", "b", "c"]
    assert len(tried) == 3 <= engine.MAX_PROBES


def test_cost_is_counted_in_steps_so_the_decision_never_depends_on_the_machine(tmp_path: Path) -> None:
    path = tmp_path / "charte.yaml"
    ten = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"
    path.write_text(MINI_CHARTE + _rule("R1", f"{ten}.all(x, {ten}.exists(y, x == y))"), encoding="utf-8")
    fiche = tmp_path / "fiche.yaml"
    fiche.write_text(mini_fiche(""), encoding="utf-8")
    statuts = []
    for steps in (1_000, 5_000, 1_000, 5_000):  # about 2 800 steps are needed
        charte = charte_ia.load_charter(path, limits=Limits(cel_max_steps=steps))
        result = charte_ia.evaluate(charte, charte_ia.load_declaration(fiche), date(2026, 9, 1)).regle("R1")
        assert result is not None
        statuts.append(result.statut)
    assert statuts == [Statut.ERREUR, Statut.CONFORME, Statut.ERREUR, Statut.CONFORME]


def test_the_decision_budget_stops_a_charter_of_many_costly_rules(tmp_path: Path) -> None:
    rules = "".join(_rule(f"R{i}", "[1,2,3,4,5,6,7,8].all(x, [1,2,3,4,5,6,7,8].exists(y, x == y))", "mineur")
                    for i in range(1, 11))
    path = tmp_path / "charte.yaml"
    path.write_text(MINI_CHARTE + rules, encoding="utf-8")
    fiche = tmp_path / "fiche.yaml"
    fiche.write_text(mini_fiche(""), encoding="utf-8")
    charte = charte_ia.load_charter(path, limits=Limits(decision_max_steps=4_000))
    decision = charte_ia.evaluate(charte, charte_ia.load_declaration(fiche), date(2026, 9, 1))
    statuts = [r.statut for r in decision.regles]
    assert Statut.CONFORME in statuts
    assert Statut.ERREUR in statuts
    assert statuts == sorted(statuts, key=lambda s: s is Statut.ERREUR)  # once spent, spent for the rest
    spent = next(r for r in decision.regles if r.statut is Statut.ERREUR)
    assert spent.erreur is not None
    assert "budget" in spent.erreur
    assert decision.verdict is Verdict.CONFORME_AVEC_RESERVES


def test_concatenations_are_charged_by_what_they_build() -> None:
    expression = cel.compile_expression("[1,2,3,4,5,6,7,8,9,10].map(x, t + t + t + t).size() == 10")
    roots = {"t": cel.to_cel("x" * 200_000)}
    result = cel.evaluate(expression, roots, cel.Budget(50_000, 300_000))
    assert isinstance(result, cel.Failure)
    assert "étapes" in result.message
    assert cel.evaluate(expression, {"t": cel.to_cel("court")}) is True


def test_an_exhausted_interpreter_stack_is_a_failure_not_a_crash() -> None:
    expression = cel.compile_expression("[1, 2, 3].all(x, x > 0 && (x < 10 || x > 20))")
    limit = sys.getrecursionlimit()

    def deep(n: int) -> object:
        return cel.evaluate(expression, {}) if n == 0 else deep(n - 1)

    result = deep(limit - 60)
    assert isinstance(result, cel.Failure)
    assert sys.getrecursionlimit() == limit


def test_the_interpreter_is_left_as_it_was_found() -> None:
    script = textwrap.dedent(f"""
        import logging, sys, threading
        sys.setrecursionlimit(5000)
        import celpy.evaluation
        before = (sys.getrecursionlimit(), sorted(vars(celpy.evaluation)), logging.getLogger().handlers[:],
                  logging.getLogger("celpy").level, threading.excepthook, sys.excepthook)
        from datetime import date
        import charte_ia
        charte = charte_ia.load_charter({str(CHARTE)!r})
        decision = charte_ia.evaluate(charte, charte_ia.load_declaration({str(FICHE)!r}), date(2026, 11, 22))
        after = (sys.getrecursionlimit(), sorted(vars(celpy.evaluation)), logging.getLogger().handlers[:],
                 logging.getLogger("celpy").level, threading.excepthook, sys.excepthook)
        assert before == after, (before[0], after[0], set(after[1]) ^ set(before[1]))
        print(decision.verdict.value)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.strip() in {v.value for v in Verdict}


# --- Nothing lost -------------------------------------------------------------------------------


def test_an_interrupted_write_leaves_the_previous_report_whole(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "decision.json"
    target.write_text("ancienne décision\n", encoding="utf-8")
    real_fdopen = os.fdopen

    class Interrupted:  # a stream killed after its first 10 characters
        def __init__(self, handle: int, *args: object, **kwargs: object) -> None:
            self.stream = real_fdopen(handle, *args, **kwargs)  # type: ignore[call-overload]

        def __enter__(self) -> Interrupted:
            return self

        def __exit__(self, *_: object) -> None:
            self.stream.close()

        def write(self, text: str) -> None:
            self.stream.write(text[:10])
            raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "fdopen", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_atomically(target, "nouvelle décision, bien plus longue\n")
    assert target.read_text(encoding="utf-8") == "ancienne décision\n"
    assert [p.name for p in tmp_path.iterdir()] == ["decision.json"]


@pytest.mark.skipif(sys.platform == "win32", reason="signal SIGKILL requis")
def test_a_killed_run_leaves_the_old_report_or_the_new_one(tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    old = "<p>rapport précédent</p>\n"
    for delay in (0.2, 0.5, 0.8, 1.1, None):  # None: not killed, the run writes its report
        target.write_text(old, encoding="utf-8")
        process = subprocess.Popen([sys.executable, "-m", "charte_ia", "verifier", str(FICHE), "--charte",
                                    str(CHARTE), "--date", JOUR, "--format", "html", "--sortie", str(target)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if delay is not None:
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=120)
        content = target.read_text(encoding="utf-8")
        whole = content.startswith("<!DOCTYPE html>") and content.rstrip().endswith("</html>")
        assert content == old or whole  # whatever the moment it was killed
        assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]
    assert whole  # the run left alone wrote its report


@pytest.mark.parametrize(("args", "code"), [
    (["verifier", str(CORPUS / "fiche-latin1.yaml"), "--charte", str(CHARTE)], 3),
    (["verifier", str(ROOT / "exemples" / "aide-attribution-creche.yaml"), "--charte", str(CHARTE),
      "--date", JOUR, "--format", "html"], 1),
])
def test_a_reader_gone_never_changes_the_exit_code(args: list[str], code: int) -> None:
    process = subprocess.Popen([sys.executable, "-m", "charte_ia", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # like « … | head -0 »
    process.stderr.close()
    assert process.wait(timeout=120) == code


def test_a_closed_standard_output_gives_no_traceback() -> None:
    done = subprocess.run([sys.executable, "-m", "charte_ia", "verifier", str(CORPUS / "fiche-latin1.yaml"),
                           "--charte", str(CHARTE)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, timeout=120, check=False, preexec_fn=lambda: os.close(1))
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert "[encodage]" in done.stderr
