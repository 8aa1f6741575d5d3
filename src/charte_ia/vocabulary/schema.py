"""The pydantic model of a declaration and its JSON Schema, built from the fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, create_model

from charte_ia.model import (
    FORMAT_FICHE,
    Champ,
    TypeChamp,
)
from charte_ia.vocabulary.checks import COUNTRY, INCONNU, URL, checker_of, value_error


def json_type(kind: TypeChamp, valeurs: tuple[str, ...],
              libelles: dict[str, str] | None = None) -> dict[str, Any]:
    """The JSON Schema of a value; a choice's labels go in ``enumDescriptions`` (shown by editors)."""
    if kind is TypeChamp.ENUM and libelles:
        return {"type": "string", "enum": list(valeurs),
                "enumDescriptions": [libelles.get(v, v) for v in valeurs]}
    types: dict[TypeChamp, dict[str, Any]] = {
        TypeChamp.BOOLEEN: {"enum": [True, False, "oui", "non"]},
        TypeChamp.TEXTE: {"type": "string", "minLength": 1},
        TypeChamp.ENTIER: {"type": "integer"},
        TypeChamp.DECIMAL: {"type": "number"},
        TypeChamp.DATE: {"type": "string", "format": "date"},
        TypeChamp.URL: {"type": "string", "format": "uri", "pattern": URL.pattern},
        TypeChamp.ENUM: {"type": "string", "enum": list(valeurs)},
        TypeChamp.PAYS: {"type": "string", "pattern": COUNTRY.pattern},
    }
    return types.get(kind, {})


def field_schema(champ: Champ) -> dict[str, Any]:
    if champ.type is TypeChamp.LISTE and champ.element is not None:
        known = {"type": "array", "maxItems": champ.max_elements,
                 "items": json_type(champ.element.type, champ.element.valeurs, champ.element.libelles)}
        if champ.min_elements:
            known["minItems"] = champ.min_elements
    else:
        known = json_type(champ.type, champ.valeurs, champ.libelles)
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


def declaration_model(champs: Iterable[Champ]) -> type[BaseModel]:
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
        raise value_error(f"format de fichier attendu : {FORMAT_FICHE}", value)
    return value


def _group_model(name: str, node: dict[str, Any]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, child in node.items():
        if isinstance(child, Champ):
            checked = PlainValidator(checker_of(child))
            annotation = Annotated[Any, checked, WithJsonSchema(field_schema(child))]
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
