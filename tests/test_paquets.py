"""Rule packs: imports by name and by path, namespaces, tighten-only overrides, provenance."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from charte_ia import InvalidInputError, load_charter
from conftest import CHARTE_MODELE, Run, mini_fiche

PAQUET = """
format: paquet_regles/1
paquet:
  id: socle-test
  titre: Socle de test
  version: 2.1.0
  principes:
    humain: Garantie humaine
    transparence: Transparence
    souverainete: Souveraineté
parametres:
  pays_autorises:
    description: Pays admis
    valeurs: {2026-01-01: [FR, DE]}
  delai:
    description: Délai verrouillé
    valeurs: {2026-01-01: 30}
    verrouille: true
qualifications:
  decision_individuelle:
    titre: Décision individuelle
    expr: projet.usage.decisions_individuelles
regles:
  - id: HUM-01
    titre: Un agent peut infirmer
    principe: humain
    severite: bloquant
    verrouille: true
    applicable_si: qualif.decision_individuelle
    exigence: projet.controle_humain.agent_peut_infirmer
    message: L'agent doit pouvoir infirmer.
    references: [{texte: RGPD, articles: ["22"]}]
  - id: TRA-01
    titre: Mention de l'IA
    principe: transparence
    severite: majeur
    applicable_si: projet.usage.interaction_directe_usagers
    exigence:
      toutes:
        - id: mention
          expr: projet.transparence.mention_ia_affichee
        - id: notice
          expr: projet.transparence.notice_url.startsWith('https://')
    exceptions:
      - id: interne
        si: "!projet.usage.decisions_individuelles"
        effet: non_applicable
        justification: Outil interne sans décision.
    message: Les usagers doivent savoir qu'ils échangent avec une IA.
  - id: SOUV-01
    titre: Hébergement autorisé
    principe: souverainete
    severite: bloquant
    exigence: projet.hebergement.pays_stockage.all(p, p in param.pays_autorises)
    message: Hébergement hors des pays admis.
    references: [{texte: RGPD, articles: ["44"]}]
"""

CHARTE = """
format: charte_ia/1
charte:
  id: fr.test.charte
  titre: Charte de test
  version: 1.0.0
  en_vigueur: {du: 2026-01-01}
importe:
  - paquet: ./paquet.yaml
    version: 2.1.0
    espace: socle
"""

FICHE = mini_fiche("""
usage:
  decisions_individuelles: true
  interaction_directe_usagers: true
controle_humain:
  agent_peut_infirmer: true
transparence:
  mention_ia_affichee: false
  notice: publiee
  notice_url: https://exemple.fr/ia
hebergement:
  pays_stockage: [DE]
""")


@pytest.fixture
def files(write: Callable[[str, str], Path]) -> Callable[[str], tuple[Path, Path]]:
    """Write the test pack, a charter importing it (with ``extra`` appended) and the declaration."""

    def _files(extra: str = "") -> tuple[Path, Path]:
        write("paquet.yaml", PAQUET)
        charte = write("charte.yaml", CHARTE + extra)
        fiche = write("fiche.yaml", FICHE)
        return charte, fiche

    return _files


def _decision(run: Callable[..., Run], charte: Path, fiche: Path, *extra: str) -> dict:
    result = run("verifier", fiche, "-c", charte, "--date", "2026-11-22", "-f", "json", *extra)
    assert result.err == "" or "avertissement" in result.err, result.err
    return json.loads(result.out)


def _statuts(decision: dict) -> dict[str, str]:
    return {r["id"]: r["statut"] for r in decision["regles"]}


def test_import_by_path_namespaces_rules_and_keeps_provenance(run: Callable[..., Run], files) -> None:
    charte, fiche = files()
    decision = _decision(run, charte, fiche)
    assert _statuts(decision) == {"socle.HUM-01": "conforme", "socle.TRA-01": "non_conforme",
                                  "socle.SOUV-01": "conforme"}
    tra = next(r for r in decision["regles"] if r["id"] == "socle.TRA-01")
    assert tra["provenance"] == {"paquet": "socle-test", "version": "2.1.0", "espace": "socle",
                                 "fichier": str(charte.parent / "paquet.yaml"), "ligne": 32}
    assert tra["source"]["fichier"] == str(charte.parent / "paquet.yaml")
    assert decision["charte"]["paquets"][0]["id"] == "socle-test"
    assert decision["verdict"] == "conforme_avec_reserves"


def test_import_by_name_uses_the_shipped_pack(run: Callable[..., Run], write) -> None:
    charte = write("charte.yaml", CHARTE.replace("./paquet.yaml", "communs-territoriaux")
                   .replace("2.1.0", "3.1.0").replace("socle", "communs"))
    fiche = write("fiche.yaml", mini_fiche("""
