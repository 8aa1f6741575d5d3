"""What the committee report says, in the committee's words, built from the decision alone.

Fields appear by their question and values by their label (both carried by the decision,
:class:`~charte_ia.decision.DonneeUtilisee`); rules by their title. Expressions, field paths,
fingerprints and the engine go to the « Détail technique » annex.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from charte_ia.decision import (
    Decision,
    DonneeUtilisee,
    EtatDerogation,
    InformationManquante,
    ResultatRegle,
    Statut,
    Verdict,
)
from charte_ia.diagnostics import date_fr, valeur_fr
from charte_ia.model import NatureRegle, Severite

ORDRE_SEVERITE = {Severite.BLOQUANT: 0, Severite.MAJEUR: 1, Severite.MINEUR: 2, Severite.INFO: 3}

GLOSSAIRE = (
    ("Bloquant", "Règle dont le non-respect empêche la mise en œuvre du projet en l'état."),
    ("Majeur", "Règle dont le non-respect laisse le projet possible, sous réserve de corriger le point."),
    ("Mineur, information", "Règles qui font l'objet d'une observation, sans effet sur la décision."),
    ("Indéterminée", "La fiche ne dit pas ce qu'il faut pour conclure : une question reste à trancher."),
    ("Non applicable", "La règle ne concerne pas ce projet (par exemple, il ne traite aucune donnée "
                       "personnelle)."),
    ("Hors vigueur", "La règle n'est pas encore, ou plus, en vigueur à la date de référence."),
    ("Dérogée", "Le comité d'éthique a accepté, par une délibération et jusqu'à une date, que la règle ne "
                "soit pas respectée, avec des mesures compensatoires."),
    ("Obligation légale", "La règle rappelle ce que la loi impose déjà (le texte et l'article sont cités)."),
    ("Engagement de la charte", "La règle va au-delà de la loi : la collectivité s'y est engagée."),
)


@dataclass
class Valeur:
    """A declared value as the committee reads it: the question, then the answer."""

    question: str
    reponse: str
    champ: str


@dataclass
class Question:
    """One question to settle: the rules it concerns (by title) and what each answer would do."""

    question: str
    aide: str | None
    regles: list[str]
    effets: list[tuple[str, str]]
    champ: str


@dataclass
class BarrePrincipe:
    """One principle of the visual summary: how many rules are in each state."""

    principe: str
    titre: str
    comptes: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.comptes.values())


def valeur(donnee: DonneeUtilisee) -> Valeur:
    """The question and the answer, by its label for a choice (« Oui »/« Non » for a yes-or-no)."""
    return Valeur(donnee.question or donnee.champ, _reponse(donnee.valeur, donnee.libelle), donnee.champ)


def _reponse(value: object, libelle: str | None) -> str:
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    return libelle or valeur_fr(value)


def titres(decision: Decision, ids: Sequence[str]) -> list[str]:
    """Rule titles for rule ids (the id when the rule is not in the decision)."""
    by_id = {r.id: r.titre for r in decision.regles}
    return [by_id.get(i, i) for i in ids]


def prochaine_etape(decision: Decision) -> str:
    """What the project must do next, in one sentence."""
    motifs = len(decision.motifs)
    if decision.verdict is Verdict.NON_CONFORME:
        rules = "la règle bloquante" if motifs <= 1 else f"les {motifs} règles bloquantes"
        return (f"Mettre le projet en conformité avec {rules} ci-dessous, puis vérifier de nouveau la "
                "fiche : il ne peut pas être mis en œuvre avant.")
    if decision.verdict is Verdict.INCOMPLET:
        first = decision.informations_manquantes[0].question if decision.informations_manquantes else None
        ask = f" (d'abord : « {first} »)" if first else ""
        return (f"Compléter la fiche en répondant aux questions à trancher{ask}, puis la vérifier de "
                "nouveau : la décision en dépend.")
    if decision.verdict is Verdict.CONFORME_AVEC_RESERVES:
        reserves = "la réserve" if motifs <= 1 else f"les {motifs} réserves"
        return (f"Le projet peut avancer ; lever {reserves} ci-dessous dans le délai que fixe le comité "
                "d'éthique.")
    if decision.resume.derogee:
        return ("Le projet peut être mis en œuvre ; les mesures compensatoires des dérogations "
                "s'appliquent, et la décision doit être revue avant qu'elles n'expirent.")
    return ("Aucune action requise ; vérifier de nouveau la fiche à chaque changement du projet ou de "
            "la charte.")


def derogations_actives(decision: Decision) -> list[str]:
    """Each dérogation the decision relies on, in one sentence with its deliberation and expiry."""
    sentences = []
    for rule in decision.regles:
        d = rule.derogation
        if rule.statut is Statut.DEROGEE and d is not None:
            sentences.append(f"« {rule.titre} » : dérogation {d.id} accordée par {d.accordee_par} "
                             f"({d.deliberation}), valable jusqu'au {date_fr(d.expire_le)}.")
    lapsed = [s for s in decision.derogations
              if s.etat in (EtatDerogation.EXPIREE, EtatDerogation.A_REEXAMINER)]
    sentences += [f"Dérogation {s.id} (règle {s.regle}), qui ne s'applique pas : {s.detail}" for s in lapsed]
    return sentences


def questions(decision: Decision) -> list[Question]:
    """The questions to settle, the most useful first."""
    return [_question(decision, info) for info in decision.informations_manquantes]


def _question(decision: Decision, info: InformationManquante) -> Question:
    effets = [(_reponse(effet.reponse, effet.libelle), _verdict_fr(effet.verdict)) for effet in info.effets]
    return Question(info.question, info.aide, titres(decision, info.regles), effets, info.champ)


def _verdict_fr(verdict: Verdict) -> str:
    return {Verdict.CONFORME: "conforme", Verdict.CONFORME_AVEC_RESERVES: "conforme avec réserves",
            Verdict.NON_CONFORME: "non conforme", Verdict.INCOMPLET: "toujours incomplet"}[verdict]


def barres(decision: Decision) -> list[BarrePrincipe]:
    """Per principle, the rules met, not met, undetermined, derogated and not applicable."""
    lines: dict[str, BarrePrincipe] = {}
    for rule in decision.regles:
        if rule.statut is Statut.HORS_VIGUEUR:
            continue
        line = lines.setdefault(rule.principe, BarrePrincipe(
            rule.principe, decision.charte.principes.get(rule.principe, rule.principe)))
        state = "non_conforme" if rule.statut is Statut.ERREUR else rule.statut.value
        line.comptes[state] = line.comptes.get(state, 0) + 1
    return list(lines.values())


def trier(rules: Sequence[ResultatRegle]) -> list[ResultatRegle]:
    return sorted(rules, key=lambda r: ORDRE_SEVERITE.get(r.severite, 4) if r.severite else 4)


def natures(decision: Decision) -> tuple[int, int]:
    """How many rules in force state the law, and how many are commitments of the charter."""
    en_vigueur = [r for r in decision.regles if r.statut is not Statut.HORS_VIGUEUR]
    loi = sum(1 for r in en_vigueur if r.nature is NatureRegle.LOI)
    return loi, len(en_vigueur) - loi
