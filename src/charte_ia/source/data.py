"""Python data given in place of a file (a procurement tool's dict), checked as a file is.

The data is untrusted like a file: only plain values are kept (mappings with text keys, lists,
text, numbers, booleans, ``None``, dates), within the same limits of depth, number of values and
text; anything else is refused with the path of the value (``projet.hebergement.pays[2]``),
since there are no lines to point at. Its sha256 is the one of its canonical JSON text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, PathItem
from charte_ia.limits import Limits
from charte_ia.source.document import Document

DATA_NAME = "<données>"
"""The name shown in diagnostics for data given in place of a file."""


def read_data(data: Mapping[str, Any], name: str, limits: Limits) -> Document:
    """A :class:`Document` for Python data, with copies of its plain values only.

    Raises:
        InvalidInputError: A value that is not plain data, a key that is not text, or a limit
            broken (depth, number of values, text), each placed by its path.
    """
    walk = _Walk(name, limits)
    plain = walk.copy(data, ())
    canonical = json.dumps(plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Document(name=name, data=plain, sha256=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
                    values={}, keys={}, donnees=True)


class _Walk:
    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits = name, limits
        self.nodes = 0
        self.chars = 0

    def copy(self, value: Any, path: tuple[PathItem, ...]) -> Any:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise self._refused(path, "yaml-trop-de-noeuds",
                                f"données trop volumineuses (plus de {self.limits.max_nodes} valeurs)")
        if len(path) > self.limits.max_depth:
            raise self._refused(path, "yaml-profondeur", "données trop profondément imbriquées",
                                f"au plus {self.limits.max_depth} niveaux d'imbrication sont admis")
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            self.chars += len(value)
            if self.chars > self.limits.max_expanded_chars:
                raise self._refused(path, "yaml-trop-de-noeuds", "données trop volumineuses (texte)")
            return value
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Mapping):
            copied = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise self._refused(path, "donnees-cle",
                                        f"clé de type {type(key).__name__} : une clé est un texte")
                copied[key] = self.copy(item, (*path, key))
            return copied
        if isinstance(value, list | tuple):
            return [self.copy(item, (*path, index)) for index, item in enumerate(value)]
        raise self._refused(path, "donnees-type", f"valeur de type {type(value).__name__} : seules des "
                            "données simples sont admises (dictionnaires, listes, textes, nombres, "
                            "booléens, dates)")

    def _refused(self, path: tuple[PathItem, ...], code: str, message: str,
                 hint: str | None = None) -> InvalidInputError:
        return InvalidInputError([Diagnostic(code, message, Location(self.name, path=path), hint)])
