"""The ``charte-ia`` command: options → one library call → report → exit code.

This is the only module that imports :mod:`click`. It holds no business logic and one
error boundary: invalid input prints located French diagnostics and exits 3; anything
unexpected prints a short French message and exits 4, never a Python traceback (set
``CHARTE_IA_DEBUG=1`` to see it).

Exit codes (DESIGN §6):

====  ==============================================================
0     conforme or conforme_avec_reserves (``--strict``: réserves fail)
1     non_conforme
2     incomplet
3     invalid input: charter, declaration, option
4     internal error
====  ==============================================================

With several declarations, the exit code is the worst one, in the order
4 > 3 > 1 > 2 > 0.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from charte_ia import __version__
from charte_ia.charter import Charte
from charte_ia.decision import Decision, Verdict, decision_json_schema
from charte_ia.diagnostics import Diagnostic, Gravite, InvalidInputError, Location, did_you_mean
from charte_ia.engine import evaluate
from charte_ia.load import load_charter, load_declaration
from charte_ia.report import REPORTERS

EXIT_OK = 0
EXIT_NON_CONFORME = 1
EXIT_INCOMPLET = 2
EXIT_INVALID = 3
EXIT_INTERNAL = 4

_EXIT_RANK = {EXIT_OK: 0, EXIT_INCOMPLET: 1, EXIT_NON_CONFORME: 2, EXIT_INVALID: 3, EXIT_INTERNAL: 4}


def exit_code(decision: Decision, *, strict: bool = False) -> int:
    """The exit code a decision gives (DESIGN §6)."""
    if decision.verdict is Verdict.NON_CONFORME:
        return EXIT_NON_CONFORME
    if decision.verdict is Verdict.INCOMPLET:
        return EXIT_INCOMPLET
    if decision.verdict is Verdict.CONFORME_AVEC_RESERVES and strict:
        return EXIT_NON_CONFORME
    return EXIT_OK


def worst(codes: Sequence[int]) -> int:
    """The worst of several exit codes: 4 > 3 > 1 > 2 > 0."""
    return max(codes, key=_EXIT_RANK.__getitem__, default=EXIT_OK)


# --- French help -------------------------------------------------------------------------------


class _FrenchHelp:
    """Help screens in French (click writes its headings in English)."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Utilisation : ")

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option: click.Option | None = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "Afficher cette aide et quitter."
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(r[0], _french_extras(r[1])) for p in self.get_params(ctx)  # type: ignore[attr-defined]
                if isinstance(p, click.Option) and (r := p.get_help_record(ctx)) is not None]
        if rows:
            with formatter.section("Options"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            commands = [(name, cmd.get_short_help_str(90)) for name in self.list_commands(ctx)
                        if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
            if commands:
                with formatter.section("Commandes"):
                    formatter.write_dl(commands)


def _french_extras(text: str) -> str:
    return (text.replace("[required]", "[obligatoire]").replace("[default: ", "[par défaut : ")
            .replace("; default: ", "; par défaut : "))


class Commande(_FrenchHelp, click.Command):
    """A click command with French help headings."""


class Groupe(_FrenchHelp, click.Group):
    """The ``charte-ia`` group, with French help headings."""

    command_class = Commande


_HELP = {"help_option_names": ["-h", "--aide", "--help"], "max_content_width": 100}


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
    """A choice among fixed values, refused in French."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        hint = did_you_mean(str(value), [str(c) for c in self.choices])
        self.fail(f"valeur « {value} » non admise ; valeurs possibles : "
                  + ", ".join(str(c) for c in self.choices) + (f" ({hint})" if hint else ""),
                  param, ctx)
        return None  # pragma: no cover - fail() raises


# --- Commands ------------------------------------------------------------------------------------


@click.group(cls=Groupe, context_settings=_HELP, subcommand_metavar="COMMANDE [ARGUMENTS]...")
@click.version_option(__version__, "-V", "--version", message="charte-ia %(version)s",
                      help="Afficher la version et quitter.")
def cli() -> None:
    """Vérifier des projets d'IA au regard de la charte éthique de l'IA d'une collectivité.

    Codes de sortie : 0 conforme (ou avec réserves), 1 non conforme, 2 incomplet,
    3 entrée invalide, 4 erreur interne.
    """


@cli.command()
@click.argument("declarations", nargs=-1, required=True, metavar="FICHE...")
@click.option("--charte", "-c", "charte_path", required=True, metavar="CHARTE",
              help="Fichier YAML de la charte à appliquer.")
@click.option("--date", "jour", type=DateISO(), default=None,
              help="Date de référence (par défaut : aujourd'hui).")
@click.option("--format", "-f", "formats", type=Choix(sorted(REPORTERS)), default="texte",
              show_default=True, help="Format du résultat.")
@click.option("--sortie", "-o", type=click.Path(dir_okay=False), default=None, metavar="FICHIER",
              help="Écrire le résultat dans ce fichier (sinon : sortie standard).")
@click.option("--strict", is_flag=True, help="Les réserves font échouer (code de sortie 1).")
@click.option("--horodater", is_flag=True,
              help="Inscrire l'heure de l'évaluation dans la décision (elle ne sera alors plus "
                   "identique d'une exécution à l'autre).")
def verifier(*, declarations: tuple[str, ...], charte_path: str, jour: date | None, formats: str,
             sortie: str | None, strict: bool, horodater: bool) -> None:
    """Vérifier une ou plusieurs fiches projet au regard d'une charte.

    FICHE est un fichier YAML de fiche projet IA (« - » lit l'entrée standard).
    """
    charte = load_charter(charte_path)
    reference = jour or date.today()
    stamp = _now() if horodater else None
    decisions: list[Decision] = []
    codes: list[int] = []
    for path in declarations:
        try:
            declaration = load_declaration(path, vocabulaire=charte.vocabulaire)
        except InvalidInputError as error:
            _print_diagnostics(error.diagnostics)
            codes.append(EXIT_INVALID)
            continue
        decision = evaluate(charte, declaration, reference, horodatage=stamp)
        decisions.append(decision)
        codes.append(exit_code(decision, strict=strict))
    if decisions:
        _emit(REPORTERS[formats](decisions), sortie)
    sys.exit(worst(codes))


@cli.command()
@click.argument("chartes", nargs=-1, required=True, metavar="CHARTE...")
def valider(*, chartes: tuple[str, ...]) -> None:
    """Contrôler une charte sans fiche : format, expressions CEL, champs cités."""
    codes = []
    for path in chartes:
        try:
            charte = load_charter(path)
        except InvalidInputError as error:
            _print_diagnostics(error.diagnostics)
            click.echo(f"✗ {path} : charte invalide "
                       f"({_count(len(error.diagnostics), 'problème', 'problèmes')})", err=True)
            codes.append(EXIT_INVALID)
            continue
        _print_diagnostics(charte.avertissements)
        click.echo(f"✓ {path} : charte valide — {_describe(charte)}")
        codes.append(EXIT_OK)
    sys.exit(worst(codes))


@cli.command()
@click.argument("quoi", type=Choix(["declaration", "decision"]), default="declaration",
                metavar="[declaration|decision]")
def schema(*, quoi: str) -> None:
    """Afficher le schéma JSON d'une fiche projet (par défaut) ou d'une décision."""
    if quoi == "decision":
        payload = decision_json_schema()
    else:
        from charte_ia.vocabulary import default_vocabulary  # noqa: PLC0415 - loaded on demand
        payload = default_vocabulary().json_schema()
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


# --- Helpers -------------------------------------------------------------------------------------


def _describe(charte: Charte) -> str:
    return (f"{_count(len(charte.regles), 'règle', 'règles')}, "
            f"{_count(len(charte.qualifications), 'qualification', 'qualifications')}, "
            f"{_count(len(charte.parametres), 'paramètre', 'paramètres')} "
            f"({charte.meta.id} {charte.meta.version})")


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number <= 1 else plural}"


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


def _emit(text: str, sortie: str | None) -> None:
    if sortie is None:
        click.echo(text, nl=False)
        return
    write_atomically(Path(sortie), text)
    click.echo(f"Résultat écrit dans {sortie}", err=True)


def write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all: a temporary file renamed over the target."""
    directory = path.parent if str(path.parent) else Path()
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _now() -> str:
    from datetime import UTC, datetime  # noqa: PLC0415 - the clock is read only when asked

    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


_CLICK_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"No such command '(.+)'"), lambda m: f"commande inconnue « {m.group(1)} »"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"),
     lambda m: f"argument(s) en trop : {m.group(1)}"),
    (re.compile(r"Option '(.+)' requires an argument"),
     lambda m: f"l'option {m.group(1)} attend une valeur"),
    (re.compile(r"Option '(.+)' does not take a value"),
     lambda m: f"l'option {m.group(1)} ne prend pas de valeur"),
    (re.compile(r"Missing command"), lambda _: "commande manquante"),
]


