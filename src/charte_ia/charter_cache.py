"""Compiled charters kept on disk, so that the next run does not compile the same charter again.

Compiling the commune model charter (seven packs, two hundred expressions) takes about a third
of a second at every run of the command. The compiled charter is kept in the user's private
cache folder (:func:`~charte_ia.output.cache_folder`), in a file named after the sha256 of:

* the bytes of the charter file;
* the code of charte-ia itself (every module and shipped file of the package), the versions of
  cel-python, lark, pydantic and Python, and the limits it was compiled with.

Its packs are checked at every use: the compiled charter records the sha256 of each pack it
imported, and one pack whose bytes changed since makes the charter compiled again, as in the
memory of compiled charters of one process. A file that cannot be read back, or that does not
hold a charter compiled from these same inputs, is ignored and replaced.

The file is a pickle, written and read only in a folder private to the user (0700, owned by
them, the cache is refused otherwise) and only as a file that only its owner may write: what it
holds was written by charte-ia for that user. Nothing is kept for a charter read from the
standard input or compiled with another vocabulary than the shipped one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import stat
import tempfile
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from charte_ia.charter import Charte
from charte_ia.limits import Limits
from charte_ia.output import cache_folder

_MAX_BYTES = 64 * 1024 * 1024
"""A cached charter larger than this is not read (the model charters take about 1 MB)."""
_FOLDER = "chartes-compilees"


@cache
def _code_digest() -> str:
    """The sha256 of charte-ia's own files and of the versions of what compiles and evaluates."""
    digest = hashlib.sha256()
    for name in ("cel-python", "lark", "pydantic", "pydantic-core", "PyYAML"):
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?;".encode())
    digest.update(platform.python_version().encode())
    root = resources.files("charte_ia")
    for path in sorted(Path(str(root)).rglob("*")):
        if path.is_file() and path.suffix in {".py", ".yaml", ".po"}:
            digest.update(path.relative_to(str(root)).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _path(sha256: str, limits: Limits) -> Path | None:
    folder = cache_folder()
    if folder is None:
        return None
    key = hashlib.sha256(f"{sha256}|{_code_digest()}|{limits!r}".encode()).hexdigest()
    return folder / _FOLDER / f"{key}.pickle"


def read(name: str, sha256: str, limits: Limits) -> Charte | None:
    """The charter compiled earlier from a file of these bytes, if there is one to trust.

    The caller checks that its packs are unchanged; the name is checked here, since the report
    shows it.
    """
    path = _path(sha256, limits)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            if (status.st_uid != os.getuid() or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                    or status.st_size > _MAX_BYTES):
                return None
            charte = pickle.load(handle)  # written by charte-ia, in the user's private folder
    except Exception:  # a missing, truncated or stale file: compile again
        return None
    if not isinstance(charte, Charte) or charte.sha256 != sha256 or charte.fichier != name:
        return None
    return charte


def write(charte: Charte) -> None:
    """Keep a compiled charter for the next runs; a cache that cannot be written is skipped."""
    path = _path(charte.sha256, charte.limites)
    if path is None:
        return
    temporary: str | None = None
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".charte.", dir=path.parent)  # mode 0600
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(charte, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        temporary = None
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