usage:
  decisions_individuelles: true
controle_humain:
  mode: echantillonnage
  agent_peut_infirmer: true
"""))
    decision = json.loads(run("verifier", fiche, "-c", charte, "--date", "2026-11-22", "-f", "json").out)
    assert "communs.CH-DECISION-HUMAINE" in decision["motifs"]
    rule = decision["regles"][[r["id"] for r in decision["regles"]].index("communs.CH-DECISION-HUMAINE")]
    assert rule["statut"] == "non_conforme"
    assert rule["source"]["fichier"] == "charte_ia/regles/communs-territoriaux.yaml"
    assert rule["provenance"]["version"] == "3.1.0"


def test_every_shipped_pack_is_importable_by_name(run: Callable[..., Run], write) -> None:
    from charte_ia.packs import paquets_integres

    names = paquets_integres()
    versions = {"communs-territoriaux": "3.1.0", "securite-hebergement": "1.2.0",
                "environnement-achats": "2.0.0"}
    assert names == ["accessibilite", "communs-territoriaux", "crpa", "environnement-achats", "reglement-ia",
                     "rgpd", "securite-hebergement"]
    imports = "".join(f"  - {{paquet: {name}, version: {version}, espace: e{index}}}\n"
                      for index, (name, version) in enumerate(
                          (n, versions.get(n, "2.1.0")) for n in names))
    charte = write("charte.yaml", CHARTE.split("importe:", maxsplit=1)[0] + "importe:\n" + imports)
    result = run("valider", charte, "--date", "2026-11-22")
    assert result.code == 0, result.err
    assert "75 règles" in result.out


def test_a_pack_history_before_the_charter_starts_is_not_a_warning(run: Callable[..., Run], write) -> None:
    # AIA-50-1 is « info » until 01/08/2026, then « majeur »: a charter in force from November
    # never sees the first value, which is normal for an importer and not worth a warning.
    charte = write("charte.yaml", CHARTE.split("importe:", maxsplit=1)[0].replace("2026-01-01", "2026-11-01")
                   + "importe:\n  - {paquet: reglement-ia, version: 2.1.0, espace: ia}\n")
    result = run("valider", charte, "--date", "2026-11-22", "--strict")
    assert result.code == 0, result.err
    assert "valeur-jamais-en-vigueur" not in result.err
    changed = write("relevee.yaml", charte.read_text(encoding="utf-8") + """surcharges:
  ia.AIA-50-1:
    severite: {2024-08-01: majeur, 2026-01-01: bloquant}
""")
    result = run("valider", changed, "--date", "2026-11-22", "--strict")
    assert result.code == 3
    assert ("[valeur-jamais-en-vigueur] la sévérité de la règle « ia.AIA-50-1 » datée du 01/08/2024"
            in result.err)


def test_pack_rules_read_their_own_parameters_and_the_charter_reads_them_namespaced(
        run: Callable[..., Run], files) -> None:
    charte, fiche = files("""
regles:
  - id: LOC-01
    titre: Allemagne admise par le socle
    principe: souverainete
    severite: info
    exigence: "'DE' in param.socle.pays_autorises && qualif.socle.decision_individuelle"
    message: Contrôle local.
""")
    decision = _decision(run, charte, fiche)
    assert _statuts(decision)["LOC-01"] == "conforme"
    souv = next(r for r in decision["regles"] if r["id"] == "socle.SOUV-01")
    assert souv["parametres"] == [{"nom": "socle.pays_autorises", "valeur": ["FR", "DE"],
                                   "depuis": "2026-01-01"}]
    assert [q["id"] for q in decision["qualifications"]] == ["socle.decision_individuelle"]


def test_charter_changes_a_pack_parameter_and_the_change_is_recorded(run: Callable[..., Run], files,
                                                                      write) -> None:
    files()
    charte = write("charte.yaml", CHARTE + """    parametres:
      pays_autorises:
        valeurs: {2026-06-01: [FR]}
        motif: Hébergement en France exigé par la délibération 2026-12.
