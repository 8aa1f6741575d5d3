"""Reports for people and tools: committee report (Markdown, HTML), SARIF, JUnit, several formats."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

import charte_ia
from conftest import ROOT, Run

COMMUNE = ROOT / "chartes" / "commune-modele.yaml"
DEPARTEMENT = ROOT / "chartes" / "departement-modele.yaml"
EX = ROOT / "exemples"
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
AXE = Path(os.environ.get("CHARTE_IA_AXE",
                          ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"))
PAR_VERDICT = {  # one declaration per verdict, with the charter that gives it
    "conforme": (EX / "chatbot-etat-civil.yaml", COMMUNE),
    "conforme_avec_reserves": (EX / "traduction-accueil.yaml", COMMUNE),
    "non_conforme": (EX / "aide-attribution-creche.yaml", COMMUNE),
    "incomplet": (EX / "aide-instruction-solidarite.yaml", DEPARTEMENT),
}


def _report(run: Callable[..., Run], fmt: str, fiche: Path, charte: Path, *extra: str) -> str:
    return run("verifier", fiche, "-c", charte, "--date", "2026-11-22", "-f", fmt, *extra).out


class _Structure(HTMLParser):
    """Headings, tables, resources and the language of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[int] = []
        self.tables = 0
        self.header_cells = 0
        self.external: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        self.tables += tag == "table"
        self.header_cells += tag == "th"
        if tag in ("script", "img", "iframe", "link") or (tag != "a" and values.get("src")):
            self.external.append(tag)
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:  # noqa: ARG002 - any closing tag ends <style>
        self._in_style = False


@pytest.mark.parametrize("verdict", PAR_VERDICT)
def test_html_report_is_self_contained_accessible_and_printable(run: Callable[..., Run],
                                                               verdict: str) -> None:
    fiche, charte = PAR_VERDICT[verdict]
    html = _report(run, "html", fiche, charte)
    page = _Structure()
    page.feed(html)
    assert page.lang == "fr"
    assert page.headings.count(1) == 1
    assert page.headings[0] == 1
    assert all(after - before <= 1 for before, after in zip(page.headings, page.headings[1:], strict=False))
    assert page.tables >= 1
    assert page.header_cells >= page.tables
    assert page.external == []  # no script, image, frame or stylesheet to fetch
    style = "".join(page.styles)
    assert "@media print" in style
    assert "break-before: page" in style
    titles = {"conforme": "CONFORME", "conforme_avec_reserves": "CONFORME AVEC RÉSERVES",
              "non_conforme": "NON CONFORME", "incomplet": "INCOMPLET"}
    assert f"Décision : {titles[verdict]}" in html
    # the verdict and what to do next come first; fingerprints and expressions close the report
    order = ["Décision :", "Prochaine étape :", "Synthèse par principe", "Glossaire", "Détail technique",
             "empreinte sha256"]
    assert [html.index(text) for text in order] == sorted(html.index(text) for text in order)
    # the summary figure speaks in words, never by colour alone: a description and a legend
    assert '<svg class="synthese" viewBox=' in html
    assert 'role="img" aria-labelledby="s1-titre s1-desc"' in html
    assert ">respectées</text>" in html


def test_html_report_explains_why_and_what_to_do(run: Callable[..., Run]) -> None:
    """A committee reads questions and answers by their labels; the expression is left to the annex."""
    html = _report(run, "html", EX / "aide-attribution-creche.yaml", COMMUNE)
    article = html[html.index('<article class="regle" id="regle-1-communs.CH-DECISION-HUMAINE">'):]
    article = article[:article.index("</article>")]
    assert "Un agent examine chaque décision individuelle" in article
    assert "<h4>Pourquoi ?</h4>" in article
    assert "<h4>Que faire ?</h4>" in article
    question = "Comment un agent contrôle-t-il les résultats du système ?"
    assert f"<td>{question}</td><td>Contrôle par échantillonnage</td>" in article
    assert "projet.controle_humain" not in article  # field paths go to the annex
    link = ('<a href="https://eur-lex.europa.eu/eli/reg/2016/679/oj">'
            "Plancher légal : règlement (UE) 2016/679 (RGPD), décisions individuelles automatisées, "
            "art. 22</a>")
    assert link in article
    verdict = html[html.index('<div class="verdict'):html.index("</div>")]
    title = "Un agent examine chaque décision individuelle"
    assert f'<a href="#regle-1-communs.CH-DECISION-HUMAINE">{title}</a>' in verdict
    assert "Prochaine étape :</strong> Mettre le projet en conformité avec la règle bloquante" in verdict
    annex = html[html.index("Détail technique"):]
    assert "<code>projet.controle_humain.mode in" in annex
    assert "(ligne 51)" in annex
    assert "empreinte sha256" in annex
    assert "Assouplissements des règles importées" in html  # the commune's motivated loosening
    assert "Délibération DEL-2026-042, article 6" in html


