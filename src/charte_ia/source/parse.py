"""YAML text to plain data, strictly and within bounds, with the position of every key and value."""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import Reader
from yaml.resolver import Resolver

from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, PathItem
from charte_ia.limits import Limits
from charte_ia.source.document import Position

_CPARSER: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None) if yaml.__with_libyaml__ else None
"""libyaml's scanner and parser, which PyYAML's wheels ship with (``None`` in a build without it)."""
_READ_APART = re.compile(r"\t|[|>][-+0-9]*#")
"""What libyaml accepts and PyYAML refuses: a tabulation, a comment glued to a block scalar's
header (``|#``). Found by comparing the two on generated texts (``tests/test_source.py``)."""
_STANDARD = "tag:yaml.org,2002:"
_SURROGATE = re.compile("[\ud800-\udfff]")
_INTEGER = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_DECIMAL = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_INT64 = (-(2**63), 2**63 - 1)
"""A lone surrogate, which a ``\\u`` escape can produce: no text file, JSON or XML can carry it."""
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
             "FALSE": False}




def place_of(name: str, content: str | bytes, index: int) -> Location:
    """The line and column of the character (or byte) at ``index``."""
    newline = "\n" if isinstance(content, str) else b"\n"
    start = content.rfind(newline, 0, index) + 1  # type: ignore[arg-type]
    return Location(name, content.count(newline, 0, index) + 1, index - start + 1)  # type: ignore[arg-type]


def _marked(name: str, mark: Any, path: tuple[PathItem, ...] = ()) -> Location:
    """Where a PyYAML mark (0-based line and column) points, 1-based."""
    return Location(name, mark.line + 1, mark.column + 1, path)


def _code_point(character: str | int) -> int:
    return character if isinstance(character, int) else ord(character)


def size_fr(octets: int) -> str:
    if octets >= 1_000_000 and octets % 1_000_000 == 0:
        return f"{octets // 1_000_000} Mo"
    if octets >= 1_000 and octets % 1_000 == 0:
        return f"{octets // 1_000} Ko"
    return f"{octets} octets"


Parsed = tuple[Any, dict[tuple[PathItem, ...], Position], dict[tuple[PathItem, ...], Position]]


def parse_yaml(text: str, name: str, lines: tuple[str, ...], limits: Limits) -> Parsed:
    """The data of a YAML text, with the position of every key and value.

    A text is scanned by libyaml (C) when PyYAML has it, about ten times faster than PyYAML's
    own scanner; the nodes are composed, bounded and built by the same Python code either way.
    Any problem met on the fast path — or what the two read differently: a character PyYAML
    refuses, a tabulation, a comment glued to ``|`` or ``>``, an empty value — sends the text
    to PyYAML's own scanner, so that every value, position and diagnostic is the reference
    one, word for word.
    """
    if _CPARSER is not None and not _READ_APART.search(text) and not Reader.NON_PRINTABLE.search(text):
        try:
            return _parse_with(_FastBoundedLoader, text, name, lines, limits)
        except (InvalidInputError, yaml.YAMLError, RecursionError, _ReferenceNeededError):
            pass  # said again, as PyYAML says it
    return _parse_with(_BoundedLoader, text, name, lines, limits)


