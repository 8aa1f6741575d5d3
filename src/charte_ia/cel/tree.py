"""Reading a cel-python syntax tree: the dotted names it denotes, the texts compared with fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Comparaison:
    """A text compared with a field of the declaration: ``projet.x.mode == 'revue'``, ``… in ['a']``.

    The compiler checks each text against the field's possible answers, so that a misspelt one
    (a rule that would silently never hold) is refused when the charter loads.

    Attributes:
        chemin: The field, ``projet.…``.
        valeur: The text it is compared with.
        line: 1-based line of the text in the expression.
        column: 1-based column of the text in the expression.
    """

    chemin: str
    valeur: str
    line: int
    column: int


_STRING_OPERATORS = frozenset({"relation_eq", "relation_ne", "relation_in"})
_WRAPPERS = frozenset({"expr", "conditionalor", "conditionaland", "relation", "addition",
                       "multiplication", "unary", "member", "primary"})


def comparisons(tree: Any) -> list[Comparaison]:
    """The plain texts compared, with ``==``, ``!=`` or ``in``, with a field of the declaration."""
    found: list[Comparaison] = []
    for node in tree.iter_subtrees():
        if node.data != "relation" or len(node.children) != 2:
            continue
        operator, right = node.children
        if getattr(operator, "data", None) not in _STRING_OPERATORS:
            continue
        left = operator.children[0]
        for field, other in ((left, right), (right, left)):
            chain = name_chain(field)
            if chain is None or chain[0] != "projet":
                continue
            listed = operator.data == "relation_in" and field is left
            literals = _strings(other) if listed else [_string(other)]
            found += [Comparaison(".".join(chain), *found_text) for found_text in literals
                      if found_text is not None]
    return found


def _single(node: Any) -> Any:
    while getattr(node, "data", None) in _WRAPPERS and len(node.children) == 1:
        node = node.children[0]
    return node


def _string(node: Any) -> tuple[str, int, int] | None:
    """A plain quoted text (no escape, not raw, not triple-quoted), with its position."""
    node = _single(node)
    if getattr(node, "data", None) != "literal":
        return None
    token = node.children[0]
    text = str(token)
    if getattr(token, "type", "") != "STRING_LIT" or len(text) < 2 or text[0] not in "'\"":
        return None
    if text[0] != text[-1] or "\\" in text or text[:3] in ("'''", '"""'):
        return None
    return text[1:-1], token.line, token.column


def _strings(node: Any) -> list[tuple[str, int, int] | None]:
    node = _single(node)
    if getattr(node, "data", None) != "list_lit" or not node.children:
        return []
    return [_string(item) for item in node.children[0].children]


def name_chain(node: Any) -> list[str] | None:
    """The dotted name a subtree denotes (``projet.donnees.pays``), or ``None``."""
    while getattr(node, "data", None) in {"expr", "conditionalor", "conditionaland", "relation",
                                          "addition", "multiplication", "unary", "member",
                                          "primary"} and len(node.children) == 1:
        node = node.children[0]
    kind = getattr(node, "data", None)
    if kind == "ident":
        return [str(node.children[0])]
    if kind == "member_dot":
        base = name_chain(node.children[0])
        return None if base is None else [*base, str(node.children[1])]
    return None


