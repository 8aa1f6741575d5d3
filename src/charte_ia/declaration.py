"""A project declaration (fiche projet IA), validated against the vocabulary.

A :class:`Declaration` keeps the values the project team gave, field by field, and the
fields it marked ``inconnu``. A field that is absent, empty or ``inconnu`` is *unknown*:
the engine never reads it as ``false``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from charte_ia.diagnostics import Diagnostic, Location
from charte_ia.migration import migrated_document, version_1
from charte_ia.source import Document
from charte_ia.validation import validate_document
from charte_ia.vocabulary import INCONNU, Vocabulaire


@dataclass(frozen=True, kw_only=True)
class Declaration:
    """La fiche d'un projet d'IA, validée.

    Attributes:
        document: Le document YAML lu (nom, empreinte, positions).
        id: L'identifiant du projet (``projet.id``).
        nom: Le nom du projet (``projet.nom``).
        valeurs: Les valeurs connues, par chemin de champ (dates en chaînes ``AAAA-MM-JJ``).
        inconnus: Les champs déclarés ``inconnu``.
        en_attente: Les champs dont la réponse dit qu'elle n'est pas encore arrêtée (« incertain »,
            avis attendu) : la fiche la garde, les règles la lisent comme inconnue.
        avertissements: Ce qui mérite d'être signalé sans empêcher de lire la fiche (une fiche
            au format 1, convertie).
    """

    document: Document
    id: str
    nom: str
    valeurs: Mapping[str, Any]
    inconnus: frozenset[str]
    en_attente: frozenset[str] = frozenset()
    avertissements: tuple[Diagnostic, ...] = ()

    def location(self, chemin: str) -> Location | None:
        """L'endroit du fichier où le champ ``chemin`` est écrit, s'il l'est."""
        position = self.document.position(tuple(chemin.split(".")))
        if position is None:
            return None
        return Location(self.document.name, position.line, position.column)

    def known(self, chemin: str) -> bool:
        """Si une valeur est déclarée pour ``chemin``."""
        return chemin in self.valeurs

    def decidable(self, chemin: str) -> bool:
        """Si les règles peuvent lire ``chemin`` : une valeur est déclarée, et elle n'est pas en attente."""
        return chemin in self.valeurs and chemin not in self.en_attente

    def avec_reponse(self, chemin: str, valeur: Any, en_attente: bool = False) -> Declaration:
        """Une copie où ``chemin`` vaut ``valeur`` (``en_attente`` : une réponse pas encore arrêtée)."""
        pending = self.en_attente | {chemin} if en_attente else self.en_attente - {chemin}
        return replace(self, valeurs={**self.valeurs, chemin: valeur}, inconnus=self.inconnus - {chemin},
                       en_attente=frozenset(pending))

    @cached_property
    def empreinte(self) -> str:
        """L'empreinte du contenu de la fiche : ``sha256:`` suivi de 64 chiffres hexadécimaux.

        Elle ne dépend que de ce que la fiche déclare une fois validée (chaque valeur connue et
        chaque champ ``inconnu``), pas de la façon de l'écrire : commentaires, ordre des clés,
        guillemets ou style YAML n'y changent rien, une réponse modifiée la change. Une
        dérogation l'inscrit pour ne s'appliquer qu'à la fiche que le comité a examinée.
        """
        canonical = json.dumps({"valeurs": dict(sorted(self.valeurs.items())),
                                "inconnus": sorted(self.inconnus)},
                               ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_declaration(document: Document, vocabulaire: Vocabulaire) -> Declaration:
    """Valider un document de fiche au regard du vocabulaire.

    Une fiche au format ``fiche-projet-ia/1`` est lue après conversion (:mod:`charte_ia.migration`),
    avec un avertissement.

    Raises:
        InvalidInputError: Clés inconnues, types ou valeurs incorrects, identification manquante.
    """
    warnings: tuple[Diagnostic, ...] = ()
    if version_1(document.data):
        document, warning = migrated_document(document)
        warnings = (warning,)
    data = validate_document(vocabulaire.model, document, code="fiche").model_dump()
    valeurs: dict[str, Any] = {}
    inconnus: set[str] = set()
    pending: set[str] = set()
    for chemin, champ in vocabulaire.champs.items():
        value = _lookup(data, chemin)
        if value == INCONNU:
            inconnus.add(chemin)
        elif value is not None:
            valeurs[chemin] = value
            if isinstance(value, str) and value in champ.en_attente:
                pending.add(chemin)
    projet = data["projet"]
    return Declaration(document=document, id=str(projet["id"]), nom=str(projet["nom"]), valeurs=valeurs,
                       inconnus=frozenset(inconnus), en_attente=frozenset(pending), avertissements=warnings)


def _lookup(data: Any, chemin: str) -> Any:
    current = data
    for step in chemin.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(step)
    return current