def _parse_with(kind: type[_BoundedLoader] | type[_FastBoundedLoader], text: str, name: str,
                lines: tuple[str, ...], limits: Limits) -> Parsed:
    loader: _BoundedLoader | _FastBoundedLoader | None = None
    try:
        loader = kind(text, name, limits)  # PyYAML's reader checks every character at once
        nodes: list[Node] = []
        while loader.check_node():
            if nodes:  # a second document: stop before reading it
                mark = loader.peek_event().start_mark
                raise InvalidInputError([Diagnostic(
                    "yaml-plusieurs-documents", "le fichier contient plusieurs documents YAML",
                    _marked(name, mark),
                    "un fichier = une charte ou une fiche ; retirez les séparateurs « --- » en trop",
                )])
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
    except yaml.MarkedYAMLError as error:
        raise InvalidInputError([_syntax_diagnostic(error, name)]) from None
    except yaml.reader.ReaderError as error:  # a control character: not marked, but placed
        index = error.position
        raise InvalidInputError([Diagnostic(
            "yaml-syntaxe", f"caractère de contrôle interdit (U+{_code_point(error.character):04X})",
            place_of(name, text, index),
            "retirez-le : un fichier YAML ne contient que du texte")]) from None
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML marks its errors
        raise fail(name, "yaml-syntaxe", f"YAML invalide ({error})", None) from None
    except RecursionError:  # pragma: no cover - the depth limit stops well before
        raise fail(name, "yaml-profondeur", "document trop profondément imbriqué",
                    f"au plus {limits.max_depth} niveaux d'imbrication sont admis") from None
    finally:
        if loader is not None:
            loader.dispose()
    if kind is _FastBoundedLoader and nodes and _has_empty_scalar(nodes[0]):
        raise _ReferenceNeededError
    builder = _Builder(name, lines, limits)
    data = builder.build(nodes[0], ()) if nodes else None
    if builder.problems:
        raise InvalidInputError(builder.problems)
    return data, builder.values, builder.keys


_YAML_PROBLEMS = {
    "mapping values are not allowed here":
        ("« : » inattendu", "une valeur qui contient « : » doit être écrite entre guillemets"),
    "could not find expected ':'":
        ("« : » attendu après la clé", "chaque entrée s'écrit « clé: valeur »"),
    "did not find expected key":
        ("clé attendue à cet endroit", "vérifiez l'indentation (des espaces, jamais de tabulation)"),
    "found character '\\t' that cannot start any token":
        ("tabulation interdite en YAML", "indentez avec des espaces"),
    "found unexpected end of stream":
        ("fin de fichier inattendue", "un guillemet ou un crochet n'est pas refermé"),
    "found undefined alias": ("alias YAML non défini", "définissez l'ancre « &nom » avant « *nom »"),
    "second occurrence": ("ancre YAML définie deux fois", "donnez un nom différent à chaque ancre « &nom »"),
    "did not find expected node content": ("valeur attendue à cet endroit", None),
    "did not find expected '-' indicator":
        ("élément de liste « - » attendu", "vérifiez l'indentation de la liste"),
    "did not find expected ',' or ']'": ("« , » ou « ] » attendu", "une liste [ ... ] n'est pas refermée"),
    "did not find expected ',' or '}'":
        ("« , » ou « } » attendu", "un dictionnaire { ... } n'est pas refermé"),
    "found unknown escape character": ("séquence d'échappement inconnue dans une chaîne",
                                       "entre guillemets doubles, écrivez « \\\\ » pour une barre oblique"),
}


def _syntax_diagnostic(error: yaml.MarkedYAMLError, name: str) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = (error.problem or "").strip()
    for english, (message, hint) in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return Diagnostic("yaml-syntaxe", f"syntaxe YAML invalide : {message}",
                              Location(name, line, column), hint)
    if problem.startswith("found character") and problem.endswith("cannot start any token"):
        return Diagnostic("yaml-syntaxe", "syntaxe YAML invalide : caractère inattendu en début de valeur",
                          Location(name, line, column),
                          "une valeur qui commence par « @ », « ` » ou « % » s'écrit entre guillemets")
    if problem.startswith("expected <block end>"):
        return Diagnostic("yaml-syntaxe", "syntaxe YAML invalide : indentation incohérente",
                          Location(name, line, column),
                          "alignez les clés d'un même niveau sur la même colonne")
    if "quoted scalar" in (error.context or ""):
        return Diagnostic("yaml-syntaxe", "syntaxe YAML invalide : chaîne entre guillemets non refermée",
                          Location(name, line, column), "refermez le guillemet ouvert plus haut")
    return Diagnostic("yaml-syntaxe", "syntaxe YAML invalide",
                      Location(name, line, column),
                      "vérifiez cette ligne et la précédente : indentation (des espaces), "
                      "guillemets et crochets refermés, « : » après chaque clé")


def fail(name: str, code: str, message: str, hint: str | None) -> InvalidInputError:
    return InvalidInputError([Diagnostic(code, message, Location(name), hint)])


