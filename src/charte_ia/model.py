"""The file formats, as pydantic models: the vocabulary and the charter.

These models describe shape and field constraints only: no I/O and no CEL. Field names
are the YAML keys exactly (French), so that a validation error points at what the user
wrote. Every model forbids unknown keys and is frozen.

Dated values (a severity that changes on a given day, a parameter that evolves) are
written either as a single value or as a mapping ``{AAAA-MM-JJ: valeur}``; both are
normalised into a mapping, a single value being in force since :data:`DEBUT_DES_TEMPS`.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

DEBUT_DES_TEMPS = date(1, 1, 1)
"""Start date given to a value written without a date."""

FORMAT_CHARTE = "charte_ia/1"
FORMAT_PAQUET = "paquet_regles/1"
FORMAT_VOCABULAIRE = "vocabulaire/1"
FORMAT_FICHE = "fiche-projet-ia/2"
FORMAT_FICHE_V1 = "fiche-projet-ia/1"
"""The previous declaration format, still read (converted in memory, with a warning)."""

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_IDENT = r"^[a-z][a-z0-9_]*$"
_RULE_ID = r"^[A-Za-z][A-Za-z0-9_-]*$"
_CHARTER_ID = r"^[a-z0-9][a-z0-9._-]*$"
_PACK_ID = r"^[a-z0-9][a-z0-9-]*$"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "date_iso", "date attendue au format AAAA-MM-JJ, « {valeur} » reçu", {"valeur": value})


def _check_semver(value: str) -> str:
    if not _SEMVER.match(value):
        raise PydanticCustomError(
            "semver", "version attendue au format MAJEURE.MINEURE.CORRECTIF (par exemple 1.2.0), "
            "« {valeur} » reçu", {"valeur": value})
    return value


def _check_url(value: str) -> str:
    if not re.match(r"^https?://[^\s]+$", value):
        raise PydanticCustomError(
            "url", "adresse web attendue (https://…), « {valeur} » reçu", {"valeur": value})
    return value


IsoDate = Annotated[date, BeforeValidator(_parse_date)]
Url = Annotated[StrictStr, AfterValidator(_check_url)]
Identifiant = Annotated[StrictStr, Field(pattern=_IDENT)]
Texte = Annotated[StrictStr, Field(min_length=1, pattern=r"\S")]
"""A text that says something: empty or blank (spaces only) is refused."""


def _dated(value: Any) -> Any:
    """Accept a single value or a ``{date: value}`` mapping; always return a mapping."""
    if isinstance(value, dict):
        return value
    return {DEBUT_DES_TEMPS.isoformat(): value}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Severite(StrEnum):
    """Le poids d'une règle dans le verdict : ``bloquant``, ``majeur``, ``mineur`` ou ``info``."""

    BLOQUANT = "bloquant"
    MAJEUR = "majeur"
    MINEUR = "mineur"
    INFO = "info"


class Combinaison(StrEnum):
    """How the clauses of a requirement combine: all of them, or at least one."""

    TOUTES = "toutes"
    UNE_DE = "une_de"


class EffetException(StrEnum):
    """What a rule exception does when its condition holds."""

    NON_APPLICABLE = "non_applicable"
    CONFORME = "conforme"


class Periode(_Model):
    """A period of validity; ``au`` is the last day included, absent means open-ended."""

    du: IsoDate
    au: IsoDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Periode:
        if self.au is not None and self.au < self.du:
            raise PydanticCustomError(
                "periode", "la fin de la période (au) précède son début (du)")
        return self

    def contient(self, jour: date) -> bool:
        """Whether ``jour`` falls inside the period."""
        return self.du <= jour and (self.au is None or jour <= self.au)


class Reference(_Model):
    """A legal or charter reference: text, articles and a link to the official text."""

    texte: Texte
    articles: tuple[Texte, ...] = ()
    url: Url | None = None


# --- The vocabulary (fiche-projet-ia/2) -------------------------------------------------------


class TypeChamp(StrEnum):
    """The value types a declaration field can have."""

    BOOLEEN = "booleen"
    TEXTE = "texte"
    ENTIER = "entier"
    DECIMAL = "decimal"
    DATE = "date"
    URL = "url"
    ENUM = "enum"
    PAYS = "pays"
    LISTE = "liste"


class ElementListe(_Model):
    """Type of the items of a ``liste`` field."""

    type: TypeChamp
    valeurs: tuple[StrictStr, ...] = ()


class Section(_Model):
    """A group of fields, shown together in the questionnaire and the docs."""

    id: Identifiant
    titre: Texte
    description: str | None = None


