"""The declaration vocabulary (``fiche-projet-ia/2``) and what is built from it.

The vocabulary is data: a YAML file shipped with the package lists every field of a
declaration with its type, allowed values, question, help text and section. From it
this package builds the pydantic model that validates declarations, the JSON Schema that
editors use for completion (``charte-ia schema``), and the lookups the charter compiler
uses to check the field paths that rules reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from pydantic import BaseModel

from charte_ia.diagnostics import Diagnostic, InvalidInputError, PathItem, did_you_mean
from charte_ia.model import (
    Champ,
    ElementListe,
    FichierVocabulaire,
    Section,
    TypeChamp,
)
from charte_ia.source import Document, read_bytes
from charte_ia.validation import validate_document
from charte_ia.vocabulary.checks import INCONNU, check_value
from charte_ia.vocabulary.schema import declaration_model

__all__ = ["INCONNU", "Vocabulaire", "build_vocabulary", "check_value", "default_vocabulary"]

_VOCABULARY_FILE = "fiche-projet-ia-2.yaml"


@dataclass(frozen=True, kw_only=True)
class Vocabulaire:
    """La liste typée des champs de la fiche, et le modèle de validation qui en est tiré.

    Attributes:
        id: L'identifiant du vocabulaire, par exemple ``fiche-projet-ia/2``.
        titre: Le titre.
        sections: Les sections, dans l'ordre.
        champs: Les champs par chemin, dans l'ordre du questionnaire.
        groupes: Chaque préfixe de chemin qui regroupe des champs (``projet.donnees``…).
        model: Le modèle pydantic qui valide un fichier de fiche entier.
    """

    id: str
    titre: str
    sections: tuple[Section, ...]
    champs: Mapping[str, Champ]
    groupes: frozenset[str]
    model: type[BaseModel] = field(repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled without its validation model, rebuilt from the fields (cache of compiled charters)."""
        return (_rebuilt, (self.id, self.titre, self.sections, dict(self.champs), self.groupes))

    def champ(self, chemin: str) -> Champ | None:
        """Le champ au chemin ``chemin``, ou ``None`` s'il n'y en a pas."""
        return self.champs.get(chemin)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {chemin: index for index, chemin in enumerate(self.champs)}

    def ordre(self, chemin: str) -> int:
        """La position du champ dans le questionnaire (les champs inconnus viennent en dernier)."""
        return self._positions.get(chemin, len(self.champs))

    def suggestion(self, chemin: str) -> str | None:
        """Une suggestion « vouliez-vous dire » pour un chemin absent du vocabulaire."""
        return did_you_mean(chemin, [*self.champs, *self.groupes])

    def etendre(self, champs: Sequence[Champ], document: Document,
                where: tuple[PathItem, ...]) -> Vocabulaire:
        """Une copie avec les champs ajoutés par une charte ou un paquet (``champs:``).

        Une charte peut ajouter des champs, jamais en redéfinir : un chemin qui existe déjà, ou qui
        serait à la fois un champ et un groupe, est refusé.

        Raises:
            InvalidInputError: Avec chaque problème, localisé au champ ajouté.
        """
        problems: list[Diagnostic] = []
        sections = {s.id for s in self.sections}
        added: dict[str, Champ] = {}
        for index, champ in enumerate(champs):
            at = (*where, index)
            if champ.chemin in self.champs or champ.chemin in added:
                problems.append(Diagnostic(
                    "champ-redefini", f"le champ « {champ.chemin} » existe déjà",
                    document.locate((*at, "chemin")),
                    "un champ peut être ajouté au vocabulaire, jamais redéfini : choisissez un autre chemin"))
                continue
            known = [*self.champs, *added]
            if champ.chemin in self.groupes or any(k.startswith(champ.chemin + ".") for k in added) \
                    or any(champ.chemin.startswith(k + ".") for k in known):
                problems.append(Diagnostic(
                    "vocabulaire-chemin",
                    f"« {champ.chemin} » serait à la fois un champ et un groupe de champs",
                    document.locate((*at, "chemin"))))
                continue
            if champ.section not in sections:
                problems.append(Diagnostic("vocabulaire-section", f"section inconnue « {champ.section} »",
                                           document.locate((*at, "section")),
                                           did_you_mean(champ.section, sections)
                                           or "sections : " + ", ".join(sorted(sections))))
            problems.extend(_check_type(champ.type, champ.valeurs, champ.element, document, at))
            problems.extend(_check_prerequisites(champ, {*self.champs, *added}, document, at))
            added[champ.chemin] = champ
        if problems:
            raise InvalidInputError(problems)
        everything = (*self.champs.values(), *added.values())
        return Vocabulaire(
            id=self.id,
            titre=self.titre,
            sections=self.sections,
            champs={c.chemin: c for c in everything},
            groupes=_groups(everything),
            model=declaration_model(everything),
        )

    def json_schema(self) -> dict[str, Any]:
        """Le schéma JSON (draft 2020-12) d'un fichier de fiche, pour l'autocomplétion dans un éditeur."""
        schema = self.model.model_json_schema()
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:charte-ia:schema:fiche-projet-ia:2",
            **schema,
            "title": f"Fiche projet IA ({self.id})",
            "description": "Déclaration d'un projet d'IA, à vérifier au regard d'une charte "
                           "avec charte-ia. Toute valeur peut être « inconnu ».",
        }


