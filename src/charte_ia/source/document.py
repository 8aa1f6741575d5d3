"""A file read: its data, the sha256 of its bytes and the position of every node."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from charte_ia.diagnostics import Location, PathItem

STDIN_NAME = "-"


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """Where a node starts in the file (1-based), and where its text content starts.

    For a quoted scalar the content starts one column after the quote; for a block
    scalar (``|`` or ``>``) it starts on the next line. CEL positions are mapped onto
    the file from the content start.
    """

    line: int
    column: int
    content_line: int
    content_column: int
    style: str | None = None


@dataclass(frozen=True, kw_only=True)
class Document:
    """A YAML file read into plain data, with the position of each node.

    Attributes:
        name: The file name as shown to the user (``-`` for standard input).
        data: The content as plain Python data.
        sha256: Hex digest of the file's bytes.
        values: Position of the value found at each logical path.
        keys: Position of the key of each mapping entry, by the entry's path.
        lines: The text of the file, line by line (to place positions inside long values).
    """

    name: str
    data: Any
    sha256: str
    values: Mapping[tuple[PathItem, ...], Position]
    keys: Mapping[tuple[PathItem, ...], Position]
    lines: tuple[str, ...] = ()
    donnees: bool = False
    """Python data given in place of a file (:mod:`charte_ia.source.data`): no line, no column."""

    def locate(self, path: Sequence[PathItem], *, key: bool = False) -> Location:
        """Return the location of ``path``, or of its nearest known ancestor.

        Args:
            path: Logical path inside the document.
            key: Point at the key of the entry rather than at its value (used for
                unknown or misplaced keys).
        """
        steps = tuple(path)
        if self.donnees:  # Python data: a path, no line to point at
            return Location(self.name, None, None, steps)
        probe = steps
        while True:
            table = self.keys if key else self.values
            position = table.get(probe) or self.values.get(probe)
            if position is not None:
                return Location(self.name, position.line, position.column, steps)
            if not probe:
                return Location(self.name, 1, 1, steps)
            probe = probe[:-1]

    def position(self, path: Sequence[PathItem]) -> Position | None:
        """Return the exact position of the value at ``path``, if the document has one."""
        return self.values.get(tuple(path))


