"""Loading files into validated, compiled objects: charters, declarations and dérogations.

This is where user files are read (packs are read by :mod:`charte_ia.packs`, which the
compiler is given): compilation and evaluation only see documents already read.
Each loader reads one YAML file (:mod:`charte_ia.source`), validates it against its format
(:mod:`charte_ia.model`, :mod:`charte_ia.vocabulary`) and, for a charter, compiles every
expression (:mod:`charte_ia.charter`). All the problems of a file are reported together
in one :class:`~charte_ia.diagnostics.InvalidInputError`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from charte_ia import charter_cache
from charte_ia.charter import Charte
from charte_ia.compiler import compile_charter
from charte_ia.declaration import Declaration, build_declaration
from charte_ia.derogation import Derogations, derogations_from_document
from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, did_you_mean
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.model import FORMAT_PAQUET, FichierCharte, FichierPaquet
from charte_ia.packs import ShippedAndFilePacks
from charte_ia.source import DATA_NAME, STDIN_NAME, Document, read_bytes, read_data, read_file
from charte_ia.validation import validate_document
from charte_ia.vocabulary import Vocabulaire, default_vocabulary


def load_charter(path: str | Path, *, vocabulaire: Vocabulaire | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> Charte:
    """Lire, valider et compiler une charte, avec les paquets qu'elle importe.

    Un paquet de règles (``format: paquet_regles/1``) est accepté aussi : il est compilé seul.

    Args:
        path: Le fichier YAML de la charte (``-`` pour l'entrée standard), ou le nom d'une charte
            modèle livrée (``commune-modele``, ``departement-modele``, ``metropole-modele``)
            quand aucun fichier ne porte ce nom.
        vocabulaire: Le vocabulaire de la fiche (par défaut, celui qui est fourni : ``fiche-projet-ia/1``).
        limits: Les bornes de taille, de profondeur et de coût (:class:`Limits`), pour la
            charte, ses paquets et ses expressions ; la charte les garde pour évaluer les fiches.

    Returns:
        La charte compilée, prête à évaluer des fiches.

    Raises:
        InvalidInputError: Avec chaque problème trouvé dans le fichier, localisé.
    """
    path = _named(path)
    raw: bytes | None = None
    if vocabulaire is None and str(path) != STDIN_NAME:
        kept, raw = _kept(str(path), limits)
        if kept is not None:
            return kept
    try:  # the bytes already read are parsed as they are: the file is read once
        document = read_file(path, limits) if raw is None else read_bytes(raw, str(path), limits)
    except InvalidInputError as error:
        raise _with_model_names(error) from None
    return charter_from_document(document, vocabulaire=vocabulaire, limits=limits)


def _with_model_names(error: InvalidInputError) -> InvalidInputError:
    """A charter not found: say which model charters can be named instead of a path."""
    first = error.diagnostics[0]
    if first.code != "fichier-introuvable":
        return error
    names = model_charters()
    hint = did_you_mean(Path(first.location.file).stem, names) or (
        "vérifiez le chemin, ou nommez une charte modèle livrée : " + ", ".join(names))
    return InvalidInputError([replace(first, hint=hint), *error.diagnostics[1:]])


def model_charters() -> list[str]:
    """Les noms des chartes modèles livrées avec charte-ia, que ``--charte`` accepte pour un chemin."""
    folder = resources.files("charte_ia") / "chartes"
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir()
                  if entry.name.endswith(".yaml"))


def _named(path: str | Path) -> str | Path:
    """The shipped model charter of that name, when no file has that name (``commune-modele``)."""
    name = str(path)
    if name == STDIN_NAME or Path(name).exists() or name not in model_charters():
        return path
    return Path(str(resources.files("charte_ia") / "chartes" / f"{name}.yaml"))


def _kept(name: str, limits: Limits) -> tuple[Charte | None, bytes | None]:
    """The charter compiled earlier from the bytes this file has now, without reading its YAML again,
    and those bytes (``None`` when the file cannot be read: :func:`read_file` says why, in French)."""
    try:
        with open(name, "rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError:
        return None, None
    if len(raw) > limits.max_bytes:
        return None, raw
    sha256 = hashlib.sha256(raw).hexdigest()
    with _LOCK:
        cached = _COMPILED.get((name, sha256, 0, limits))
    found = cached[0] if cached is not None else charter_cache.read(name, sha256, limits)
    if found is None or not _unchanged(found):
        return None, raw
    _remember((name, sha256, 0, limits), found, None)
    return found, raw


def charter_from_document(document: Document, *, vocabulaire: Vocabulaire | None = None,
                          limits: Limits = DEFAULT_LIMITS) -> Charte:
    """Valider et compiler une charte (ou un paquet de règles) déjà lue dans un document.

    Une charte déjà compilée dans ce processus, ou par une exécution précédente (gardée dans
    le cache privé de l'utilisateur, :mod:`charte_ia.charter_cache`, avec le vocabulaire fourni),
    à partir des mêmes octets et de paquets dont les octets n'ont pas changé depuis, est rendue
    telle quelle : la compilation est une fonction de ces contenus, et la charte compilée est
    immuable.
    """
    key = (document.name, document.sha256, 0 if vocabulaire is None else id(vocabulaire), limits)
    with _LOCK:
        cached = _COMPILED.get(key)
    if cached is not None and cached[1] is vocabulaire and _unchanged(cached[0]):
        with _LOCK:
            _COMPILED.move_to_end(key)
        return cached[0]
    kept = charter_cache.read(document.name, document.sha256, limits) if vocabulaire is None else None
    if kept is not None and _unchanged(kept):
        _remember(key, kept, vocabulaire)
        return kept
    charte = _compile(document, vocabulaire or default_vocabulary(), limits)
    if vocabulaire is None:
        charter_cache.write(charte)
    _remember(key, charte, vocabulaire)
    return charte


def _remember(key: tuple[str, str, int, Limits], charte: Charte, vocabulaire: Vocabulaire | None) -> None:
    with _LOCK:
        _COMPILED[key] = (charte, vocabulaire)
        while len(_COMPILED) > _MAX_COMPILED:
            _COMPILED.popitem(last=False)


def _compile(document: Document, vocabulaire: Vocabulaire, limits: Limits) -> Charte:
    is_pack = isinstance(document.data, dict) and document.data.get("format") == FORMAT_PAQUET
    fichier: FichierCharte | FichierPaquet = (
        validate_document(FichierPaquet, document, code="paquet") if is_pack
        else validate_document(FichierCharte, document, code="charte"))
    return compile_charter(fichier, document, vocabulaire, limits, packs=_PACKS)


_COMPILED: OrderedDict[tuple[str, str, int, Limits], tuple[Charte, Vocabulaire | None]] = OrderedDict()
"""Charters compiled in this process, with the vocabulary they were compiled with."""
_MAX_COMPILED = 16
_LOCK = threading.Lock()
_PACKS = ShippedAndFilePacks()


def _unchanged(charte: Charte) -> bool:
    """Whether every pack the charter was compiled with still has the same bytes."""
    return all(_PACKS.sha256_of(p.fichier, charte.limites) == p.sha256 for p in charte.paquets)


def load_declaration(source: str | Path | bytes | Mapping[str, Any], *,
                     vocabulaire: Vocabulaire | None = None, limits: Limits = DEFAULT_LIMITS,
                     nom: str | None = None) -> Declaration:
    """Lire et valider une fiche projet IA : un fichier, un texte YAML ou JSON, ou des données Python.

    Args:
        source: Le chemin du fichier YAML de la fiche (``-`` pour l'entrée standard) ; ou son
            texte, YAML ou JSON (``str`` sur plusieurs lignes ou commençant par ``{``, ou
            ``bytes``) ; ou un dictionnaire (``{"format": "fiche-projet-ia/2", "projet": {…}}``),
            vérifié comme un fichier.
        vocabulaire: Le vocabulaire de validation (par défaut, celui qui est fourni).
        limits: Les bornes de taille et de profondeur (:class:`Limits`).
        nom: Pour un texte ou des données, le nom que citent les diagnostics et la décision
            (par défaut ``<texte>`` ou ``<données>``).

    Returns:
        La fiche validée.

    Raises:
        InvalidInputError: Avec chaque problème trouvé, localisé : par sa ligne et sa colonne
            dans un fichier ou un texte, par son chemin (``projet.hebergement.pays_stockage[1]``)
            dans des données Python.
    """
    return build_declaration(_document(source, limits, nom), vocabulaire or default_vocabulary())


def _document(source: str | Path | bytes | Mapping[str, Any], limits: Limits, nom: str | None) -> Document:
    if isinstance(source, Mapping):
        return read_data(source, nom or DATA_NAME, limits)
    if isinstance(source, bytes | bytearray):
        return read_bytes(bytes(source), nom or TEXT_NAME, limits)
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith("{")):
        return read_bytes(source.encode("utf-8"), nom or TEXT_NAME, limits)
    if isinstance(source, str | Path):
        return read_file(source, limits)
    raise InvalidInputError([Diagnostic(
        "donnees-type", f"fiche de type {type(source).__name__} : un chemin, un texte YAML ou JSON, ou "
        "un dictionnaire est attendu", Location(DATA_NAME))])


TEXT_NAME = "<texte>"
"""The name shown in diagnostics for a declaration given as text."""


def load_derogations(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Derogations:
    """Lire et valider un fichier de dérogations (``format: derogations/2``).

    Args:
        path: Le fichier YAML des dérogations.
        limits: Les bornes de taille et de profondeur du fichier (:class:`Limits`).

    Returns:
        Les dérogations, à passer à :func:`charte_ia.evaluate`.

    Raises:
        InvalidInputError: Avec chaque problème trouvé dans le fichier, localisé.
    """
    return derogations_from_document(read_file(path, limits))