def _rebuilt(id: str, titre: str, sections: tuple[Section, ...], champs: dict[str, Champ],
             groupes: frozenset[str]) -> Vocabulaire:
    return Vocabulaire(id=id, titre=titre, sections=sections, champs=champs, groupes=groupes,
                       model=declaration_model(champs.values()))


@cache
def default_vocabulary() -> Vocabulaire:
    """Le vocabulaire fourni avec charte-ia (``fiche-projet-ia/2``), chargé une fois."""
    raw = (resources.files("charte_ia") / "vocabulaire" / _VOCABULARY_FILE).read_bytes()
    return build_vocabulary(read_bytes(raw, f"{_VOCABULARY_FILE} (vocabulaire intégré)"))


def build_vocabulary(document: Document) -> Vocabulaire:
    """Validate a vocabulary document and build the declaration model from it.

    Raises:
        InvalidInputError: The vocabulary file is malformed or inconsistent.
    """
    fichier = validate_document(FichierVocabulaire, document)
    _check_consistency(fichier, document)
    champs = {c.chemin: c for c in fichier.champs}
    return Vocabulaire(
        id=fichier.id,
        titre=fichier.titre,
        sections=fichier.sections,
        champs=champs,
        groupes=_groups(fichier.champs),
        model=declaration_model(fichier.champs),
    )


def _groups(champs: Iterable[Champ]) -> frozenset[str]:
    return frozenset(".".join(c.chemin.split(".")[:depth])
                     for c in champs for depth in range(1, c.chemin.count(".") + 1))


def _check_consistency(fichier: FichierVocabulaire, document: Document) -> None:
    problems: list[Diagnostic] = []
    sections = {s.id for s in fichier.sections}
    seen: set[str] = set()
    paths = {c.chemin for c in fichier.champs}
    for index, champ in enumerate(fichier.champs):
        where = ("champs", index)
        if champ.chemin in seen:
            problems.append(Diagnostic("vocabulaire-doublon", f"champ « {champ.chemin} » défini deux fois",
                                       document.locate((*where, "chemin"))))
        seen.add(champ.chemin)
        if champ.section not in sections:
            problems.append(Diagnostic("vocabulaire-section", f"section inconnue « {champ.section} »",
                                       document.locate((*where, "section")),
                                       did_you_mean(champ.section, sections)))
        if any(other.startswith(champ.chemin + ".") for other in paths):
            problems.append(Diagnostic(
                "vocabulaire-chemin", f"« {champ.chemin} » est à la fois un champ et un groupe de champs",
                document.locate((*where, "chemin"))))
        problems.extend(_check_type(champ.type, champ.valeurs, champ.element, document, where))
        problems.extend(_check_prerequisites(champ, paths, document, where))
    if problems:
        raise InvalidInputError(problems)


def _check_prerequisites(champ: Champ, paths: set[str], document: Document,
                         where: tuple[PathItem, ...]) -> list[Diagnostic]:
    """A field's prerequisites must be other fields of the vocabulary."""
    return [Diagnostic("vocabulaire-chemin", f"préalable inconnu « {prealable} »",
                       document.locate((*where, "prealables", number)), did_you_mean(prealable, paths))
            for number, prealable in enumerate(champ.prealables)
            if prealable not in paths or prealable == champ.chemin]


def _check_type(kind: TypeChamp, valeurs: tuple[str, ...], element: ElementListe | None,
                document: Document, where: tuple[PathItem, ...]) -> list[Diagnostic]:
    problems = []
    if kind is TypeChamp.ENUM and not valeurs:
        problems.append(Diagnostic("vocabulaire-type", "un champ « enum » doit lister ses « valeurs »",
                                   document.locate(where)))
    if kind is TypeChamp.LISTE:
        if element is None:
            problems.append(Diagnostic("vocabulaire-type", "un champ « liste » doit décrire son « element »",
                                       document.locate(where)))
        elif element.type is TypeChamp.LISTE:
            problems.append(Diagnostic("vocabulaire-type", "une liste de listes n'est pas admise",
                                       document.locate((*where, "element"))))
        elif element.type is TypeChamp.ENUM and not element.valeurs:
            problems.append(Diagnostic("vocabulaire-type",
                                       "les éléments « enum » doivent lister leurs « valeurs »",
                                       document.locate((*where, "element"))))
    return problems


