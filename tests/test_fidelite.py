"""A declaration can say what the team knows, and the decision reads it as a careful DPO would.

- truthful answers: a notice announced by voice, rules not published, places known only as
  « in the EU », what the CNIL answered, a training planned but not given;
- an uncertain answer (« incertain », an awaited opinion) is never a « no »;
- each rule says whom it concerns: a scoring spreadsheet is not out of reach of the charter;
- an undetermined rule reads as the question to answer, in every format, and the questions
  come in a DPO's order;
- a declaration written for ``fiche-projet-ia/1`` is still read, and ``charte-ia migrer``
  rewrites it, comments kept.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from charte_ia import evaluate, load_charter, load_declaration
from charte_ia.decision import Decision, Statut
from charte_ia.diagnostics import InvalidInputError
from charte_ia.source import read_bytes
from charte_ia.vocabulary import build_vocabulary
from conftest import FIXTURES, ROOT, Run, mini_fiche

COMMUNE = ROOT / "src" / "charte_ia" / "chartes" / "commune-modele.yaml"
JOUR = date(2026, 12, 1)
V1 = FIXTURES / "v1"
CHATBOT = ROOT / "exemples" / "chatbot-etat-civil.yaml"


def _decide(tmp_path: Path, text: str, charte: Path = COMMUNE) -> Decision:
    path = tmp_path / "fiche.yaml"
    path.write_text(text, encoding="utf-8")
    compiled = load_charter(charte)
    return evaluate(compiled, load_declaration(path, vocabulaire=compiled.vocabulaire), JOUR)


def _status(decision: Decision, regle_id: str) -> Statut:
    result = decision.regle(regle_id)
    assert result is not None, regle_id
    return result.statut


def _with(base: Path, replacements: dict[str, str]) -> str:
    text = base.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


# --- Truthful answers ---------------------------------------------------------------------------


def test_a_notice_announced_by_voice_informs_the_callers(tmp_path: Path) -> None:
    url = "https://www.commune-modele.fr/assistant-etat-civil/notice"
    spoken = _with(CHATBOT, {f"    notice: publiee\n    notice_url: {url}\n": "    notice: orale\n"})
    assert _status(_decide(tmp_path, spoken), "communs.CH-NOTICE") is Statut.CONFORME
    none = _with(CHATBOT, {"    notice: publiee\n": "    notice: non_publiee\n"})
    decision = _decide(tmp_path, none)
    assert _status(decision, "communs.CH-NOTICE") is Statut.NON_CONFORME
    assert decision.verdict.value == "conforme_avec_reserves"


def test_a_contract_that_says_only_in_the_union_is_an_answer(tmp_path: Path) -> None:
    union = _with(CHATBOT, {"    pays_stockage: [FR]\n    pays_traitement: [FR]\n":
                            "    pays_stockage: [UE]\n    pays_traitement: [UE]\n"})
    decision = _decide(tmp_path, union)
    assert _status(decision, "communs.CH-LOCALISATION") is Statut.CONFORME
    assert _status(decision, "rgpd.RGPD-44") is Statut.NON_APPLICABLE
    outside = _with(CHATBOT, {"    pays_traitement: [FR]\n": "    pays_traitement: [FR, HORS_UE]\n"})
    decision = _decide(tmp_path, outside)
    assert _status(decision, "communs.CH-LOCALISATION") is Statut.NON_CONFORME
    assert decision.verdict.value == "non_conforme"


def test_a_place_that_is_neither_a_country_nor_a_zone_is_refused(tmp_path: Path,
                                                                 run: Callable[..., Run]) -> None:
    path = tmp_path / "fiche.yaml"
    path.write_text(mini_fiche("hebergement:\n  pays_stockage: [EUROPE]"), encoding="utf-8")
    result = run("verifier", path, "--charte", COMMUNE)
    assert result.code == 3
    assert "fiche.yaml:6:" in result.err
    assert "HORS_UE" in result.err


def test_an_unfavourable_cnil_answer_cannot_leave_the_project_conforme(tmp_path: Path) -> None:
    base = _with(CHATBOT, {"    risque_residuel_eleve: false\n":
                           "    risque_residuel_eleve: true\n    consultation_cnil: favorable_reserves\n"})
    assert _decide(tmp_path, base).verdict.value == "conforme"
    refused = base.replace("consultation_cnil: favorable_reserves", "consultation_cnil: defavorable")
    decision = _decide(tmp_path, refused)
    assert decision.verdict.value == "non_conforme"
    result = decision.regle("rgpd.RGPD-36")
    assert result is not None
    assert [c.id for c in result.clauses if c.statut is Statut.NON_CONFORME] == ["avis"]


def test_a_training_only_planned_is_enough_before_deployment_not_after(tmp_path: Path) -> None:
    planned = _with(CHATBOT, {"formation_agents: realisee": "formation_agents: prevue"})
    assert _status(_decide(tmp_path, planned), "communs.CH-AGENTS") is Statut.NON_CONFORME
    before = planned.replace("  statut: en_service\n", "  statut: experimentation\n")
    assert _status(_decide(tmp_path, before), "communs.CH-AGENTS") is Statut.CONFORME


# --- Uncertain answers are never a « no » ---------------------------------------------------------


def test_an_uncertain_ai_qualification_leaves_the_ai_rules_undetermined(tmp_path: Path) -> None:
    yes = _decide(tmp_path, CHATBOT.read_text(encoding="utf-8"))
    unsure = _decide(tmp_path, _with(CHATBOT, {"est_systeme_ia: oui": "est_systeme_ia: incertain"}))
    assert yes.verdict.value == "conforme"
    assert unsure.verdict.value == "incomplet"
    ai_rules = [r.id for r in unsure.regles if r.id.startswith("ia.")]
    assert not [r for r in ai_rules if _status(unsure, r) is Statut.NON_APPLICABLE
                and _status(yes, r) is not Statut.NON_APPLICABLE], "incertain ne vaut jamais « non »"
    qualification = unsure.regle("ia.AIA-03")
    assert qualification is not None
    assert qualification.statut is Statut.INDETERMINE
    assert qualification.message is not None
    assert "réponse « incertain »" in qualification.message
    assert unsure.informations_manquantes[0].champ == "projet.technique.est_systeme_ia"


def test_an_opinion_still_awaited_is_neither_favourable_nor_unfavourable(tmp_path: Path) -> None:
    waiting = _with(CHATBOT, {"avis_comite_ethique: favorable": "avis_comite_ethique: saisi"})
    decision = _decide(tmp_path, waiting)
    assert _status(decision, "communs.CH-COMITE-ETHIQUE") is Statut.INDETERMINE
    assert decision.verdict.value == "incomplet"


def test_a_system_that_learns_cannot_be_declared_outside_the_ai_act(tmp_path: Path) -> None:
    denied = _with(CHATBOT, {"est_systeme_ia: oui": "est_systeme_ia: non"})
    decision = _decide(tmp_path, denied)
    assert _status(decision, "ia.AIA-03") is Statut.NON_CONFORME
    assert decision.verdict.value == "conforme_avec_reserves"


# --- Scope -----------------------------------------------------------------------------------------


SPREADSHEET = """
statut: en_service
technique: {est_systeme_ia: non, techniques: [regles_expertes]}
usage: {decisions_individuelles: true, publics: [usagers], profilage: true}
gouvernance: {avis_comite_ethique: non_saisi}
donnees:
  evaluation_biais: non_realisee
  attributs_proteges: [adresse_quartier]
  attributs_proteges_justifies: false
