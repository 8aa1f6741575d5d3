"""Loading files into validated, compiled objects: charters and declarations.

Each loader reads one YAML file (:mod:`charte_ia.source`), validates it against its format
(:mod:`charte_ia.model`, :mod:`charte_ia.vocabulary`) and, for a charter, compiles every
expression (:mod:`charte_ia.charter`). All the problems of a file are reported together
in one :class:`~charte_ia.diagnostics.InvalidInputError`.
"""

from __future__ import annotations

from pathlib import Path

from charte_ia.charter import Charte
from charte_ia.compiler import compile_charter
from charte_ia.declaration import Declaration, build_declaration
from charte_ia.model import FORMAT_PAQUET, FichierCharte, FichierPaquet
from charte_ia.source import Document, read_file
from charte_ia.validation import validate_document
from charte_ia.vocabulary import Vocabulaire, default_vocabulary


def load_charter(path: str | Path, *, vocabulaire: Vocabulaire | None = None) -> Charte:
    """Read, validate and compile a charter file, with the packs it imports.

    A rule pack (``format: paquet_regles/1``) is accepted too, and compiled on its own.

    Args:
        path: The charter's YAML file (``-`` for standard input).
        vocabulaire: The declaration vocabulary (default: the one shipped, ``fiche-projet-ia/1``).

    Returns:
        The compiled charter, ready to evaluate declarations.

    Raises:
        InvalidInputError: With every problem found in the file, each located.
    """
    return charter_from_document(read_file(path), vocabulaire=vocabulaire)


def charter_from_document(document: Document, *, vocabulaire: Vocabulaire | None = None) -> Charte:
    """Validate and compile a charter (or a rule pack) already read into a document."""
    is_pack = isinstance(document.data, dict) and document.data.get("format") == FORMAT_PAQUET
    fichier: FichierCharte | FichierPaquet = (
        validate_document(FichierPaquet, document, code="paquet") if is_pack
        else validate_document(FichierCharte, document, code="charte"))
    return compile_charter(fichier, document, vocabulaire or default_vocabulary())


def load_declaration(path: str | Path, *, vocabulaire: Vocabulaire | None = None) -> Declaration:
    """Read and validate a declaration (fiche projet IA).

    Args:
        path: The declaration's YAML file (``-`` for standard input).
        vocabulaire: The vocabulary to validate against (default: the one shipped).

    Raises:
        InvalidInputError: With every problem found in the file, each located.
    """
    return build_declaration(read_file(path), vocabulaire or default_vocabulary())
