"""The law and the charter are told apart, and the corrections of the legal audit hold.

Each shipped rule says whether it states the law or goes beyond it; the catalogue, the
explanation of a rule and the reports show it. A charter choice is not presented as the law:
the rule that requires an agent to examine every individual decision is a commitment of the
charter, and a charter may adopt the lawful regime of loi 78-17 art. 47 instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

from charte_ia import evaluate, load_charter, load_declaration
from charte_ia.decision import Severite, Statut
from conftest import ROOT, Run

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