def test_markdown_report_for_an_incomplete_declaration(run: Callable[..., Run]) -> None:
    markdown = _report(run, "markdown", EX / "aide-instruction-solidarite.yaml", DEPARTEMENT)
    lines = markdown.splitlines()
    assert lines[0] == "# Avis de conformité : INCOMPLET"  # the verdict before any text of the inputs
    assert lines[2].startswith("Projet : Aide à l'instruction des demandes d'aide sociale — charte : ")
    assert "> **? Décision : INCOMPLET**" in markdown
    assert "> **Prochaine étape :** Compléter la fiche en répondant aux questions à trancher" in markdown
    assert "## Questions à trancher (4)" in markdown
    assert "1. **L'analyse d'impact relative à la protection des données (AIPD) a-t-elle été réalisée ?**" \
        in markdown
    # each answer by its label, with the decision it would give
    assert "« Oui » → toujours incomplet · « Non » → non conforme" in markdown
    assert "« Validation systématique par un agent » → toujours incomplet" in markdown
    assert markdown.index("## Glossaire") < markdown.index("## Détail technique")


def test_reports_show_derogations(run: Callable[..., Run]) -> None:
    derogations = EX / "derogations" / "comite-ethique-2026.yaml"
    html = _report(run, "html", EX / "traduction-accueil.yaml", COMMUNE, "--derogations", derogations)
    assert "Règles dérogées par le comité d'éthique (1)" in html
    assert "<td><strong>utilisée</strong></td>" in html
    verdict = html[html.index('<div class="verdict'):html.index("</div>")]
    assert "grâce à 1 dérogation" in verdict  # a waived rule shows in the verdict box, with its expiry
    assert "valable jusqu&#39;au" in verdict
    sarif = json.loads(_report(run, "sarif", EX / "traduction-accueil.yaml", COMMUNE,
                               "--derogations", derogations))
    waived = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["communs.CH-COMMUNS"]
    assert waived[0]["suppressions"][0]["status"] == "accepted"


# --- SARIF ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"schéma SARIF officiel absent ({SARIF_SCHEMA}) : "
                    "placer ../shared/schemas à côté du dépôt")
    return json.loads(SARIF_SCHEMA.read_text("utf-8"))


@pytest.mark.parametrize("verdict", PAR_VERDICT)
def test_sarif_validates_against_the_official_schema(run: Callable[..., Run], verdict: str,
                                                     sarif_schema: dict[str, Any]) -> None:
    fiche, charte = PAR_VERDICT[verdict]
    log = json.loads(_report(run, "sarif", fiche, charte))
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["version"] == "2.1.0"
    assert log["runs"][0]["properties"]["verdict"] == verdict


def test_sarif_points_at_the_lines_of_the_declaration(run: Callable[..., Run],
                                                      sarif_schema: dict[str, Any]) -> None:
    fiche = EX / "aide-attribution-creche.yaml"
    log = json.loads(_report(run, "sarif", fiche, COMMUNE))
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    result = log["runs"][0]["results"][0]
    assert result["ruleId"] == "communs.CH-DECISION-HUMAINE"
    assert result["level"] == "error"  # bloquant
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == str(fiche)
    line = next(n for n, text in enumerate(fiche.read_text("utf-8").splitlines(), 1)
                if text.strip().startswith("mode:"))
    assert location["region"] == {"startLine": line, "startColumn": 11}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert rules[result["ruleIndex"]]["help"]["text"].startswith("Prévoir une validation par un agent")
    levels = {r["ruleId"]: r["level"] for r in json.loads(
        _report(run, "sarif", EX / "traduction-accueil.yaml", COMMUNE))["runs"][0]["results"]}
    assert levels == {"rgpd.RGPD-38": "warning", "achats.ACHAT-ENV": "warning", "communs.CH-COMMUNS": "note"}


