"""The decision: the versioned result of checking one declaration against one charter.

A :class:`Decision` is immutable and serialises to deterministic JSON (:meth:`Decision.to_json`):
the same charter, declaration and reference date always give the same bytes. Its JSON
Schema is published by ``charte-ia schema decision``. Keys are French, as everything a
user or a tool reads.

The verdict follows DESIGN §4, in this order:

1. a ``bloquant`` rule ``non_conforme`` or ``erreur`` → ``non_conforme``;
2. else a ``bloquant`` or ``majeur`` rule ``indetermine`` → ``incomplet``;
3. else a ``majeur`` rule ``non_conforme`` or ``erreur``, or a ``mineur`` or ``info`` rule
   ``erreur`` → ``conforme_avec_reserves`` (a broken rule never lets ``conforme`` through);
4. else → ``conforme``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from charte_ia.model import EffetException, Reference, Severite

FORMAT_DECISION = "decision-charte-ia/1"
"""Version of the JSON contract; it changes with any incompatible change."""


class Statut(StrEnum):
    """The status of one rule for one declaration."""

    CONFORME = "conforme"
    NON_CONFORME = "non_conforme"
    NON_APPLICABLE = "non_applicable"
    INDETERMINE = "indetermine"
    DEROGEE = "derogee"
    HORS_VIGUEUR = "hors_vigueur"
    ERREUR = "erreur"


class Verdict(StrEnum):
    """The overall decision."""

    CONFORME = "conforme"
    CONFORME_AVEC_RESERVES = "conforme_avec_reserves"
    NON_CONFORME = "non_conforme"
    INCOMPLET = "incomplet"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Place(_Frozen):
    """A place in a file."""

    fichier: str
    ligne: int | None = None
    colonne: int | None = None


class DonneeUtilisee(_Frozen):
    """A declaration value a rule used, and where it is written."""

    champ: str
    valeur: Any
    position: Place | None = None


class ParametreUtilise(_Frozen):
    """A charter parameter a rule used, with the date its value has been in force since."""

    nom: str
    valeur: Any
    depuis: date | None = None


class ResultatClause(_Frozen):
    """The result of one clause of a requirement, with the expression it checks."""

    id: str
    statut: Statut
    expression: str = ""
    message: str | None = None
    manquants: tuple[str, ...] = ()
    erreur: str | None = None


class ExceptionAppliquee(_Frozen):
    """The exception that decided a rule."""

    id: str
    effet: EffetException
    justification: str


class ProvenanceRegle(_Frozen):
    """The pack an imported rule comes from."""

    paquet: str
    version: str
    espace: str
    fichier: str
    ligne: int | None = None


class ModificationLocale(_Frozen):
    """A change an importer made to an imported rule or parameter."""

    cible: str
    nature: str
    description: str
    assouplissement: bool
    motif: str | None = None
    auteur: str
    position: Place


class DerogationAppliquee(_Frozen):
    """The dérogation that neutralised a failure of the rule."""

    id: str
    accordee_par: str
    deliberation: str
    accordee_le: date
    expire_le: date
    justification: str
    mesures_compensatoires: tuple[str, ...]


class ResultatRegle(_Frozen):
    """The result of one rule, with everything needed to explain it."""

    id: str
    titre: str
    principe: str
    severite: Severite | None
    statut: Statut
    applicabilite: bool | None = None
    exception: ExceptionAppliquee | None = None
    clauses: tuple[ResultatClause, ...] = ()
    message: str | None = None
    remediation: str | None = None
    manquants: tuple[str, ...] = ()
    erreur: str | None = None
    donnees: tuple[DonneeUtilisee, ...] = ()
    parametres: tuple[ParametreUtilise, ...] = ()
    references: tuple[Reference, ...] = ()
    source: Place
    provenance: ProvenanceRegle | None = None
    modifications: tuple[ModificationLocale, ...] = ()
    derogation: DerogationAppliquee | None = None
    a_verifier: str | None = None


class ResultatQualification(_Frozen):
    """The value of a derived label for this declaration (``None`` = undetermined)."""

    id: str
    titre: str
    valeur: bool | None
    manquants: tuple[str, ...] = ()
    erreur: str | None = None


class StatutApres(_Frozen):
    """The status a rule would have after an answer."""

    regle: str
    statut: Statut


class EffetReponse(_Frozen):
    """What one possible answer to a question would do."""

    reponse: Any
    regles: tuple[StatutApres, ...]
    verdict: Verdict


class InformationManquante(_Frozen):
    """A field to fill in to reach a decision, with the question to ask and what answers do.

    Attributes:
        rang: Position in the list, 1 for the question to ask first.
        champ: The field's path.
        type: The field's type in the vocabulary.
        question: The question, as the vocabulary words it.
        aide: Help text.
        section: The vocabulary section.
        regles: The undetermined rules that need it.
        role: ``applicabilite`` when the answer may show that a rule does not apply (or that
            an exception holds), ``exigence`` otherwise.
        score: Ranking score: the higher, the sooner the question leads to a decision.
        effets: For a field with a finite set of answers, what each answer would do to the
            rules concerned and to the verdict.
    """

    rang: int
    champ: str
    type: str
    question: str
    aide: str | None = None
    section: str
    regles: tuple[str, ...]
    role: Literal["applicabilite", "exigence"]
    score: float
    effets: tuple[EffetReponse, ...] = ()


class EtatDerogation(StrEnum):
    """What became of a dérogation for this declaration."""

    UTILISEE = "utilisee"
    EXPIREE = "expiree"
    PAS_ENCORE_VALABLE = "pas_encore_valable"
    SANS_OBJET = "sans_objet"
    ORPHELINE = "orpheline"


class SuiviDerogation(_Frozen):
    """One dérogation for one rule, and what became of it."""

    id: str
    regle: str
    etat: EtatDerogation
    detail: str
    accordee_le: date
    expire_le: date
    position: Place


class PaquetImporte(_Frozen):
    """A pack the charter imports, with the hash of the file read."""

    id: str
    titre: str
    version: str
    espace: str
    fichier: str
    sha256: str


class IdentiteCharte(_Frozen):
    """Which charter decided, and the packs it imports."""

    id: str
    titre: str
    version: str
    fichier: str
    sha256: str
    paquets: tuple[PaquetImporte, ...] = ()
    principes: dict[str, str] = {}


class IdentiteDeclaration(_Frozen):
    """Which declaration was checked."""

    id: str
    nom: str
    fichier: str
    sha256: str


class Moteur(_Frozen):
    """The engine that produced the decision."""

    nom: str = "charte-ia"
    version: str


class Resume(_Frozen):
    """How many rules ended in each status."""

    conforme: int = 0
    non_conforme: int = 0
    non_applicable: int = 0
    indetermine: int = 0
    derogee: int = 0
    hors_vigueur: int = 0
    erreur: int = 0
    total: int = 0


class Decision(_Frozen):
    """The decision on one declaration (the JSON contract ``decision-charte-ia/1``).

    Attributes:
        format: Contract version.
        verdict: The overall decision.
        motifs: The rules that determine the verdict, most serious first.
        date_reference: The day the charter was applied as of.
        horodatage: When the evaluation ran, only when asked for (kept out by default so
            that the same inputs give the same bytes).
        moteur: Engine name and version.
        charte: Charter identity and hash.
        declaration: Declaration identity and hash.
        resume: Number of rules per status.
        qualifications: The derived labels.
        regles: Every rule, in charter order.
        assouplissements: Every loosening of an imported rule by the charter or a pack
            (switch-offs included), with its motif.
        derogations: The dérogations granted to this project, and what became of each.
        informations_manquantes: Fields to fill in, most useful first.
    """

    format: str = FORMAT_DECISION
    verdict: Verdict
    motifs: tuple[str, ...]
    date_reference: date
    horodatage: str | None = None
    moteur: Moteur
    charte: IdentiteCharte
    declaration: IdentiteDeclaration
    resume: Resume
    qualifications: tuple[ResultatQualification, ...]
    regles: tuple[ResultatRegle, ...]
    assouplissements: tuple[ModificationLocale, ...] = ()
    derogations: tuple[SuiviDerogation, ...] = ()
    informations_manquantes: tuple[InformationManquante, ...]

    def to_json(self) -> str:
        """Deterministic JSON text (UTF-8, two-space indentation, final newline)."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"

    def regle(self, regle_id: str) -> ResultatRegle | None:
        """The result of the rule with this id, if any."""
        return next((r for r in self.regles if r.id == regle_id), None)


