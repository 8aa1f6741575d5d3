"""The decision: the versioned result of checking one declaration against one charter.

A :class:`Decision` is immutable and serialises to deterministic JSON (:meth:`Decision.to_json`):
the same charter, declaration and reference date always give the same bytes. Its JSON
Schema is published by ``charte-ia schema decision``. Keys are French, as everything a
user or a tool reads.

The verdict is computed by :mod:`charte_ia.verdict` (DESIGN §4).
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from charte_ia.model import EffetException, NatureRegle, Reference, Severite
from charte_ia.output import small_decimal

FORMAT_DECISION = "decision-charte-ia/1"
"""Version of the JSON contract; it changes with any incompatible change."""


class Statut(StrEnum):
    """Le statut d'une règle pour une fiche.

    ``conforme``, ``non_conforme``, ``non_applicable``, ``indetermine``, ``derogee``,
    ``hors_vigueur`` ou ``erreur``.
    """

    CONFORME = "conforme"
    NON_CONFORME = "non_conforme"
    NON_APPLICABLE = "non_applicable"
    INDETERMINE = "indetermine"
    DEROGEE = "derogee"
    HORS_VIGUEUR = "hors_vigueur"
    ERREUR = "erreur"


class Verdict(StrEnum):
    """La décision d'ensemble.

    ``conforme``, ``conforme_avec_reserves``, ``non_conforme`` ou ``incomplet``.
    """

    CONFORME = "conforme"
    CONFORME_AVEC_RESERVES = "conforme_avec_reserves"
    NON_CONFORME = "non_conforme"
    INCOMPLET = "incomplet"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Place(_Frozen):
    """Un endroit d'un fichier : nom, ligne et colonne (à partir de 1)."""

    fichier: str
    ligne: int | None = None
    colonne: int | None = None


class DonneeUtilisee(_Frozen):
    """Une valeur lue par une règle, où elle est écrite, sa question et son libellé (pour un choix)."""

    champ: str
    valeur: Any
    position: Place | None = None
    question: str | None = None
    libelle: str | None = None


class ParametreUtilise(_Frozen):
    """Un paramètre de la charte lu par une règle, avec la date depuis laquelle sa valeur est en vigueur."""

    nom: str
    valeur: Any
    depuis: date | None = None


class ResultatClause(_Frozen):
    """Le résultat d'une clause de l'exigence, avec l'expression qu'elle vérifie."""

    id: str
    statut: Statut
    expression: str = ""
    message: str | None = None
    manquants: tuple[str, ...] = ()
    erreur: str | None = None


class ExceptionAppliquee(_Frozen):
    """L'exception qui a décidé du statut d'une règle."""

    id: str
    effet: EffetException
    justification: str


class ProvenanceRegle(_Frozen):
    """Le paquet d'où vient une règle importée : identifiant, version, espace de noms, fichier et ligne."""

    paquet: str
    version: str
    espace: str
    fichier: str
    ligne: int | None = None


class ModificationLocale(_Frozen):
    """Une modification apportée par une charte (ou un paquet) à une règle ou un paramètre importé.

    Un assouplissement porte toujours son motif.
    """

    cible: str
    nature: str
    description: str
    assouplissement: bool
    motif: str | None = None
    auteur: str
    position: Place


class DerogationAppliquee(_Frozen):
    """La dérogation qui a neutralisé le non-respect d'une règle."""

    id: str
    accordee_par: str
    deliberation: str
    accordee_le: date
    expire_le: date
    justification: str
    mesures_compensatoires: tuple[str, ...]


class ResultatRegle(_Frozen):
    """Le résultat d'une règle, avec tout ce qu'il faut pour l'expliquer.

    Attributes:
        id: Identifiant stable, préfixé par l'espace de noms pour une règle importée.
        titre: Titre court.
        principe: Clé du principe de la charte.
        severite: Sévérité à la date de référence (``None`` si la règle est hors vigueur).
        statut: Le statut de la règle pour cette fiche.
        applicabilite: Si la règle s'applique (``None`` : on ne sait pas).
        exception: L'exception qui a décidé, le cas échéant.
        clauses: Le résultat de chaque clause de l'exigence.
        message: Le message affiché quand la règle n'est pas respectée.
        remediation: Ce qu'il faut faire.
        manquants: Les champs dont la règle a besoin et que la fiche ne renseigne pas.
        erreur: Pourquoi la règle n'a pas pu être évaluée (statut ``erreur``).
        donnees: Les valeurs de la fiche lues, avec leur position.
        parametres: Les paramètres lus, avec leur valeur à la date de référence.
        references: Les textes de référence.
        source: Où la règle est écrite.
        provenance: Le paquet d'où elle vient, pour une règle importée.
        modifications: Les modifications apportées par les chartes qui l'importent.
        derogation: La dérogation appliquée (statut ``derogee``).
        a_verifier: Point que l'auteur de la règle demande de faire vérifier par un juriste.
        nature: ``loi`` (obligation légale) ou ``charte`` (engagement de la charte, au-delà de la loi).
    """

    id: str
    titre: str
    principe: str
    severite: Severite | None
    statut: Statut
    nature: NatureRegle = NatureRegle.CHARTE
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
    """La valeur d'une qualification pour cette fiche (``None`` : indéterminée)."""

    id: str
    titre: str
    valeur: bool | None
    manquants: tuple[str, ...] = ()
    erreur: str | None = None


class StatutApres(_Frozen):
    """Le statut qu'aurait une règle après une réponse."""

    regle: str
    statut: Statut


