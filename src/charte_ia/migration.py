"""Converting a declaration written for ``fiche-projet-ia/1`` to ``fiche-projet-ia/2``.

Version 2 lets a team answer truthfully where version 1 could only stay silent: a notice
announced by voice, rules not published, what the CNIL answered, a training planned but
not given yet. The changes are a short table (:data:`CHANGEMENTS`); the same table serves
two readers:

- reading a version-1 declaration converts it in memory, each converted value keeping the
  position it had in the file, with a warning that says how to rewrite it;
- ``charte-ia migrer`` rewrites the file itself, keeping comments, order and layout
  (:mod:`charte_ia.completion` does the round-trip editing).

A value that version 1 could not tell precisely (the CNIL was consulted: but what did it
answer?) becomes ``inconnu`` with a comment, never a guess.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from typing import Any

from charte_ia.diagnostics import Diagnostic, Gravite
from charte_ia.model import FORMAT_FICHE, FORMAT_FICHE_V1
from charte_ia.source import Document
from charte_ia.vocabulary import INCONNU


@dataclass(frozen=True)
class Changement:
    """One field of version 1 and what it becomes in version 2.

    Attributes:
        ancien: The version-1 path.
        nouveau: The version-2 path (the same when only a state is added beside it).
        valeurs: Old value → new value, when the type changes (absent values are kept).
        etat: A field added beside it, with its value, when the old value is known
            (the state « publiée » next to a URL).
        a_preciser: The comment written when the old value maps to ``inconnu``.
    """

    ancien: str
    nouveau: str
    valeurs: Mapping[bool | str, str] | None = None
    etat: tuple[str, str] | None = None
    a_preciser: str | None = None


CHANGEMENTS: tuple[Changement, ...] = (
    Changement("projet.transparence.url_notice", "projet.transparence.notice_url",
               etat=("projet.transparence.notice", "publiee")),
    Changement("projet.transparence.regles_publiees_url", "projet.transparence.regles_publiees_url",
               etat=("projet.transparence.regles_publiees", "publiees")),
    Changement("projet.accessibilite.declaration_url", "projet.accessibilite.declaration_url",
               etat=("projet.accessibilite.declaration", "publiee")),
    Changement("projet.donnees.cnil_consultee", "projet.donnees.consultation_cnil",
               valeurs={False: "non_consultee", True: INCONNU},
               a_preciser="la CNIL a été consultée : précisez sa réponse (en_attente, favorable, "
                          "favorable_reserves ou defavorable)"),
    Changement("projet.controle_humain.agents_formes", "projet.controle_humain.formation_agents",
               valeurs={True: "realisee", False: "non_prevue"}),
)


def version_1(data: Any) -> bool:
    """Whether a declaration's data says it is written for ``fiche-projet-ia/1``."""
    return isinstance(data, Mapping) and data.get("format") == FORMAT_FICHE_V1


Moved = Callable[[str, str], None]


def migrate(data: MutableMapping[str, Any], *, moved: Moved | None = None,
            note: Callable[[MutableMapping[str, Any], str, str], None] | None = None) -> list[str]:
    """Convert version-1 data to version 2, in place.

    Works on plain dictionaries and on round-trip YAML mappings alike (key order kept).

    Args:
        data: The declaration, ``format`` included.
        moved: Called with (old path, new path) for each field that moves or is added, so
            that a caller can carry positions over.
        note: Called with (mapping, key, text) where a comment should say what to check.

    Returns:
        What changed, one French line per field.
    """
    data["format"] = FORMAT_FICHE
    done = []
    for changement in CHANGEMENTS:
        *groups, leaf = changement.ancien.split(".")
        parent = _group(data, groups)
        if parent is None or leaf not in parent:
            continue
        new_leaf = changement.nouveau.rsplit(".", 1)[1]
        if new_leaf != leaf and new_leaf in parent:
            continue  # both formats at once: left as written, validation refuses the old key
        old = parent[leaf]
        known = old is not None and old != INCONNU
        value = old
        if changement.valeurs is not None and known:
            value = changement.valeurs.get(old, old) if isinstance(old, bool | str) else old
        if new_leaf != leaf:
            _rename(parent, leaf, new_leaf, value)
        else:
            parent[leaf] = value
        if moved is not None:
            moved(changement.ancien, changement.nouveau)
        line = (f"{changement.ancien} : {_shown(old)} → {changement.nouveau} : {_shown(value)}"
                if changement.nouveau != changement.ancien else f"{changement.ancien} : inchangé")
        if changement.a_preciser and known and value == INCONNU:
            if note is not None:
                note(parent, new_leaf, changement.a_preciser)
            line += f" ({changement.a_preciser})"
        if changement.etat is not None and known:
            line += _add_state(parent, new_leaf, changement, moved)
        done.append(line)
    return done


