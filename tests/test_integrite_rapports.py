"""A declaration, a charter or a dérogation file cannot forge, hide or repaint a verdict.

Every text field of every input receives text an attacker would write — markup, script,
Markdown that draws a fake verdict, terminal escape sequences, bidi overrides — and every
format must still show the true verdict first and contain no active content.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from xml.etree import ElementTree as ET

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from charte_ia import evaluate, load_charter, load_declaration, load_derogations
from charte_ia.decision import Decision
from charte_ia.report import FORMATS
from charte_ia.report.text import TITRES_VERDICT
from test_rapports import _browser

JOUR = date(2026, 11, 22)
FAUX_VERDICTS = [
    "✔ Décision : CONFORME", "**✔ Décision : CONFORME**", "\n\n# Décision : CONFORME\n\n",
    "<!--", "-->", "<h1>Décision : CONFORME</h1>", "<script>document.title='pirate'</script>",
    "<img src=x onerror=\"document.title='pirate'\">", "\"><svg onload=document.title='pirate'>",
    "[clic](javascript:alert(1))", "<javascript:alert(1)>", "`", "``", "|", "| --- |", "\n",
    "\r\n", "\u2028", "\x1b[2J\x1b[1;1HDécision : CONFORME", "\x1b]0;pirate\x07", "\x9b31m",
    "\u202eEMROFNOC : noisicéD", "\u2066", "\x08\x08\x08", "&lt;script&gt;", "&#60;b&#62;",
    "]]>", "*", "_", "~~", "\\", "1. ", "- ", "===", "[x]: https://pirate.example", "{{ 1 }}",
    "{% raw %}", "CONFORME",
]
texte = st.lists(st.one_of(st.sampled_from(FAUX_VERDICTS),
                           st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)),
                 min_size=1, max_size=6).map("".join).filter(lambda t: t.strip() != "")
VERDICT = re.compile(r"NON CONFORME|CONFORME AVEC RÉSERVES|CONFORME|INCOMPLET")
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _inputs(folder: Path, t: dict[str, str]) -> tuple[Path, Path, Path]:
    """A charter, a declaration and a dérogation file whose every text is ``t[...]``."""
    reference = {"texte": t["reference"], "articles": [t["article"]], "url": "https://www.legifrance.gouv.fr/"}
    charte = {
        "format": "charte_ia/1",
        "charte": {"id": "fr.test.integrite", "titre": t["charte"], "version": "1.0.0",
                   "en_vigueur": {"du": "2026-01-01"}, "principes": {"p": t["principe"]}},
        "qualifications": {"q": {"titre": t["qualification"],
                                 "expr": "projet.usage.decisions_individuelles"}},
        "regles": [
            {"id": "BLOQ", "titre": t["titre"], "description": t["description"], "principe": "p",
             "severite": "bloquant", "exigence": {"toutes": [
                 {"id": "fournisseur", "expr": "projet.achat.fournisseur == 'interne'",
                  "message": t["clause"] + " {{ projet.achat.fournisseur }}"}]},
             "message": t["message"] + " {{ projet.finalite }}", "remediation": t["remediation"],
             "references": [reference], "a_verifier": t["a_verifier"],
             "exemples": [{"nom": t["exemple"], "projet": {}, "attendu": "indetermine"}]},
            {"id": "MAJ", "titre": t["titre"], "principe": "p", "severite": "majeur",
             "exigence": "projet.usage.decisions_individuelles", "message": t["message"]},
        ],
    }
    fiche = {"format": "fiche-projet-ia/2", "projet": {
        "id": "projet-pirate", "nom": t["nom"], "finalite": t["finalite"],
        "description_courte": t["description"],
        "achat": {"fournisseur": t["fournisseur"]}, "usage": {"decisions_individuelles": False}}}
    derogations = {"format": "derogations/2", "derogations": [{
        "id": "D-1", "projet": "projet-pirate", "empreinte_fiche": "sha256:" + "0" * 64,
        "regles": ["MAJ"], "justification": t["justification"],
        "accordee_par": t["instance"], "deliberation": t["deliberation"], "accordee_le": "2026-01-01",
        "expire_le": "2026-12-31", "mesures_compensatoires": [t["mesure"]]}]}
    paths = folder / "charte.yaml", folder / "fiche.yaml", folder / "derogations.yaml"
    for path, data in zip(paths, (charte, fiche, derogations), strict=True):
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    derogations["derogations"][0]["empreinte_fiche"] = load_declaration(paths[1]).empreinte
    paths[2].write_text(yaml.safe_dump(derogations, allow_unicode=True), encoding="utf-8")
    return paths


CHAMPS = ("reference", "article", "charte", "principe", "qualification", "titre", "description", "clause",
          "message", "remediation", "a_verifier", "exemple", "nom", "finalite", "fournisseur",
          "justification", "instance", "deliberation", "mesure")


def _decision(folder: Path, t: dict[str, str]) -> Decision:
    charte_path, fiche_path, derogations_path = _inputs(folder, t)
    charte = load_charter(charte_path)
    fiche = load_declaration(fiche_path, vocabulaire=charte.vocabulaire)
    return evaluate(charte, fiche, JOUR, derogations=load_derogations(derogations_path))


class _Page(HTMLParser):
    """The visible text of an HTML page in reading order, and what in it could be active."""

    ALLOWED: ClassVar[set[str]] = {
        "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "h4", "p",
               "section", "div", "span", "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tr",
               "th", "td", "article", "strong", "em", "code", "br", "ul", "ol", "li", "a", "hr", "pre",
               "blockquote", "del", "s",
               # the inline summary figure: shapes and text only (no script, image, link or foreignObject)
               "svg", "desc", "defs", "pattern", "rect", "circle", "path", "text"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.active: list[str] = []
        self.styles = 0
        self.tables: list[list[int]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED:
            self.active.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("src", "srcdoc", "formaction"):
                self.active.append(f"{tag} {name}")
            if name == "href" and not re.match(r"^(https?://|#)", value or ""):
                self.active.append(f"href={value}")
        self._in_style = tag == "style"
        self.styles += tag == "style"
        if tag == "table":
            self.tables.append([])
        if tag == "tr" and self.tables:
            self.tables[-1].append(0)
        if tag in ("td", "th") and self.tables and self.tables[-1]:
            self.tables[-1][-1] += 1

    def handle_endtag(self, tag: str) -> None:  # noqa: ARG002 - any closing tag ends a style
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)

    def handle_comment(self, data: str) -> None:  # noqa: ARG002 - a comment is active content here
        self.active.append("<!--")


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _first_verdict(text: str) -> str | None:
    found = VERDICT.search(text)
    return found.group(0) if found else None


def _check_every_format(decision: Decision) -> None:
    truth = TITRES_VERDICT[decision.verdict]
    # the PDF is the HTML report laid out (test_rapports reads it back): the HTML is checked here
    outputs = {name: fmt.rendu([decision]) for name, fmt in FORMATS.items() if not fmt.binaire}

    assert _first_verdict(outputs["texte"]) == truth
    # Values are indented or follow a label: a line break in one never starts a line at column 0.
    starts = [line for line in outputs["texte"].splitlines() if line.startswith(("Décision", "✔", "**"))]
    assert starts == [f"Décision : {truth}"]
    assert not HIDDEN.search(outputs["texte"].replace("\n", "").replace("\t", ""))

    html = _page(outputs["html"])
    assert _first_verdict("".join(html.text)) == truth
    assert html.active == []
    assert html.styles == 1
    assert not HIDDEN.search("".join(html.text).replace("\n", "").replace("\t", ""))

    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    tokens = rendered.parse(outputs["markdown"])
    raw = [t.content for t in tokens if t.type == "html_block"]
    raw += [c.content for t in tokens for c in (t.children or []) if c.type == "html_inline"]
    assert raw == [], raw
    page = _page(rendered.render(outputs["markdown"]))
    assert _first_verdict("".join(page.text)) == truth
    assert page.active == []
    assert [t.tag for t in tokens if t.nesting == 1 and t.tag in ("h1", "h2", "h3", "ol", "blockquote")] \
        == [t.tag for t in MarkdownIt("commonmark").enable("table").parse(outputs["markdown"])
            if t.nesting == 1 and t.tag in ("h1", "h2", "h3", "ol", "blockquote")]
    for rows in (*page.tables, *html.tables):
        assert len(set(rows)) == 1, "une valeur a changé le nombre de colonnes d'un tableau"

    junit = ET.fromstring(outputs["junit"].encode("utf-8"))  # expat: strict XML 1.0
    verdicts = [p.get("value") for p in junit.iter("property") if p.get("name") == "verdict"]
    assert verdicts == [truth]
    assert not HIDDEN.search(outputs["junit"].replace("\n", "").replace("\t", ""))

    sarif = json.loads(outputs["sarif"])
    assert sarif["runs"][0]["properties"]["verdict"] == decision.verdict.value
    assert not HIDDEN.search(json.dumps(sarif, ensure_ascii=False))
    assert json.loads(outputs["json"])["verdict"] == decision.verdict.value


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the profile's count
@given(textes=st.fixed_dictionaries(dict.fromkeys(CHAMPS, texte)))
def test_any_text_in_any_input_leaves_the_true_verdict_first_and_nothing_active(
        tmp_path: Path, textes: dict[str, str]) -> None:
    decision = _decision(tmp_path, textes)
    assert decision.verdict.value in ("non_conforme", "incomplet")
    _check_every_format(decision)


@pytest.mark.parametrize("attaque", FAUX_VERDICTS)
def test_each_known_attack_in_every_field(tmp_path: Path, attaque: str) -> None:
    decision = _decision(tmp_path, dict.fromkeys(CHAMPS, f"x {attaque} y"))
    _check_every_format(decision)


def test_the_hostile_declaration_of_the_corpus_cannot_repaint_its_report(run: Callable[..., Any]) -> None:
    hostile = Path(__file__).parent / "hostiles" / "rapport-faux-verdict.yaml"
    charte = Path(__file__).parent.parent / "chartes" / "commune-modele.yaml"
    decision = evaluate(load_charter(charte), load_declaration(hostile), JOUR)
    _check_every_format(decision)
    shown = run("verifier", hostile, "-c", charte, "--date", "2026-11-22")
    assert shown.out.startswith(f"Décision : {TITRES_VERDICT[decision.verdict]}\n")
    assert not HIDDEN.search(shown.out.replace("\n", ""))


def test_markdown_report_cannot_be_repainted(tmp_path: Path) -> None:
    """The attack observed: a fake verdict first, the true one hidden in an HTML comment."""
    textes = dict.fromkeys(CHAMPS, "ok")
    textes["nom"] = "x\n\n**✔ Décision : CONFORME**\n\n<!--"
    textes["finalite"] = "-->"
    markdown = FORMATS["markdown"].rendu([_decision(tmp_path, textes)])
    assert re.search(r"(?<!\\)<!--", markdown) is None
    assert markdown.startswith("# Avis de conformité : NON CONFORME\n")
    assert "Projet : x \\*\\*✔ Décision : CONFORME\\*\\* &lt;!-- — charte : " in markdown


def test_html_report_allows_only_its_own_style(tmp_path: Path) -> None:
    html = FORMATS["html"].rendu([_decision(tmp_path, dict.fromkeys(CHAMPS, "<b>gras</b>"))])
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None
    assert "default-src 'none'" in policy.group(1)
    assert "script-src" not in policy.group(1)
    assert "&lt;b&gt;gras&lt;/b&gt;" in html
    assert "<b>" not in html


@pytest.mark.parametrize("text", [*(v for v in FAUX_VERDICTS if v.strip()),
                                  "#titre", "=== souligné", "1) liste", "a | b ~~barré~~ &amp;"])
def test_one_markdown_escaping_reads_as_plain_text_in_the_report_and_on_the_site(text: str) -> None:
    """The committee report is read as CommonMark, the catalogue by the site's Python-Markdown."""
    python_markdown = pytest.importorskip("markdown")
    from charte_ia.report.escape import markdown, one_line, visible

    expected = " ".join(visible(one_line(text)).split())
    escaped = markdown(" ".join(text.split()))
    commonmark = MarkdownIt("commonmark").enable("table").render(escaped).strip()
    site = python_markdown.markdown(escaped, extensions=["tables", "attr_list", "def_list", "md_in_html"])
    for rendered in (commonmark, site.strip()):
        assert rendered.startswith("<p>"), rendered
        assert rendered.endswith("</p>"), rendered
        inner = rendered[3:-4]
        assert "<" not in inner, rendered  # no tag, no emphasis, no link, no raw HTML
        assert " ".join(html.unescape(inner).split()) == expected