class Champ(_Model):
    """One declaration field: its path, type, question and help text.

    ``en_attente`` lists the choices that say the answer is not settled yet (« incertain »,
    an opinion still awaited): the declaration keeps them, the rules read them as unknown,
    so that nothing is decided on them. ``qualifiante`` marks the questions that qualify
    the project (is it AI? personal data?), asked first; ``prealables`` the fields a team
    answers before this one (whether an impact assessment exists before its conclusion).

    ``minimum`` and ``maximum`` bound a number (a review every 0 or −36 months, a negative
    headcount cannot be true); ``min_elements`` refuses a list whose emptiness makes no sense
    (data stored in no country): a value that cannot be true is refused, never judged.
    """

    chemin: Annotated[StrictStr, Field(pattern=r"^projet(\.[a-z][a-z0-9_]*)+$")]
    type: TypeChamp
    section: Identifiant
    question: Texte
    aide: str | None = None
    valeurs: tuple[StrictStr, ...] = ()
    element: ElementListe | None = None
    obligatoire: StrictBool = False
    unite: str | None = None
    minimum: StrictInt | StrictFloat | None = None
    maximum: StrictInt | StrictFloat | None = None
    min_elements: Annotated[int, Field(ge=0, le=1000)] = 0
    max_elements: Annotated[int, Field(ge=1, le=1000)] = 50
    references: tuple[Reference, ...] = ()
    en_attente: tuple[StrictStr, ...] = ()
    qualifiante: StrictBool = False
    prealables: tuple[Annotated[StrictStr, Field(pattern=r"^projet(\.[a-z][a-z0-9_]*)+$")], ...] = ()

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Champ:
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise PydanticCustomError("bornes", "le minimum dépasse le maximum : aucune valeur ne serait "
                                      "admise")
        choices = self.valeurs or (self.element.valeurs if self.element else ())
        if unknown := [v for v in self.en_attente if v not in choices]:
            raise PydanticCustomError("en_attente", "en_attente cite des valeurs que le champ ne prévoit "
                                      "pas : {valeurs}", {"valeurs": ", ".join(unknown)})
        if self.min_elements > self.max_elements:
            raise PydanticCustomError("bornes", "min_elements dépasse max_elements : aucune liste ne serait "
                                      "admise")
        return self


class FichierVocabulaire(_Model):
    """The vocabulary file (``format: vocabulaire/1``)."""

    format: Literal["vocabulaire/1"]
    id: Texte
    titre: Texte
    sections: tuple[Section, ...]
    champs: tuple[Champ, ...]


# --- The charter (charte_ia/1) ---------------------------------------------------------------


class Editeur(_Model):
    """The collectivité that publishes the charter."""

    nom: Texte
    siren: Annotated[StrictStr, Field(pattern=r"^\d{9}$")] | None = None


class Adoption(_Model):
    """The deliberation that adopted the charter."""

    instance: Texte
    deliberation: Texte
    date: IsoDate
    url: Url | None = None


class MetaCharte(_Model):
    """The ``charte:`` block: identity, version, adoption and validity of the charter."""

    id: Annotated[StrictStr, Field(pattern=_CHARTER_ID)]
    titre: Texte
    version: Annotated[StrictStr, AfterValidator(_check_semver)]
    description: str | None = None
    editeur: Editeur | None = None
    adoption: Adoption | None = None
    en_vigueur: Periode
    licence: str | None = None
    url: Url | None = None
    vocabulaire: Literal["fiche-projet-ia/1", "fiche-projet-ia/2"] = "fiche-projet-ia/2"
    principes: dict[Identifiant, Texte] = {}


class MetaPaquet(_Model):
    """The ``paquet:`` block: identity and version of a rule pack."""

    id: Annotated[StrictStr, Field(pattern=_PACK_ID)]
    titre: Texte
    version: Annotated[StrictStr, AfterValidator(_check_semver)]
    description: str | None = None
    editeur: Editeur | None = None
    licence: str | None = None
    url: Url | None = None
    principes: dict[Identifiant, Texte] = {}


class Parametre(_Model):
    """A charter parameter whose value may change over time.

    ``verrouille: true`` in a pack forbids an importing charter to change it.
    """

    description: Texte
    justification: str | None = None
    unite: str | None = None
    valeurs: dict[IsoDate, Any] = Field(min_length=1)
    verrouille: StrictBool = False


class Qualification(_Model):
    """A derived label, computed once per declaration before the rules."""

    titre: Texte
    description: str | None = None
    expr: Texte
    references: tuple[Reference, ...] = ()


class Clause(_Model):
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


