"""YAML text to plain data, strictly and within bounds, with the position of every key and value."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.reader import Reader
from yaml.resolver import Resolver

from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, PathItem
from charte_ia.limits import Limits
from charte_ia.source.builder import Builder, marked, too_deep, too_many_nodes
from charte_ia.source.document import Position

_CPARSER: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None) if yaml.__with_libyaml__ else None
"""libyaml's scanner and parser, which PyYAML's wheels ship with (``None`` in a build without it)."""
_READ_APART = re.compile(r"\t|[|>][-+0-9]*#")
"""What libyaml accepts and PyYAML refuses: a tabulation, a comment glued to a block scalar's
header (``|#``). Found by comparing the two on generated texts (``tests/test_source.py``)."""

def place_of(name: str, content: str | bytes, index: int) -> Location:
    """The line and column of the character (or byte) at ``index``."""
    newline = "\n" if isinstance(content, str) else b"\n"
    start = content.rfind(newline, 0, index) + 1  # type: ignore[arg-type]
    return Location(name, content.count(newline, 0, index) + 1, index - start + 1)  # type: ignore[arg-type]


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
                    marked(name, mark),
                    "un fichier = une charte ou une fiche ; retirez les séparateurs « --- » en trop",
                )])
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
    except yaml.MarkedYAMLError as error:
        found = _over_indented(error, name, lines) or _syntax_diagnostic(error, name)
        raise InvalidInputError([found]) from None
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
    builder = Builder(name, lines, limits)
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


_KEY_LINE = re.compile(r"^( *)(?:- +)?([^\s#:][^:#]*?):(?: +(\S.*))?$")


def _over_indented(error: yaml.MarkedYAMLError, name: str, lines: tuple[str, ...]) -> Diagnostic | None:
    """A key indented deeper than the key above it, whose value is already given (« : » inattendu)."""
    mark = error.problem_mark
    if mark is None or not (error.problem or "").startswith("mapping values are not allowed here"):
        return None
    if not 0 < mark.line < len(lines):
        return None
    here = _KEY_LINE.match(lines[mark.line])
    above = next((_KEY_LINE.match(line) for line in reversed(lines[:mark.line])
                  if line.strip() and not line.lstrip().startswith("#")), None)
    if here is None or above is None or above.group(3) is None or len(here.group(1)) <= len(above.group(1)):
        return None
    shift = len(here.group(1)) - len(above.group(1))
    return Diagnostic(
        "yaml-syntaxe", f"syntaxe YAML invalide : la clé « {here.group(2)} » est plus indentée que "
        f"« {above.group(2)} », qui a déjà sa valeur", Location(name, mark.line + 1, len(here.group(1)) + 1),
        f"alignez « {here.group(2)} » sur « {above.group(2)} » (retirez {shift} espace"
        f"{'s' if shift > 1 else ''}) s'il s'agit d'une clé du même niveau")


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
            raise too_many_nodes(self.limits, marked(self.file_name, mark))
        self.depth += 1
        try:
            if self.depth > self.limits.max_depth + 1:
                raise too_deep(self.limits, marked(self.file_name, mark))
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