def test_each_declaration_is_a_run_of_its_own_category_for_code_scanning(
        run: Callable[..., Run], sarif_schema: dict[str, Any], tmp_path: Path) -> None:
    """Several declarations in one upload: GitHub keeps each run only if categories differ."""
    odd = tmp_path / "fiche.yaml"
    odd.write_text((EX / "chatbot-etat-civil.yaml").read_text("utf-8").replace(
        "id: 2026-chatbot-etat-civil", "id: 'services/état civil'"), encoding="utf-8")
    log = json.loads(run("verifier", EX / "traduction-accueil.yaml", odd, "-c", COMMUNE,
                         "--date", "2026-11-22", "-f", "sarif").out)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert [r["automationDetails"]["id"] for r in log["runs"]] == [
        "charte-ia/2026-traduction-accueil/", "charte-ia/services-tat-civil/"]


# --- JUnit ----------------------------------------------------------------------------------------


def test_junit_parses_with_the_right_counts(run: Callable[..., Run], tmp_path: Path) -> None:
    target = tmp_path / "rapport.junit.xml"
    result = run("verifier", EX / "traduction-accueil.yaml", EX / "aide-instruction-solidarite.yaml",
                 "-c", DEPARTEMENT, "--date", "2026-11-22", "-f", "junit", "-o", target)
    assert result.code == 2
    xml = JUnitXml.fromfile(str(target))
    suites = list(xml)
    assert [s.name for s in suites] == [
        "Traduction automatique à l'accueil de la mairie (2026-traduction-accueil)",
        "Aide à l'instruction des demandes d'aide sociale (2026-aide-instruction-solidarite)"]
    decision = json.loads(run("verifier", EX / "aide-instruction-solidarite.yaml", "-c", DEPARTEMENT,
                              "--date", "2026-11-22", "-f", "json").out)
    resume = decision["resume"]
    suite = suites[1]
    assert suite.tests == resume["total"]
    assert suite.failures == resume["non_conforme"] + resume["indetermine"]
    assert suite.errors == resume["erreur"]
    assert suite.skipped == resume["non_applicable"] + resume["hors_vigueur"] + resume["derogee"]
    kinds: dict[str, int] = {}
    for case in suite:
        for outcome in case.result:
            kinds[type(outcome).__name__] = kinds.get(type(outcome).__name__, 0) + 1
            assert isinstance(outcome, Failure | Error | Skipped)
    assert kinds.get("Failure", 0) == suite.failures
    failed = next(c for c in suite if c.name.startswith("communs.CH-DECISION-HUMAINE"))
    assert "indetermine (bloquant)" in failed.result[0].type


# --- Several formats in one run -----------------------------------------------------------------------