""")
    fiche = charte.parent / "fiche.yaml"
    before = _decision(run, charte, fiche)
    assert _statuts(before)["socle.SOUV-01"] == "non_conforme"  # DE is no longer allowed
    earlier = json.loads(run("verifier", fiche, "-c", charte, "--date", "2026-05-01", "-f", "json").out)
    assert _statuts(earlier)["socle.SOUV-01"] == "conforme"  # the pack's value still holds then
    explained = run("expliquer", "-c", charte, "--date", "2026-11-22").out
    assert "socle.pays_autorises = [FR] (depuis le 01/06/2026)" in explained
    assert "paramètre « socle.pays_autorises » : [FR, DE] → [FR] à partir du 01/06/2026" in explained


def test_tightening_and_loosening_show_in_merged_charter_and_decision(run: Callable[..., Run], files) -> None:
    charte, fiche = files("""
surcharges:
  socle.HUM-01:
    exigence:
      ajouter:
        - id: formation
          expr: projet.controle_humain.formation_agents == 'realisee'
  socle.TRA-01:
    severite: mineur
    motif: Délibération 2026-12, article 2 — phase d'expérimentation de six mois.
""")
    decision = _decision(run, charte, fiche)
    assert _statuts(decision) == {"socle.HUM-01": "indetermine", "socle.TRA-01": "non_conforme",
                                  "socle.SOUV-01": "conforme"}
    assert decision["verdict"] == "incomplet"  # the added clause needs formation_agents
    tra = next(r for r in decision["regles"] if r["id"] == "socle.TRA-01")
    assert tra["severite"] == "mineur"
    assert [(m["nature"], m["description"], m["assouplissement"]) for m in tra["modifications"]] == [
        ("severite", "sévérité : majeur → mineur", True)]
    assert decision["assouplissements"] == [{
        "cible": "socle.TRA-01", "nature": "severite", "description": "sévérité : majeur → mineur",
        "assouplissement": True,
        "motif": "Délibération 2026-12, article 2 — phase d'expérimentation de six mois.",
        "auteur": "fr.test.charte", "position": {"fichier": str(charte), "ligne": 19, "colonne": 5}}]
    hum = next(r for r in decision["regles"] if r["id"] == "socle.HUM-01")
    assert hum["modifications"][0]["description"] == \
        "clause ajoutée : formation (projet.controle_humain.formation_agents == 'realisee')"
    assert hum["modifications"][0]["assouplissement"] is False

    merged = run("expliquer", "-c", charte, "--date", "2026-11-22")
    assert merged.code == 0
    assert "socle.HUM-01 [bloquant] Un agent peut infirmer" in merged.out
    assert "Modifiée par fr.test.charte : clause ajoutée : formation" in merged.out
    assert ("ASSOUPLIE par fr.test.charte : sévérité : majeur → mineur — motif : Délibération 2026-12"
            in merged.out)
    text = run("verifier", fiche, "-c", charte, "--date", "2026-11-22").out
    assert "Assouplissements des règles importées" in text
    assert "socle.TRA-01 — sévérité : majeur → mineur" in text


def test_loosening_without_motif_is_refused_with_its_location(run: Callable[..., Run], files) -> None:
    charte, fiche = files("""
surcharges:
  socle.TRA-01:
    exceptions:
      ajouter:
        - id: pilote
          si: projet.usage.hypertrucage
          effet: conforme
          justification: Phase pilote.
""")
    result = run("verifier", fiche, "-c", charte, "--date", "2026-11-22")
    assert result.code == 3
    assert f"{charte}:13:3: erreur [motif-manquant] assouplir la règle « socle.TRA-01 » demande un motif " \
           "(exception ajoutée : pilote (effet conforme, si projet.usage.hypertrucage))" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(("override", "what"), [
    ("    severite: majeur\n", "sévérité : bloquant → majeur"),
    ("    applicable_si: {restreindre: projet.usage.hypertrucage}\n",
     "ne s'applique plus que si, en outre : projet.usage.hypertrucage"),
    ("    exigence: {retirer: [exigence]}\n", None),
])
def test_loosening_a_locked_rule_is_refused_even_with_motif(run: Callable[..., Run], files, override: str,
                                                             what: str | None) -> None:
    charte, fiche = files("surcharges:\n  socle.HUM-01:\n" + override + "    motif: Nous le voulons.\n")
    result = run("verifier", fiche, "-c", charte)
    assert result.code == 3
    if what is None:  # removing the only clause leaves no requirement at all
        assert "[exigence-vide]" in result.err
    else:
        assert f"{charte}:12:3: erreur [regle-verrouillee] la règle « socle.HUM-01 » est verrouillée " \
               f"par le paquet « socle-test » : elle ne peut pas être assouplie ({what})" in result.err


def test_switching_off_needs_an_unlocked_rule_and_is_reported(run: Callable[..., Run], files) -> None:
    charte, fiche = files("""
