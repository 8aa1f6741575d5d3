"""Dérogations: exemptions granted by the ethics committee, in their own file.

A dérogation is never written in the declaration: the project team does not grant itself
an exemption. The committee keeps them in a ``derogations/1`` file passed with
``--derogations``. Each one names the project, the rule(s), the justification, the body
that granted it and its deliberation, the grant date, a mandatory expiry date and the
compensating measures.

During evaluation (:func:`charte_ia.evaluate`), a dérogation valid on the reference date
turns a ``non_conforme`` rule into ``derogee``. The decision says what became of each
dérogation granted to the project: used, expired (it no longer applies: the rule keeps
its status), not yet valid, without object (the rule did not fail) or orphaned (the
charter has no such rule). A dérogation whose project is not among those checked is
reported as orphaned by :func:`orphelines`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from charte_ia.charter import Charte
from charte_ia.diagnostics import Diagnostic, Gravite, InvalidInputError, Location, did_you_mean
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.model import IsoDate, Texte, _Model
from charte_ia.source import Document, read_file
from charte_ia.validation import validate_document

FORMAT_DEROGATIONS = "derogations/1"


class Derogation(_Model):
    """One dérogation granted by the ethics committee (the ``expire_le`` day is included)."""

    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64)]
    projet: Texte
    regles: tuple[Texte, ...] = Field(min_length=1)
    justification: Texte
    accordee_par: Texte
    deliberation: Texte
    accordee_le: IsoDate
    expire_le: IsoDate
    mesures_compensatoires: tuple[Texte, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Derogation:
        if self.expire_le < self.accordee_le:
            raise PydanticCustomError("periode", "la date d'expiration (expire_le) précède la date "
                                      "d'octroi (accordee_le)")
        return self


class FichierDerogations(_Model):
    """A dérogations file (``format: derogations/1``)."""

    format: Literal["derogations/1"]
    charte: StrictStr | None = None
    derogations: tuple[Derogation, ...] = ()


@dataclass(frozen=True)
class Derogations:
    """Les dérogations d'un fichier, avec l'endroit où chacune est écrite.

    Attributes:
        document: Le fichier lu.
        charte: L'identifiant de la charte à laquelle elles s'appliquent, quand le fichier le dit.
        elements: Les dérogations, dans l'ordre du fichier.
    """

    document: Document
    charte: str | None
    elements: tuple[Derogation, ...]

    def location(self, index: int) -> Location:
        """Where the dérogation at ``index`` is written."""
        return self.document.locate(("derogations", index))

    def pour(self, projet: str) -> list[tuple[int, Derogation]]:
        """The dérogations granted to a project, with their index in the file."""
        return [(i, d) for i, d in enumerate(self.elements) if d.projet == projet]

    def verifier_charte(self, charte: Charte) -> None:
        """Refuse a file written for another charter.

        Raises:
            InvalidInputError: The file names another charter id.
        """
        if self.charte is not None and self.charte != charte.meta.id:
            raise InvalidInputError([Diagnostic(
                "derogations-charte", f"ces dérogations concernent la charte « {self.charte} », "
                f"pas « {charte.meta.id} »", self.document.locate(("charte",)),
                "passez le fichier de dérogations de la charte appliquée")])


def load_derogations(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Derogations:
    """Lire et valider un fichier de dérogations (``format: derogations/1``).

    Args:
        path: Le fichier YAML des dérogations.
        limits: Les bornes de taille et de profondeur du fichier (:class:`Limits`).

    Returns:
        Les dérogations, à passer à :func:`charte_ia.evaluate`.

    Raises:
        InvalidInputError: Avec chaque problème trouvé dans le fichier, localisé.
    """
    return derogations_from_document(read_file(path, limits))


def derogations_from_document(document: Document) -> Derogations:
    """Valider des dérogations déjà lues dans un document (voir :func:`load_derogations`)."""
    fichier = validate_document(FichierDerogations, document, code="derogations")
    seen: dict[str, int] = {}
    problems = []
    for index, derogation in enumerate(fichier.derogations):
        if derogation.id in seen:
            problems.append(Diagnostic("derogation-dupliquee", f"identifiant « {derogation.id} » déjà "
                                       f"utilisé (dérogation n° {seen[derogation.id] + 1})",
                                       document.locate(("derogations", index, "id")),
                                       "chaque dérogation doit avoir un identifiant unique"))
        seen.setdefault(derogation.id, index)
    if problems:
        raise InvalidInputError(problems)
    return Derogations(document, fichier.charte, fichier.derogations)


def orphelines(derogations: Derogations, projets: Iterable[str]) -> list[Diagnostic]:
    """Warnings for the dérogations whose project is not among ``projets``."""
    known = sorted(set(projets))
    warnings = []
    for index, derogation in enumerate(derogations.elements):
        if derogation.projet not in known:
            warnings.append(Diagnostic(
                "derogation-orpheline", f"dérogation « {derogation.id} » orpheline : aucun projet "
                f"vérifié ne porte l'identifiant « {derogation.projet} »",
                derogations.document.locate(("derogations", index, "projet")),
                did_you_mean(derogation.projet, known) or "vérifiez l'identifiant du projet (projet.id)",
                Gravite.AVERTISSEMENT))
    return warnings