"""


def test_a_scoring_spreadsheet_is_within_the_reach_of_the_charter(tmp_path: Path) -> None:
    decision = _decide(tmp_path, mini_fiche(SPREADSHEET))
    for regle_id in ("communs.CH-COMITE-ETHIQUE", "communs.CH-NON-DISCRIMINATION"):
        assert _status(decision, regle_id) is Statut.NON_CONFORME, regle_id
    assert _status(decision, "communs.CH-NECESSITE") is Statut.NON_APPLICABLE  # « pourquoi une IA ? »
    assert decision.verdict.value == "non_conforme"


def test_a_digital_project_without_ai_nor_individual_decisions_is_not_asked_for_a_committee(
        tmp_path: Path) -> None:
    plain = SPREADSHEET.replace("decisions_individuelles: true", "decisions_individuelles: false")
    decision = _decide(tmp_path, mini_fiche(plain))
    assert _status(decision, "communs.CH-COMITE-ETHIQUE") is Statut.NON_APPLICABLE


def test_every_shipped_rule_says_whom_it_concerns() -> None:
    for pack in sorted((ROOT / "src" / "charte_ia" / "regles").glob("*.yaml")):
        rules = yaml.safe_load(pack.read_text(encoding="utf-8"))["regles"]
        unscoped = [r["id"] for r in rules if "portee" not in r]
        assert not unscoped, f"{pack.name} : {unscoped}"


def test_the_catalogue_says_whom_a_rule_concerns_in_words(tmp_path: Path, run: Callable[..., Run]) -> None:
    communs = ROOT / "regles" / "communs-territoriaux.yaml"
    assert run("documenter", communs, "--sortie", tmp_path / "catalogue").code == 0
    pack = tmp_path / "catalogue" / "paquets" / "communs-territoriaux"
    page = (pack / "CH-COMITE-ETHIQUE.md").read_text("utf-8")
    assert "tout traitement algorithmique qui fonde des décisions individuelles" in page
    index = (pack / "index.md").read_text("utf-8")
    assert "Pourquoi cette valeur" in index


# --- An unknown reads as a question --------------------------------------------------------------


def test_an_undetermined_rule_never_shows_its_violation_message(tmp_path: Path,
                                                                run: Callable[..., Run]) -> None:
    fiche = tmp_path / "fiche.yaml"
    fiche.write_text(_with(CHATBOT, {"    sensibilite: interne\n": "    sensibilite: tres_sensible\n"}),
                     encoding="utf-8")
    violation = "n'est pas qualifiée SecNumCloud"
    question = "L'offre d'hébergement est-elle qualifiée SecNumCloud"
    out = tmp_path / "rapports"
    formats = ("texte", "json", "html", "markdown", "sarif", "junit")
    args: list[str | Path] = ["verifier", fiche, "--charte", COMMUNE, "--date", "2026-12-01", "--sortie", out]
    for name in formats:
        args += ["--format", name]
    assert run(*args).code == 2
    written = {path.suffix: path.read_text(encoding="utf-8") for path in out.iterdir()}
    assert len(written) == len(formats)
    for suffix, text in written.items():
        assert violation not in text, suffix
        assert question in text or question.replace("'", "&#39;") in text, suffix


def test_qualifying_questions_come_first_and_prerequisites_before_their_consequences(tmp_path: Path) -> None:
    decision = _decide(tmp_path, mini_fiche("statut: en_service"))
    asked = [info.champ for info in decision.informations_manquantes]
    qualifying = ["projet.technique.est_systeme_ia", "projet.usage.decisions_individuelles",
                  "projet.donnees.personnelles"]
    assert sorted(asked[:3]) == sorted(qualifying)
    assert "projet.donnees.consultation_cnil" not in asked  # never before the impact assessment
    answered = mini_fiche("statut: en_service\ndonnees: {personnelles: true}\n"
                          "technique: {est_systeme_ia: oui, techniques: [apprentissage_supervise]}")
    asked = [info.champ for info in _decide(tmp_path, answered).informations_manquantes]
    for first, then in (("projet.donnees.aipd_realisee", "projet.donnees.risque_residuel_eleve"),
                        ("projet.donnees.evaluation_biais", "projet.donnees.resultat_evaluation_biais")):
        if then in asked:
            assert first in asked
            assert asked.index(first) < asked.index(then), (first, then)


def test_a_rule_whose_application_is_unknown_asks_that_first(tmp_path: Path) -> None:
    decision = _decide(tmp_path, mini_fiche("donnees: {personnelles: true}"))
    result = decision.regle("rgpd.RGPD-36")
    assert result is not None
    assert result.statut is Statut.INDETERMINE
    assert "projet.donnees.consultation_cnil" not in result.manquants
    assert "projet.donnees.aipd_realisee" in result.manquants
    assert result.clauses == ()  # nothing is « non respecté » before the rule is known to apply


# --- The vocabulary checks its own new attributes ------------------------------------------------


@pytest.mark.parametrize(("champ", "expected"), [
    ("    valeurs: [oui, non]\n    en_attente: [peut_etre]\n", "en_attente cite des valeurs"),
    ("    valeurs: [oui, non]\n    prealables: [projet.absent]\n", "préalable inconnu"),
])
def test_a_vocabulary_cannot_cite_a_choice_or_a_prerequisite_it_does_not_have(champ: str,
                                                                               expected: str) -> None:
    text = ("format: vocabulaire/1\nid: essai/1\ntitre: Essai\nsections:\n  - {id: s, titre: S}\nchamps:\n"
            "  - chemin: projet.id\n    type: texte\n    section: s\n    question: Identifiant ?\n"
            f"  - chemin: projet.choix\n    type: enum\n    section: s\n    question: Choix ?\n{champ}")
    with pytest.raises(InvalidInputError) as error:
        build_vocabulary(read_bytes(text.encode("utf-8"), "vocabulaire.yaml"))
    assert expected in str(error.value)
    assert "vocabulaire.yaml:" in str(error.value)


# --- Version 1 is still read, and migrated ---------------------------------------------------------


def test_a_version_1_declaration_is_read_with_a_warning_and_decided_as_its_migration(
        tmp_path: Path, run: Callable[..., Run]) -> None:
    old = V1 / "chatbot-etat-civil.yaml"
    read = run("verifier", old, "--charte", COMMUNE, "--date", "2026-12-01", "--format", "json")
    assert "avertissement [fiche-version-1]" in read.err
    assert "charte-ia migrer" in read.err
    copy = tmp_path / "chatbot.yaml"
    shutil.copy(old, copy)
    assert run("migrer", copy).code == 0
    migrated = run("verifier", copy, "--charte", COMMUNE, "--date", "2026-12-01", "--format", "json")
    assert migrated.err == ""
    before, after = json.loads(read.out), json.loads(migrated.out)
    assert before["verdict"] == after["verdict"]
    statuses = [[(r["id"], r["statut"]) for r in decision["regles"]] for decision in (before, after)]
    assert statuses[0] == statuses[1]
    assert before["declaration"]["empreinte"] == after["declaration"]["empreinte"]


def test_a_converted_value_still_points_at_the_line_the_team_wrote(tmp_path: Path,
                                                                   run: Callable[..., Run]) -> None:
    old = (V1 / "chatbot-etat-civil.yaml").read_text(encoding="utf-8")
    line = next(n for n, text in enumerate(old.splitlines(), start=1) if "agents_formes:" in text)
    broken = tmp_path / "v1.yaml"
    broken.write_text(old.replace("agents_formes: true", "agents_formes: souvent"), encoding="utf-8")
    result = run("verifier", broken, "--charte", COMMUNE)
    assert result.code == 3
    assert f"v1.yaml:{line}:" in result.err.splitlines()[0]
    assert "souvent" in result.err
    document = load_declaration(V1 / "chatbot-etat-civil.yaml")
    location = document.location("projet.controle_humain.formation_agents")
    assert location is not None
    assert location.line == line


def test_migrer_rewrites_keeping_comments_and_says_what_changed(tmp_path: Path,
                                                                run: Callable[..., Run]) -> None:
    copy = tmp_path / "solidarite.yaml"
    shutil.copy(V1 / "aide-instruction-solidarite.yaml", copy)
    original = copy.read_text(encoding="utf-8")
    comments = [line.strip() for line in original.splitlines() if line.strip().startswith("#")]
    result = run("migrer", copy)
    assert result.code == 0
    assert "format fiche-projet-ia/2" in result.out
    change = ("projet.controle_humain.agents_formes : true → "
              "projet.controle_humain.formation_agents : realisee")
    assert change in result.out
    assert "empreinte de la fiche : sha256:" in result.out
    text = copy.read_text(encoding="utf-8")
    assert all(comment in text for comment in comments)
    assert "format: fiche-projet-ia/2" in text
    assert "regles_publiees: publiees" in text
    assert run("migrer", copy).out.strip().endswith("inchangée.")


def test_migrer_never_guesses_what_the_cnil_answered(tmp_path: Path, run: Callable[..., Run]) -> None:
    path = tmp_path / "fiche.yaml"
    path.write_text(mini_fiche("donnees:\n  cnil_consultee: true  # en 2025").replace(
        "fiche-projet-ia/2", "fiche-projet-ia/1"), encoding="utf-8")
    assert run("migrer", path).code == 0
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["projet"]["donnees"] == {"consultation_cnil": "inconnu"}
    assert "précisez sa réponse" in path.read_text(encoding="utf-8")


def test_migrer_refuses_an_invalid_declaration_and_leaves_it_untouched(tmp_path: Path,
                                                                        run: Callable[..., Run]) -> None:
    path = tmp_path / "fiche.yaml"
    text = mini_fiche("donnees:\n  cnil_consultee: peut-etre").replace("ia/2", "ia/1")
    path.write_text(text, encoding="utf-8")
    result = run("migrer", path)
    assert result.code == 3
    assert "erreur" in result.err
    assert path.read_text(encoding="utf-8") == text


def test_a_field_a_charter_adds_cannot_cite_an_unknown_prerequisite(tmp_path: Path,
                                                                    run: Callable[..., Run]) -> None:
    charte = tmp_path / "charte.yaml"
    added = ("champs:\n  - chemin: projet.local.avis_conseil\n    type: booleen\n"
             "    section: identification\n    question: Le conseil a-t-il donné son avis ?\n"
             "    prealables: [projet.local.saisi]\nsurcharges:")
    charte.write_text(COMMUNE.read_text(encoding="utf-8").replace("surcharges:", added, 1), encoding="utf-8")
    result = run("valider", charte)
    assert result.code == 3
    assert "préalable inconnu « projet.local.saisi »" in result.err
    assert "charte.yaml:" in result.err
