"""Reading YAML safely, keeping the position of every node.

This is the only package that imports :mod:`yaml`. A file becomes a :class:`Document`:
plain Python data (dicts, lists, strings, numbers, booleans, ``None``), the sha256 of
its bytes, and the line and column of every key and value, so that every later
problem can be reported at ``fichier:ligne:colonne``.

Reading is deliberately stricter than PyYAML's defaults:

* only the standard scalar tags are accepted; ``!!python/...`` and custom tags are refused;
* dates stay strings (``2026-08-02``), so that they reach validation exactly as written;
* only ``true`` and ``false`` are booleans (``oui``, ``no`` or ``NO`` stay text: the
  country code of Norway is not ``false``);
* numbers are read as YAML 1.2 and JSON write them: ``012``, ``1:30``, ``0x18``, ``0b1100``,
  ``3_6`` or ``.inf``, which YAML 1.1 reads as other values, are refused, and so are
  integers beyond 64 bits;
* duplicate keys are errors, not silent overwrites;
* size, nesting depth, the number of nodes and the volume of text (aliases expanded) are
  bounded by :class:`~charte_ia.limits.Limits`; depth and node count are checked while the
  file is being parsed, so that a hostile file is stopped early.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from charte_ia.diagnostics import Diagnostic, InvalidInputError
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.source.data import DATA_NAME, read_data
from charte_ia.source.document import STDIN_NAME, Document, Position
from charte_ia.source.parse import fail, parse_yaml, place_of, size_fr

__all__ = ["DATA_NAME", "STDIN_NAME", "Document", "Position", "read_bytes", "read_data", "read_file",
           "unreachable"]


def read_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a YAML file (``-`` reads standard input) into a :class:`Document`.

    Only ``limits.max_bytes + 1`` bytes are ever read, whatever the size of the file.

    Raises:
        InvalidInputError: The file cannot be read, is not UTF-8, is not valid YAML,
            or breaks one of the limits above.
    """
    name = str(path)
    if name == STDIN_NAME:
        raw = sys.stdin.buffer.read(limits.max_bytes + 1)
    else:
        try:
            with open(path, "rb") as handle:
                raw = handle.read(limits.max_bytes + 1)
        except FileNotFoundError:
            raise fail(name, "fichier-introuvable", "fichier introuvable",
                        "vérifiez le chemin et le nom du fichier") from None
        except IsADirectoryError:
            raise fail(name, "fichier-illisible", "un fichier est attendu, pas un dossier",
                        None) from None
        except OSError as error:
            raise fail(name, "fichier-illisible",
                        f"lecture impossible ({error.strerror or error})", None) from None
    return read_bytes(raw, name, limits)


def unreachable(error: InvalidInputError) -> bool:
    """Whether reading failed because the file is missing or unreadable, not because of its content."""
    return error.diagnostics[0].code in ("fichier-introuvable", "fichier-illisible")


def read_bytes(raw: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read YAML from bytes; ``name`` is used in every position reported.

    Raises:
        InvalidInputError: As :func:`read_file`.
    """
    if len(raw) > limits.max_bytes:
        raise fail(name, "fichier-trop-grand",
                    f"fichier trop volumineux (plus de {size_fr(limits.max_bytes)})",
                    "une charte ou une fiche projet tient en quelques dizaines de Ko ; la limite "
                    "se règle par CHARTE_IA_MAX_OCTETS")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        raise InvalidInputError([Diagnostic(
            "encodage", "fichier en UTF-16 : UTF-8 attendu" if utf16
            else f"octet {raw[error.start]:#04x} invalide en UTF-8",
            place_of(name, raw, error.start),
            "enregistrez le fichier en UTF-8 (c'est le réglage par défaut des éditeurs récents)",
        )]) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        index = text.index("\x00")
        raise InvalidInputError([Diagnostic(
            "fichier-binaire", "le fichier contient un octet nul : ce n'est pas un fichier texte",
            place_of(name, text, index),
            "donnez le fichier YAML de la charte ou de la fiche")])
    lines = tuple(text.splitlines())
    data, values, keys = parse_yaml(text, name, lines, limits)
    return Document(
        name=name, data=data, sha256=hashlib.sha256(raw).hexdigest(), values=values, keys=keys, lines=lines
    )