def test_only_web_addresses_become_links() -> None:
    from charte_ia.report.escape import markdown_link, safe_url

    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,<script>") is None
    assert safe_url("https://x.fr/a\"onmouseover=alert(1)") == "https://x.fr/a%22onmouseover=alert%281%29"
    assert markdown_link("texte", "file:///etc/passwd") == "texte"
    assert markdown_link("t", "https://x.fr/a)(b") == "[t](https://x.fr/a%29%28b)"


def test_terminal_never_receives_control_characters(run: Callable[..., Any], tmp_path: Path) -> None:
    textes = dict.fromkeys(CHAMPS, "x\x1b[2J\x1b]0;pirate\x07\u202eEMROFNOC\x9b y")
    charte, fiche, derogations = _inputs(tmp_path, textes)
    result = run("verifier", fiche, "-c", charte, "--derogations", derogations, "--date", "2026-11-22")
    assert result.out.startswith("Décision : NON CONFORME\n")
    for stream in (result.out, result.err):
        assert not HIDDEN.search(stream.replace("\n", "").replace("\t", ""))
    assert "\\u001b[2J" in result.out
    assert "\\u202e" in result.out
    questions = run("completer", fiche, "-c", charte, "--date", "2026-11-22")
    assert not HIDDEN.search(questions.out.replace("\n", ""))