desactive:
  - regle: socle.TRA-01
    motif: Aucun service en contact avec le public.
""")
    decision = _decision(run, charte, fiche)
    assert "socle.TRA-01" not in _statuts(decision)
    assert decision["assouplissements"][0]["nature"] == "desactivation"
    assert decision["assouplissements"][0]["motif"] == "Aucun service en contact avec le public."
    assert "Règles désactivées :\n  socle.TRA-01 Mention de l'IA — par fr.test.charte, motif : Aucun " \
           "service en contact avec le public." in run("expliquer", "-c", charte).out

    locked, _ = files("""
desactive:
  - regle: socle.HUM-01
    motif: Trop contraignant.
""")
    result = run("valider", locked)
    assert result.code == 3
    assert "[regle-verrouillee] la règle « socle.HUM-01 » est verrouillée par le paquet « socle-test » : " \
           "elle ne peut pas être désactivée" in result.err


def test_tightenings_need_no_motif(run: Callable[..., Run], files) -> None:
    charte, fiche = files("""
surcharges:
  socle.TRA-01:
    severite: bloquant
    applicable_si: {etendre: projet.usage.decisions_individuelles}
    exceptions: {retirer: [interne]}
    references: {ajouter: [{texte: Charte locale, articles: ["5"]}]}
""")
    decision = _decision(run, charte, fiche)
    tra = next(r for r in decision["regles"] if r["id"] == "socle.TRA-01")
    assert tra["severite"] == "bloquant"
    assert decision["verdict"] == "non_conforme"
    assert [m["assouplissement"] for m in tra["modifications"]] == [False, False, False, False]
    assert decision["assouplissements"] == []


@pytest.mark.parametrize(("extra", "code", "message"), [
    ("surcharges:\n  socle.TRA-02:\n    severite: bloquant\n", "regle-importee-inconnue",
     "aucune règle importée ne s'appelle « socle.TRA-02 »"),
    ("  - paquet: ./paquet.yaml\n    version: 2.1.0\n    espace: socle\n", "espace-duplique",
     "espace « socle » déjà utilisé"),
    ("    parametres:\n      delai: {valeurs: {2026-01-01: 60}}\n", "parametre-verrouille",
     "le paramètre « socle.delai » est verrouillé par son paquet"),
    ("surcharges:\n  socle.TRA-01:\n    exigence: {retirer: [mentions]}\n    motif: m\n", "clause-inconnue",
     "la règle « socle.TRA-01 » n'a pas de clause « mentions »"),
    ("surcharges:\n  socle.TRA-01:\n    exceptions: {retirer: [externe]}\n", "exception-inconnue",
     "la règle « socle.TRA-01 » n'a pas d'exception « externe »"),
    ("surcharges:\n  socle.TRA-01:\n    exigence: {ajouter: [{id: mention, expr: 'true'}]}\n",
     "clause-dupliquee",
     "la règle « socle.TRA-01 » a déjà une clause « mention »"),
    ("    parametres:\n      pays_autorise: {valeurs: {2026-01-01: [FR]}}\n", "parametre-inconnu",
     "le paquet importé sous « socle » n'a pas de paramètre « pays_autorise »"),
])
def test_import_mistakes_are_located(run: Callable[..., Run], files, extra: str, code: str,
                                     message: str) -> None:
    charte, _ = files(extra)
    result = run("valider", charte)
    assert result.code == 3
    assert f"[{code}] {message}" in result.err
    assert f"{charte}:" in result.err


def test_pinned_version_must_match(run: Callable[..., Run], write) -> None:
    write("paquet.yaml", PAQUET)
    charte = write("charte.yaml", CHARTE.replace("version: 2.1.0", "version: 2.0.0"))
    result = run("valider", charte)
    assert result.code == 3
    assert f"{charte}:9:14: erreur [version-paquet] le paquet « socle-test » est en version 2.1.0, " \
           "l'importation demande la version 2.0.0" in result.err


def test_unknown_pack_name_and_missing_path(run: Callable[..., Run], write) -> None:
    charte = write("charte.yaml", CHARTE.replace("./paquet.yaml", "communs-territoriau"))
    result = run("valider", charte)
    assert "[paquet-inconnu] paquet inconnu « communs-territoriau »" in result.err
    assert "vouliez-vous dire « communs-territoriaux » ?" in result.err
    charte = write("charte.yaml", CHARTE.replace("./paquet.yaml", "../ailleurs/paquet.yaml"))
    result = run("valider", charte)
    assert result.code == 3
    assert f"{charte}:8:13: erreur [paquet-introuvable] paquet introuvable" in result.err


def test_import_cycle_is_located(run: Callable[..., Run], write) -> None:
    write("a.yaml", """
