"""The law and the charter are told apart, and the corrections of the legal audit hold.

Each shipped rule says whether it states the law or goes beyond it; the catalogue, the
explanation of a rule and the reports show it. A charter choice is not presented as the law:
the rule that requires an agent to examine every individual decision is a commitment of the
charter, and a charter may adopt the lawful regime of loi 78-17 art. 47 instead.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from charte_ia import evaluate, load_charter, load_declaration
from charte_ia.decision import Severite, Statut
from conftest import ROOT, Run

pytestmark = pytest.mark.no_cover  # the shipped content: its code paths are measured by other tests

PACKS = sorted((ROOT / "src" / "charte_ia" / "regles").glob("*.yaml"))
COMMUNE = ROOT / "src" / "charte_ia" / "chartes" / "commune-modele.yaml"


def _rules() -> dict[str, dict[str, object]]:
    return {rule["id"]: rule for pack in PACKS
            for rule in yaml.safe_load(pack.read_text(encoding="utf-8"))["regles"]}


def test_every_shipped_rule_says_whether_it_states_the_law() -> None:
    rules = _rules()
    assert not [rid for rid, rule in rules.items() if rule.get("nature") not in ("loi", "charte")]
    assert {rid for rid, rule in rules.items() if rid.startswith("CH-")} == {
        rid for rid, rule in rules.items() if rule["nature"] == "charte" and rid.startswith("CH-")}


def test_human_review_of_every_decision_is_a_charter_choice_a_charter_may_loosen(
        tmp_path: Path, run: Callable[..., Run]) -> None:
    rule = _rules()["CH-DECISION-HUMAINE"]
    assert rule["nature"] == "charte"
    assert not rule.get("verrouille", False)
    charte = tmp_path / "charte.yaml"
    charte.write_text(COMMUNE.read_text(encoding="utf-8").replace("surcharges:\n", (
        "surcharges:\n  communs.CH-DECISION-HUMAINE:\n    severite: mineur\n"
        "    motif: \"Délibération du 3 décembre 2026, article 2 : le régime de l'article 47 de la loi "
        "Informatique et Libertés est retenu pour les tarifs calculés.\"\n"), 1), encoding="utf-8")
    assert run("valider", charte, "--date", "2026-12-01").code == 0


def test_reports_and_explanations_show_the_nature_of_each_rule(tmp_path: Path,
                                                               run: Callable[..., Run]) -> None:
    fiche = ROOT / "tests" / "cas-reels" / "fiches" / "antibes-tarif-cantine.yaml"
    text = run("verifier", fiche, "--charte", COMMUNE, "--date", "2026-12-01").out
    assert "Nature : engagement de la charte, au-delà de la loi" in text
    explained = run("expliquer", "--charte", COMMUNE, "rgpd.IL-47", "--date", "2026-12-01").out
    assert "Nature : obligation légale" in explained
    out = tmp_path / "rapports"
    assert run("verifier", fiche, "--charte", COMMUNE, "--date", "2026-12-01", "-f", "html", "-f", "json",
               "--sortie", out).code == 1
    html = (out / "antibes-tarif-cantine.html").read_text(encoding="utf-8")
    assert "engagement de la charte, au-delà de la loi" in html
    assert '"nature": "charte"' in (out / "antibes-tarif-cantine.json").read_text(encoding="utf-8")


def test_a_processor_is_whoever_hosts_or_operates_the_system(tmp_path: Path) -> None:
    charte = load_charter(COMMUNE)
    base = ("format: fiche-projet-ia/2\nprojet:\n  id: t\n  nom: T\n  donnees: {personnelles: true}\n"
            "  technique: {mode_acquisition: MODE}\n"
            "  hebergement: {par_un_tiers: TIERS, contrat_sous_traitance: false}\n")
    outcomes = {}
    for mode, tiers in (("logiciel_libre", "false"), ("developpement_interne", "true")):
        path = tmp_path / f"{mode}.yaml"
        path.write_text(base.replace("MODE", mode).replace("TIERS", tiers), encoding="utf-8")
        decision = evaluate(charte, load_declaration(path, vocabulaire=charte.vocabulaire), date(2026, 12, 1))
        result = decision.regle("rgpd.RGPD-28")
        assert result is not None
        outcomes[mode] = result.statut
    assert outcomes == {"logiciel_libre": Statut.NON_APPLICABLE, "developpement_interne": Statut.NON_CONFORME}


def test_the_article_6_3_exception_is_informative_until_chapter_iii_applies() -> None:
    charte = load_charter(COMMUNE)
    rule = charte.regle("ia.AIA-06")
    assert rule is not None
    assert rule.severite_au(date(2026, 12, 1)) is Severite.INFO
    assert rule.severite_au(date(2027, 12, 2)) is Severite.MAJEUR
    assert dict(charte.parametres["crpa.seuil_agents_publication"])[date(2017, 1, 1)] == 50


# --- References at article level --------------------------------------------------------------

CHARTERS = sorted((ROOT / "src" / "charte_ia" / "chartes").glob("*.yaml"))
LEGIFRANCE_ARTICLE = re.compile(
    r"^https://www\.legifrance\.gouv\.fr/(codes|loda)/article_lc/LEGIARTI\d{12}$"
    r"|^https://www\.legifrance\.gouv\.fr/jorf/article_jo/JORFARTI\d{12}$")
# Binding references whose link still goes to the whole text: no article identifier could be
# read in an official source. Each is listed in docs/contenu.md; fixing one removes it here.
LIENS_A_PRECISER = {
    ("IL-47", "Loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés"),
    ("RGPD-9", "Loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés"),
    ("LAPI-STATIONNEMENT",
     "Loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés"),
    ("ACHAT-ENV", "Loi n° 2021-1104 du 22 août 2021 (climat et résilience)"),
    ("ACHAT-ENV", "Code de la commande publique"),
    ("FPT-CST", "Code général de la fonction publique (compétences consultatives des comités sociaux)"),
    ("FPT-CST", "Décret n° 2021-571 du 10 mai 2021 relatif aux comités sociaux territoriaux"),
    ("CGCT-COMPETENCE", "Code général des collectivités territoriales (compétences des communes, principe de "
                        "spécialité des établissements publics de coopération intercommunale)"),
    ("MET-01", "Code général des collectivités territoriales"),
}


def _binding_rules() -> list[dict[str, Any]]:
    rules = [rule for path in PACKS for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["regles"]]
    for path in CHARTERS:
        rules += yaml.safe_load(path.read_text(encoding="utf-8")).get("regles") or []
    binding = []
    for rule in rules:
        severities = rule["severite"].values() if isinstance(rule["severite"], dict) else [rule["severite"]]
        if {"bloquant", "majeur"} & set(severities):
            binding.append(rule)
    return binding


def test_every_binding_reference_links_to_the_article_itself() -> None:
    generic = set()
    for rule in _binding_rules():
        for reference in rule.get("references", []):
            url = reference.get("url", "")
            legifrance = "legifrance.gouv.fr" in url
            if reference.get("articles") and legifrance and not LEGIFRANCE_ARTICLE.match(url):
                generic.add((rule["id"], reference["texte"]))
    assert generic == LIENS_A_PRECISER
    contenu = (ROOT / "docs" / "contenu.md").read_text(encoding="utf-8")
    assert all(f"`{rule_id}`" in contenu.split("### Liens à préciser")[1] for rule_id, _ in LIENS_A_PRECISER)


def test_no_unverified_point_makes_a_rule_blocking() -> None:
    flagged = [rule["id"] for rule in _binding_rules() if rule.get("a_verifier")
               and "bloquant" in (rule["severite"].values() if isinstance(rule["severite"], dict)
                                  else [rule["severite"]])]
    assert flagged == []


# --- Dates of the AI Act -----------------------------------------------------------------------

def _tri_appels(on: date, mise_en_service: str = "2027-03-01") -> dict[str, Statut]:
    charte = load_charter(ROOT / "src" / "charte_ia" / "chartes" / "departement-modele.yaml")
    text = (ROOT / "exemples" / "tri-appels-secours.yaml").read_text(encoding="utf-8")
    return _statuses(charte, text.replace("date_mise_en_service: 2027-03-01",
                                          f"date_mise_en_service: {mise_en_service}"), on)


def _statuses(charte: Any, text: str, on: date) -> dict[str, Statut]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fiche.yaml"
        path.write_text(text, encoding="utf-8")
        decision = evaluate(charte, load_declaration(path, vocabulaire=charte.vocabulaire), on)
    return {r.id: r.statut for r in decision.regles}


def test_a_high_risk_system_already_in_service_has_until_august_2030() -> None:
    in_service = _tri_appels(date(2027, 12, 2))
    assert in_service["ia.AIA-27"] is Statut.NON_APPLICABLE
    assert in_service["ia.AIA-49-3"] is Statut.NON_APPLICABLE
    assert in_service["ia.AIA-111-2"] is Statut.NON_CONFORME  # informs: the assessment is still to do
    deadline = _tri_appels(date(2030, 8, 2))
    assert deadline["ia.AIA-27"] is Statut.NON_CONFORME
    assert deadline["ia.AIA-111-2"] is Statut.NON_APPLICABLE
    put_in_service_later = _tri_appels(date(2027, 12, 2), mise_en_service="2028-01-15")
    assert put_in_service_later["ia.AIA-27"] is Statut.NON_CONFORME
    assert put_in_service_later["ia.AIA-111-2"] is Statut.NON_APPLICABLE


def test_the_new_prohibitions_apply_from_2_december_2026() -> None:
    charte = load_charter(COMMUNE)
    text = ("format: fiche-projet-ia/2\nprojet:\n  id: t\n  nom: T\n  technique: {est_systeme_ia: oui}\n"
            "  usage: {pratiques_interdites: [contenus_intimes_non_consentis]}\n")
    assert _statuses(charte, text, date(2026, 12, 1))["ia.AIA-05-BA"] is Statut.HORS_VIGUEUR
    assert _statuses(charte, text, date(2026, 12, 2))["ia.AIA-05-BA"] is Statut.NON_CONFORME
    assert _statuses(charte, text, date(2026, 12, 2))["ia.AIA-05"] is Statut.CONFORME
