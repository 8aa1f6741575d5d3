"""What every file format shares: format names, identifiers, dates, severities, periods, references."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
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

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
IDENT = r"^[a-z][a-z0-9_]*$"
RULE_ID = r"^[A-Za-z][A-Za-z0-9_-]*$"
CHARTER_ID = r"^[a-z0-9][a-z0-9._-]*$"
PACK_ID = r"^[a-z0-9][a-z0-9-]*$"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "date_iso", "date attendue au format AAAA-MM-JJ, « {valeur} » reçu", {"valeur": value})


def check_semver(value: str) -> str:
    if not SEMVER.match(value):
        raise PydanticCustomError(
            "semver", "version attendue au format MAJEURE.MINEURE.CORRECTIF (par exemple 1.2.0), "
            "« {valeur} » reçu", {"valeur": value})
    return value


def check_url(value: str) -> str:
    if not re.match(r"^https?://[^\s]+$", value):
        raise PydanticCustomError(
            "url", "adresse web attendue (https://…), « {valeur} » reçu", {"valeur": value})
    return value


IsoDate = Annotated[date, BeforeValidator(parse_date)]
Url = Annotated[StrictStr, AfterValidator(check_url)]
Identifiant = Annotated[StrictStr, Field(pattern=IDENT)]
Texte = Annotated[StrictStr, Field(min_length=1, pattern=r"\S")]
"""A text that says something: empty or blank (spaces only) is refused."""


def dated_keys(value: Any) -> Any:
    """Accept a single value or a ``{date: value}`` mapping; always return a mapping."""
    if isinstance(value, dict):
        return value
    return {DEBUT_DES_TEMPS.isoformat(): value}


class FrozenModel(BaseModel):
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


class Periode(FrozenModel):
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


class Reference(FrozenModel):
    """A legal or charter reference: text, articles and a link to the official text."""

    texte: Texte
    articles: tuple[Texte, ...] = ()
    url: Url | None = None