def decision_json_schema() -> dict[str, Any]:
    """The JSON Schema of the decision contract."""
    schema = Decision.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:charte-ia:schema:decision:1", **schema,
            "title": f"Décision charte-ia ({FORMAT_DECISION})"}


def verdict_of(results: Iterable[ResultatRegle]) -> tuple[Verdict, tuple[str, ...]]:
    """Compute the verdict, and the ids of the rules that determine it (DESIGN §4)."""
    results = list(results)

    def ids(statuts: set[Statut], severites: set[Severite]) -> tuple[str, ...]:
        return tuple(r.id for r in results if r.statut in statuts and r.severite in severites)

    failing = {Statut.NON_CONFORME, Statut.ERREUR}
    if blocking := ids(failing, {Severite.BLOQUANT}):
        return Verdict.NON_CONFORME, blocking
    if missing := ids({Statut.INDETERMINE}, {Severite.BLOQUANT, Severite.MAJEUR}):
        return Verdict.INCOMPLET, missing
    reserves = tuple(r.id for r in results
                     if (r.statut in failing and r.severite is Severite.MAJEUR)
                     or (r.statut is Statut.ERREUR and r.severite in {Severite.MINEUR, Severite.INFO}))
    if reserves:
        return Verdict.CONFORME_AVEC_RESERVES, reserves
    return Verdict.CONFORME, ()


def summarise(results: Iterable[ResultatRegle]) -> Resume:
    """Count the rules per status."""
    counts = {statut.value: 0 for statut in Statut}
    total = 0
    for result in results:
        counts[result.statut.value] += 1
        total += 1
    return Resume(**counts, total=total)