format: paquet_regles/1
paquet: {id: a, titre: A, version: 1.0.0}
importe:
  - {paquet: ./b.yaml, version: 1.0.0, espace: b}
""")
    write("b.yaml", """
format: paquet_regles/1
paquet: {id: b, titre: B, version: 1.0.0}
importe:
  - {paquet: ./a.yaml, version: 1.0.0, espace: a}
""")
    charte = write("charte.yaml", CHARTE.replace("./paquet.yaml", "./a.yaml").replace("2.1.0", "1.0.0"))
    result = run("valider", charte)
    assert result.code == 3
    assert "b.yaml:4:14: erreur [import-cycle] cycle d'importation : charte.yaml → a.yaml → b.yaml → " \
           "a.yaml" in result.err


def test_nested_imports_keep_their_own_namespace(run: Callable[..., Run], write) -> None:
    write("paquet.yaml", PAQUET)
    write("regional.yaml", """
format: paquet_regles/1
paquet: {id: regional, titre: Socle régional, version: 1.0.0}
importe:
  - {paquet: ./paquet.yaml, version: 2.1.0, espace: socle}
surcharges:
  socle.TRA-01:
    severite: bloquant
""")
    charte = write("charte.yaml", CHARTE.replace("./paquet.yaml", "./regional.yaml")
                   .replace("2.1.0", "1.0.0").replace("espace: socle", "espace: region"))
    fiche = write("fiche.yaml", FICHE)
    decision = _decision(run, charte, fiche)
    assert _statuts(decision) == {"region.socle.HUM-01": "conforme", "region.socle.TRA-01": "non_conforme",
                                  "region.socle.SOUV-01": "conforme"}
    tra = next(r for r in decision["regles"] if r["id"] == "region.socle.TRA-01")
    assert tra["modifications"][0]["auteur"] == "regional"
    assert [p["espace"] for p in decision["charte"]["paquets"]] == ["region.socle", "region"]


def test_pack_fields_extend_the_vocabulary(run: Callable[..., Run], write) -> None:
    write("paquet.yaml", PAQUET.replace("regles:\n", """champs:
  - chemin: projet.frugalite.gpu_heures
    type: entier
    section: hebergement
    question: Combien d'heures de calcul sur processeur graphique par mois ?
regles:
  - id: FRU-01
    titre: Calcul sobre
    principe: souverainete
    severite: info
    exigence: projet.frugalite.gpu_heures <= 100
    message: Trop de calcul.
""", 1))
    charte = write("charte.yaml", CHARTE)
    fiche = write("fiche.yaml", FICHE + "  frugalite:\n    gpu_heures: 250\n")
    decision = _decision(run, charte, fiche)
    assert _statuts(decision)["socle.FRU-01"] == "non_conforme"
    schema = json.loads(run("schema", "--charte", charte).out)
    assert "gpu_heures" in json.dumps(schema)
    bad = write("fiche.yaml", FICHE + "  frugalite:\n    gpu_heure: 250\n")
    result = run("verifier", bad, "-c", charte)
    assert result.code == 3
    assert "vouliez-vous dire « gpu_heures » ?" in result.err


def test_a_pack_cannot_redefine_a_standard_field(run: Callable[..., Run], write) -> None:
    write("paquet.yaml", PAQUET + """champs:
  - chemin: projet.usage.decisions_individuelles
    type: texte
    section: usage
    question: Redéfinition
