"""Dérogations: exemptions granted by the ethics committee, in their own file.

A dérogation is never written in the declaration: the project team does not grant itself
an exemption. The committee keeps them in a ``derogations/2`` file passed with
``--derogations``. Each one names the project and the fingerprint of the declaration the
committee reviewed (:attr:`charte_ia.Declaration.empreinte`), the rule(s), the
justification, the body that granted it and its deliberation, the grant date, a mandatory
expiry date and the compensating measures.

The file is untrusted input: a project id alone never suffices. A dérogation applies only
to the very declaration that was reviewed — another project reusing the id, or the same
project after its declaration changed, gets ``a_reexaminer``, and the rule keeps its
status. A rule that reproduces the law (``verrouille``) cannot be waived unless it says so,
and no dérogation may last longer than the charter allows (:meth:`Derogations.verifier_charte`).

During evaluation (:func:`charte_ia.evaluate`), a dérogation valid on the reference date
turns a ``non_conforme`` rule into ``derogee``. The decision says what became of each
dérogation granted to the project: used, to re-examine, expired (it no longer applies: the
rule keeps its status), not yet valid, without object (the rule did not fail) or orphaned
(the charter has no such rule). A dérogation whose project is not among those checked is
reported as orphaned by :func:`orphelines`.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from charte_ia.charter import Charte
from charte_ia.diagnostics import (
    Diagnostic,
    Gravite,
    InvalidInputError,
    Location,
    date_fr,
    did_you_mean,
    nombre_fr,
    valeur_fr,
)
from charte_ia.model import FrozenModel, IsoDate, Texte
from charte_ia.source import Document
from charte_ia.validation import validate_document

FORMAT_DEROGATIONS = "derogations/2"
DUREE_MAX_PARAMETRE = "derogation_duree_max_mois"
"""The charter parameter that caps how long a dérogation may last, in months."""
DUREE_MAX_DEFAUT = 12
"""The cap when the charter sets none: a dérogation is reviewed at least once a year."""


class Derogation(FrozenModel):
    """One dérogation granted by the ethics committee (the ``expire_le`` day is included)."""

    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64)]
    projet: Texte
    empreinte_fiche: Annotated[StrictStr, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
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


class FichierDerogations(FrozenModel):
    """A dérogations file (``format: derogations/1``)."""

    format: Literal["derogations/2"]
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
        """Refuse what the committee may not grant under this charter.

        Raises:
            InvalidInputError: The file names another charter id; a dérogation waives a rule
                that cannot be waived (a rule reproducing the law); or it lasts longer than the
                charter allows (parameter ``derogation_duree_max_mois``, 12 months by default).
        """
        if self.charte is not None and self.charte != charte.meta.id:
            raise InvalidInputError([Diagnostic(
                "derogations-charte", f"ces dérogations concernent la charte « {self.charte} », "
                f"pas « {charte.meta.id} »", self.document.locate(("charte",)),
                "passez le fichier de dérogations de la charte appliquée")])
        problems = []
        for index, derogation in enumerate(self.elements):
            for number, regle_id in enumerate(derogation.regles):
                regle = charte.regle(regle_id)
                if regle is not None and not regle.derogeable:
                    origin = (f"verrouillée par le paquet « {regle.provenance.paquet} »"
                              if regle.verrouille and regle.provenance else "marquée non dérogeable")
                    problems.append(Diagnostic(
                        "derogation-interdite", f"la règle « {regle_id} » ne peut pas faire l'objet d'une "
                        f"dérogation ({origin}) : elle reprend une obligation légale ou un engagement "
                        "que la charte déclare intangible", self.document.locate(("derogations", index,
                                                                                  "regles", number)),
                        "un comité d'éthique ne peut pas écarter la loi : le projet doit être mis en "
                        "conformité ; retirez cette règle de la dérogation"))
            problems.extend(self._duration(index, derogation, charte))
        if problems:
            raise InvalidInputError(problems)

    def _duration(self, index: int, derogation: Derogation, charte: Charte) -> list[Diagnostic]:
        here = self.document.locate(("derogations", index, "expire_le"))
        months = charte.parametres_au(derogation.accordee_le).get(DUREE_MAX_PARAMETRE, DUREE_MAX_DEFAUT)
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            where = charte.lieux_parametres.get(DUREE_MAX_PARAMETRE) or here
            return [Diagnostic("parametre-invalide", f"le paramètre « {DUREE_MAX_PARAMETRE} » doit être "
                               f"un nombre entier de mois, pas {valeur_fr(months)}", where)]
        latest = add_months(derogation.accordee_le, months)
        if derogation.expire_le <= latest:
            return []
        return [Diagnostic(
            "derogation-trop-longue", f"dérogation « {derogation.id} » accordée du "
            f"{date_fr(derogation.accordee_le)} au {date_fr(derogation.expire_le)} : la charte limite une "
            f"dérogation à {nombre_fr(months, 'mois', 'mois')} (paramètre {DUREE_MAX_PARAMETRE})", here,
            f"fixez l'expiration au plus tard au {date_fr(latest)} ; le comité pourra la renouveler "
            "après réexamen")]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when it has fewer days)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def derogations_from_document(document: Document) -> Derogations:
    """Valider des dérogations déjà lues dans un document (voir :func:`charte_ia.load_derogations`)."""
    if isinstance(document.data, dict) and document.data.get("format") == "derogations/1":
        raise InvalidInputError([Diagnostic(
            "derogations-format", "format derogations/1 : depuis derogations/2, chaque dérogation "
            "inscrit l'empreinte de la fiche examinée par le comité (empreinte_fiche)",
            document.locate(("format",)),
            "passez à « format: derogations/2 » et ajoutez à chaque dérogation « empreinte_fiche: », "
            "donnée par « charte-ia empreinte FICHE » sur la fiche que le comité a examinée")])
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
