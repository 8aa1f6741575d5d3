"""The installed version of charte-ia, read once from the package metadata."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("charte-ia")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
