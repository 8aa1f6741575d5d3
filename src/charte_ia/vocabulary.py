"""The declaration vocabulary (``fiche-projet-ia/2``) and what is built from it.

The vocabulary is data: a YAML file shipped with the package lists every field of a
declaration with its type, allowed values, question, help text and section. From it
this module builds the pydantic model that validates declarations, the JSON Schema that
editors use for completion (``charte-ia schema``), and the lookups the charter compiler
uses to check the field paths that rules reference.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from importlib import resources
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from charte_ia.diagnostics import Diagnostic, InvalidInputError, PathItem, did_you_mean, nombre_fr, valeur_fr
from charte_ia.model import (
    FORMAT_FICHE,
    Champ,
    ElementListe,
    FichierVocabulaire,
    Section,
    TypeChamp,
)
from charte_ia.source import Document, read_bytes
from charte_ia.validation import validate_document

INCONNU = "inconnu"
"""The word a declaration uses to say that a value is not known yet."""

_VOCABULARY_FILE = "fiche-projet-ia-2.yaml"
_COUNTRY = re.compile(r"^([A-Z]{2}|HORS_UE)$")
"""An ISO 3166-1 code, UE (in the EU or EEA, country not specified) or HORS_UE (outside, not specified)."""
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
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
        return Vocabulaire(self.id, self.titre, self.sections, {c.chemin: c for c in everything},
                           _groups(everything), _declaration_model(everything))

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
    return Vocabulaire(fichier.id, fichier.titre, fichier.sections, champs, _groups(fichier.champs),
                       _declaration_model(fichier.champs))


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


# --- Value checks, one per type --------------------------------------------------------------


def check_value(champ: Champ, value: Any) -> Any:
    """Check one answer for a field, as declaration validation would.

    Returns:
        The value, normalised (a decimal as ``float``, a date as ``AAAA-MM-JJ``).

    Raises:
        ValueError: With the French message validation would give.
    """
    try:
        return _checker(champ)(value)
    except PydanticCustomError as error:
        raise ValueError(error.message()) from None


Checker = Callable[[Any], Any]


def _error(message: str, value: Any) -> PydanticCustomError:
    shown = str(value) if len(str(value)) <= 60 else str(value)[:57] + "…"
    return PydanticCustomError("valeur_champ", message + " ; « {valeur} » reçu", {"valeur": shown})


def _bounded(check: Checker, minimum: float | None, maximum: float | None) -> Checker:
    if minimum is None and maximum is None:
        return check
    if minimum is not None and maximum is not None:
        expected = f"nombre entre {valeur_fr(minimum)} et {valeur_fr(maximum)} attendu"
    elif minimum == 0:
        expected = "nombre positif ou nul attendu"
    else:
        expected = (f"au moins {valeur_fr(minimum)} attendu" if minimum is not None
                    else f"au plus {valeur_fr(maximum)} attendu")

    def bounded(v: Any) -> Any:
        value = check(v)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise _error(expected, v)
        return value
    return bounded


def _scalar_checker(kind: TypeChamp, valeurs: tuple[str, ...]) -> Checker:
    if kind is TypeChamp.BOOLEEN:
        def check(v: Any) -> Any:
            if isinstance(v, bool):
                return v
            raise _error("réponse attendue : true (oui) ou false (non)", v)
        return check
    if kind in (TypeChamp.ENTIER, TypeChamp.DECIMAL):
        integer = kind is TypeChamp.ENTIER

        def check(v: Any) -> Any:
            if isinstance(v, bool) or not isinstance(v, int | float) or (integer and isinstance(v, float)):
                raise _error("nombre entier attendu" if integer else "nombre attendu", v)
            if isinstance(v, float) and not math.isfinite(v):
                raise _error("nombre fini attendu", v)
            return v if integer else float(v)
        return check
    if kind is TypeChamp.DATE:
        def check(v: Any) -> Any:
            if isinstance(v, str):
                try:
                    return date.fromisoformat(v).isoformat()
                except ValueError:
                    pass
            raise _error("date attendue au format AAAA-MM-JJ", v)
        return check
    if kind is TypeChamp.ENUM:
        def check(v: Any) -> Any:
            if isinstance(v, str) and v in valeurs:
                return v
            hint = did_you_mean(str(v), valeurs)
            raise _error("valeur non prévue (valeurs possibles : " + ", ".join(valeurs) + ")"
                         + (f" — {hint}" if hint else ""), v)
        return check
    pattern, expected = {
        TypeChamp.PAYS: (_COUNTRY, "code pays ISO 3166-1 à deux lettres majuscules attendu (FR, DE…), ou UE "
                                   "(dans l'Union, pays non précisé), ou HORS_UE"),
        TypeChamp.URL: (_URL, "adresse web attendue (https://…)"),
    }.get(kind, (None, "texte non vide attendu"))

    def check_text(v: Any) -> Any:
        if isinstance(v, str) and v.strip() and (pattern is None or pattern.match(v)):
            return v
        raise _error(expected, v)
    return check_text


def _checker(champ: Champ) -> Checker:
    if champ.type is not TypeChamp.LISTE:
        inner = _bounded(_scalar_checker(champ.type, champ.valeurs), champ.minimum, champ.maximum)
    else:
        assert champ.element is not None  # guaranteed by _check_type
        item = _scalar_checker(champ.element.type, champ.element.valeurs)
        limit, least = champ.max_elements, champ.min_elements

        def inner(v: Any) -> Any:
            if not isinstance(v, list):
                raise _error("liste attendue (des éléments « - valeur »)", v)
            if len(v) < least:
                why = "une liste vide" if not v else "une liste plus courte"
                raise _error(f"au moins {nombre_fr(least, 'élément')} attendu : {why} ne peut pas être vraie "
                             "ici ; si vous ne savez pas, écrivez « inconnu »", v or "[]")
            if len(v) > limit:
                raise _error(f"au plus {limit} éléments admis", f"{len(v)} éléments")
            checked = []
            for index, element in enumerate(v, start=1):
                try:
                    checked.append(item(element))
                except PydanticCustomError as error:
                    raise PydanticCustomError(
                        "valeur_champ", "élément n° {n} : {detail}",
                        {"n": index, "detail": error.message()}) from None
            return checked

    def check(v: Any) -> Any:
        if v is None or v == INCONNU:
            if champ.obligatoire:
                raise _error("valeur obligatoire : ce champ identifie la fiche", v)
            return v
        return inner(v)
    return check


def _json_type(kind: TypeChamp, valeurs: tuple[str, ...]) -> dict[str, Any]:
    types: dict[TypeChamp, dict[str, Any]] = {
        TypeChamp.BOOLEEN: {"type": "boolean"},
        TypeChamp.TEXTE: {"type": "string", "minLength": 1},
        TypeChamp.ENTIER: {"type": "integer"},
        TypeChamp.DECIMAL: {"type": "number"},
        TypeChamp.DATE: {"type": "string", "format": "date"},
        TypeChamp.URL: {"type": "string", "format": "uri", "pattern": _URL.pattern},
        TypeChamp.ENUM: {"type": "string", "enum": list(valeurs)},
        TypeChamp.PAYS: {"type": "string", "pattern": _COUNTRY.pattern},
    }
    return types.get(kind, {})


def _field_schema(champ: Champ) -> dict[str, Any]:
    if champ.type is TypeChamp.LISTE and champ.element is not None:
        known = {"type": "array", "maxItems": champ.max_elements,
                 "items": _json_type(champ.element.type, champ.element.valeurs)}
        if champ.min_elements:
            known["minItems"] = champ.min_elements
    else:
        known = _json_type(champ.type, champ.valeurs)
        if champ.minimum is not None:
            known["minimum"] = champ.minimum
        if champ.maximum is not None:
            known["maximum"] = champ.maximum
    description = champ.question + (f"\n\n{champ.aide}" if champ.aide else "")
    alternatives: list[dict[str, Any]] = [known]
    if not champ.obligatoire:
        alternatives += [{"const": INCONNU}, {"type": "null"}]
    return {"anyOf": alternatives, "title": champ.question, "description": description,
            "x-section": champ.section, "x-type": champ.type.value}


_CONFIG = ConfigDict(extra="forbid", frozen=True)


def _declaration_model(champs: Iterable[Champ]) -> type[BaseModel]:
    """Build nested pydantic models, one per group of fields, from the vocabulary."""
    tree: dict[str, Any] = {}
    for champ in champs:
        node = tree
        *groups, leaf = champ.chemin.split(".")
        for group in groups:
            node = node.setdefault(group, {})
        node[leaf] = champ
    projet = _group_model("Projet", tree["projet"])
    format_type: Any = Annotated[str, PlainValidator(_check_format),
                                 WithJsonSchema({"const": FORMAT_FICHE, "title": "Format du fichier"})]
    return create_model("FicheProjetIA", __config__=_CONFIG, format=(format_type, ...),
                        projet=(projet, ...))


def _check_format(value: Any) -> Any:
    if value != FORMAT_FICHE:
        raise _error(f"format de fichier attendu : {FORMAT_FICHE}", value)
    return value


def _group_model(name: str, node: dict[str, Any]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, child in node.items():
        if isinstance(child, Champ):
            annotation = Annotated[Any, PlainValidator(_checker(child)), WithJsonSchema(_field_schema(child))]
            fields[key] = (annotation, ... if child.obligatoire else None)
        else:
            sub = _group_model(name + key.title().replace("_", ""), child)
            if _has_required(child):
                fields[key] = (sub, ...)
            else:
                fields[key] = (sub | None, Field(default=None))
    return create_model(name, __config__=_CONFIG, **fields)


def _has_required(node: dict[str, Any]) -> bool:
    return any(child.obligatoire if isinstance(child, Champ) else _has_required(child)
               for child in node.values())
