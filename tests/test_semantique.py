"""Evaluation semantics (DESIGN §4): three-valued logic, statuses, verdict, time, fail closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import charte_ia
from charte_ia import Statut, Verdict
from conftest import MINI_CHARTE, mini_fiche


def _rule(rule_id: str, exigence: str, *, severite: str = "bloquant", extra: str = "") -> str:
    return (f"  - id: {rule_id}\n    titre: Règle {rule_id}\n    principe: test\n"
            f"    severite: {severite}\n    exigence: {exigence}\n    message: Échec de {rule_id}\n"
            + extra)


@pytest.fixture
def decide(write: Callable[..., Path]) -> Callable[..., charte_ia.Decision]:
    """Evaluate a small charter (its rules) against a small declaration (its projet body)."""

    def _decide(rules: str, projet: str, jour: date = date(2026, 9, 1)) -> charte_ia.Decision:
        charte = charte_ia.load_charter(write("charte.yaml", MINI_CHARTE + rules))
        fiche = charte_ia.load_declaration(write("fiche.yaml", mini_fiche(projet)))
        return charte_ia.evaluate(charte, fiche, jour)

    return _decide


def test_missing_field_needed_by_a_blocking_rule_is_incomplete(decide: Callable[..., charte_ia.Decision]
                                                               ) -> None:
    decision = decide(_rule("R1", "projet.donnees.dpo_consulte"), "donnees: {personnelles: true}")
    assert decision.verdict is Verdict.INCOMPLET
    result = decision.regle("R1")
    assert result is not None
    assert result.statut is Statut.INDETERMINE
    assert result.manquants == ("projet.donnees.dpo_consulte",)
    assert decision.informations_manquantes[0].question.startswith("Le délégué à la protection")


def test_inconnu_counts_as_missing_never_as_false(decide: Callable[..., charte_ia.Decision]) -> None:
    decision = decide(_rule("R1", '"!projet.donnees.sensibles"'), "donnees: {sensibles: inconnu}")
    assert decision.verdict is Verdict.INCOMPLET


def test_false_and_unknown_is_decided(decide: Callable[..., charte_ia.Decision]) -> None:
    rule = _rule("R1", "projet.donnees.dpo_consulte",
                 extra="    applicable_si: projet.donnees.personnelles && projet.donnees.sensibles\n")
    decision = decide(rule, "donnees: {personnelles: false}")
    assert decision.regles[0].statut is Statut.NON_APPLICABLE
    assert decision.verdict is Verdict.CONFORME


def test_unknown_applicability_with_met_requirement_is_conforme(decide: Callable[..., charte_ia.Decision]
                                                                ) -> None:
    rule = _rule("R1", "projet.donnees.dpo_consulte", extra="    applicable_si: projet.donnees.sensibles\n")
    assert decide(rule, "donnees: {dpo_consulte: true}").regles[0].statut is Statut.CONFORME
    undecided = decide(rule, "donnees: {dpo_consulte: false}").regles[0]
    assert undecided.statut is Statut.INDETERMINE
    assert undecided.manquants == ("projet.donnees.sensibles",)


def test_runtime_error_is_erreur_and_never_conforme(decide: Callable[..., charte_ia.Decision]) -> None:
    # « statut » is an enum: comparing it with a number fails at run time.
    rules = _rule("R1", "projet.statut > 3", severite="mineur")
    decision = decide(rules, "statut: idee")
    assert decision.regles[0].statut is Statut.ERREUR
    assert decision.regles[0].erreur is not None
    assert "impossible" in decision.regles[0].erreur
    assert decision.verdict is not Verdict.CONFORME


def test_blocking_rule_in_error_makes_the_decision_non_conforme(decide: Callable[..., charte_ia.Decision]
                                                                ) -> None:
    decision = decide(_rule("R1", "1 / 0 == 1"), "statut: idee")
    assert decision.regles[0].statut is Statut.ERREUR
    assert decision.verdict is Verdict.NON_CONFORME


def test_non_boolean_result_is_erreur(decide: Callable[..., charte_ia.Decision]) -> None:
    decision = decide(_rule("R1", "projet.nom", severite="majeur"), "")
    assert decision.regles[0].statut is Statut.ERREUR
    assert "vrai ou faux" in (decision.regles[0].erreur or "")
    assert decision.verdict is Verdict.CONFORME_AVEC_RESERVES


@pytest.mark.parametrize(("statuts", "verdict"), [
    ({"bloquant": "conforme", "majeur": "conforme", "mineur": "non_conforme"}, Verdict.CONFORME),
    ({"bloquant": "conforme", "majeur": "non_conforme", "mineur": "conforme"},
     Verdict.CONFORME_AVEC_RESERVES),
    ({"bloquant": "indetermine", "majeur": "non_conforme", "mineur": "conforme"}, Verdict.INCOMPLET),
    ({"bloquant": "non_conforme", "majeur": "indetermine", "mineur": "conforme"}, Verdict.NON_CONFORME),
    ({"bloquant": "conforme", "majeur": "indetermine", "mineur": "conforme"}, Verdict.INCOMPLET),
    ({"bloquant": "conforme", "majeur": "conforme", "mineur": "indetermine"}, Verdict.CONFORME),
])
def test_verdict_table(decide: Callable[..., charte_ia.Decision], statuts: dict[str, str],
                       verdict: Verdict) -> None:
    values = {"conforme": "true", "non_conforme": "false", "indetermine": "inconnu"}
    fields = {"bloquant": "dpo_consulte", "majeur": "aipd_realisee", "mineur": "sensibles"}
    rules = "".join(_rule(f"R-{sev}", f"projet.donnees.{fields[sev]}", severite=sev) for sev in fields)
    projet = "donnees:\n" + "".join(f"  {fields[s]}: {values[st]}\n" for s, st in statuts.items())
    decision = decide(rules, projet)
    assert {r.severite.value: r.statut.value for r in decision.regles if r.severite} == statuts
    assert decision.verdict is verdict


def test_clauses_are_explained_one_by_one(decide: Callable[..., charte_ia.Decision]) -> None:
    rule = _rule("R1", "\n      toutes:\n"
                 "        - {id: stockage,"
                 " expr: 'projet.hebergement.pays_stockage.all(p, p in param.pays_autorises)',"
                 " message: 'Hors UE : {{ projet.hebergement.pays_stockage }}'}\n"
                 "        - {id: dpo, expr: projet.donnees.dpo_consulte}\n")
    result = decide(rule, "hebergement: {pays_stockage: [FR, US]}").regles[0]
    assert result.statut is Statut.NON_CONFORME  # one clause false decides, the other is unknown
    assert [(c.id, c.statut) for c in result.clauses] == [("stockage", Statut.NON_CONFORME),
                                                          ("dpo", Statut.INDETERMINE)]
    assert result.clauses[0].message == "Hors UE : FR, US"
    assert [p.nom for p in result.parametres] == ["pays_autorises"]
    assert result.donnees[0].champ == "projet.hebergement.pays_stockage"
    assert result.donnees[0].position is not None
    assert result.donnees[0].position.ligne == 5


def test_une_de_needs_one_clause(decide: Callable[..., charte_ia.Decision]) -> None:
    rule = _rule("R1", "\n      une_de:\n        - {id: a, expr: projet.donnees.dpo_consulte}\n"
                 "        - {id: b, expr: projet.donnees.aipd_realisee}\n")
    assert decide(rule, "donnees: {aipd_realisee: true}").regles[0].statut is Statut.CONFORME
    assert decide(rule, "donnees: {aipd_realisee: false}").regles[0].statut is Statut.INDETERMINE
    both_false = "donnees: {aipd_realisee: false, dpo_consulte: false}"
    assert decide(rule, both_false).regles[0].statut is Statut.NON_CONFORME


def test_parameters_and_severities_follow_the_reference_date(decide: Callable[..., charte_ia.Decision]
                                                             ) -> None:
    rule = _rule("R1", "projet.hebergement.pays_stockage.all(p, p in param.pays_autorises)",
                 severite="{2026-01-01: majeur, 2026-08-01: bloquant}")
    projet = "hebergement: {pays_stockage: [FR, DE]}"
    before = decide(rule, projet, date(2026, 3, 1)).regles[0]
    after = decide(rule, projet, date(2026, 9, 1)).regles[0]
    assert (before.statut, before.severite) == (Statut.NON_CONFORME, charte_ia.Severite.MAJEUR)
    assert (after.statut, after.severite) == (Statut.CONFORME, charte_ia.Severite.BLOQUANT)
    assert after.parametres[0].depuis == date(2026, 7, 1)


def test_rule_out_of_force_is_listed_not_evaluated(decide: Callable[..., charte_ia.Decision]) -> None:
    rule = _rule("R1", "projet.donnees.dpo_consulte", extra="    en_vigueur: {du: 2027-01-01}\n")
    decision = decide(rule, "donnees: {dpo_consulte: false}")
    assert decision.regles[0].statut is Statut.HORS_VIGUEUR
    assert decision.verdict is Verdict.CONFORME
    assert decision.resume.hors_vigueur == 1


def test_exception_with_its_effect(decide: Callable[..., charte_ia.Decision]) -> None:
    exception = ("    exceptions:\n      - id: sans_donnees\n        si: '!projet.donnees.personnelles'\n"
                 "        effet: non_applicable\n        justification: Pas de données personnelles.\n")
    rule = _rule("R1", "projet.donnees.dpo_consulte", extra=exception)
    result = decide(rule, "donnees: {personnelles: false}").regles[0]
    assert result.statut is Statut.NON_APPLICABLE
    assert result.exception is not None
    assert result.exception.id == "sans_donnees"
    assert decide(rule, "donnees: {dpo_consulte: false}").regles[0].statut is Statut.INDETERMINE


def test_two_exceptions_with_different_effects_are_an_error(decide: Callable[..., charte_ia.Decision]
                                                            ) -> None:
    exceptions = ("    exceptions:\n"
                  "      - {id: e1, si: 'true', effet: non_applicable, justification: Un.}\n"
                  "      - {id: e2, si: 'true', effet: conforme, justification: Deux.}\n")
    result = decide(_rule("R1", "'false'", extra=exceptions), "").regles[0]
    assert result.statut is Statut.ERREUR
    assert "« e1 » et « e2 »" in (result.erreur or "")


def test_qualifications_are_computed_once_and_carry_missing_fields(write: Callable[..., Path]) -> None:
    charte_text = MINI_CHARTE.replace("regles:\n", """qualifications:
  sensible:
    titre: Projet sensible
    expr: projet.donnees.personnelles && projet.donnees.sensibles
