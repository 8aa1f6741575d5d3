"""Bad input: exit code 3, a French message at file:line:column, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from charte_ia.cli import francais
from conftest import CHARTE_MODELE, EXEMPLES, MINI_CHARTE, Run, mini_fiche

RULE = """
  - id: R1
    titre: Règle de test
    principe: test
    severite: bloquant
    exigence: {expr}
    message: Message
"""


def _assert_refused(result: Run, where: str, *words: str) -> None:
    assert result.code == 3
    assert "Traceback" not in result.err + result.out
    assert where in result.err, result.err
    for word in words:
        assert word in result.err, result.err


def test_invalid_yaml_in_a_charter(run: Callable[..., Run], write: Callable[..., Path]) -> None:
    charte = write("charte.yaml", "format: charte_ia/1\ncharte:\n  id: x\n   titre: y\n")
    _assert_refused(run("valider", charte), f"{charte}:4:", "syntaxe YAML invalide")


def test_invalid_yaml_in_a_declaration(run: Callable[..., Run], write: Callable[..., Path]) -> None:
    fiche = write("fiche.yaml", "format: fiche-projet-ia/2\nprojet: {id: x, nom: [\n")
    result = run("verifier", fiche, "--charte", CHARTE_MODELE)
    _assert_refused(result, f"{fiche}:3:1", "syntaxe YAML invalide")
    assert result.out == ""


def test_unknown_key_in_a_rule_points_at_the_key(run: Callable[..., Run],
                                                 write: Callable[..., Path]) -> None:
    charte = write("charte.yaml", MINI_CHARTE + RULE.format(expr="true") + "    severitee: mineur\n")
    result = run("valider", charte)
    line = charte.read_text().splitlines().index("    severitee: mineur") + 1
    _assert_refused(result, f"{charte}:{line}:5", "clé inconnue « severitee »",
                    "vouliez-vous dire « severite » ?")


def test_cel_syntax_error_is_located_inside_the_expression(run: Callable[..., Run],
                                                           write: Callable[..., Path]) -> None:
    charte = write("charte.yaml", MINI_CHARTE + RULE.format(expr='"projet.donnees.personnelles = true"'))
    line = next(i for i, t in enumerate(charte.read_text().splitlines(), 1) if "exigence" in t)
    column = charte.read_text().splitlines()[line - 1].index("= true") + 1
    _assert_refused(run("valider", charte), f"{charte}:{line}:{column}", "syntaxe CEL invalide",
                    "écrivez « == »")


def test_unknown_field_path_suggests_the_right_one(run: Callable[..., Run],
                                                   write: Callable[..., Path]) -> None:
    charte = write("charte.yaml", MINI_CHARTE + RULE.format(expr="projet.donnees.personelles"))
    line = next(i for i, t in enumerate(charte.read_text().splitlines(), 1) if "exigence" in t)
    column = charte.read_text().splitlines()[line - 1].index("projet") + 1
    _assert_refused(run("valider", charte), f"{charte}:{line}:{column}",
                    "champ inconnu « projet.donnees.personelles »",
                    "vouliez-vous dire « projet.donnees.personnelles » ?")


def test_wrong_type_in_a_declaration(run: Callable[..., Run], write: Callable[..., Path]) -> None:
    fiche = write("fiche.yaml", mini_fiche("donnees:\n  personnelles: peut-etre\n"))
    result = run("verifier", fiche, "--charte", CHARTE_MODELE)
    _assert_refused(result, f"{fiche}:6:19", "réponse attendue : oui ou non (ou true, false)",
                    "« peut-etre » reçu")


def test_a_boolean_may_be_written_oui_or_non_as_the_reports_write_it(
        run: Callable[..., Run], write: Callable[..., Path]) -> None:
    """A value copied from a report (« = oui ») into a declaration means what the report meant."""
    outputs = []
    for oui, non in (("true", "false"), ("oui", "non"), ("Oui", "NON")):
        fiche = write(f"fiche-{oui}.yaml", mini_fiche(f"donnees:\n  personnelles: {oui}\n"
                                                      f"usage:\n  decisions_individuelles: {non}\n"))
        result = run("verifier", fiche, "--charte", CHARTE_MODELE, "--date", "2026-11-22", "-f", "json")
        assert result.code != 3, result.err
        decision = json.loads(result.out)
        decision["declaration"].pop("fichier")
        decision["declaration"].pop("sha256")  # the bytes differ; the fingerprint of the content does not
        outputs.append(json.dumps(decision).replace(fiche.name, "fiche.yaml"))
    assert outputs[0] == outputs[1] == outputs[2]


def test_unknown_field_in_a_declaration(run: Callable[..., Run], write: Callable[..., Path]) -> None:
    fiche = write("fiche.yaml", mini_fiche("donnees:\n  personnels: true\n"))
    _assert_refused(run("verifier", fiche, "--charte", CHARTE_MODELE), f"{fiche}:6:5",
                    "clé inconnue « personnels »", "vouliez-vous dire « personnelles » ?")


def test_every_problem_of_a_file_is_reported_at_once(run: Callable[..., Run],
                                                     write: Callable[..., Path]) -> None:
    fiche = write("fiche.yaml", mini_fiche("""
        donnees:
          personnelles: 1
          dpo_consulte: "peut-etre"
        hebergement:
          pays_stockage: [fr]
        """))
    result = run("verifier", fiche, "--charte", CHARTE_MODELE)
    assert result.code == 3
    assert result.err.count("erreur [fiche]") == 3
    assert "élément n° 1 : code pays ISO 3166-1" in result.err


def test_several_charter_problems_are_reported_together(run: Callable[..., Run],
                                                        write: Callable[..., Path]) -> None:
    rules = (RULE.format(expr="projet.inexistant") + RULE.format(expr="param.pays_autorise == []")
             + RULE.format(expr="qualif.nulle_part"))
    result = run("valider", write("charte.yaml", MINI_CHARTE + rules))
    assert result.code == 3
    for code in ("cel-champ-inconnu", "cel-parametre-inconnu", "cel-qualification-inconnue",
                 "regle-dupliquee"):
        assert f"[{code}]" in result.err
    assert "invalide (5 problèmes)" in result.err


def test_has_is_refused_because_it_turns_unknown_into_false(run: Callable[..., Run],
                                                            write: Callable[..., Path]) -> None:
    charte = write("charte.yaml", MINI_CHARTE + RULE.format(expr="has(projet.donnees.personnelles)"))
    _assert_refused(run("valider", charte), str(charte), "[cel-has]")


def test_wrong_format_marker(run: Callable[..., Run], write: Callable[..., Path]) -> None:
    fiche = write("fiche.yaml", "format: charte_ia/1\nprojet: {id: a, nom: b}\n")
    _assert_refused(run("verifier", fiche, "--charte", CHARTE_MODELE), f"{fiche}:1:9",
                    "format de fichier attendu : fiche-projet-ia/2")


def test_charter_given_as_declaration_is_refused(run: Callable[..., Run]) -> None:
    result = run("verifier", CHARTE_MODELE, "--charte", CHARTE_MODELE)
    _assert_refused(result, str(CHARTE_MODELE), "clé inconnue « charte »")


def test_missing_file(run: Callable[..., Run]) -> None:
    _assert_refused(run("verifier", "absente.yaml", "--charte", CHARTE_MODELE), "absente.yaml",
                    "fichier introuvable")


@pytest.mark.parametrize(("args", "message"), [
    (("verifier", "x.yaml"), "option obligatoire manquante : --charte"),
    (("verifier", "x.yaml", "-c", "c.yaml", "--date", "22/11/2026"), "date attendue au format AAAA-MM-JJ"),
    (("verifier", "x.yaml", "-c", "c.yaml", "--format", "docx"),
     "valeurs possibles : html, json, junit, markdown, pdf, sarif, texte"),
    (("verifer",), "commande inconnue « verifer »"),
    (("verifier", "x.yaml", "--chart", "c.yaml"), "option inconnue : --chart"),
    (("verifier", "x.yaml", "-c"), "l'option -c attend une valeur"),
    (("verifier", "x.yaml", "-c", "c.yaml", "--strict=oui"), "l'option --strict ne prend pas de valeur"),
    (("schema", "declaration", "decision"), "argument en trop : decision"),
    (("tester", "x.yaml", "--seuil", "120"), "--seuil : 120.0 n'est pas dans l'intervalle 0<=x<=100"),
    (("tester", "x.yaml", "--seuil", "beaucoup"), "--seuil : « beaucoup » n'est pas un nombre"),
    (("completer", "x.yaml", "-c", "c.yaml", "-o", "."), "--sortie : Fichier « . » est un dossier"),
])
def test_bad_options_are_invalid_input(run: Callable[..., Run], args: tuple[str, ...],
                                       message: str) -> None:
    result = run(*args)
    assert result.code == 3
    assert message in result.err


def test_click_speaks_french_through_its_catalogue_and_the_catalogue_follows_click() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(click.__file__).parent.glob("*.py"))
    catalogue = francais.catalogue()
    assert len(catalogue.entries) >= 20
    for msgid in catalogue.entries:  # a message click rewords would otherwise stay in English
        assert f'"{msgid}"' in source, f"click ne contient plus « {msgid} » : mettre à jour click.fr.po"
    assert catalogue.ngettext("Got unexpected extra argument ({args})",
                              "Got unexpected extra arguments ({args})", 2) == "arguments en trop : {args}"


def test_help_is_in_french(run: Callable[..., Run]) -> None:
    result = run("verifier", "--aide")
    assert result.code == 0
    assert result.out.startswith("Utilisation : charte-ia verifier [OPTIONS] FICHE...")
    assert "[obligatoire]" in result.out
    assert "Afficher cette aide et quitter." in result.out
    assert "[par défaut : commune-modele]" in " ".join(run("init", "--aide").out.split())  # « [default: …] »
    general = run("--aide").out
    assert "Commandes:" in general
    commands = general.split("Commandes:", 1)[1]
    assert "..." not in commands  # each command described by its whole first sentence


def test_no_output_file_is_written_for_invalid_input(run: Callable[..., Run],
                                                     write: Callable[..., Path],
                                                     tmp_path: Path) -> None:
    fiche = write("fiche.yaml", mini_fiche("donnees:\n  personnelles: peut-etre\n"))
    target = tmp_path / "decision.json"
    assert run("verifier", fiche, "-c", CHARTE_MODELE, "-f", "json", "-o", target).code == 3
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [fiche]


def test_output_file_is_written_whole(run: Callable[..., Run], tmp_path: Path) -> None:
    target = tmp_path / "sous-dossier" / "decision.json"
    result = run("verifier", EXEMPLES / "chatbot-etat-civil.yaml", "-c", CHARTE_MODELE, "-f", "json",
                 "-o", target, "--date", "2026-11-22")
    assert result.code == 0
    assert target.read_text("utf-8").startswith("{")
    assert [p.name for p in target.parent.iterdir()] == ["decision.json"]


def test_error_in_a_folded_expression_points_at_the_right_line(run: Callable[..., Run],
                                                                write: Callable[..., Path]) -> None:
    expr = (">-\n      projet.donnees.personnelles\n      && projet.donnees.sensibles\n"
            "      | projet.donnees.dpo_consulte")
    charte = write("charte.yaml", MINI_CHARTE + RULE.format(expr=expr))
    lines = charte.read_text().splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.strip().startswith("| projet"))
    _assert_refused(run("valider", charte), f"{charte}:{line}:7", "syntaxe CEL invalide")


def test_a_broken_qualification_is_reported_once(run: Callable[..., Run],
                                                 write: Callable[..., Path]) -> None:
    broken = "qualifications:\n  q:\n    titre: Q\n    expr: 'projet.statut ='\nregles:\n"
    head = MINI_CHARTE.replace("regles:\n", broken)
    result = run("valider", write("charte.yaml", head + RULE.format(expr="qualif.q")))
    assert result.code == 3
    assert result.err.count("erreur [") == 1
    assert "[cel-syntaxe]" in result.err


def test_a_misspelt_answer_in_a_rule_is_refused_where_it_is_written(run: Callable[..., Run],
                                                                    write: Callable[..., Path]) -> None:
    """A rule comparing with an answer the field cannot take would silently never hold."""
    expr = ("projet.controle_humain.mode == 'validation_systematiqe' || "
            "projet.hebergement.pays_stockage.all(p, p == 'FR') || projet.donnees.personnelles == 'oui'")
    charte = write("charte.yaml", MINI_CHARTE + RULE.format(expr=expr))
    text = charte.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "exigence" in t)
    typo = text.splitlines()[line - 1].index("'validation_systematiqe'") + 1
    result = run("valider", charte)
    assert result.code == 3
    assert f"{charte}:{line}:{typo}: erreur [cel-valeur-inconnue]" in result.err
    assert "vouliez-vous dire « validation_systematique » ?" in result.err
    assert "elle se compare à true ou false" in result.err
    assert result.err.count("[cel-valeur-inconnue]") == 2  # the country inside all() is not a choice
    fixed = write("juste.yaml", MINI_CHARTE + RULE.format(
        expr="projet.controle_humain.mode in ['validation_systematique', 'revue_avant_notification']"))
    assert run("valider", fixed).code == 0


def test_an_error_shows_its_line_with_a_caret_under_the_column(run: Callable[..., Run],
                                                               write: Callable[..., Path]) -> None:
    fiche = write("fiche.yaml", mini_fiche("donnees:\n  personnelles: peut-etre\n"))
    lines = run("verifier", fiche, "--charte", CHARTE_MODELE).err.splitlines()
    assert lines[1] == "    6 |     personnelles: peut-etre"
    assert lines[2].index("^") == lines[1].index("peut-etre")
    long = "true && " * 40 + "projet.donnees.personelles"  # a 346-character line, the typo at its end
    charte = write("charte.yaml", MINI_CHARTE + RULE.format(expr=long))
    shown = run("valider", charte).err.splitlines()
    excerpt, caret = shown[1], shown[2]
    assert excerpt.startswith(tuple(f"{n:>5} | …" for n in range(1, 100)))
    assert len(excerpt) < 120
    assert caret.index("^") == excerpt.index("projet.donnees.personelles")


def test_a_key_indented_too_far_is_named_with_the_key_to_align_on(run: Callable[..., Run],
                                                                  write: Callable[..., Path]) -> None:
    """The mistake a team makes when copying a line: PyYAML only says « mapping values not allowed »."""
    fiche = write("fiche.yaml", "format: fiche-projet-ia/2\nprojet:\n  id: x\n  nom: Mon projet\n"
                                "    statut: idee\n")
    result = run("verifier", fiche, "--charte", CHARTE_MODELE)
    _assert_refused(result, f"{fiche}:5:5",
                    "la clé « statut » est plus indentée que « nom », qui a déjà sa valeur")
    assert "alignez « statut » sur « nom » (retirez 2 espaces)" in result.err
    nested = write("imbrique.yaml", "a:\n  b:\n    c: 1\n  d: e: f\n")  # not an indentation mistake
    assert "plus indentée" not in run("valider", nested).err
