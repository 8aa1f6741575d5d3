"""The vocabulary format (``vocabulaire/1``): the fields of the declaration."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from charte_ia.model.base import FrozenModel, Identifiant, Reference, Texte

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


class ElementListe(FrozenModel):
    """Type of the items of a ``liste`` field, with the label of each choice (``libelles``)."""

    type: TypeChamp
    valeurs: tuple[StrictStr, ...] = ()
    libelles: dict[StrictStr, Texte] = {}

    @model_validator(mode="after")
    def _labels_known(self) -> ElementListe:
        _check_labels(self.libelles, self.valeurs)
        return self


def _check_labels(libelles: dict[str, str], valeurs: tuple[str, ...]) -> None:
    if unknown := [v for v in libelles if v not in valeurs]:
        raise PydanticCustomError("libelles", "libelles nomme des valeurs que le champ ne prévoit pas : "
                                  "{valeurs}", {"valeurs": ", ".join(unknown)})


class Section(FrozenModel):
    """A group of fields, shown together in the questionnaire and the docs."""

    id: Identifiant
    titre: Texte
    description: str | None = None


class Champ(FrozenModel):
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
    libelles: dict[StrictStr, Texte] = {}
    """The label of each choice, as a person reads it (``validation_systematique``: « Validation
    systématique par un agent »): shown in reports and questionnaires, accepted as an answer."""
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
        _check_labels(self.libelles, self.valeurs)
        return self

    def libelle(self, valeur: object) -> str | None:
        """The label of a choice, or of each choice of a list (joined by commas); ``None`` for
        other values, and for a choice the vocabulary gives no label."""
        labels = self.element.libelles if self.element is not None else self.libelles
        if isinstance(valeur, str):
            return labels.get(valeur)
        if isinstance(valeur, list | tuple) and valeur and all(isinstance(v, str) for v in valeur):
            named = [labels.get(v) for v in valeur]
            return ", ".join(n for n in named if n) if all(named) else None
        return None


class FichierVocabulaire(FrozenModel):
    """The vocabulary file (``format: vocabulaire/1``)."""

    format: Literal["vocabulaire/1"]
    id: Texte
    titre: Texte
    sections: tuple[Section, ...]
    champs: tuple[Champ, ...]


def folded_choice(text: str) -> str:
    """A choice as a person may type it, reduced to how choices are written: no accents, no
    capitals, words joined by ``_`` (« Revue avant notification » → ``revue_avant_notification``)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "_".join(re.split(r"[\s_'’-]+", plain.strip().lower())).strip("_")