def _usage_message(error: click.UsageError) -> str:
    if isinstance(error, click.MissingParameter):
        param = error.param
        name = (param.opts[0] if param is not None and param.param_type_name == "option"
                else (param.human_readable_name if param else "?"))
        what = "option obligatoire manquante" if param is not None and \
            param.param_type_name == "option" else "argument obligatoire manquant"
        return f"{what} : {name}"
    if isinstance(error, click.NoSuchOption):
        hint = did_you_mean(error.option_name, error.possibilities or [])
        return f"option inconnue : {error.option_name}" + (f" ({hint})" if hint else "")
    if isinstance(error, click.BadParameter):
        name = error.param.opts[0] if error.param is not None and error.param.opts else "valeur"
        return f"{name} : {error.message}"
    for pattern, translate in _CLICK_MESSAGES:
        if match := pattern.search(error.message):
            return translate(match)
    return "utilisation incorrecte de la commande"


def _fail_usage(error: click.UsageError) -> int:
    command = error.ctx.command_path if error.ctx else "charte-ia"
    click.echo(f"{command} : {_usage_message(error)}", err=True)
    click.echo(f"Voir « {command} --aide ».", err=True)
    return EXIT_INVALID


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point of the ``charte-ia`` command: the single error boundary."""
    code = _run(argv)
    try:  # flush now, so that a closed pipe (``… | head``) cannot change the exit code later
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.dup2(devnull, sys.stderr.fileno())
    sys.exit(code)


def _run(argv: Sequence[str] | None) -> int:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="charte-ia",
                 standalone_mode=False)
    except click.UsageError as error:
        return _fail_usage(error)
    except InvalidInputError as error:
        _print_diagnostics(error.diagnostics)
        return EXIT_INVALID
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.Abort:
        click.echo("Interrompu.", err=True)
        return EXIT_INTERNAL
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_OK
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # the boundary: never a traceback for the user
        if os.environ.get("CHARTE_IA_DEBUG"):
            traceback.print_exc()
        click.echo(str(Diagnostic("erreur-interne",
                                  f"erreur interne ({type(error).__name__}) : merci de la signaler",
                                  Location("charte-ia"), "relancez avec CHARTE_IA_DEBUG=1 pour le détail",
                                  Gravite.ERREUR)), err=True)
        return EXIT_INTERNAL
    return EXIT_OK
