"""click in French: its own messages through a gettext catalogue, and our option types.

click marks every message it prints for gettext (``_("Usage:")``). :func:`install` loads
``click.fr.po`` and hands its translations to click's modules, so that help headings, usage
errors and refused values read in French whatever the locale of the machine. The catalogue
is a plain PO file, the format translators work in.
"""

from __future__ import annotations

import contextlib
import gettext
import json
import sys
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import click

from charte_ia.diagnostics import did_you_mean

CATALOGUE = Path(__file__).with_name("click.fr.po")
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
                  "shell_completion", "_termui_impl")
"""click's modules that bind gettext's ``_`` and ``ngettext`` when they are imported."""


def read_po(text: str) -> dict[str, tuple[str, ...]]:
    """The translations of a PO file: each msgid with its msgstr, or its plural forms in order."""
    entries: dict[str, tuple[str, ...]] = {}
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        msgid = current.get("msgid")
        forms = [current[k] for k in sorted(current) if k.startswith("msgstr")]
        if msgid and any(forms):
            entries[msgid] = tuple(forms)
        current.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            current[key] += json.loads(line)
            continue
        keyword, _, value = line.partition(" ")
        if keyword == "msgid":
            flush()
        key = keyword
        current[key] = json.loads(value)
    flush()
    return entries


class Catalogue(gettext.NullTranslations):
    """A gettext translation read from a PO file (French plural: one form for 0 and 1)."""

    def __init__(self, entries: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self.entries = entries

    def gettext(self, message: str) -> str:
        forms = self.entries.get(message)
        return forms[0] if forms else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self.entries.get(msgid1)
        if forms and len(forms) == 2:
            return forms[1 if n > 1 else 0]
        return msgid1 if n == 1 else msgid2


@cache
def catalogue() -> Catalogue:
    """The French catalogue of click's messages, read once."""
    return Catalogue(read_po(CATALOGUE.read_text(encoding="utf-8")))


def install() -> None:
    """Make click speak French: its modules look their messages up in :func:`catalogue`."""
    translation = catalogue()
    for name in _CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = translation.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translation.ngettext  # type: ignore[attr-defined]


class UsageFrancais(click.UsageError):
    """A usage error whose message is already French."""


@contextlib.contextmanager
def as_usage_error() -> Iterator[None]:
    """A request the application layer cannot serve is a usage error of the command (exit 3)."""
    from charte_ia import api  # noqa: PLC0415 - the library loads when a command runs, not for --aide

    try:
        yield
    except api.InvalidRequestError as error:
        raise UsageFrancais(str(error)) from None


def usage_message(error: click.UsageError) -> str:
    """What went wrong in the command line, in French, with a hint when one helps."""
    if isinstance(error, UsageFrancais):
        return error.message
    if isinstance(error, click.MissingParameter):
        param = error.param
        if param is not None and param.param_type_name == "option":
            return f"option obligatoire manquante : {param.opts[0]}"
        return f"argument obligatoire manquant : {param.human_readable_name if param else '?'}"
    if isinstance(error, click.NoSuchOption):
        hint = did_you_mean(error.option_name, error.possibilities or [])
        return f"option inconnue : {error.option_name}" + (f" ({hint})" if hint else "")
    if isinstance(error, click.BadParameter):
        name = error.param.opts[0] if error.param is not None and error.param.opts else "valeur"
        return f"{name} : {error.message}"
    return error.message  # translated by click itself, through the catalogue


class DateISO(click.ParamType):  # type: ignore[type-arg]
    """A date written ``AAAA-MM-JJ``."""

    name = "AAAA-MM-JJ"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"date attendue au format AAAA-MM-JJ (par exemple 2026-09-01), « {value} » reçu",
                      param, ctx)


class Choix(click.Choice):  # type: ignore[type-arg]
    """A choice among fixed values, refused in French with the nearest value."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        hint = did_you_mean(str(value), [str(c) for c in self.choices])
        self.fail(f"valeur « {value} » non admise ; valeurs possibles : "
                  + ", ".join(str(c) for c in self.choices) + (f" ({hint})" if hint else ""),
                  param, ctx)
        return None  # pragma: no cover - fail() raises


class Groupe(click.Group):
    """The list of commands shows the whole first sentence of each, wrapped, never cut short."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, command.get_short_help_str(90)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section(catalogue().gettext("Commands")):
                formatter.write_dl(rows)