def _add_state(parent: MutableMapping[str, Any], leaf: str, changement: Changement,
               moved: Moved | None) -> str:
    """Add the field that now says how far a step went (``etat``), unless the declaration has it."""
    assert changement.etat is not None
    chemin, value = changement.etat
    state_leaf = chemin.rsplit(".", 1)[1]
    if state_leaf in parent:
        return ""
    _insert_before(parent, leaf, state_leaf, value)
    if moved is not None:
        moved(changement.ancien, chemin)
    return f" ; ajouté {chemin} : {value}"


def migrated_document(document: Document) -> tuple[Document, Diagnostic]:
    """A version-1 document converted to version 2, with the warning that says so.

    Every converted value keeps the position it had in the file, so that a diagnostic on
    it still points at what the team wrote.
    """
    data = copy.deepcopy(document.data)
    values = dict(document.values)
    keys = dict(document.keys)

    def carry(old: str, new: str) -> None:
        before, after = tuple(old.split(".")), tuple(new.split("."))
        for table in (values, keys):
            if before in table:
                table[after] = table[before]

    changed = migrate(data, moved=carry)
    where = document.locate(("format",))
    plural = "s" if len(changed) > 1 else ""
    detail = f" ({len(changed)} champ{plural} converti{plural})"
    warning = Diagnostic(
        "fiche-version-1", f"fiche écrite au format {FORMAT_FICHE_V1} : lue après conversion au format "
        f"{FORMAT_FICHE}{detail if changed else ''}", where,
        f"« charte-ia migrer {document.name} » la réécrit au format {FORMAT_FICHE}, commentaires gardés",
        Gravite.AVERTISSEMENT)
    return replace(document, data=data, values=values, keys=keys), warning


def _group(data: MutableMapping[str, Any], groups: list[str]) -> MutableMapping[str, Any] | None:
    node: Any = data
    for group in groups:
        node = node.get(group) if isinstance(node, MutableMapping) else None
    return node if isinstance(node, MutableMapping) else None


def _rename(mapping: MutableMapping[str, Any], old: str, new: str, value: Any) -> None:
    index = list(mapping).index(old)
    insert = getattr(mapping, "insert", None)
    if insert is not None:  # a round-trip mapping: keep the key's place and its comment
        comments = getattr(mapping, "ca", None)
        comment = comments.items.pop(old, None) if comments is not None else None
        del mapping[old]
        insert(index, new, value)
        if comment is not None and comments is not None:
            comments.items[new] = comment
        return
    items = [(new, value) if key == old else (key, item) for key, item in mapping.items()]
    mapping.clear()
    mapping.update(items)


def _insert_before(mapping: MutableMapping[str, Any], before: str, key: str, value: Any) -> None:
    index = list(mapping).index(before)
    insert = getattr(mapping, "insert", None)
    if insert is not None:
        insert(index, key, value)
        return
    items = list(mapping.items())
    items.insert(index, (key, value))
    mapping.clear()
    mapping.update(items)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

