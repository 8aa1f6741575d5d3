"""charte-ia tester: examples in rules, charter test files, coverage and its threshold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import MINI_CHARTE, Run

REGLE = MINI_CHARTE + """
  - id: T-01
    titre: DPO consulté
    principe: test
    severite: majeur
    applicable_si: projet.donnees.personnelles
    exigence:
      toutes:
        - {id: dpo, expr: projet.donnees.dpo_consulte}
        - {id: registre, expr: projet.donnees.inscrit_registre_traitements}
    message: m
    exemples:
      - nom: Tout est fait
        projet: {donnees: {personnelles: true, dpo_consulte: true, inscrit_registre_traitements: true}}
        attendu: conforme
      - nom: DPO absent
        projet: {donnees: {personnelles: true, dpo_consulte: false, inscrit_registre_traitements: true}}
        attendu: non_conforme
"""


def test_examples_pass_but_coverage_below_threshold_fails(run: Callable[..., Run], write) -> None:
    charte = write("charte.yaml", REGLE)
    result = run("tester", charte)
    assert result.code == 1
    assert f"✗ {charte} : 2 exemples, 0 cas, 2 réussis ; couverture 75 % de 1 règle (seuil 100 %)" \
        in result.out
    assert "non couvert : T-01 : la clause « registre » n'est jamais en échec" in result.out
    assert run("tester", charte, "--seuil", "75").code == 0


def test_a_wrong_expectation_is_reported_with_its_place(run: Callable[..., Run], write) -> None:
    charte = write("charte.yaml", REGLE.replace("attendu: non_conforme", "attendu: conforme"))
    result = run("tester", charte, "--seuil", "0")
    assert result.code == 1
    assert f"{charte}:31:9: exemple « DPO absent » de T-01" in result.out
    assert "T-01 : attendu conforme, obtenu non_conforme" in result.out


def test_an_invalid_example_is_invalid_input(run: Callable[..., Run], write) -> None:
    charte = write("charte.yaml", REGLE.replace("dpo_consulte: false", "dpo_consultee: false"))
    result = run("tester", charte)
    assert result.code == 3
    assert f"{charte}:32:48: erreur [fiche] clé inconnue « dpo_consultee »" in result.err


def test_test_files_check_verdict_rules_and_missing_fields(run: Callable[..., Run], write) -> None:
    write("charte.yaml", REGLE)
    write("fiche.yaml", """
format: fiche-projet-ia/2
projet:
  id: f
  nom: Fiche
  donnees: {personnelles: true, dpo_consulte: true}
""")
    tests = write("tests.yaml", """
format: tests-charte/1
charte: charte.yaml
cas:
  - nom: Registre inconnu
    date: 2026-11-22
    fiche: fiche.yaml
    attendu:
      verdict: incomplet
      regles: {T-01: indetermine}
      manquants: [projet.donnees.inscrit_registre_traitements]
  - nom: Registre non tenu, écrit dans le cas
    date: 2026-11-22
    projet: {donnees: {personnelles: true, dpo_consulte: true, inscrit_registre_traitements: false}}
    attendu:
      verdict: conforme
""")
    result = run("tester", tests)
    assert result.code == 1
    assert "0 exemple," not in result.out  # the charter's own examples ran too
    assert "2 exemples, 2 cas, 3 réussis ; couverture 100 %" in result.out
    assert f"{tests}:11:5: cas « Registre non tenu, écrit dans le cas »" in result.out
    assert "verdict attendu conforme, obtenu conforme_avec_reserves" in result.out


def test_test_file_mistakes_are_located(run: Callable[..., Run], write, tmp_path: Path) -> None:
    write("charte.yaml", REGLE)
    both = write("a.yaml", """
format: tests-charte/1
charte: charte.yaml
cas:
  - nom: Les deux
    date: 2026-11-22
    fiche: x.yaml
    projet: {}
    attendu: {verdict: conforme}
""")
    result = run("tester", both)
    assert result.code == 3
    assert f"{both}:4:5: erreur [tests-cas] un cas donne soit « fiche »" in result.err
    unknown = write("b.yaml", """
format: tests-charte/1
charte: charte.yaml
cas:
  - nom: Règle inconnue
    date: 2026-11-22
    projet: {donnees: {personnelles: false}}
    attendu:
      regles: {T-02: conforme}
""")
    result = run("tester", unknown)
    assert result.code == 3
    assert "[tests-regle] règle inconnue « T-02 »" in result.err
    assert "vouliez-vous dire « T-01 » ?" in result.err
    missing = write("c.yaml", "format: tests-charte/1\ncharte: absente.yaml\n"
                    "cas:\n  - {nom: x, date: 2026-11-22, projet: {}, attendu: {}}\n")
    result = run("tester", missing)
    assert result.code == 3
    assert f"charte introuvable : {tmp_path / 'absente.yaml'}" in result.err


def test_a_broken_charter_named_by_a_test_file_is_shown_where_it_is_broken(run: Callable[..., Run],
                                                                          write) -> None:
    write("charte.yaml", "format: charte_ia/1\ncharte: !secret identite\n")
    tests = write("tests.yaml", "format: tests-charte/1\ncharte: charte.yaml\n"
                  "cas:\n  - {nom: x, date: 2026-11-22, projet: {}, attendu: {}}\n")
    result = run("tester", tests)
    assert result.code == 3
    assert "charte.yaml:2:9: erreur [yaml-etiquette]" in result.err
    assert "introuvable" not in result.err
