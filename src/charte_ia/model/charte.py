"""Charters and packs (``charte_ia/1``, ``paquet_regles/1``): metadata, parameters, qualifications, rules."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from charte_ia.model.base import (
    CHARTER_ID,
    PACK_ID,
    RULE_ID,
    Combinaison,
    EffetException,
    FrozenModel,
    Identifiant,
    IsoDate,
    Periode,
    Reference,
    Severite,
    Texte,
    Url,
    check_semver,
    dated_keys,
)

# --- The charter (charte_ia/1) ---------------------------------------------------------------


class Editeur(FrozenModel):
    """The collectivité that publishes the charter."""

    nom: Texte
    siren: Annotated[StrictStr, Field(pattern=r"^\d{9}$")] | None = None


class Adoption(FrozenModel):
    """The deliberation that adopted the charter."""

    instance: Texte
    deliberation: Texte
    date: IsoDate
    url: Url | None = None


class MetaCharte(FrozenModel):
    """The ``charte:`` block: identity, version, adoption and validity of the charter."""

    id: Annotated[StrictStr, Field(pattern=CHARTER_ID)]
    titre: Texte
    version: Annotated[StrictStr, AfterValidator(check_semver)]
    description: str | None = None
    editeur: Editeur | None = None
    adoption: Adoption | None = None
    en_vigueur: Periode
    licence: str | None = None
    url: Url | None = None
    vocabulaire: Literal["fiche-projet-ia/1", "fiche-projet-ia/2"] = "fiche-projet-ia/2"
    principes: dict[Identifiant, Texte] = {}


class MetaPaquet(FrozenModel):
    """The ``paquet:`` block: identity and version of a rule pack."""

    id: Annotated[StrictStr, Field(pattern=PACK_ID)]
    titre: Texte
    version: Annotated[StrictStr, AfterValidator(check_semver)]
    description: str | None = None
    editeur: Editeur | None = None
    licence: str | None = None
    url: Url | None = None
    principes: dict[Identifiant, Texte] = {}


class Parametre(FrozenModel):
    """A charter parameter whose value may change over time.

    ``verrouille: true`` in a pack forbids an importing charter to change it.
    """

    description: Texte
    justification: str | None = None
    unite: str | None = None
    valeurs: dict[IsoDate, Any] = Field(min_length=1)
    verrouille: StrictBool = False


class Qualification(FrozenModel):
    """A derived label, computed once per declaration before the rules."""

    titre: Texte
    description: str | None = None
    expr: Texte
    references: tuple[Reference, ...] = ()


class Clause(FrozenModel):
    """A named part of a requirement, explained on its own when it fails."""

    id: Identifiant
    expr: Texte
    message: str | None = None


def _requirement(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise PydanticCustomError(
            "exigence_type", "expression CEL attendue, {valeur} reçu ; écrivez-la entre guillemets "
            "(par exemple \"projet.donnees.dpo_consulte\")", {"valeur": value})
    return {"expr": value} if isinstance(value, str) else value


class Exigence(FrozenModel):
    """What a rule requires: one CEL expression, or clauses that must all (or one) hold."""

    expr: Texte | None = None
    toutes: tuple[Clause, ...] | None = Field(default=None, min_length=1)
    une_de: tuple[Clause, ...] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_form(self) -> Exigence:
        forms = [f for f in (self.expr, self.toutes, self.une_de) if f is not None]
        if len(forms) != 1:
            raise PydanticCustomError(
                "exigence_forme",
                "l'exigence s'écrit soit comme une expression, soit avec « toutes: », "
                "soit avec « une_de: » (une seule de ces formes)")
        clauses = self.clauses
        ids = [c.id for c in clauses]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise PydanticCustomError(
                "clause_dupliquee", "identifiant de clause en double : {ids}",
                {"ids": ", ".join(duplicates)})
        return self

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """The clauses, or one implicit clause ``exigence`` for a single expression."""
        if self.expr is not None:
            return (Clause(id="exigence", expr=self.expr),)
        return self.toutes or self.une_de or ()

    @property
    def combinaison(self) -> Combinaison:
        """How the clauses combine."""
        return Combinaison.UNE_DE if self.une_de is not None else Combinaison.TOUTES


class ExceptionRegle(FrozenModel):
    """A case in which a rule does not apply or is deemed met, with its justification."""

    id: Identifiant
    si: Texte
    effet: EffetException
    justification: Texte
    references: tuple[Reference, ...] = ()


Severites = Annotated[dict[IsoDate, Severite], BeforeValidator(dated_keys), Field(min_length=1)]
"""A severity, or severities from given dates."""


StatutAttendu = Literal["conforme", "non_conforme", "non_applicable", "indetermine", "hors_vigueur",
                        "erreur"]
"""A rule status an example or a test can expect."""


class ExempleRegle(FrozenModel):
    """A worked example written in a rule: a partial declaration and the expected status.

    ``projet`` holds only the fields that matter for the rule; every other field is
    unknown. ``charte-ia tester`` checks each example and counts it for rule coverage.
    """

    nom: Texte
    date: IsoDate | None = None
    projet: dict[StrictStr, Any] = {}
    attendu: StatutAttendu


class PorteeRegle(StrEnum):
    """Whom a rule concerns, before its own condition of application is read."""

    SYSTEMES_IA = "systemes_ia"
    ALGORITHMES = "algorithmes"
    TOUT_PROJET = "tout_projet"

    @property
    def libelle(self) -> str:
        """The scope in words, as the catalogue and the reports write it."""
        return {
            PorteeRegle.SYSTEMES_IA: "les systèmes d'IA seulement",
            PorteeRegle.ALGORITHMES: "les systèmes d'IA et tout traitement algorithmique qui fonde des "
                                     "décisions individuelles, qu'il relève de l'IA ou non (un tableur qui "
                                     "classe des demandes en est un)",
            PorteeRegle.TOUT_PROJET: "tout projet numérique, IA ou non",
        }[self]


class NatureRegle(StrEnum):
    """Whether a rule states the law or a commitment of the charter that goes beyond it."""

    LOI = "loi"
    CHARTE = "charte"

    @property
    def libelle(self) -> str:
        """The nature in words, as the catalogue and the reports write it."""
        return {NatureRegle.LOI: "obligation légale",
                NatureRegle.CHARTE: "engagement de la charte, au-delà de la loi"}[self]


class RegleFichier(FrozenModel):
    """One rule of a charter or pack (DESIGN §3).

    ``a_verifier`` records a point a jurist must still confirm (an article number, a
    threshold, a date): reports show it, and a ``bloquant`` rule carrying one is flagged
    by ``charte-ia valider``. ``derogeable`` says whether the ethics committee may waive
    the rule; by default, every rule but a ``verrouille`` one may be waived. ``portee`` says
    whom the rule concerns (:class:`PorteeRegle`); ``applicable_si`` narrows it further.
    ``nature`` says whether it states the law (``loi``) or goes beyond it (``charte``, the
    default for a rule a charter writes itself).
    """

    id: Annotated[StrictStr, Field(pattern=RULE_ID, max_length=64)]
    titre: Texte
    description: str | None = None
    principe: Identifiant
    severite: Severites
    portee: PorteeRegle = PorteeRegle.TOUT_PROJET
    nature: NatureRegle = NatureRegle.CHARTE
    applicable_si: Texte | None = None
    exigence: Annotated[Exigence, BeforeValidator(_requirement)]
    exceptions: tuple[ExceptionRegle, ...] = ()
    message: Texte
    remediation: str | None = None
    references: tuple[Reference, ...] = ()
    en_vigueur: Periode | None = None
    revu_le: IsoDate | None = None
    verrouille: StrictBool = False
    derogeable: StrictBool | None = None
    a_verifier: Texte | None = None
    exemples: tuple[ExempleRegle, ...] = ()