class EffetReponse(_Frozen):
    """Ce que ferait une réponse possible à une question : statuts des règles concernées et verdict."""

    reponse: Any
    regles: tuple[StatutApres, ...]
    verdict: Verdict
    libelle: str | None = None
    """Le libellé de la réponse, pour un choix."""


class InformationManquante(_Frozen):
    """Un champ à renseigner pour conclure, avec la question à poser et l'effet de chaque réponse.

    Attributes:
        rang: Position dans la liste, 1 pour la question à poser d'abord.
        champ: Le chemin du champ.
        type: Le type du champ dans le vocabulaire.
        question: La question, telle que le vocabulaire la formule.
        aide: Le texte d'aide.
        section: La section du vocabulaire.
        regles: Les règles indéterminées qui en ont besoin.
        role: ``applicabilite`` quand la réponse peut montrer qu'une règle ne s'applique pas (ou
            qu'une exception vaut), ``exigence`` sinon.
        score: Score de classement : plus il est élevé, plus vite la réponse mène à une décision.
        effets: Pour un champ aux réponses en nombre fini, ce que chaque réponse ferait aux règles
            concernées et au verdict.
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
    """Ce qu'est devenue une dérogation pour cette fiche.

    ``utilisee``, ``a_reexaminer`` (la fiche n'est plus celle que le comité a examinée),
    ``expiree``, ``pas_encore_valable``, ``sans_objet`` ou ``orpheline``.
    """

    UTILISEE = "utilisee"
    A_REEXAMINER = "a_reexaminer"
    EXPIREE = "expiree"
    PAS_ENCORE_VALABLE = "pas_encore_valable"
    SANS_OBJET = "sans_objet"
    ORPHELINE = "orpheline"


class SuiviDerogation(_Frozen):
    """Une dérogation pour une règle, et ce qu'elle est devenue."""

    id: str
    regle: str
    etat: EtatDerogation
    detail: str
    accordee_le: date
    expire_le: date
    position: Place


class PaquetImporte(_Frozen):
    """Un paquet importé par la charte, avec l'empreinte sha256 du fichier lu."""

    id: str
    titre: str
    version: str
    espace: str
    fichier: str
    sha256: str


class IdentiteCharte(_Frozen):
    """La charte qui a décidé, et les paquets qu'elle importe."""

    id: str
    titre: str
    version: str
    fichier: str
    sha256: str
    paquets: tuple[PaquetImporte, ...] = ()
    principes: dict[str, str] = {}


class IdentiteDeclaration(_Frozen):
    """La fiche vérifiée : identifiant, nom, fichier, sha256 de ses octets et empreinte de son contenu.

    ``empreinte`` ne dépend que du contenu validé (pas des commentaires ni de l'ordre des clés) :
    c'est elle qu'une dérogation inscrit.
    """

    id: str
    nom: str
    fichier: str
    sha256: str
    empreinte: str


class Moteur(_Frozen):
    """Le moteur qui a produit la décision : nom, version, et façon d'évaluer les expressions CEL.

    ``evaluation`` vaut ``compilee`` (les expressions, compilées une fois en fonctions Python,
    rejouent pas à pas l'interpréteur de cel-python) ou ``interpretee`` (l'interpréteur de
    cel-python lui-même, la référence) ; les deux donnent la même décision.
    """

    nom: str = "charte-ia"
    version: str
    evaluation: Literal["compilee", "interpretee"] = "compilee"


class Resume(_Frozen):
    """Le nombre de règles dans chaque statut."""

    conforme: int = 0
    non_conforme: int = 0
    non_applicable: int = 0
    indetermine: int = 0
    derogee: int = 0
    hors_vigueur: int = 0
    erreur: int = 0
    total: int = 0


class Decision(_Frozen):
    """La décision sur une fiche : le contrat JSON ``decision-charte-ia/1``.

    Attributes:
        format: Version du contrat.
        verdict: La décision d'ensemble.
        motifs: Les règles qui déterminent le verdict, la plus grave d'abord.
        date_reference: Le jour auquel la charte a été appliquée.
        horodatage: L'heure de l'évaluation, seulement si elle est demandée (absente par défaut,
            pour que les mêmes entrées donnent les mêmes octets).
        moteur: Nom et version du moteur.
        charte: Identité et empreinte de la charte.
        declaration: Identité et empreinte de la fiche.
        resume: Nombre de règles par statut.
        qualifications: Les qualifications calculées.
        regles: Toutes les règles, dans l'ordre de la charte.
        assouplissements: Chaque assouplissement d'une règle importée par la charte ou un paquet
            (désactivations comprises), avec son motif.
        derogations: Les dérogations accordées au projet, et ce que chacune est devenue.
        informations_manquantes: Les champs à renseigner, le plus utile d'abord.
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
        """Le texte JSON, déterministe : UTF-8, indentation de deux espaces, saut de ligne final.

        Le texte est celui de ``json.dumps(…, ensure_ascii=False, indent=2)`` ; pydantic l'écrit
        six fois plus vite, à une graphie près, celle des décimaux de moins de 10⁻⁴ (``0.00001``
        pour ``1e-05``) : une décision qui en contient est écrite par ``json``.
        """
        text = self.model_dump_json(indent=2)
        if small_decimal(text):
            text = json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2)
        return text + "\n"

    def regle(self, regle_id: str) -> ResultatRegle | None:
        """Le résultat de la règle qui porte cet identifiant, s'il y en a une."""
        return next((r for r in self.regles if r.id == regle_id), None)


def decision_json_schema() -> dict[str, Any]:
    """Le schéma JSON (draft 2020-12) du contrat de décision."""
    schema = Decision.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:charte-ia:schema:decision:1", **schema,
            "title": f"Décision charte-ia ({FORMAT_DECISION})"}