""")
    result = run("valider", write("charte.yaml", CHARTE))
    assert result.code == 3
    assert "[champ-redefini] le champ « projet.usage.decisions_individuelles » existe déjà" in result.err


def test_a_pack_validates_and_evaluates_on_its_own(run: Callable[..., Run], files) -> None:
    _, fiche = files()
    pack = fiche.parent / "paquet.yaml"
    assert run("valider", pack).out.startswith(f"✓ {pack} : paquet valide — 3 règles")
    decision = _decision(run, pack, fiche)
    assert _statuts(decision) == {"HUM-01": "conforme", "TRA-01": "non_conforme", "SOUV-01": "conforme"}


def test_frozen_charter_imports_the_commons_and_tightens_one_rule() -> None:
    charte = load_charter(CHARTE_MODELE)
    assert [p.id for p in charte.paquets] == ["communs-territoriaux"]
    tra3 = charte.regle("communs.TRA-03")
    assert tra3 is not None
    assert [m.description for m in tra3.modifications] == [
        "sévérité : mineur → majeur", "références ajoutées : Charte de la commune, article 5 (transparence)"]
    assert charte.assouplissements == ()
    locked = sorted(r.id for r in charte.regles if r.verrouille)
    assert locked == ["communs.DON-01", "communs.HUM-01", "communs.HUM-02"]


def test_library_reports_every_problem_of_charter_and_pack_together(write) -> None:
    write("paquet.yaml", PAQUET.replace("projet.controle_humain.agent_peut_infirmer",
                                        "projet.controle_humain.agent_peut_infirmr"))
    charte = write("charte.yaml", CHARTE + "surcharges:\n  socle.TRA-01:\n    severite: mineur\n")
    with pytest.raises(InvalidInputError) as raised:
        load_charter(charte)
    found = [(d.code, Path(d.location.file).name) for d in raised.value.diagnostics]
    assert found == [("motif-manquant", "charte.yaml"), ("cel-champ-inconnu", "paquet.yaml")]


def test_import_chains_are_bounded(run: Callable[..., Run], write) -> None:
    for level in range(20):
        write(f"p{level}.yaml", f"""
format: paquet_regles/1
paquet: {{id: p{level}, titre: P{level}, version: 1.0.0}}
importe:
  - {{paquet: ./p{level + 1}.yaml, version: 1.0.0, espace: e}}
""")
    charte = write("charte.yaml", CHARTE.replace("./paquet.yaml", "./p0.yaml").replace("2.1.0", "1.0.0"))
    result = run("valider", charte)
    assert result.code == 3
    assert "[import-profondeur] plus de 16 niveaux d'importations imbriquées" in result.err
    assert "Traceback" not in result.err


def test_a_charter_is_compiled_again_only_when_its_files_change(write: Callable[[str, str], Path]) -> None:
    pack = write("paquet.yaml", PAQUET)
    charte = write("charte.yaml", CHARTE)
    first = load_charter(charte)
    assert load_charter(charte) is first  # same bytes, same packs: the compiled charter is reused
    pack.write_text(pack.read_text(encoding="utf-8").replace("Socle de test", "Socle de test modifié"),
                    encoding="utf-8")
    changed = load_charter(charte)
    assert changed is not first  # a pack changed on disk: compiled again, never the stale one
    assert [p.titre for p in changed.paquets] == ["Socle de test modifié"]
    pack.unlink()
    with pytest.raises(InvalidInputError):
        load_charter(charte)  # the pack is gone: the charter no longer loads


def test_a_charter_compiles_from_packs_held_in_memory_without_touching_the_disk() -> None:
    """The compiler asks a reader for each pack: a service can hand it documents from memory."""
    from charte_ia.compiler import compile_charter
    from charte_ia.limits import Limits
    from charte_ia.model import FichierCharte
    from charte_ia.source import Document, read_bytes
    from charte_ia.validation import validate_document
    from charte_ia.vocabulary import default_vocabulary

    asked: list[str] = []

    class InMemory:
        def shipped(self) -> list[str]:
            return []

        def read_shipped(self, name: str, limits: Limits) -> Document:  # noqa: ARG002
            raise AssertionError(name)

        def read_path(self, path: Path, limits: Limits) -> Document:
            asked.append(path.as_posix())
            return read_bytes(PAQUET.encode("utf-8"), path.as_posix(), limits)

    document = read_bytes(CHARTE.encode("utf-8"), "memoire/charte.yaml")
    fichier = validate_document(FichierCharte, document, code="charte")
    charte = compile_charter(fichier, document, default_vocabulary(), packs=InMemory())
    assert asked == ["memoire/paquet.yaml"]
    assert [p.id for p in charte.paquets] == ["socle-test"]
    assert not Path("memoire").exists()
