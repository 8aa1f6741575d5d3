"""Composed YAML nodes to plain data: scalars read strictly, aliases counted, every position kept."""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, PathItem
from charte_ia.limits import Limits
from charte_ia.source.document import Position

_CPARSER: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None) if yaml.__with_libyaml__ else None
"""libyaml's scanner and parser, which PyYAML's wheels ship with (``None`` in a build without it)."""

STANDARD = "tag:yaml.org,2002:"
_SURROGATE = re.compile("[\ud800-\udfff]")
_INTEGER = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_DECIMAL = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_INT64 = (-(2**63), 2**63 - 1)
"""A lone surrogate, which a ``\\u`` escape can produce: no text file, JSON or XML can carry it."""
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
             "FALSE": False}





def marked(name: str, mark: Any, path: tuple[PathItem, ...] = ()) -> Location:
    """Where a PyYAML mark (0-based line and column) points, 1-based."""
    return Location(name, mark.line + 1, mark.column + 1, path)



def too_many_nodes(limits: Limits, location: Location) -> InvalidInputError:
    return InvalidInputError([Diagnostic(
        "yaml-trop-de-noeuds", f"document trop volumineux (plus de {limits.max_nodes} valeurs, "
        "alias développés)", location,
        "n'utilisez pas d'alias YAML imbriqués ; la limite se règle par CHARTE_IA_MAX_NOEUDS")])


def too_deep(limits: Limits, location: Location) -> InvalidInputError:
    return InvalidInputError([Diagnostic(
        "yaml-profondeur", "document trop profondément imbriqué", location,
        f"au plus {limits.max_depth} niveaux d'imbrication sont admis")])



