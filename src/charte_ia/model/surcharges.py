"""Imports, overrides and switch-offs, and the two top-level files they make up."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    StrictStr,
)

from charte_ia.model.base import FrozenModel, Identifiant, IsoDate, Reference, Texte, check_semver
from charte_ia.model.charte import (
    Clause,
    ExceptionRegle,
    MetaCharte,
    MetaPaquet,
    Parametre,
    Qualification,
    RegleFichier,
    Severites,
)
from charte_ia.model.vocabulaire import Champ

# --- Imports and overrides ---------------------------------------------------------------------

_TARGET = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.[A-Za-z][A-Za-z0-9_-]*$"
RegleCible = Annotated[StrictStr, Field(pattern=_TARGET)]
"""A rule of an imported pack, named with its namespace: ``communs.SOUV-01``."""


class NouvellesValeurs(FrozenModel):
    """New dated values an importer gives to a parameter of the pack."""

    valeurs: dict[IsoDate, Any] = Field(min_length=1)
    motif: Texte | None = None


class Importation(FrozenModel):
    """One imported pack: by name (shipped with charte-ia) or by a path relative to the file."""

    paquet: Texte
    version: Annotated[StrictStr, AfterValidator(check_semver)]
    espace: Identifiant
    parametres: dict[Identifiant, NouvellesValeurs] = {}


class Applicabilite(FrozenModel):
    """A change of when an imported rule applies."""

    etendre: Texte | None = None
    restreindre: Texte | None = None


class ChangementExigence(FrozenModel):
    """Clauses added to or removed from an imported rule's requirement."""

    ajouter: tuple[Clause, ...] = ()
    retirer: tuple[Identifiant, ...] = ()


class ChangementExceptions(FrozenModel):
    """Exceptions added to or removed from an imported rule."""

    ajouter: tuple[ExceptionRegle, ...] = ()
    retirer: tuple[Identifiant, ...] = ()


class AjoutReferences(FrozenModel):
    """References added to an imported rule."""

    ajouter: tuple[Reference, ...] = Field(min_length=1)


class Surcharge(FrozenModel):
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


class Desactivation(FrozenModel):
    """An imported rule switched off by the importer, with its reason."""

    regle: RegleCible
    motif: Texte


class _Unite(FrozenModel):
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
