"""The documentation: the generated catalogue, the command reference and the diagnostic codes.

The site itself is built with ``mkdocs build --strict`` by ``make docs`` (part of
``make test``); these tests check what the pages say.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click
import pytest

from charte_ia.catalogue import build_pages, shipped_documents
from charte_ia.cli import cli
from charte_ia.limits import DEFAULT_LIMITS, ENVIRONMENT
from conftest import Run

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return build_pages(shipped_documents(), date(2026, 11, 22))


def test_catalogue_has_a_page_per_pack_rule_charter_and_field(pages: dict[str, str]) -> None:
    rules = [p for p in pages if p.startswith("paquets/") and not p.endswith("index.md")]
    assert len(rules) == 75  # the rules of the seven shipped packs
    assert {p for p in pages if p.startswith("chartes/") and p.endswith("index.md")} == {
        "chartes/commune-modele/index.md", "chartes/metropole-modele/index.md",
        "chartes/departement-modele/index.md"}
    assert "chartes/metropole-modele/MET-01.md" in pages  # a charter's own rule
    fields = [p for p in pages if p.startswith("champs/projet.")]
    assert len(fields) == 158  # 157 shipped fields + the one the metropolis adds


def test_rule_page_tells_everything_about_the_rule(pages: dict[str, str]) -> None:
    page = pages["paquets/communs-territoriaux/CH-DECISION-HUMAINE.md"]
    # applicability in words (the field's question, linked) and in CEL
    assert ("[« Le système produit-il ou prépare-t-il des décisions qui concernent une personne en "
            "particulier ? »](../../champs/projet.usage.decisions_individuelles.md) : oui") in page
    assert "```text\nprojet.usage.decisions_individuelles\n```" in page
    assert "figure parmi « validation_systematique », « revue_avant_notification »" in page
    assert "Règle verrouillée" not in page  # a charter choice: a charter may adopt the legal regime
    assert "**Nature** : engagement de la charte, au-delà de la loi" in page
    assert "[texte officiel](https://eur-lex.europa.eu/eli/reg/2016/679/oj)" in page
    assert "| Contrôle par échantillonnage | 22/11/2026 | ✘ non conforme | ✘ non conforme |" in page
    assert "Écrite dans `charte_ia/regles/communs-territoriaux.yaml`, ligne 329" in page
    assert "../../chartes/commune-modele/index.md" in page  # where the rule is used


def test_rule_page_shows_severity_over_time(pages: dict[str, str]) -> None:
    page = pages["paquets/reglement-ia/AIA-27.md"]
    assert "## Sévérité dans le temps" in page
    assert "| 01/08/2024 | info |" in page
    assert "| 02/12/2027 | bloquant |" in page


def test_charter_page_shows_overrides_with_motif_and_switch_offs(pages: dict[str, str]) -> None:
    commune = pages["chartes/commune-modele/index.md"]
    row = next(line for line in commune.splitlines() if line.startswith("| [`communs.CH-PARTICIPATION`]"))
    assert "sévérité : majeur → mineur" in row
    assert "**oui**" in row
    assert "DEL-2026-042" in row
    departement = pages["chartes/departement-modele/index.md"]
    assert "## Règles désactivées" in departement
    assert "`communs.CH-COMMUNS`" in departement
    assert "AD-2026-015" in departement
    metropole = pages["chartes/metropole-modele/index.md"]
    assert "\\[FR\\] à partir du 01/01/2027" in metropole  # a pack parameter changed, with its date


def test_field_page_lists_question_values_and_the_rules_that_read_it(pages: dict[str, str]) -> None:
    page = pages["champs/projet.controle_humain.mode.md"]
    assert "**Comment un agent contrôle-t-il les résultats du système ?**" in page
    assert "- `echantillonnage`" in page
    assert "[`CH-DECISION-HUMAINE`](../paquets/communs-territoriaux/CH-DECISION-HUMAINE.md)" in page
    added = pages["champs/projet.metropole.conseil_developpement_saisi.md"]
    assert "Champ ajouté" in added
    assert "[`MET-01`](../chartes/metropole-modele/MET-01.md)" in added


def test_every_link_between_catalogue_pages_resolves(pages: dict[str, str]) -> None:
    for name, text in pages.items():
        for target in re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", text):
            resolved = os.path.normpath(os.path.join(os.path.dirname(name), target))
            if resolved.startswith(".."):
                continue  # a page of the site outside the catalogue: checked by mkdocs --strict
            assert resolved in pages, f"{name} → {target}"


def test_documenter_writes_the_catalogue_and_never_replaces_a_foreign_folder(
        run: Callable[..., Run], tmp_path: Path) -> None:
    sortie = tmp_path / "catalogue"
    pack = ROOT / "regles" / "rgpd.yaml"  # the whole catalogue: fixture above, make docs
    result = run("documenter", pack, "--sortie", str(sortie), "--date", "2026-11-22")
    assert result.code == 0, result.err
    assert (sortie / "paquets" / "rgpd" / "RGPD-38.md").is_file()
    again = run("documenter", pack, "--sortie", str(sortie), "--date", "2026-11-22")  # regenerated in place
    assert again.code == 0, again.err
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "index.md").write_text("# à garder\n", encoding="utf-8")
    refused = run("documenter", "--sortie", str(foreign))
    assert refused.code == 3
    assert "[sortie-non-catalogue]" in refused.err
    assert (foreign / "index.md").read_text(encoding="utf-8") == "# à garder\n"


def test_every_command_and_option_is_in_the_command_reference() -> None:
    text = (DOCS / "commandes.md").read_text(encoding="utf-8")
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        assert f"## `charte-ia {name}" in text, name
        for parameter in command.params:
            if isinstance(parameter, click.Option) and parameter.name != "help":
                assert f"`{parameter.opts[0]}" in text, f"{name} {parameter.opts[0]}"


def test_every_diagnostic_code_in_the_source_is_documented() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "charte_ia").rglob("*.py"))
    codes = set(re.findall(r'(?:Diagnostic|_problem|_warning|_fail)\(\s*"([a-z][a-z-]+)"', source))
    assert len(codes) > 40
    table = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    assert sorted(c for c in codes if f"`{c}`" not in table) == []


def test_every_limit_is_documented_with_its_variable_and_default() -> None:
    commandes = (DOCS / "commandes.md").read_text(encoding="utf-8")
    securite = (DOCS / "securite.md").read_text(encoding="utf-8")
    for name, variable in ENVIRONMENT.items():
        default = f"{getattr(DEFAULT_LIMITS, name):,}".replace(",", " ")
        assert f"| `{variable}` | {default} |" in commandes, variable
        assert f"`{variable}`" in securite, variable


def test_the_version_is_the_one_installed_and_the_format_names_are_the_registry() -> None:
    from importlib.metadata import version

    from charte_ia.report import FORMATS, NOMS
    from charte_ia.version import __version__

    assert __version__ == version("charte-ia")
    assert tuple(sorted(FORMATS)) == NOMS


def test_no_module_over_400_lines_and_no_function_over_50() -> None:
    """What docs/architecture.md promises about the size of the code."""
    import ast

    modules = sorted((ROOT / "src" / "charte_ia").rglob("*.py"))
    assert len(modules) > 50
    for module in modules:
        text = module.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, module
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                assert node.end_lineno - node.lineno + 1 <= 50, f"{module}:{node.lineno} {node.name}"


def test_a_release_is_pinned_the_way_the_documentation_says() -> None:
    """The pre-commit ``rev`` users copy is the current version's tag, and the tag exists."""
    import subprocess

    from charte_ia.version import __version__

    tag = f"v{__version__}"
    assert f"\n## {__version__} — " in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for documented in (ROOT / ".pre-commit-hooks.yaml", ROOT / "docs" / "guides" / "integration-continue.md"):
        assert re.findall(r"rev: (\S+)", documented.read_text(encoding="utf-8")) == [tag], documented.name
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.lstrip().startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    listed = subprocess.run(["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True, check=False)
    if listed.returncode != 0 or not listed.stdout.strip():
        pytest.skip("pas de dépôt git avec ses étiquettes (archive des sources) : étiquette non vérifiable")
    assert tag in listed.stdout.split()