def _too_many_nodes(limits: Limits, location: Location) -> InvalidInputError:
    return InvalidInputError([Diagnostic(
        "yaml-trop-de-noeuds", f"document trop volumineux (plus de {limits.max_nodes} valeurs, "
        "alias développés)", location,
        "n'utilisez pas d'alias YAML imbriqués ; la limite se règle par CHARTE_IA_MAX_NOEUDS")])


def _too_deep(limits: Limits, location: Location) -> InvalidInputError:
    return InvalidInputError([Diagnostic(
        "yaml-profondeur", "document trop profondément imbriqué", location,
        f"au plus {limits.max_depth} niveaux d'imbrication sont admis")])


class _ReferenceNeededError(Exception):
    """libyaml and PyYAML place an empty value differently: PyYAML's place is the reference."""


def _has_empty_scalar(root: Node) -> bool:
    """Whether a document holds an empty plain value (``clé:`` with nothing after it)."""
    pending, seen = [root], set()
    while pending:
        node = pending.pop()
        if id(node) in seen:  # an alias: already looked at
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.value == "" and not node.style:
                return True
        elif isinstance(node, MappingNode):
            pending.extend(part for pair in node.value for part in pair)
        else:
            pending.extend(node.value)
    return False


class _Bounds:
    """Stop composing as soon as a document gets too deep or too large.

    The checks run while the file is parsed (before any value is built), so an endless
    nesting of brackets or a file of a million keys costs a fraction of a second, and the
    parser's own recursion never reaches the interpreter's limit.
    """

    file_name: str
    limits: Limits
    depth: int
    count: int

    def bound(self, name: str, limits: Limits) -> None:
        self.file_name = name
        self.limits = limits
        self.depth = 0
        self.count = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        mark = self.peek_event().start_mark  # type: ignore[attr-defined]
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise _too_many_nodes(self.limits, _marked(self.file_name, mark))
        self.depth += 1
        try:
            if self.depth > self.limits.max_depth + 1:
                raise _too_deep(self.limits, _marked(self.file_name, mark))
            return super().compose_node(parent, index)  # type: ignore[misc, no-any-return]
        finally:
            self.depth -= 1


class _BoundedLoader(_Bounds, yaml.SafeLoader):
    """PyYAML's safe loader, in pure Python, bounded: the reference, and every diagnostic."""

    def __init__(self, text: str, name: str, limits: Limits) -> None:
        yaml.SafeLoader.__init__(self, text)
        self.bound(name, limits)


class _FastBoundedLoader(_Bounds, Composer, _CPARSER or Reader, SafeConstructor, Resolver):  # type: ignore[misc]
    """libyaml's scanner and parser under PyYAML's own composer, bounded in the same way."""

    def __init__(self, text: str, name: str, limits: Limits) -> None:
        _CPARSER.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.bound(name, limits)


class _Builder:
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
            raise _too_many_nodes(self.limits, self._location(node, path))
        if len(path) > self.limits.max_depth:
            raise _too_deep(self.limits, self._location(node, path))
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
            if node.tag != _STANDARD + "seq":
                self._bad_tag(node, path)
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: tuple[PathItem, ...]) -> dict[Any, Any]:
        if node.tag != _STANDARD + "map":
            self._bad_tag(node, path)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problems.append(Diagnostic(
                    "yaml-cle", "une clé doit être un simple texte", self._location(key_node, path)))
                continue
            if key_node.tag == _STANDARD + "merge":
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
        if tag == _STANDARD + "str" or tag == _STANDARD + "timestamp":
            if surrogate := _SURROGATE.search(node.value):
                self.problems.append(Diagnostic(
                    "encodage", f"caractère U+{ord(surrogate.group()):04X} invalide (moitié d'une paire "
                    "de substitution UTF-16)", self._location(node, path),
                    "écrivez le caractère lui-même, ou sa séquence complète entre guillemets (par exemple "
                    "\\U0001F600)"))
            return str(node.value)
        if tag == _STANDARD + "null":
            return None
        if tag == _STANDARD + "bool":
            return _BOOLEANS.get(node.value, node.value)
        if tag in (_STANDARD + "int", _STANDARD + "float") and isinstance(node, ScalarNode):
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
        integer = node.tag == _STANDARD + "int"
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
        return _marked(self.name, node.start_mark, path)

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
