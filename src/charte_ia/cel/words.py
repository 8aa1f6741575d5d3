"""Expressions told in French, for the rule catalogue and for readers who do not read CEL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from charte_ia.cel.syntax import LOCK, Expression, shared_environment
from charte_ia.cel.tree import name_chain

Nommer = Callable[[str], str | None]
"""Gives the French label of a dotted name (``projet.x``, ``qualif.y``, ``param.z``), if known."""

_COMPARISONS = {"relation_eq": "vaut", "relation_ne": "ne vaut pas", "relation_lt": "est inférieur à",
                "relation_le": "est au plus", "relation_gt": "est supérieur à",
                "relation_ge": "est au moins", "relation_in": "figure parmi"}
_NEGATED = {"relation_eq": "ne vaut pas", "relation_ne": "vaut", "relation_in": "ne figure pas parmi",
            "relation_lt": "est au moins", "relation_le": "est supérieur à",
            "relation_gt": "est au plus", "relation_ge": "est inférieur à"}
_WRAPPERS = frozenset({"expr", "conditionalor", "conditionaland", "relation", "addition",
                       "multiplication", "unary", "member", "primary", "paren_expr"})
_QUANTIFIERS = {"exists": "au moins une valeur de {liste} est telle que : {condition}",
                "all": "chaque valeur de {liste} est telle que : {condition}",
                "exists_one": "exactement une valeur de {liste} est telle que : {condition}"}


def in_words(expression: Expression, nommer: Nommer) -> str:
    """The expression told in French, for readers who do not read CEL.

    Logical operators, comparisons, ``in``, ``has()``, ``size()`` and the list macros
    ``exists``/``all``/``exists_one`` are told in words, each name by its label from
    ``nommer`` (a field by its question, a qualification by its title); any other
    construct is quoted as code between backquotes.
    """
    with LOCK:
        tree = shared_environment().compile(expression.source)
    return _Words(expression.source, nommer).phrase(tree)[0]


class _Words:
    def __init__(self, text: str, nommer: Nommer) -> None:
        self.text = text
        self.nommer = nommer
        self.bound: dict[str, str] = {}

    def phrase(self, node: Any) -> tuple[str, str]:
        """The words for ``node`` and their kind: ``et``, ``ou`` or ``atome``."""
        node = _unwrap(node)
        kind = getattr(node, "data", None)
        children = getattr(node, "children", [])
        if kind in {"conditionalor", "conditionaland"}:
            joiner = " ou " if kind == "conditionalor" else " et "
            word = "ou" if kind == "conditionalor" else "et"
            return joiner.join(self.group(part, word) for part in _operands(node, kind)), word
        if kind == "expr" and len(children) == 3:
            return (f"si {self.group(children[0], '')} alors {self.group(children[1], '')}, "
                    f"sinon {self.group(children[2], '')}"), "ou"
        if kind == "relation" and len(children) == 2 and children[0].data in _COMPARISONS:
            return self.comparison(node, _COMPARISONS), "atome"
        if kind == "unary" and len(children) == 2 and getattr(children[0], "data", "") == "unary_not":
            return self.negation(children[1]), "atome"
        chain = name_chain(node)
        if chain is not None:
            return self.condition(chain, True), "atome"
        if kind == "ident_arg" and str(children[0]) == "has" and len(_arguments(node)) == 1:
            return f"{self.value(_arguments(node)[0])} est renseigné", "atome"
        if kind == "member_dot_arg" and str(children[1]) in _QUANTIFIERS and len(children) > 2:
            return self.quantifier(node), "atome"
        return self.code(node), "atome"

    def group(self, node: Any, parent: str) -> str:
        text, kind = self.phrase(node)
        return f"({text})" if kind not in {"atome", parent} else text

    def comparison(self, node: Any, verbs: dict[str, str]) -> str:
        operator, right = node.children
        return f"{self.value(operator.children[0])} {verbs[operator.data]} {self.value(right)}"

    def negation(self, node: Any) -> str:
        chain = name_chain(node)
        if chain is not None:
            return self.condition(chain, False)
        inner = _unwrap(node)
        if (getattr(inner, "data", None) == "relation" and len(inner.children) == 2
                and inner.children[0].data in _NEGATED):
            return self.comparison(inner, _NEGATED)
        text, kind = self.phrase(node)
        return f"non ({text})" if kind != "atome" else f"non : {text}"

    def condition(self, chain: list[str], yes: bool) -> str:
        """A name used as a condition: ``« question » : oui``."""
        return f"{self.name(chain)} : {'oui' if yes else 'non'}"

    def quantifier(self, node: Any) -> str:
        args = node.children[2].children
        variable = name_chain(args[0]) if args else None
        if variable is None or len(variable) != 1 or len(args) != 2:
            return self.code(node)
        self.bound[variable[0]] = "la valeur"
        condition = self.phrase(args[1])[0]
        template = _QUANTIFIERS[str(node.children[1])]
        return template.format(liste=self.value(node.children[0]), condition=condition)

    def value(self, node: Any) -> str:
        node = _unwrap(node)
        kind = getattr(node, "data", None)
        chain = name_chain(node)
        if chain is not None:
            return self.name(chain)
        if kind == "literal":
            return _literal(str(node.children[0]))
        if kind == "list_lit":
            items = node.children[0].children if node.children else []
            return ", ".join(self.value(item) for item in items) or "aucune valeur"
        if kind == "ident_arg" and str(node.children[0]) == "size" and len(_arguments(node)) == 1:
            return f"le nombre de valeurs de {self.value(_arguments(node)[0])}"
        return self.phrase(node)[0]

    def name(self, chain: list[str]) -> str:
        if len(chain) == 1 and chain[0] in self.bound:
            return self.bound[chain[0]]
        dotted = ".".join(chain)
        label = self.nommer(dotted)
        if label is not None:
            return label
        return "la date de référence" if dotted == "date" else f"`{dotted}`"

    def code(self, node: Any) -> str:
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return f"`{self.text}`"
        return "`" + " ".join(self.text[meta.start_pos:meta.end_pos].split()) + "`"


def _unwrap(node: Any) -> Any:
    while getattr(node, "data", None) in _WRAPPERS and len(node.children) == 1:
        node = node.children[0]
    return node


def _arguments(node: Any) -> list[Any]:
    """The arguments of a call ``f(a, b)``."""
    return list(node.children[1].children) if len(node.children) > 1 else []


def _operands(node: Any, kind: str) -> list[Any]:
    """The operands of a left-recursive ``a || b || c`` (or ``&&``) chain, in order."""
    parts = []
    while getattr(node, "data", None) == kind and len(node.children) == 2:
        parts.append(node.children[1])
        node = _unwrap(node.children[0])
    parts.append(node)
    return parts[::-1]


def _literal(token: str) -> str:
    if token in {"true", "false"}:
        return "oui" if token == "true" else "non"
    if token[:1] in {"'", '"'}:
        return f"« {token[1:-1]} »"
    return token