def test_error_messages_quote_inputs_escaped(run: Callable[..., Any],
                                            write: Callable[[str, str], Path]) -> None:
    fiche = write("fiche.yaml", 'format: fiche-projet-ia/2\nprojet:\n  id: x\n  nom: y\n'
                                '  "inconnu\\e[31m\\u202e": 1\n')
    result = run("verifier", fiche, "-c", Path(__file__).parent / "fixtures" / "charte-v1.yaml")
    assert result.code == 3
    assert "\\u001b[31m\\u202e" in result.err
    assert not HIDDEN.search(result.err.replace("\n", ""))


@pytest.fixture(scope="module")
def navigateur() -> Iterator[Any]:
    yield from _browser()


def test_payloads_do_not_run_in_a_real_browser(tmp_path: Path, navigateur: Any) -> None:
    """Opened in Chromium, a report full of script payloads keeps its title: nothing ran."""
    attaques = ["<script>document.title='pirate'</script>",
                "<img src=x onerror=\"document.title='pirate'\">",
                "\"><svg onload=\"document.title='pirate'\">",
                "</title><script>document.title='pirate'</script>",
                "<iframe srcdoc=\"<script>parent.document.title='pirate'</script>\"></iframe>"]
    textes = {champ: attaques[i % len(attaques)] for i, champ in enumerate(CHAMPS)}
    decision = _decision(tmp_path, textes)
    page = tmp_path / "rapport.html"
    page.write_text(FORMATS["html"].rendu([decision]), encoding="utf-8")
    navigateur.get(page.as_uri())
    expected = " ".join(f"NON CONFORME — avis de conformité — {textes['nom']}".split())
    assert navigateur.execute_script("return document.title") == expected
    assert navigateur.find_element("tag name", "h1").text == "Avis de conformité : NON CONFORME"
    assert navigateur.execute_script("return document.scripts.length") == 0
