"""Writing answers back into a declaration, keeping its comments, order and layout.

``charte-ia completer --interactif`` asks the missing questions and then writes the
completed declaration; ``charte-ia migrer`` rewrites a ``fiche-projet-ia/1`` declaration in
the current format (:mod:`charte_ia.migration`).
The file is edited, not regenerated: comments, key order, quotes
and flow lists (``[FR]``) stay as the team wrote them; a new field is added at the end of
its group, and a missing group is created. The result is read back and validated before
it is written, atomically: a declaration is never left half-written or invalid.

This is the only module that imports :mod:`ruamel.yaml` (round-trip editing);
:mod:`charte_ia.source` remains the only reader of the inputs that are checked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from charte_ia.declaration import Declaration, build_declaration
from charte_ia.migration import migrate
from charte_ia.source import read_bytes
from charte_ia.vocabulary import Vocabulaire

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap what the team wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def with_answers(text: str, answers: Mapping[str, Any]) -> str:
    """The declaration text with ``answers`` (field path → value) written in.

    An existing value (``inconnu`` for instance) is replaced in place; a new field is
    appended to its group, groups being created as needed.
    """
    yaml = _yaml()
    data = yaml.load(text)
    for chemin, value in answers.items():
        node = data
        *groups, leaf = chemin.split(".")
        for group in groups:
            child = node.get(group)
            if not isinstance(child, dict):
                child = CommentedMap()
                node[group] = child
            node = child
        node[leaf] = _node(value)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _node(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value):
        return date.fromisoformat(value)  # written unquoted, as the team writes dates
    if isinstance(value, list):
        sequence = CommentedSeq(value)
        sequence.fa.set_flow_style()
        return sequence
    return value


def completed(declaration: Declaration, text: str, answers: Mapping[str, Any],
              vocabulaire: Vocabulaire) -> tuple[str, Declaration]:
    """Write the answers in and validate the result as a declaration.

    Returns:
        The new text and the declaration it validates into.

    Raises:
        InvalidInputError: The completed text would not be a valid declaration.
    """
    new_text = with_answers(text, answers)
    document = read_bytes(new_text.encode("utf-8"), declaration.document.name)
    return new_text, build_declaration(document, vocabulaire)


def migrated(text: str, name: str, vocabulaire: Vocabulaire) -> tuple[str, list[str], Declaration]:
    """A version-1 declaration rewritten in the current format, comments and layout kept.

    A value version 1 could not tell precisely becomes ``inconnu``, with a comment that says
    what to answer.

    Returns:
        The new text, what changed (one French line per field), and the declaration it
        validates into.

    Raises:
        InvalidInputError: The rewritten text would not be a valid declaration.
    """
    yaml = _yaml()
    data = yaml.load(text)

    def note(mapping: Any, key: str, comment: str) -> None:
        mapping.yaml_add_eol_comment(f"# à préciser : {comment}", key)

    changes = migrate(data, note=note)
    out = io.StringIO()
    yaml.dump(data, out)
    new_text = out.getvalue()
    return new_text, changes, build_declaration(read_bytes(new_text.encode("utf-8"), name), vocabulaire)