regles:
""") + _rule("R1", "projet.donnees.aipd_realisee", extra="    applicable_si: qualif.sensible\n")
    charte = charte_ia.load_charter(write("charte.yaml", charte_text))
    fiche = charte_ia.load_declaration(write("fiche.yaml", mini_fiche("donnees: {personnelles: true}")))
    decision = charte_ia.evaluate(charte, fiche, date(2026, 9, 1))
    assert decision.qualifications[0].valeur is None
    assert decision.qualifications[0].manquants == ("projet.donnees.sensibles",)
    result = decision.regles[0]
    assert result.statut is Statut.INDETERMINE
    # whether the rule applies is asked first: its requirement may not concern the project
    assert set(result.manquants) == {"projet.donnees.sensibles"}


def test_dates_compare_as_dates(decide: Callable[..., charte_ia.Decision]) -> None:
    rule = _rule("R1", "projet.donnees.aipd_date < date")
    assert decide(rule, "donnees: {aipd_date: 2026-01-15}").regles[0].statut is Statut.CONFORME
    assert decide(rule, "donnees: {aipd_date: 2027-01-15}").regles[0].statut is Statut.NON_CONFORME


def test_parameter_without_value_at_the_date_is_an_error(write: Callable[..., Path]) -> None:
    charte_text = MINI_CHARTE.replace("      2026-01-01: [FR]\n", "") + _rule(
        "R1", "projet.hebergement.pays_stockage.all(p, p in param.pays_autorises)")
    charte = charte_ia.load_charter(write("charte.yaml", charte_text))
    fiche = charte_ia.load_declaration(write("fiche.yaml", mini_fiche("hebergement: {pays_stockage: [FR]}")))
    result = charte_ia.evaluate(charte, fiche, date(2026, 3, 1)).regles[0]
    assert result.statut is Statut.ERREUR
    assert "n'a pas de valeur au 01/03/2026" in (result.erreur or "")


def test_a_qualification_reads_those_computed_before_it_in_every_namespace() -> None:
    """Each namespace's qualifications are converted once, then completed as more are known: the
    maps an expression reads at the end are those a fresh conversion would give, on every example."""
    from charte_ia import cel
    from charte_ia.engine.contexte import Context
    from conftest import CHARTE_MODELE, EXEMPLES

    charte = charte_ia.load_charter(CHARTE_MODELE)
    espaces = sorted({q.espace for q in charte.qualifications} | {""})
    for path in sorted(EXEMPLES.glob("*.yaml"))[:6]:
        try:
            fiche = charte_ia.load_declaration(path, vocabulaire=charte.vocabulaire)
        except charte_ia.InvalidInputError:
            continue
        context = Context.build(charte, fiche, date(2026, 11, 22), cel.Budget.of(charte.limites))
        kept = {espace: context.activation(espace)["qualif"] for espace in espaces}
        assert any(len(tree) for tree in kept.values())
        fresh = Context(charte, fiche, context.jour, context.parametres, context.projet, context.budget,
                        qualifications=dict(context.qualifications))
        for espace in espaces:
            assert kept[espace] == fresh.activation(espace)["qualif"], (path.name, espace)
