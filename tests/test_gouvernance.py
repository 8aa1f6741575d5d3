"""Time, dérogations, explanations, missing information and the charter linter."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from charte_ia import load_charter, load_declaration
from conftest import CHARTE_MODELE, EXEMPLES, FIXTURES, MINI_CHARTE, Run, mini_fiche

DEROGATIONS = FIXTURES / "derogations" / "comite-ethique-2026.yaml"
CRECHE = EXEMPLES / "aide-attribution-creche.yaml"
SOLIDARITE = EXEMPLES / "aide-instruction-solidarite.yaml"


def _json(run: Callable[..., Run], *args: str | Path) -> dict:
    return json.loads(run(*args, "-f", "json").out)


def _statut(decision: dict, regle: str) -> str:
    return next(r["statut"] for r in decision["regles"] if r["id"] == regle)


# --- Time ---------------------------------------------------------------------------------------

DATED = MINI_CHARTE + """
  - id: TRA-09
    titre: Mention de l'IA, exigée à compter du 1er septembre
    principe: test
    severite: bloquant
    en_vigueur: {du: 2026-09-01}
    exigence: projet.transparence.mention_ia_affichee
    message: Aucune mention de l'IA.
    references: [{texte: Règlement (UE) 2024/1689, articles: ["50(1)"]}]
  - id: HEB-01
    titre: Hébergement autorisé
    principe: test
    severite:
      2026-01-01: mineur
      2026-10-01: majeur
    exigence: projet.hebergement.pays_stockage.all(p, p in param.pays_autorises)
    message: Hébergement hors des pays admis.
