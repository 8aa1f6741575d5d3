"""``charte-ia.toml`` (or ``[tool.charte-ia]`` in ``pyproject.toml``): options not repeated on every call.

A project folder names its charter, its reference date, its dérogations and, for ``verifier``,
its formats once::

    charte = "chartes/commune-modele.yaml"   # or the name of a model charter
    derogations = "derogations.yaml"

    [verifier]
    format = ["html", "sarif"]
    sortie = "rapports/"

The keys at the top apply to every command that has that option; those of ``[verifier]`` to
``verifier`` only. An option given on the command line wins. Paths are read from the folder of
the configuration file. An unknown key or a value of the wrong type is an error (exit 3).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import click

from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, did_you_mean

FILE = "charte-ia.toml"
_COMMON: dict[str, tuple[str, Any]] = {"charte": ("charte_path", str), "date": ("jour", (date, str)),
                                       "derogations": ("derogations_path", str)}
"""Keys of every command: the option they set, the TOML types admitted (a date may be quoted)."""
_VERIFIER: dict[str, tuple[str, Any]] = {"format": ("formats", list), "sortie": ("sortie", str),
                                          "strict": ("strict", bool), "processus": ("processus", int)}
_PATHS = {"charte_path", "derogations_path", "sortie"}


def found(folder: Path) -> Path | None:
    """The configuration of this folder: ``charte-ia.toml``, else a ``pyproject.toml`` with a
    ``[tool.charte-ia]`` table."""
    own = folder / FILE
    if own.is_file():
        return own
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and re.search(r"^\[tool\.charte-ia(\.|\])", pyproject.read_text("utf-8"), re.M):
        return pyproject
    return None


def default_map(path: Path, commands: Mapping[str, click.Command]) -> dict[str, dict[str, Any]]:
    """The defaults of each command, read from a configuration file.

    Raises:
        InvalidInputError: The file is not TOML, or has an unknown key or a wrong value.
    """
    table = _read(path)
    common = _values(path, table, _COMMON, nested={"verifier"})
    verifier = _values(path, table.get("verifier", {}), _VERIFIER, where="verifier.")
    defaults: dict[str, dict[str, Any]] = {}
    for name, command in commands.items():
        accepted = {p.name for p in command.params}
        offered = {**common, **(verifier if name == "verifier" else {})}
        chosen = {k: v for k, v in offered.items() if k in accepted}
        if "chartes" in accepted and "charte_path" in common:  # servir: the charter of the project
            chosen["chartes"] = (common["charte_path"],)
        if chosen:
            defaults[name] = chosen
    return defaults


def _read(path: Path) -> dict[str, Any]:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise _invalid(path, f"configuration illisible ({error})") from None
    except tomllib.TOMLDecodeError as error:
        place = re.search(r"line (\d+), column (\d+)", str(error))
        line, column = (int(place.group(1)), int(place.group(2))) if place else (None, None)
        raise _invalid(path, "configuration TOML invalide", line, column,
                       "vérifiez les guillemets des textes et le signe = entre clé et valeur") from None
    if path.name == "pyproject.toml":
        table = table.get("tool", {}).get("charte-ia", {})
    if not isinstance(table, dict):
        raise _invalid(path, "la configuration doit être une table de clés")
    return table


def _values(path: Path, table: Any, keys: dict[str, tuple[str, Any]], *, where: str = "",
            nested: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _invalid(path, f"« {where.rstrip('.')} » doit être une table de clés")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in nested:
            continue
        if key not in keys:
            raise _invalid(path, f"clé inconnue « {where}{key} »", hint=did_you_mean(key, [*keys, *nested])
                           or "clés admises : " + ", ".join([*keys, *sorted(nested)]))
        name, kind = keys[key]
        values[name] = _value(path, f"{where}{key}", name, kind, [value] if kind is list and isinstance(
            value, str) else value)
    return values


def _value(path: Path, key: str, name: str, kind: Any, given: Any) -> Any:
    if not isinstance(given, kind) or (kind is int and isinstance(given, bool)):
        raise _invalid(path, f"« {key} » : valeur de type inattendu ({given!r})")
    value: Any = given
    if kind is list:
        return tuple(value)
    if name not in _PATHS:
        return value
    model = name == "charte_path" and "/" not in value and not value.endswith((".yaml", ".yml"))
    if model and not (path.parent / value).exists():
        return value  # the name of a model charter
    return str(path.parent / value) + ("/" if value.endswith("/") else "")


def _invalid(path: Path, message: str, line: int | None = None, column: int | None = None,
             hint: str | None = None) -> InvalidInputError:
    return InvalidInputError([Diagnostic("configuration-invalide", message, Location(str(path), line, column),
                                         hint)])
