"""Writing files: whole or not at all, with the user's permissions, never over one another.

Every file charte-ia writes (reports, a completed declaration, the catalogue) goes through
here:

* :func:`write_atomically` writes beside the target and renames at the end, so that an
  interrupted or killed run leaves the old file or the new one, never half of one. The new
  file gets the permissions the user's umask gives (reports in a shared folder stay
  readable by colleagues); a file that is replaced keeps its own permissions;
* every failure (disk full, read-only folder, a file where a folder is expected…) becomes a
  located French diagnostic (``sortie-impossible``, exit code 3) naming the path and the
  cause;
* :class:`ReportNames` gives each declaration of a run its own file name, derived from its
  id but never the same as another's — even for ids that differ only by case or by
  characters a file name cannot hold — and short and stable for very long ids.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location

_CAUSES = {
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota de disque dépassé",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOTDIR: "un élément du chemin est un fichier, pas un dossier",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.EEXIST: "un fichier du même nom existe déjà",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.ENOENT: "dossier introuvable",
    errno.EIO: "erreur d'entrée-sortie du disque",
}
_HINTS = {
    errno.ENOSPC: "libérez de la place, ou écrivez ailleurs avec --sortie",
    errno.EDQUOT: "libérez de la place, ou écrivez ailleurs avec --sortie",
    errno.EACCES: "choisissez un dossier où vous pouvez écrire (--sortie)",
    errno.EPERM: "choisissez un dossier où vous pouvez écrire (--sortie)",
    errno.EROFS: "choisissez un dossier où vous pouvez écrire (--sortie)",
    errno.ENOTDIR: "avec plusieurs fiches ou plusieurs formats, --sortie désigne un dossier",
}
_STEM = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                       *(f"lpt{i}" for i in range(10))})
"""Names Windows refuses, whatever the extension."""
MAX_STEM = 80
"""A longer id is shortened, with a digest of it, so that the name stays valid and stable."""


def cannot_write(path: Path | str, error: OSError) -> InvalidInputError:
    """The located French diagnostic for a file that could not be written."""
    cause = _CAUSES.get(error.errno or 0) or (error.strerror or type(error).__name__)
    return InvalidInputError([Diagnostic(
        "sortie-impossible", f"écriture impossible de « {path} » : {cause}", Location(str(path)),
        _HINTS.get(error.errno or 0, "vérifiez le chemin donné à --sortie et l'espace disque"))])


def new_file_mode() -> int:
    """The permissions a new file gets from the user's umask (``0o644`` with the usual ``022``)."""
    return 0o666 & ~_umask()


def new_folder_mode() -> int:
    """The permissions a new folder gets from the user's umask (``0o755`` with the usual ``022``)."""
    return 0o777 & ~_umask()


def _umask() -> int:
    try:  # Linux tells it without changing it, which is safe with several threads
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomically(path: Path, text: str | bytes | Iterable[str] | Iterable[bytes]) -> None:
    """Write a file whole or not at all: a temporary file beside it, renamed over the target.

    ``text`` may come in pieces (a report rendered as decisions come): they are written as
    they arrive, and the file appears only once the last one is written. Text is written in
    UTF-8 with ``\\n`` line ends; bytes (a PDF) as they are.

    Raises:
        InvalidInputError: The file cannot be written (``sortie-impossible``), with the cause.
    """
    directory = path.parent if str(path.parent) else Path()
    temporary: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)  # a file replaced keeps its permissions
        except FileNotFoundError:
            mode = new_file_mode()
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        os.fchmod(handle, mode)  # mkstemp makes it private to its owner
        with os.fdopen(handle, "wb") as stream:
            for piece in [text] if isinstance(text, str | bytes) else text:
                stream.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise cannot_write(path, error) from None
    finally:
        if temporary is not None:  # interrupted, killed by a signal handler, or failed
            with contextlib.suppress(OSError):
                os.unlink(temporary)


class ReportNames:
    """File names for the reports of one run: one per declaration, never shared."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def stem(self, declaration_id: str) -> str:
        """A name for this declaration's reports that no other declaration of the run gets.

        The name is the id with the characters a file name cannot hold replaced by ``-``;
        a very long id is cut and followed by a digest of the whole id; a name already taken
        (``x`` twice, or ``x`` then ``X`` on a disk that ignores case) gets ``-2``, ``-3``…
        until it is free.
        """
        base = _STEM.sub("-", declaration_id).strip("-.") or "fiche"
        if len(base) > MAX_STEM:
            digest = hashlib.sha256(declaration_id.encode("utf-8")).hexdigest()[:12]
            base = f"{base[:MAX_STEM - 13].rstrip('-.')}-{digest}"
        if base.lower() in _RESERVED:
            base = f"fiche-{base}"
        stem, number = base, 1
        while stem.lower() in self._taken:
            number += 1
            stem = f"{base}-{number}"
        self._taken.add(stem.lower())
        return stem


def cache_folder() -> Path | None:
    """Where charte-ia keeps what it computes once for every run (the CEL parser), or ``None``.

    ``CHARTE_IA_CACHE`` names the folder; empty, it turns the cache off. By default:
    ``$XDG_CACHE_HOME/charte-ia``, or ``~/.cache/charte-ia``. The folder is created private
    (0700); one that another user could write to is never used, nor one that cannot be made.
    """
    setting = os.environ.get("CHARTE_IA_CACHE")
    if setting == "":
        return None
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(setting) if setting else Path(home) / "charte-ia"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.stat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None
    foreign = hasattr(os, "getuid") and status.st_uid != os.getuid()
    if foreign or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return folder


def small_decimal(text: str) -> bool:
    """Whether pydantic wrote a decimal under 10⁻⁴ (``0.00001``, ``1.5e-7``), which ``json`` writes otherwise.

    Searched with ``str.find`` rather than a regular expression, twenty times slower on a decision
    of 180 kB; a look-alike in a text only costs the slower writing, never a different one.
    """
    if "0.0000" in text:
        return True
    for marker in ("e-", "E-"):
        at = text.find(marker)
        while at != -1:
            if at and text[at - 1].isdigit():
                return True
            at = text.find(marker, at + 1)
    return False