"""


def test_two_dates_around_entry_into_force_give_two_explained_decisions(run: Callable[..., Run],
                                                                        write) -> None:
    charte = write("charte.yaml", DATED)
    fiche = write("fiche.yaml", mini_fiche("transparence:\n  mention_ia_affichee: false\n"
                                           "hebergement:\n  pays_stockage: [DE]\n"))
    before = _json(run, "verifier", fiche, "-c", charte, "--date", "2026-08-31")
    after = _json(run, "verifier", fiche, "-c", charte, "--date", "2026-09-01")
    assert (before["verdict"], _statut(before, "TRA-09")) == ("conforme", "hors_vigueur")
    assert (after["verdict"], _statut(after, "TRA-09")) == ("non_conforme", "non_conforme")
    assert (before["date_reference"], after["date_reference"]) == ("2026-08-31", "2026-09-01")
    # the parameter changed on 2026-07-01: DE is allowed on both dates
    assert _statut(before, "HEB-01") == _statut(after, "HEB-01") == "conforme"

    text_before = run("verifier", fiche, "-c", charte, "--date", "2026-08-31").out
    assert "Règles hors vigueur au 31/08/2026 (non évaluées) : TRA-09" in text_before
    text_after = run("verifier", fiche, "-c", charte, "--date", "2026-09-01").out
    assert "[bloquant] TRA-09 — Mention de l'IA" in text_after
    assert f"Valeur lue : projet.transparence.mention_ia_affichee = non ({fiche}:6:26)" in text_after
    explained = run("expliquer", "-c", charte, "TRA-09", "--date", "2026-08-31").out
    assert "En vigueur : du 01/09/2026 — hors vigueur au 31/08/2026" in explained


def test_dated_severity_and_parameter_follow_the_date(run: Callable[..., Run], write) -> None:
    charte = write("charte.yaml", DATED)
    fiche = write("fiche.yaml", mini_fiche("transparence:\n  mention_ia_affichee: true\n"
                                           "hebergement:\n  pays_stockage: [DE]\n"))
    june = _json(run, "verifier", fiche, "-c", charte, "--date", "2026-06-30")
    assert (june["verdict"], _statut(june, "HEB-01")) == ("conforme", "non_conforme")  # mineur then
    heb = next(r for r in june["regles"] if r["id"] == "HEB-01")
    assert heb["parametres"] == [{"nom": "pays_autorises", "valeur": ["FR"], "depuis": "2026-01-01"}]
    write("fiche.yaml", mini_fiche("transparence:\n  mention_ia_affichee: true\n"
                                   "hebergement:\n  pays_stockage: [US]\n"))
    september = _json(run, "verifier", fiche, "-c", charte, "--date", "2026-09-30")
    october = _json(run, "verifier", fiche, "-c", charte, "--date", "2026-10-01")
    assert september["verdict"] == "conforme"  # a mineur failure is an observation
    assert october["verdict"] == "conforme_avec_reserves"  # majeur from 2026-10-01


def test_a_date_outside_the_charter_period_is_refused(run: Callable[..., Run], write) -> None:
    charte = write("charte.yaml", DATED)
    fiche = write("fiche.yaml", mini_fiche(""))
    result = run("verifier", fiche, "-c", charte, "--date", "2025-12-31")
    assert result.code == 3
    assert f"{charte}:6:15: erreur [charte-hors-vigueur] la charte n'est pas en vigueur au 31/12/2025 " \
           "(en vigueur du 01/01/2026)" in result.err


# --- Dérogations ----------------------------------------------------------------------------------


def test_derogation_before_and_after_expiry(run: Callable[..., Run]) -> None:
    args = ("verifier", CRECHE, "-c", CHARTE_MODELE, "--derogations", DEROGATIONS)
    valid = _json(run, *args, "--date", "2026-12-31")  # the expiry day is included
    assert (valid["verdict"], _statut(valid, "communs.HUM-01")) == ("conforme", "derogee")
    assert valid["derogations"] == [{
        "id": "CE-2026-07-01", "regle": "communs.HUM-01", "etat": "utilisee",
        "detail": "la règle non respectée est dérogée jusqu'au 31/12/2026",
        "accordee_le": "2026-06-15", "expire_le": "2026-12-31",
        "position": {"fichier": str(DEROGATIONS), "ligne": 9, "colonne": 5}}]
    hum = next(r for r in valid["regles"] if r["id"] == "communs.HUM-01")
    assert hum["derogation"]["deliberation"] == "Avis n° CE-2026-07 du 15 juin 2026"
    assert len(hum["derogation"]["mesures_compensatoires"]) == 2
    assert valid["resume"]["derogee"] == 1

    expired = _json(run, *args, "--date", "2027-01-01")
    assert (expired["verdict"], _statut(expired, "communs.HUM-01")) == ("non_conforme", "non_conforme")
    assert [(d["etat"], d["detail"]) for d in expired["derogations"]] == [
        ("expiree", "expirée le 31/12/2026 : elle ne s'applique plus, la règle est non conforme")]
    assert run(*args, "--date", "2027-01-01").code == 1

    early = _json(run, *args, "--date", "2026-06-14")
    assert (early["verdict"], early["derogations"][0]["etat"]) == ("non_conforme", "pas_encore_valable")

    text = run(*args, "--date", "2026-11-22").out
    assert "Cette décision tient compte de 1 règle dérogée par le comité d'éthique" in text
    assert "Dérogation CE-2026-07-01 accordée par Comité d'éthique du numérique" in text
    assert "CE-2026-07-01 (communs.HUM-01) — EXPIRÉE" in run(*args, "--date", "2027-01-01").out


DEROGATION = """
format: derogations/2
derogations:
  - id: D-1
    projet: {projet}
    empreinte_fiche: {empreinte}
    regles: [{regles}]
    justification: Phase pilote.
    accordee_par: Comité d'éthique
    deliberation: CE-2026-01
    accordee_le: 2026-01-01
    expire_le: 2026-12-31
    mesures_compensatoires: [Revue mensuelle]