def test_several_formats_and_declarations_in_one_run(run: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "rapports"
    result = run("verifier", EX / "chatbot-etat-civil.yaml", EX / "aide-attribution-creche.yaml",
                 "-c", COMMUNE, "--date", "2026-11-22", "--format", "html", "--format", "sarif",
                 "--format", "junit", "--format", "markdown", "--format", "json", "--sortie", out)
    assert result.code == 1  # the worst of conforme and non conforme
    names = sorted(p.name for p in out.iterdir())
    stems = ("2026-chatbot-etat-civil", "2026-attribution-creche")
    assert names == sorted(f"{stem}{ext}" for stem in stems
                           for ext in (".html", ".sarif", ".junit.xml", ".md", ".json"))
    assert "10 rapports écrits" in result.err
    assert json.loads((out / "2026-chatbot-etat-civil.json").read_text("utf-8"))["verdict"] == "conforme"
    assert not list(out.glob(".*"))  # no temporary file left behind


def test_format_combinations_that_need_a_folder(run: Callable[..., Run], tmp_path: Path) -> None:
    two = run("verifier", EX / "chatbot-etat-civil.yaml", "-c", COMMUNE, "-f", "html", "-f", "sarif")
    assert two.code == 3
    assert "plusieurs formats demandent un dossier de sortie : --sortie DOSSIER" in two.err
    pages = run("verifier", EX / "chatbot-etat-civil.yaml", EX / "robot-tondeuse.yaml", "-c", COMMUNE,
                "--date", "2026-11-22", "-f", "html", "-o", tmp_path / "rapport.html")
    assert pages.code == 3
    assert "le format html écrit une fiche par fichier" in pages.err
    assert not (tmp_path / "rapport.html").exists()


# --- Accessibility, in a real browser ---------------------------------------------------------------


def _browser() -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("Chromium et chromedriver absents (make test les installe quand il le peut)")
    if not AXE.exists():
        pytest.skip(f"axe-core absent ({AXE}) : make test l'installe depuis le registre npm")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--window-size=1200,1600"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield browser
    finally:
        browser.quit()


browser = pytest.fixture(scope="module")(_browser)


@pytest.mark.parametrize("verdict", PAR_VERDICT)
def test_axe_core_finds_no_serious_violation_and_the_page_renders(run: Callable[..., Run], tmp_path: Path,
                                                                  browser: Any, verdict: str) -> None:
    fiche, charte = PAR_VERDICT[verdict]
    page = tmp_path / f"{verdict}.html"
    page.write_text(_report(run, "html", fiche, charte), encoding="utf-8")
    browser.get(page.as_uri())
    screenshot = tmp_path / f"{verdict}.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000
    assert browser.find_element("tag name", "h1").text.startswith("Avis de conformité : ")
    browser.execute_script(AXE.read_text("utf-8"))
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact}))));")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_the_non_conforme_report_prints_on_a4_in_at_most_8_pages(run: Callable[..., Run], tmp_path: Path,
                                                                  browser: Any) -> None:
    """What a committee member prints: the crèche report, A4, in the browser's own print engine."""
    import base64
    import re

    from selenium.webdriver.common.print_page_options import PrintOptions

    page = tmp_path / "creche.html"
    page.write_text(_report(run, "html", EX / "aide-attribution-creche.yaml", COMMUNE), encoding="utf-8")
    browser.get(page.as_uri())
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4, in centimetres
    pdf = base64.b64decode(browser.print_page(options))
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 8, pages
    assert b"%PDF-" in pdf[:8]


# --- PDF ------------------------------------------------------------------------------------------------


def test_the_pdf_report_is_the_committee_report_on_a4(tmp_path: Path) -> None:
    """The PDF a committee member opens: the crèche report laid out on A4, pages and text read back."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        pytest.skip(f"WeasyPrint ou Pango absent ({error}) : make test installe WeasyPrint")
    import pypdf

    from charte_ia.report import FORMATS, format_of

    assert format_of(str(tmp_path / "avis.pdf")) == "pdf"  # --sortie avis.pdf asks for it
    charte = charte_ia.load_charter(COMMUNE)
    fiche = charte_ia.load_declaration(EX / "aide-attribution-creche.yaml", vocabulaire=charte.vocabulaire)
    pdf = FORMATS["pdf"].contenu([charte_ia.evaluate(charte, fiche, date(2026, 11, 22))])
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF-")
    target = tmp_path / "avis.pdf"
    target.write_bytes(pdf)
    reader = pypdf.PdfReader(target)
    assert 1 <= len(reader.pages) <= 8
    first = reader.pages[0].extract_text()
    assert first.startswith("Avis de conformité : NON CONFORME")
    assert "Prochaine étape" in first
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Contrôle par échantillonnage" in text  # values by their label, as in the HTML report
    assert "Détail technique" in text


def test_a_pdf_is_not_printed_on_a_terminal(run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    result = run("verifier", EX / "chatbot-etat-civil.yaml", "-c", COMMUNE, "--date", "2026-11-22",
                 "--format", "pdf")
    assert result.code == 3
    assert "le format pdf est un fichier binaire, illisible dans le terminal : donnez --sortie " \
        "rapport.pdf, ou redirigez la sortie" in result.err