class Builder:
    """Turns a composed node tree into plain data, recording positions and problems.

    Aliases are expanded here: the number of values built and the characters they hold
    are counted again, so that a small file of nested aliases (a « billion laughs ») stops
    at the limits instead of filling the memory.
    """

    def __init__(self, name: str, lines: tuple[str, ...], limits: Limits) -> None:
        self.name = name
        self.lines = lines
        self.limits = limits
        self.values: dict[tuple[PathItem, ...], Position] = {}
        self.keys: dict[tuple[PathItem, ...], Position] = {}
        self.problems: list[Diagnostic] = []
        self.count = 0
        self.chars = 0
        self.constructor = SafeConstructor()

    def build(self, node: Node, path: tuple[PathItem, ...]) -> Any:
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise too_many_nodes(self.limits, self._location(node, path))
        if len(path) > self.limits.max_depth:
            raise too_deep(self.limits, self._location(node, path))
        if isinstance(node, ScalarNode):
            self.chars += len(node.value)
            if self.chars > self.limits.max_expanded_chars:
                raise InvalidInputError([Diagnostic(
                    "yaml-trop-de-noeuds", "document trop volumineux une fois les alias développés "
                    f"(plus de {self.limits.max_expanded_chars} caractères)",
                    self._location(node, path), "n'utilisez pas d'alias YAML pour répéter de longs textes")])
        self.values.setdefault(path, self._position(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != STANDARD + "seq":
                self._bad_tag(node, path)
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: tuple[PathItem, ...]) -> dict[Any, Any]:
        if node.tag != STANDARD + "map":
            self._bad_tag(node, path)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problems.append(Diagnostic(
                    "yaml-cle", "une clé doit être un simple texte", self._location(key_node, path)))
                continue
            if key_node.tag == STANDARD + "merge":
                self.problems.append(Diagnostic(
                    "yaml-fusion", "la fusion « << » n'est pas admise",
                    self._location(key_node, path), "recopiez les clés explicitement"))
                continue
            key = self._scalar(key_node, path)
            if isinstance(key, list | dict) or key is None:
                key = key_node.value
            if key in result:
                first = self.keys.get((*path, key))
                where = f" (déjà définie ligne {first.line})" if first else ""
                self.problems.append(Diagnostic(
                    "yaml-cle-dupliquee", f"clé « {key} » définie deux fois{where}",
                    self._location(key_node, (*path, key)),
                    "gardez une seule définition : la seconde écraserait la première"))
                continue
            self.keys[(*path, key)] = self._position(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _scalar(self, node: Node, path: tuple[PathItem, ...]) -> Any:
        tag = node.tag
        if tag == STANDARD + "str" or tag == STANDARD + "timestamp":
            if surrogate := _SURROGATE.search(node.value):
                self.problems.append(Diagnostic(
                    "encodage", f"caractère U+{ord(surrogate.group()):04X} invalide (moitié d'une paire "
                    "de substitution UTF-16)", self._location(node, path),
                    "écrivez le caractère lui-même, ou sa séquence complète entre guillemets (par exemple "
                    "\\U0001F600)"))
            return str(node.value)
        if tag == STANDARD + "null":
            return None
        if tag == STANDARD + "bool":
            return _BOOLEANS.get(node.value, node.value)
        if tag in (STANDARD + "int", STANDARD + "float") and isinstance(node, ScalarNode):
            return self._number(node, path)
        self._bad_tag(node, path)
        return None

    def _number(self, node: ScalarNode, path: tuple[PathItem, ...]) -> Any:
        """A number written as YAML 1.2 and JSON write it; every other form is refused.

        PyYAML follows YAML 1.1, where ``012`` is 10 (octal), ``1:30`` is 90 (base 60), and
        ``0x18``, ``0b1100`` or ``3_6`` are numbers too: a team that writes a code, a time or a
        version would see another value judged. Integers must also fit in 64 bits (CEL's
        integers) and decimals be finite.
        """
        text = node.value
        integer = node.tag == STANDARD + "int"
        if not (_INTEGER if integer else _DECIMAL).match(text):
            read = (self.constructor.construct_yaml_int(node) if integer
                    else self.constructor.construct_yaml_float(node))
            shown = f"{read:g}" if isinstance(read, float) else str(read)
            meaning = "infini ou non numérique" if text.lstrip("+-").lower() in (".inf", ".nan") \
                else f"YAML 1.1 le lirait {shown}"
            self.problems.append(Diagnostic(
                "yaml-nombre", f"nombre « {text} » écrit d'une façon ambiguë ({meaning})",
                self._location(node, path),
                "écrivez le nombre en décimal, sans zéro initial, « _ » ni « : » ; ou, si c'est un "
                f"texte, entre guillemets : \"{text}\""))
            return None
        value = int(text) if integer else float(text)
        if integer and not _INT64[0] <= value <= _INT64[1]:
            self.problems.append(Diagnostic(
                "yaml-nombre", f"nombre entier trop grand ({len(text.lstrip('+-'))} chiffres) : au plus "
                f"{_INT64[1]:,} en valeur absolue".replace(",", "\u202f"), self._location(node, path),
                "un nombre de cette taille ne décrit pas un projet ; s'il s'agit d'un identifiant, "
                "écrivez-le entre guillemets"))
            return None
        if not integer and not math.isfinite(value):
            self.problems.append(Diagnostic(
                "yaml-nombre", f"nombre « {text} » trop grand pour être représenté",
                self._location(node, path),
                "écrivez un nombre plus petit, ou entre guillemets si c'est un texte"))
            return None
        return value

    def _bad_tag(self, node: Node, path: tuple[PathItem, ...]) -> None:
        self.problems.append(Diagnostic(
            "yaml-etiquette", f"étiquette YAML non admise : {node.tag}",
            self._location(node, path),
            "retirez l'étiquette : seules les valeurs YAML simples (texte, nombre, booléen, "
            "liste, dictionnaire) sont lues"))

    def _location(self, node: Node, path: tuple[PathItem, ...]) -> Location:
        return marked(self.name, node.start_mark, path)

    def _position(self, node: Node) -> Position:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        style = getattr(node, "style", None) or None  # libyaml says "" where PyYAML says None
        if style in ("'", '"'):
            return Position(
                line=line, column=column, content_line=line, content_column=column + 1, style=style
            )
        if style in ("|", ">"):
            content_line = line + 1
            text = self.lines[content_line - 1] if content_line <= len(self.lines) else ""
            indent = len(text) - len(text.lstrip(" "))
            return Position(
                line=line, column=column, content_line=content_line, content_column=indent + 1, style=style
            )
        return Position(line=line, column=column, content_line=line, content_column=column, style=style)