"""


def empreinte(fiche: Path) -> str:
    """The fingerprint of a frozen declaration, as ``charte-ia empreinte`` prints it."""
    return load_declaration(fiche, vocabulaire=load_charter(CHARTE_MODELE).vocabulaire).empreinte


def derogation(*, projet: str, regles: str, fiche: Path = CRECHE) -> str:
    return DEROGATION.format(projet=projet, regles=regles, empreinte=empreinte(fiche))


def test_orphan_and_useless_derogations_are_reported(run: Callable[..., Run], write) -> None:
    orphans = write("orphelines.yaml", derogation(projet="2026-attribution-creche",
                                                         regles="communs.HUM-99, communs.SOUV-01"))
    decision = _json(run, "verifier", CRECHE, "-c", CHARTE_MODELE, "--date", "2026-11-22",
                     "--derogations", orphans)
    assert decision["verdict"] == "non_conforme"  # nothing neutralised HUM-01
    assert [(d["regle"], d["etat"]) for d in decision["derogations"]] == [
        ("communs.HUM-99", "orpheline"), ("communs.SOUV-01", "sans_objet")]
    assert decision["derogations"][0]["detail"].startswith(
        "la charte n'a pas de règle en vigueur portant cet identifiant (vouliez-vous dire « communs.HUM-")

    elsewhere = write("ailleurs.yaml", derogation(projet="2026-creche", regles="communs.HUM-01"))
    result = run("verifier", CRECHE, "-c", CHARTE_MODELE, "--date", "2026-11-22", "--derogations", elsewhere)
    assert result.code == 1
    assert f"{elsewhere}:4:13: avertissement [derogation-orpheline] dérogation « D-1 » orpheline : aucun " \
           "projet vérifié ne porte l'identifiant « 2026-creche »" in result.err


def test_a_derogation_never_covers_missing_information(run: Callable[..., Run], write) -> None:
    file = write("d.yaml", derogation(projet="2026-aide-instruction-solidarite",
                                        regles="communs.HUM-01", fiche=SOLIDARITE))
    decision = _json(run, "verifier", SOLIDARITE, "-c", CHARTE_MODELE, "--date", "2026-11-22",
                     "--derogations", file)
    assert decision["verdict"] == "incomplet"
    assert decision["derogations"][0]["etat"] == "sans_objet"


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    expire_le: 2026-12-31\n", "", "clé obligatoire « expire_le » absente"),
    ("expire_le: 2026-12-31", "expire_le: 2025-12-31",
     "la date d'expiration (expire_le) précède la date d'octroi (accordee_le)"),
    ("    mesures_compensatoires: [Revue mensuelle]\n", "",
     "clé obligatoire « mesures_compensatoires » absente"),
    ("[Revue mensuelle]", "[]", "mesures_compensatoires"),
])
def test_invalid_derogation_file_is_refused_with_location(run: Callable[..., Run], write, old: str, new: str,
                                                          message: str) -> None:
    text = derogation(projet="p", regles="X")
    assert old in text
    file = write("d.yaml", text.replace(old, new))
    result = run("verifier", CRECHE, "-c", CHARTE_MODELE, "--derogations", file)
    assert result.code == 3
    assert f"{file}:" in result.err
    assert message in result.err


def test_derogations_for_another_charter_are_refused(run: Callable[..., Run], write) -> None:
    file = write("d.yaml", derogation(projet="p", regles="X").replace(
        "derogations:\n", "charte: fr.autre.charte\nderogations:\n", 1))
    result = run("verifier", CRECHE, "-c", CHARTE_MODELE, "--derogations", file)
    assert result.code == 3
    assert "[derogations-charte] ces dérogations concernent la charte « fr.autre.charte », pas " \
           "« fr.commune-modele.charte-ia »" in result.err


def test_a_derogation_applies_only_to_the_declaration_the_committee_reviewed(
        run: Callable[..., Run], write: Callable[[str, str], Path]) -> None:
    """The attack observed: another project reuses the id and inherits the dérogation."""
    args = ("-c", CHARTE_MODELE, "--derogations", DEROGATIONS, "--date", "2026-11-22")
    assert _json(run, "verifier", CRECHE, *args)["verdict"] == "conforme"

    reordered = write("creche-reecrite.yaml", "# Réécrite : commentaires et ordre des clés changés\n"
                      + CRECHE.read_text(encoding="utf-8").replace("  id: 2026-attribution-creche\n", "")
                      .replace("projet:\n", "projet:\n  id: '2026-attribution-creche'  # même projet\n"))
    assert run("empreinte", reordered, "-c", CHARTE_MODELE).out.split()[0] == empreinte(CRECHE)
    assert _json(run, "verifier", reordered, *args)["derogations"][0]["etat"] == "utilisee"

    borrowed = write("autre-projet.yaml", CRECHE.read_text(encoding="utf-8").replace(
        "nom: Aide au classement des demandes de place en crèche", "nom: Tri automatique des dossiers"))
    decision = _json(run, "verifier", borrowed, *args)
    assert decision["verdict"] == "non_conforme"
    assert _statut(decision, "communs.HUM-01") == "non_conforme"
    assert decision["derogations"][0]["etat"] == "a_reexaminer"
    assert decision["derogations"][0]["detail"].startswith(
        "la fiche n'est plus celle que le comité a examinée")
    assert run("verifier", borrowed, *args).code == 1
    text = run("verifier", borrowed, *args).out
    assert "CE-2026-07-01 (communs.HUM-01) — À RÉEXAMINER : la fiche n'est plus celle" in text


def test_the_fingerprint_command(run: Callable[..., Run], write: Callable[[str, str], Path]) -> None:
    result = run("empreinte", CRECHE, SOLIDARITE, "-c", CHARTE_MODELE)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines == [f"{empreinte(CRECHE)}  {CRECHE}", f"{empreinte(SOLIDARITE)}  {SOLIDARITE}"]
    assert lines[0].startswith("sha256:")
    assert len(lines[0].split()[0]) == len("sha256:") + 64
    changed = write("c.yaml", CRECHE.read_text(encoding="utf-8").replace("formation_agents: realisee",
                                                                           "formation_agents: non_prevue"))
    assert run("empreinte", changed, "-c", CHARTE_MODELE).out.split()[0] != empreinte(CRECHE)
    broken = write("b.yaml", "format: fiche-projet-ia/2\nprojet: {id: x}\n")
    assert run("empreinte", broken).code == 3


LOCKED = DEROGATION.format(projet="2026-attribution-creche", regles="communs.HUM-01, communs.HUM-02",
                           empreinte="sha256:" + "0" * 64).replace("id: D-1", "id: D-2")


@pytest.mark.parametrize(("old", "new", "code", "where", "message"), [
    ("", "", "derogation-interdite", "6:30",
     "la règle « communs.HUM-02 » ne peut pas faire l'objet d'une dérogation (verrouillée par le paquet "
     "« communs-territoriaux »)"),
    ("Phase pilote.", "'   '", "derogations", "7:20",
     "texte attendu : il ne peut pas être vide ni fait seulement d'espaces"),
    ("Revue mensuelle", "' '", "derogations", "12:30", "texte attendu"),
    ("expire_le: 2026-12-31", "expire_le: 2027-01-02", "derogation-trop-longue", "11:16",
     "dérogation « D-2 » accordée du 01/01/2026 au 02/01/2027 : la charte limite une dérogation à 12 mois"),
    ("format: derogations/2", "format: derogations/1", "derogations-format", "1:9",
     "format derogations/1 : depuis derogations/2, chaque dérogation inscrit l'empreinte"),
    ("    empreinte_fiche: sha256:" + "0" * 64 + "\n", "", "derogations", "3:5",
     "clé obligatoire « empreinte_fiche » absente"),
])
def test_what_a_committee_cannot_grant_is_refused(  # noqa: PLR0917 - one case per parameter set
        run: Callable[..., Run], write: Callable[[str, str], Path], old: str, new: str, code: str, where: str,
        message: str) -> None:
    text = LOCKED
    if old:
        assert old in text
        text = text.replace(old, new).replace("communs.HUM-01, communs.HUM-02", "communs.HUM-01")
    file = write("d.yaml", text)
    result = run("verifier", CRECHE, "-c", CHARTE_MODELE, "--derogations", file, "--date", "2026-11-22")
    assert result.code == 3, result.err
    assert result.out == ""
    assert f"{file}:{where}: erreur [{code}] {message}" in result.err


def test_the_charter_sets_the_longest_derogation(run: Callable[..., Run],
                                                 write: Callable[[str, str], Path]) -> None:
    charte = write("charte.yaml", CHARTE_MODELE.read_text(encoding="utf-8").replace(
        "importe:\n  - paquet: ./communs-v1.yaml",
        "parametres:\n  derogation_duree_max_mois:\n    description: Durée maximale d'une dérogation\n"
        f"    unite: mois\n    valeurs: {{2026-01-01: 3}}\nimporte:\n  - paquet: {FIXTURES}/communs-v1.yaml"))
    assert "derogation_duree_max_mois" in charte.read_text(encoding="utf-8")
    result = run("verifier", CRECHE, "-c", charte, "--derogations", DEROGATIONS, "--date", "2026-11-22")
    assert result.code == 3, result.err
    assert "la charte limite une dérogation à 3 mois (paramètre derogation_duree_max_mois)" in result.err
    assert "fixez l'expiration au plus tard au 15/09/2026" in result.err


# --- Explanations ----------------------------------------------------------------------------------


def test_failing_rule_explains_clause_values_parameters_and_references(run: Callable[..., Run]) -> None:
    decision = _json(run, "verifier", EXEMPLES / "assistant-redaction-courriers.yaml", "-c", CHARTE_MODELE,
                     "--date", "2026-11-22")
    souv = next(r for r in decision["regles"] if r["id"] == "communs.SOUV-01")
    failed = [c for c in souv["clauses"] if c["statut"] == "non_conforme"]
    assert [c["id"] for c in failed] == ["traitement"]
    assert failed[0]["expression"] == "projet.hebergement.pays_traitement.all(p, p in param.pays_autorises)"
    assert failed[0]["message"] == "Données traitées hors de l'Union européenne : US."
    assert [d["champ"] for d in souv["donnees"]] == [
        "projet.donnees.personnelles", "projet.hebergement.pays_stockage",
        "projet.hebergement.pays_traitement"]
    assert souv["donnees"][2]["position"]["ligne"] > 0
    assert souv["parametres"][0]["nom"] == "communs.pays_autorises"
    assert souv["parametres"][0]["depuis"] == "2024-08-01"
    assert souv["references"][0]["articles"] == ["44", "45", "46"]
    assert souv["provenance"]["paquet"] == "communs-territoriaux"


def test_expliquer_one_rule(run: Callable[..., Run]) -> None:
    result = run("expliquer", "-c", CHARTE_MODELE, "TRA-01", "--date", "2026-11-22")
    assert result.code == 0
    out = result.out
    assert out.startswith("Règle communs.TRA-01 — Les habitants savent qu'ils échangent avec une IA\n")
    assert "Sévérité : mineur à partir du 01/08/2024, puis majeur à partir du 02/08/2026 ; au 22/11/2026 : " \
           "majeur" in out
    assert "S'applique : si projet.usage.interaction_directe_usagers" in out
    assert "    - notice : projet.transparence.notice_url.startsWith('https://')" in out
    assert "Règlement (UE) 2024/1689 (règlement sur l'IA), art. 50(1), 113 " \
           "<https://eur-lex.europa.eu/eli/reg/2024/1689/oj>" in out
    assert "Provenance : paquet communs-territoriaux 1.0.0 (espace « communs »), " \
           f"{FIXTURES / 'communs-v1.yaml'}:184" in out
    assert "projet.transparence.mention_ia_affichee : " in out


def test_expliquer_unknown_rule_suggests_the_right_one(run: Callable[..., Run]) -> None:
    result = run("expliquer", "-c", CHARTE_MODELE, "TRA01")
    assert result.code == 3
    assert "règle inconnue « TRA01 » (vouliez-vous dire « TRA-01 » ?)" in result.err


# --- Missing information ---------------------------------------------------------------------------


def test_missing_information_is_ranked_with_the_effect_of_each_answer(run: Callable[..., Run]) -> None:
    decision = _json(run, "verifier", SOLIDARITE, "-c", CHARTE_MODELE, "--date", "2026-11-22")
    ranked = decision["informations_manquantes"]
    assert [(i["rang"], i["champ"], i["score"], i["role"]) for i in ranked] == [
        (1, "projet.donnees.aipd_realisee", 24.0, "applicabilite"),
        (2, "projet.controle_humain.mode", 16.0, "exigence"),
    ]  # the AIPD date is not asked before it is known whether an AIPD exists
    first = ranked[0]
    assert first["regles"] == ["communs.DON-01", "communs.DON-03"]
    assert first["effets"] == [
        {"reponse": True, "verdict": "incomplet", "libelle": None,  # a yes-or-no has no label
         "regles": [{"regle": "communs.DON-01", "statut": "conforme"},
                    {"regle": "communs.DON-03", "statut": "indetermine"}]},
        {"reponse": False, "verdict": "non_conforme", "libelle": None,
         "regles": [{"regle": "communs.DON-01", "statut": "non_conforme"},
                    {"regle": "communs.DON-03", "statut": "non_applicable"}]},
    ]
    mode = ranked[1]["effets"]
    assert [e["libelle"] for e in mode][-1] == "Validation systématique par un agent"


def test_completer_prints_the_ranked_questions(run: Callable[..., Run]) -> None:
    result = run("completer", SOLIDARITE, "-c", CHARTE_MODELE, "--date", "2026-11-22")
    assert result.code == 2
    lines = result.out.splitlines()
    assert lines[0] == "Décision : INCOMPLET — Aide à l'instruction des demandes d'aide sociale facultative"
    assert lines[1] == "2 informations manquent, la plus utile d'abord :"
    assert lines[2].startswith("  1. L'analyse d'impact relative à la protection des données")
    assert "     si non : communs.DON-01 non conforme, communs.DON-03 non applicable → décision non " \
           "conforme" in lines
    complete = run("completer", CRECHE, "-c", CHARTE_MODELE, "--date", "2026-11-22")
    assert complete.code == 1
    assert "Aucune information ne manque pour décider." in complete.out


# --- Linter ------------------------------------------------------------------------------------------

LINTED = MINI_CHARTE + """
  - id: A-01
    titre: Bloquante sans référence, revue ancienne
    principe: test
    severite: bloquant
    exigence: projet.donnees.dpo_consulte
    message: m
    revu_le: 2025-01-15
  - id: A-02
    titre: Ne s'applique jamais
    principe: test
    severite: info
    applicable_si: projet.donnees.personnelles && !projet.donnees.personnelles
    exigence: projet.donnees.dpo_consulte
    message: m
  - id: A-03
    titre: Exceptions qui se recouvrent
    principe: test
    severite: info
    exigence: projet.donnees.dpo_consulte
    exceptions:
      - {id: e1, si: projet.donnees.personnelles, effet: non_applicable, justification: j}
      - {id: e2, si: projet.donnees.sensibles, effet: conforme, justification: j}
    message: m
  - id: A-04
    titre: Sévérité jamais en vigueur, période hors de la charte
    principe: test
    severite: {2024-01-01: info, 2025-01-01: mineur}
    exigence: projet.donnees.dpo_consulte
    message: m
  - id: A-05
    titre: Hors période
    principe: test
    severite: info
    en_vigueur: {du: 2020-01-01, au: 2020-12-31}
    exigence: projet.donnees.dpo_consulte
    message: m
"""


def test_valider_reports_the_linter_warnings(run: Callable[..., Run], write) -> None:
    charte = write("charte.yaml", LINTED)
    result = run("valider", charte, "--date", "2026-11-22")
    assert result.code == 0
    found = sorted((line.split("[")[1].split("]")[0], line.split(":")[1])
                   for line in result.err.splitlines() if "avertissement [" in line)
    assert found == [("exceptions-simultanees", "31"), ("reference-manquante", "17"),
                     ("regle-inapplicable", "24"), ("regle-jamais-en-vigueur", "46"),
                     ("revue-ancienne", "17"), ("valeur-jamais-en-vigueur", "40")]
    assert "5 règles" in result.out
    assert "6 avertissements" in result.out
    strict = run("valider", charte, "--date", "2026-11-22", "--strict")
    assert strict.code == 3
    assert "refusée en mode strict" in strict.err


def test_the_shipped_charter_and_pack_pass_the_linter(run: Callable[..., Run]) -> None:
    result = run("valider", CHARTE_MODELE, FIXTURES / "communs-v1.yaml",
                 "--date", "2026-11-22", "--strict")
    assert result.code == 0, result.err
    assert result.err == ""
