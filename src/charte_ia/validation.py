"""Validating a :class:`~charte_ia.source.Document` against a pydantic model.

Every pydantic error becomes a :class:`~charte_ia.diagnostics.Diagnostic` placed at the
YAML line and column of the offending key or value, with a French message and, for
unknown keys, a "vouliez-vous dire" suggestion.
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from charte_ia.diagnostics import Diagnostic, InvalidInputError, PathItem, did_you_mean, nombre_fr
from charte_ia.source import Document

M = TypeVar("M", bound=BaseModel)

_PATTERNS = {
    r"^[a-z][a-z0-9_]*$": "identifiant attendu : lettres minuscules sans accent, chiffres et « _ », "
                          "commençant par une lettre",
    r"^[A-Za-z][A-Za-z0-9_-]*$": "identifiant de règle attendu : lettres sans accent, chiffres, "
                                 "« - » et « _ », commençant par une lettre",
    r"^[a-z0-9][a-z0-9._-]*$": "identifiant de charte attendu : minuscules sans accent, chiffres, "
                               "« . », « - » et « _ » (par exemple fr.commune-exemple.charte-ia)",
    r"^\d{9}$": "numéro SIREN attendu : 9 chiffres",
    r"\S": "texte attendu : il ne peut pas être vide ni fait seulement d'espaces",
    r"^sha256:[0-9a-f]{64}$": "empreinte attendue : « sha256: » suivi de 64 chiffres hexadécimaux, "
                              "telle que l'affiche « charte-ia empreinte FICHE »",
    r"^projet(\.[a-z][a-z0-9_]*)+$": "chemin de champ attendu, par exemple projet.donnees.personnelles",
}

_TYPES = {
    "string_type": "texte attendu",
    "bool_type": "booléen attendu (true ou false)",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_type": "nombre attendu",
    "dict_type": "dictionnaire attendu (des entrées « clé: valeur »)",
    "model_type": "dictionnaire attendu (des entrées « clé: valeur »)",
    "model_attributes_type": "dictionnaire attendu (des entrées « clé: valeur »)",
    "tuple_type": "liste attendue (des éléments « - valeur »)",
    "list_type": "liste attendue (des éléments « - valeur »)",
    "date_type": "date attendue au format AAAA-MM-JJ",
    "frozen_instance": "valeur non modifiable",
}


def validate_document(model: type[M], document: Document, *, code: str = "schema") -> M:
    """Validate a document's data against ``model``; report every problem at once.

    Args:
        model: The pydantic model of the file format.
        document: The YAML document read by :mod:`charte_ia.source`.
        code: Diagnostic code used for shape errors.

    Raises:
        InvalidInputError: With one located diagnostic per problem.
    """
    if document.data is None:
        raise InvalidInputError([Diagnostic(
            "document-vide", "le fichier est vide", document.locate(()),
            "un modèle se trouve dans le dossier exemples/ ou chartes/")])
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        raise InvalidInputError(diagnostics_from(error, document, model, code=code)) from None


def diagnostics_from(error: ValidationError, document: Document, model: type[BaseModel],
                     *, code: str = "schema") -> list[Diagnostic]:
    """Translate a pydantic ``ValidationError`` into located French diagnostics."""
    seen: set[tuple[tuple[PathItem, ...], str]] = set()
    found: list[Diagnostic] = []
    details = error.errors(include_url=False)
    paths = [_document_path(document.data, d["loc"]) for d in details]
    for detail, path in zip(details, paths, strict=True):
        # A list whose items were all refused is also "too short": say only why the items were.
        if detail["type"] == "too_short" and any(
                len(other) > len(path) and other[: len(path)] == path for other in paths):
            continue
        message, hint, on_key = _translate(detail, model, path)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        found.append(Diagnostic(code, message, document.locate(path, key=on_key), hint))
    found.sort(key=lambda d: (d.location.line or 0, d.location.column or 0))
    return found


def _document_path(data: Any, loc: tuple[int | str, ...]) -> tuple[PathItem, ...]:
    """Keep the steps of a pydantic ``loc`` that exist in the data (drops union tags)."""
    path: list[PathItem] = []
    current = data
    for step in loc:
        in_list = isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current)
        if (isinstance(current, dict) and step in current) or in_list:
            path.append(step)
            current = current[step]
        elif isinstance(current, dict) and isinstance(step, str) and not _is_tag(step):
            # A missing or unknown key: keep it so that the message can name it.
            path.append(step)
            current = None
    return tuple(path)


def _is_tag(step: str) -> bool:
    return "[" in step or step in {"str", "int", "float", "bool", "dict", "list", "tuple"}


def _translate(detail: ErrorDetails, model: type[BaseModel],
               path: tuple[PathItem, ...]) -> tuple[str, str | None, bool]:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    value = detail.get("input")
    name = str(path[-1]) if path else ""
    if kind == "missing":
        return f"clé obligatoire « {name} » absente", None, False
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, path[:-1])
        hint = did_you_mean(name, allowed) if allowed else None
        if hint is None and allowed:
            hint = "clés admises ici : " + ", ".join(sorted(allowed))
        return f"clé inconnue « {name} »", hint, True
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        hint = did_you_mean(str(value), [e.strip(" '") for e in expected.split(",")])
        return f"valeur « {_show(value)} » non admise ; valeurs possibles : {expected}", hint, False
    if kind == "string_pattern_mismatch":
        explained = _PATTERNS.get(str(ctx.get("pattern")), "format non admis")
        return f"{explained} ; « {_show(value)} » reçu", None, False
    if kind in ("string_too_short", "too_short"):
        if kind == "string_too_short":
            return "texte vide : une valeur est attendue", None, False
        least = nombre_fr(int(ctx.get("min_length", 1)), "élément attendu", "éléments attendus")
        return f"au moins {least}", None, False
    if kind in ("string_too_long", "too_long"):
        unit = ("caractère", "caractères") if kind == "string_too_long" else ("élément", "éléments")
        return f"trop long : au plus {nombre_fr(int(ctx.get('max_length', 0)), *unit)}", None, False
    if kind in _TYPES:
        return f"{_TYPES[kind]}, {_describe(value)} reçu", None, False
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        word = "au moins" if kind == "greater_than_equal" else "au plus"
        return f"valeur {word} égale à {bound} attendue, {_show(value)} reçu", None, False
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, "), None, False
    # Our own errors (PydanticCustomError) already carry a French message.
    return str(detail["msg"]), None, False


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"booléen {str(value).lower()}"
    if isinstance(value, int | float):
        return f"nombre {value}"
    if isinstance(value, str):
        return f"texte « {_show(value)} »"
    if isinstance(value, list):
        return "liste"
    if isinstance(value, dict):
        return "dictionnaire"
    if value is None:
        return "valeur vide"
    return type(value).__name__


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _allowed_keys(model: type[BaseModel], path: tuple[PathItem, ...]) -> set[str]:
    """The keys a mapping at ``path`` accepts, found by walking the model's annotations."""
    current: Any = model
    for step in path:
        current = _step(current, step)
        if current is None:
            return set()
    current = _unwrap_model(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return set(current.model_fields)
    return set()


def _step(annotation: Any, step: PathItem) -> Any:
    model = _unwrap_model(annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        field = model.model_fields.get(str(step))
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _step(args[0], step)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            found = _step(arg, step)
            if found is not None:
                return found
        return None
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (tuple, list) and args:
        return args[0]
    return None


def _unwrap_model(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap_model(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            candidate = _unwrap_model(arg)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                return candidate
    return annotation
