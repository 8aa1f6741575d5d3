"""Where pack files come from: the packs shipped with charte-ia, and pack files on disk.

The compiler does not read files: it asks a :class:`~charte_ia.compiler.PackReader` for the
document of each pack a charter imports. :class:`ShippedAndFilePacks` is the reader the
loaders use (packs shipped as package data, importable by name, and paths on disk); a service
that must not touch the disk gives the compiler another one.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path

from charte_ia.limits import Limits
from charte_ia.source import Document, read_bytes, read_file

PAQUETS_INTEGRES = "regles"
"""Folder of the package that holds the packs importable by name."""


def paquets_integres() -> list[str]:
    """Names of the packs shipped with charte-ia, importable by name."""
    return list(_shipped_packs())


@cache
def _shipped_packs() -> tuple[str, ...]:
    """The shipped packs are package data: listed once per process."""
    folder = resources.files("charte_ia") / PAQUETS_INTEGRES
    if not folder.is_dir():  # pragma: no cover - the folder ships with the package
        return ()
    return tuple(sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")))


class ShippedAndFilePacks:
    """Packs shipped with charte-ia (by name) and pack files on disk (by path)."""

    def shipped(self) -> list[str]:
        return paquets_integres()

    def read_shipped(self, name: str, limits: Limits) -> Document:  # noqa: ARG002 - see below
        # The shipped packs are part of charte-ia itself: the default bounds apply to them,
        # not the ones a user lowered for the files they give.
        resource = resources.files("charte_ia") / PAQUETS_INTEGRES / f"{name}.yaml"
        return read_bytes(resource.read_bytes(), f"charte_ia/{PAQUETS_INTEGRES}/{name}.yaml")

    def read_path(self, path: Path, limits: Limits) -> Document:
        return read_file(path, limits)

    def sha256_of(self, fichier: str, limits: Limits) -> str | None:
        """The sha256 a pack file named as in a compiled charter has now, or None if unreadable.

        The bytes are those :meth:`read_shipped` or :meth:`read_path` would read: a shipped pack
        (``charte_ia/regles/NOM.yaml``) from the package data, unless a file of that name is
        where a path import would find it.
        """
        shipped = fichier.removeprefix(f"charte_ia/{PAQUETS_INTEGRES}/").removesuffix(".yaml")
        try:
            if fichier != shipped and shipped in _shipped_packs() and not Path(fichier).exists():
                raw = (resources.files("charte_ia") / PAQUETS_INTEGRES / f"{shipped}.yaml").read_bytes()
            else:
                with open(fichier, "rb") as handle:
                    raw = handle.read(limits.max_bytes + 1)
        except OSError:
            return None
        return hashlib.sha256(raw).hexdigest()