class Exigence(_Model):
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


class ExceptionRegle(_Model):
    """A case in which a rule does not apply or is deemed met, with its justification."""

    id: Identifiant
    si: Texte
    effet: EffetException
    justification: Texte
    references: tuple[Reference, ...] = ()


Severites = Annotated[dict[IsoDate, Severite], BeforeValidator(_dated), Field(min_length=1)]
"""A severity, or severities from given dates."""


StatutAttendu = Literal["conforme", "non_conforme", "non_applicable", "indetermine", "hors_vigueur",
                        "erreur"]
"""A rule status an example or a test can expect."""


class ExempleRegle(_Model):
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


class RegleFichier(_Model):
    """One rule of a charter or pack (DESIGN §3).

    ``a_verifier`` records a point a jurist must still confirm (an article number, a
    threshold, a date): reports show it, and a ``bloquant`` rule carrying one is flagged
    by ``charte-ia valider``. ``derogeable`` says whether the ethics committee may waive
    the rule; by default, every rule but a ``verrouille`` one may be waived. ``portee`` says
    whom the rule concerns (:class:`PorteeRegle`); ``applicable_si`` narrows it further.
    ``nature`` says whether it states the law (``loi``) or goes beyond it (``charte``, the
    default for a rule a charter writes itself).
    """

    id: Annotated[StrictStr, Field(pattern=_RULE_ID, max_length=64)]
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


# --- Imports and overrides ---------------------------------------------------------------------

_TARGET = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.[A-Za-z][A-Za-z0-9_-]*$"
RegleCible = Annotated[StrictStr, Field(pattern=_TARGET)]
"""A rule of an imported pack, named with its namespace: ``communs.SOUV-01``."""


class NouvellesValeurs(_Model):
    """New dated values an importer gives to a parameter of the pack."""

    valeurs: dict[IsoDate, Any] = Field(min_length=1)
    motif: Texte | None = None


class Importation(_Model):
    """One imported pack: by name (shipped with charte-ia) or by a path relative to the file."""

    paquet: Texte
    version: Annotated[StrictStr, AfterValidator(_check_semver)]
    espace: Identifiant
    parametres: dict[Identifiant, NouvellesValeurs] = {}


class Applicabilite(_Model):
    """A change of when an imported rule applies."""

    etendre: Texte | None = None
    restreindre: Texte | None = None


class ChangementExigence(_Model):
    """Clauses added to or removed from an imported rule's requirement."""

    ajouter: tuple[Clause, ...] = ()
    retirer: tuple[Identifiant, ...] = ()


class ChangementExceptions(_Model):
    """Exceptions added to or removed from an imported rule."""

    ajouter: tuple[ExceptionRegle, ...] = ()
    retirer: tuple[Identifiant, ...] = ()


class AjoutReferences(_Model):
    """References added to an imported rule."""

    ajouter: tuple[Reference, ...] = Field(min_length=1)


class Surcharge(_Model):
    """A local change to an imported rule; every block left out is inherited unchanged.

    Raising a severity, extending applicability, adding clauses to ``toutes`` or removing
    exceptions tightens the rule. Lowering a severity, restricting applicability,
    removing a clause of ``toutes`` or adding an exception loosens it: that needs a
    ``motif``, is refused on a ``verrouille`` rule, and is shown in every report.
    """

    severite: Severites | None = None
    applicable_si: Applicabilite | None = None
    exigence: ChangementExigence | None = None
    exceptions: ChangementExceptions | None = None
    message: Texte | None = None
    remediation: Texte | None = None
    references: AjoutReferences | None = None
    motif: Texte | None = None


class Desactivation(_Model):
    """An imported rule switched off by the importer, with its reason."""

    regle: RegleCible
    motif: Texte


class _Unite(_Model):
    """What charters and packs share: imports, fields, parameters, qualifications, rules."""

    importe: tuple[Importation, ...] = ()
    champs: tuple[Champ, ...] = ()
    parametres: dict[Identifiant, Parametre] = {}
    qualifications: dict[Identifiant, Qualification] = {}
    surcharges: dict[RegleCible, Surcharge] = {}
    desactive: tuple[Desactivation, ...] = ()
    regles: tuple[RegleFichier, ...] = ()


class FichierCharte(_Unite):
    """The charter file (``format: charte_ia/1``)."""

    format: Literal["charte_ia/1"]
    charte: MetaCharte


class FichierPaquet(_Unite):
    """A rule pack file (``format: paquet_regles/1``), imported by charters or other packs."""

    format: Literal["paquet_regles/1"]
    paquet: MetaPaquet
