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
3     invalid input: charter, declaration, option; a file that cannot be written
4     internal error
130   interrupted by Ctrl-C (SIGINT)
143   stopped by SIGTERM
====  ==============================================================

With several declarations, the exit code is the worst one, in the order
4 > 3 > 1 > 2 > 0.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from charte_ia.catalogue import build_pages, shipped_documents, write_catalogue
from charte_ia.charter import Charte, Regle
from charte_ia.completion import completed, migrated
from charte_ia.decision import Decision, Verdict, decision_json_schema
from charte_ia.declaration import Declaration, build_declaration
from charte_ia.derogation import Derogations, orphelines
from charte_ia.diagnostics import Diagnostic, Gravite, InvalidInputError, Location, did_you_mean
from charte_ia.engine import evaluate
from charte_ia.limits import Limits
from charte_ia.lint import lint
from charte_ia.load import load_charter, load_declaration, load_derogations
from charte_ia.migration import version_1
from charte_ia.model import FORMAT_FICHE
from charte_ia.output import ReportNames, write_atomically
from charte_ia.questionnaire import NE_SAIT_PAS, choices, hint, parse_answer
from charte_ia.report import FORMATS
from charte_ia.report.escape import visible
from charte_ia.report.explain import explain_charter, explain_rule
from charte_ia.report.text import TITRES_VERDICT, question_lines, render_one
from charte_ia.source import read_file
from charte_ia.tester import run as run_tests
from charte_ia.tester import summary as test_summary
from charte_ia.version import __version__
from charte_ia.vocabulary import Vocabulaire

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

_CHARTE = click.option("--charte", "-c", "charte_path", required=True, metavar="CHARTE",
                       help="Fichier YAML de la charte (ou d'un paquet de règles).")
_DEROGATIONS = click.option("--derogations", "derogations_path", default=None, metavar="FICHIER",
                            help="Dérogations accordées par le comité d'éthique (fichier derogations/2).")


@click.group(cls=Groupe, context_settings=_HELP, subcommand_metavar="COMMANDE [ARGUMENTS]...")
@click.version_option(__version__, "-V", "--version", message="charte-ia %(version)s",
                      help="Afficher la version et quitter.")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Vérifier des projets d'IA au regard de la charte éthique de l'IA d'une collectivité.

    Codes de sortie : 0 conforme (ou avec réserves), 1 non conforme, 2 incomplet,
    3 entrée invalide, 4 erreur interne. Les limites de taille et de coût se règlent par
    des variables d'environnement CHARTE_IA_* (voir la référence des commandes).
    """
    ctx.obj = Limits.from_environment(os.environ)


def _limits() -> Limits:
    """The limits of this run, read from the environment once by the group."""
    limits = click.get_current_context().find_root().obj
    assert isinstance(limits, Limits)
    return limits


@cli.command()
@click.argument("declarations", nargs=-1, required=True, metavar="FICHE...")
@click.option("--charte", "-c", "charte_path", required=True, metavar="CHARTE",
              help="Fichier YAML de la charte à appliquer.")
@click.option("--date", "jour", type=DateISO(), default=None,
              help="Date de référence (par défaut : aujourd'hui).")
@click.option("--format", "-f", "formats", type=Choix(sorted(FORMATS)), default=["texte"], multiple=True,
              show_default=True, help="Format du résultat ; répétable (--format html --format sarif).")
@click.option("--sortie", "-o", default=None, metavar="CHEMIN",
              help="Fichier où écrire le résultat, ou dossier (indispensable avec plusieurs formats) : un "
                   "fichier par fiche et par format. Sinon : sortie standard.")
@click.option("--strict", is_flag=True, help="Les réserves font échouer (code de sortie 1).")
@_DEROGATIONS
@click.option("--horodater", is_flag=True,
              help="Inscrire l'heure de l'évaluation dans la décision (elle ne sera alors plus "
                   "identique d'une exécution à l'autre).")
def verifier(*, declarations: tuple[str, ...], charte_path: str, jour: date | None, formats: tuple[str, ...],
             sortie: str | None, strict: bool, derogations_path: str | None, horodater: bool) -> None:
    """Vérifier une ou plusieurs fiches projet au regard d'une charte.

    FICHE est un fichier YAML de fiche projet IA (« - » lit l'entrée standard).
    """
    formats = tuple(dict.fromkeys(formats))
    if sortie is None and len(formats) > 1:
        raise UsageFrancais("plusieurs formats demandent un dossier de sortie : --sortie DOSSIER")
    charte = load_charter(charte_path, limits=_limits())
    derogations = _derogations(derogations_path, charte)
    reference = jour or date.today()
    stamp = _now() if horodater else None
    projects: list[str] = []
    codes: list[int] = []

    def decided() -> Iterator[Decision]:
        """Each declaration decided in turn: its reports are written before the next is read."""
        for path in declarations:
            try:
                declaration = _read_declaration(path, charte.vocabulaire, charte.limites)
            except InvalidInputError as error:
                _print_diagnostics(error.diagnostics)
                codes.append(EXIT_INVALID)
                continue
            decision = evaluate(charte, declaration, reference, derogations=derogations, horodatage=stamp)
            if derogations is not None:  # kept only to report dérogations granted to no project
                projects.append(decision.declaration.id)
            codes.append(exit_code(decision, strict=strict))
            yield decision

    _write_reports(decided(), formats, sortie)
    if derogations is not None:
        _print_diagnostics(orphelines(derogations, projects))
    sys.exit(worst(codes))


@cli.command()
@click.argument("regle_id", required=False, metavar="[REGLE]")
@_CHARTE
@click.option("--date", "jour", type=DateISO(), default=None,
              help="Date à laquelle lire sévérités et paramètres (par défaut : aujourd'hui).")
def expliquer(*, regle_id: str | None, charte_path: str, jour: date | None) -> None:
    """Expliquer une règle, ou la charte fusionnée avec la provenance de chaque règle.

    Sans REGLE : les paquets importés, chaque règle avec son origine et ses modifications
    locales (les assouplissements avec leur motif), les paramètres et les qualifications.
    REGLE peut s'écrire sans son espace (TRA-01 pour communs.TRA-01) s'il n'y a pas d'ambiguïté.
    """
    charte = load_charter(charte_path, limits=_limits())
    reference = jour or date.today()
    if regle_id is None:
        _echo(explain_charter(charte, reference), nl=False)
        return
    regle = _find_rule(charte, regle_id)
    _echo(explain_rule(charte, regle, reference), nl=False)


@cli.command()
@click.argument("declaration_path", metavar="FICHE")
@_CHARTE
@click.option("--date", "jour", type=DateISO(), default=None,
              help="Date de référence (par défaut : aujourd'hui).")
@_DEROGATIONS
@click.option("--interactif", "-i", is_flag=True,
              help="Poser les questions une à une dans le terminal, réévaluer après chaque réponse, "
                   "puis enregistrer la fiche complétée.")
@click.option("--sortie", "-o", type=click.Path(dir_okay=False), default=None, metavar="FICHIER",
              help="Où enregistrer la fiche complétée (par défaut : la fiche elle-même, après "
                   "confirmation).")
def completer(*, declaration_path: str, charte_path: str, jour: date | None,
              derogations_path: str | None, interactif: bool, sortie: str | None) -> None:
    """Lister les informations qui manquent pour décider, la plus utile d'abord.

    Pour chaque question : le champ, les règles concernées et ce que ferait chaque réponse.
    Avec --interactif, les questions sont posées dans l'ordre ; la décision est recalculée
    après chaque réponse et la fiche complétée est enregistrée sans perdre ses commentaires.
    """
    charte = load_charter(charte_path, limits=_limits())
    derogations = _derogations(derogations_path, charte)
    reference = jour or date.today()
    declaration = _read_declaration(declaration_path, charte.vocabulaire, charte.limites)
    decision = evaluate(charte, declaration, reference, derogations=derogations)
    if not interactif:
        _echo(_questions(decision), nl=False)
        sys.exit(exit_code(decision))
    if declaration_path == "-" and sortie is None:
        raise UsageFrancais("avec une fiche lue sur l'entrée standard, --sortie est obligatoire")
    session = _Questionnaire(charte, declaration, reference, derogations)
    decision = session.run(decision)
    if session.answers:
        _save(declaration_path, sortie, session)
    sys.exit(exit_code(decision))


@cli.command()
@click.argument("chartes", nargs=-1, required=True, metavar="CHARTE...")
@click.option("--date", "jour", type=DateISO(), default=None,
              help="Date du contrôle : âge des revues, valeurs en vigueur (par défaut : aujourd'hui).")
@click.option("--strict", is_flag=True, help="Les avertissements font refuser la charte (code 3).")
def valider(*, chartes: tuple[str, ...], jour: date | None, strict: bool) -> None:
    """Contrôler une charte ou un paquet de règles, sans fiche.

    Format, expressions CEL, champs, paramètres et qualifications cités, importations et
    surcharges ; puis les avertissements : règle bloquante sans référence, revue de plus de
    douze mois, valeur datée jamais en vigueur, règle qui ne s'applique jamais, exceptions
    qui peuvent valoir ensemble avec des effets différents.
    """
    codes = []
    reference = jour or date.today()
    for path in chartes:
        try:
            charte = load_charter(path, limits=_limits())
        except InvalidInputError as error:
            _print_diagnostics(error.diagnostics)
            _echo(f"✗ {path} : invalide ({_count(len(error.diagnostics), 'problème', 'problèmes')})",
                  err=True)
            codes.append(EXIT_INVALID)
            continue
        warnings = [*charte.avertissements, *lint(charte, reference)]
        _print_diagnostics(warnings)
        remark = f", {_count(len(warnings), 'avertissement', 'avertissements')}" if warnings else ""
        if strict and warnings:
            _echo(f"✗ {path} : refusée en mode strict — {_describe(charte)}{remark}", err=True)
            codes.append(EXIT_INVALID)
            continue
        kind = "paquet" if charte.est_paquet else "charte"
        _echo(f"✓ {path} : {kind} valide — {_describe(charte)}{remark}")
        codes.append(EXIT_OK)
    sys.exit(worst(codes))


@cli.command()
@click.argument("fichiers", nargs=-1, required=True, metavar="FICHIER...")
@click.option("--date", "jour", type=DateISO(), default=None,
              help="Date des exemples qui n'en donnent pas (par défaut : aujourd'hui).")
@click.option("--seuil", type=click.FloatRange(0, 100), default=100.0, show_default=True, metavar="POURCENT",
              help="Couverture minimale des règles de chaque charte ou paquet.")
def tester(*, fichiers: tuple[str, ...], jour: date | None, seuil: float) -> None:
    """Lancer les exemples des règles et les fichiers de tests, et mesurer la couverture.

    FICHIER est une charte, un paquet de règles ou un fichier de tests (tests-charte/1).
    Chaque règle d'une charte ou d'un paquet doit être vue conforme et non conforme, et
    chaque clause d'une règle qui en a plusieurs doit être vue en échec. Code 0 si tout
    réussit avec la couverture demandée, 1 sinon, 3 si un fichier est invalide.
    """
    reports = run_tests(fichiers, jour or date.today(), _limits())
    lines, ok = test_summary(reports, seuil)
    _echo("\n".join(lines))
    sys.exit(EXIT_OK if ok else EXIT_NON_CONFORME)


@cli.command()
@click.argument("quoi", type=Choix(["declaration", "decision"]), default="declaration",
                metavar="[declaration|decision]")
@click.option("--charte", "-c", "charte_path", default=None, metavar="CHARTE",
              help="Inclure dans le schéma de la fiche les champs ajoutés par cette charte et ses paquets.")
def schema(*, quoi: str, charte_path: str | None) -> None:
    """Afficher le schéma JSON d'une fiche projet (par défaut) ou d'une décision."""
    if quoi == "decision":
        payload = decision_json_schema()
    elif charte_path is not None:
        payload = load_charter(charte_path, limits=_limits()).vocabulaire.json_schema()
    else:
        from charte_ia.vocabulary import default_vocabulary  # noqa: PLC0415 - loaded on demand
        payload = default_vocabulary().json_schema()
    _echo(json.dumps(payload, ensure_ascii=False, indent=2))


@cli.command()
@click.argument("fiches", nargs=-1, required=True, metavar="FICHE...")
@click.option("--charte", "-c", "charte_path", default=None, metavar="CHARTE",
              help="Valider les fiches avec les champs ajoutés par cette charte et ses paquets.")
def empreinte(*, fiches: tuple[str, ...], charte_path: str | None) -> None:
    """Afficher l'empreinte du contenu de chaque fiche, à inscrire dans une dérogation.

    Une dérogation ne s'applique qu'à la fiche que le comité d'éthique a examinée : elle en
    inscrit l'empreinte (empreinte_fiche). L'empreinte ne dépend que des réponses de la fiche,
    pas des commentaires ni de l'ordre des clés ; la moindre réponse changée la change.
    """
    vocabulaire = load_charter(charte_path, limits=_limits()).vocabulaire if charte_path else None
    codes = []
    for path in fiches:
        try:
            declaration = _read_declaration(path, vocabulaire, _limits())
        except InvalidInputError as error:
            _print_diagnostics(error.diagnostics)
            codes.append(EXIT_INVALID)
            continue
        _echo(f"{declaration.empreinte}  {path}")
        codes.append(EXIT_OK)
    sys.exit(worst(codes))


@cli.command()
@click.argument("fiches", nargs=-1, required=True, metavar="FICHE...")
@click.option("--charte", "-c", "charte_path", default=None, metavar="CHARTE",
              help="Valider les fiches converties avec les champs ajoutés par cette charte et ses paquets.")
@click.option("--sortie", "-o", default=None, type=click.Path(dir_okay=False), metavar="FICHIER",
              help="Où écrire la fiche convertie (une seule fiche) ; par défaut, la fiche est réécrite.")
def migrer(*, fiches: tuple[str, ...], charte_path: str | None, sortie: str | None) -> None:
    """Réécrire des fiches du format fiche-projet-ia/1 au format fiche-projet-ia/2.

    Les commentaires, l'ordre des clés et la mise en page sont gardés. Une réponse que le
    format 1 ne permettait pas de donner précisément (la CNIL a été consultée : qu'a-t-elle
    répondu ?) devient « inconnu », avec un commentaire qui dit quoi préciser. Une fiche déjà
    au format 2 est laissée telle quelle.
    """
    if sortie is not None and len(fiches) > 1:
        raise UsageFrancais("--sortie ne s'emploie qu'avec une seule fiche")
    if charte_path is not None:
        vocabulaire = load_charter(charte_path, limits=_limits()).vocabulaire
    else:
        from charte_ia.vocabulary import default_vocabulary  # noqa: PLC0415 - loaded on demand
        vocabulaire = default_vocabulary()
    codes = []
    for path in fiches:
        if path == "-" and sortie is None:
            raise UsageFrancais("avec une fiche lue sur l'entrée standard, --sortie est obligatoire")
        try:
            document = read_file(path, _limits())
            if not version_1(document.data):
                build_declaration(document, vocabulaire)  # valid as it is: nothing to rewrite
                _echo(f"{path} : déjà au format {FORMAT_FICHE}, inchangée.")
                codes.append(EXIT_OK)
                continue
            text = "\n".join(document.lines) + "\n"
            new_text, changes, declaration = migrated(text, document.name, vocabulaire)
        except InvalidInputError as error:
            _print_diagnostics(error.diagnostics)
            codes.append(EXIT_INVALID)
            continue
        target = Path(sortie) if sortie is not None else Path(path)
        try:
            write_atomically(target, new_text)
        except InvalidInputError as error:
            _print_diagnostics(error.diagnostics)
            codes.append(EXIT_INVALID)
            continue
        converted = _count(len(changes), "champ converti", "champs convertis")
        _echo(f"{path} → {target} : format {FORMAT_FICHE}, {converted}")
        for change in changes:
            _echo(f"  {change}")
        _echo(f"  empreinte de la fiche : {declaration.empreinte} (une dérogation qui citait la fiche au "
              "format 1 doit inscrire celle-ci, une fois le comité assuré que rien n'a changé sur le fond)")
        codes.append(EXIT_OK)
    sys.exit(worst(codes))


@cli.command()
@click.argument("fichiers", nargs=-1, metavar="[FICHIER]...")
@click.option("--sortie", "-o", required=True, type=click.Path(file_okay=False), metavar="DOSSIER",
              help="Dossier du catalogue, entièrement remplacé (par exemple docs/catalogue).")
@click.option("--date", "jour", type=DateISO(), default=None,
              help="Date des exemples qui n'en donnent pas (par défaut : aujourd'hui).")
def documenter(*, fichiers: tuple[str, ...], sortie: str, jour: date | None) -> None:
    """Écrire le catalogue des règles en Markdown, pour le site de documentation.

    FICHIER est une charte ou un paquet de règles ; sans FICHIER, les paquets et les chartes
    modèles fournis avec charte-ia. Une page par paquet et par règle (applicabilité en mots
    et en CEL, clauses, références, champs lus, exemples et leur résultat), une page par
    charte (vue fusionnée, modifications et motifs) et une page par champ de la fiche (avec
    les règles qui le lisent). Le dossier est remplacé d'un coup : ne le modifiez pas à la main.
    """
    limits = _limits()
    documents = [read_file(path, limits) for path in fichiers] if fichiers else shipped_documents()
    pages = build_pages(documents, jour or date.today(), limits)
    write_catalogue(pages, Path(sortie))
    _echo(f"Catalogue écrit dans {sortie} : {_count(len(pages), 'page', 'pages')} "
               f"({_count(len(documents), 'fichier documenté', 'fichiers documentés')}).")


# --- Helpers -------------------------------------------------------------------------------------


def _derogations(path: str | None, charte: Charte) -> Derogations | None:
    if path is None:
        return None
    derogations = load_derogations(path, limits=charte.limites)
    derogations.verifier_charte(charte)
    return derogations


def _find_rule(charte: Charte, regle_id: str) -> Regle:
    regle = charte.regle(regle_id)
    if regle is not None:
        return regle
    matches = [r for r in charte.regles if r.id.endswith("." + regle_id)]
    if len(matches) == 1:
        return matches[0]
    ids = [r.id for r in charte.regles]
    if matches:
        raise UsageFrancais(f"« {regle_id} » est ambigu : " + ", ".join(r.id for r in matches))
    hint = did_you_mean(regle_id, ids) or did_you_mean(regle_id, [i.rsplit(".", 1)[-1] for i in ids])
    raise UsageFrancais(f"règle inconnue « {regle_id} »" + (f" ({hint})" if hint else "")
                           + " ; la liste s'obtient avec « charte-ia expliquer --charte "
                           f"{charte.fichier} »")


def _questions(decision: Decision) -> str:
    lines = [f"Décision : {TITRES_VERDICT[decision.verdict]} — {decision.declaration.nom}"]
    if not decision.informations_manquantes:
        lines.append("Aucune information ne manque pour décider.")
    else:
        count = _count(len(decision.informations_manquantes), "information manque", "informations manquent")
        lines.append(f"{count}, la plus utile d'abord :")
        for info in decision.informations_manquantes:
            lines.extend(question_lines(info))
    return "\n".join(lines) + "\n"


class _StopError(Exception):
    """The person asked to stop the questionnaire."""


class _Questionnaire:
    """Ask the missing questions in order, re-evaluating after each answer."""

    def __init__(self, charte: Charte, declaration: Declaration, jour: date,
                 derogations: Derogations | None) -> None:
        self.charte = charte
        self.declaration = declaration
        self.jour = jour
        self.derogations = derogations
        self.answers: dict[str, Any] = {}
        self.skipped: set[str] = set()

    def run(self, decision: Decision) -> Decision:
        _echo(f"Décision actuelle : {TITRES_VERDICT[decision.verdict]} — "
                   f"{_count(len(decision.informations_manquantes), 'question', 'questions')}")
        while True:
            pending = [q for q in decision.informations_manquantes if q.champ not in self.skipped]
            if not pending:
                _echo("\nPlus aucune question ne peut faire avancer la décision.")
                break
            info = pending[0]
            _echo("")
            _echo("\n".join(question_lines(info)))
            try:
                value = self._ask(info.champ)
            except _StopError:
                _echo("Questionnaire interrompu.")
                break
            if value is NE_SAIT_PAS:
                self.skipped.add(info.champ)
                continue
            self.answers[info.champ] = value
            champ = self.charte.vocabulaire.champ(info.champ)
            unsettled = champ is not None and value in champ.en_attente
            if unsettled:  # « incertain »: kept in the declaration, not asked again
                self.skipped.add(info.champ)
            self.declaration = self.declaration.avec_reponse(info.champ, value, en_attente=unsettled)
            decision = evaluate(self.charte, self.declaration, self.jour, derogations=self.derogations)
            remaining = len([q for q in decision.informations_manquantes if q.champ not in self.skipped])
            _echo(f"→ Décision : {TITRES_VERDICT[decision.verdict]} — "
                       f"{_count(remaining, 'question restante', 'questions restantes')}")
        _echo("")
        _echo(render_one(decision), nl=False)
        return decision

    def _ask(self, chemin: str) -> Any:
        champ = self.charte.vocabulaire.champ(chemin)
        assert champ is not None
        for number, choice in enumerate(choices(champ), start=1):
            _echo(f"       {number}. {choice}")
        _echo(f"     ({hint(champ)})")
        while True:
            try:
                typed = click.prompt("   Réponse", default="", show_default=False, prompt_suffix=" : ")
            except click.Abort:
                raise _StopError from None
            if typed.strip().lower() in ("q", "quitter"):
                raise _StopError
            try:
                return parse_answer(champ, typed)
            except ValueError as error:
                _echo(f"   Réponse non valide : {error}")


def _confirm(question: str) -> bool:
    """A yes/no question answered in French (Entrée = oui)."""
    while True:
        try:
            typed = click.prompt(f"{question} [O/n]", default="", show_default=False, prompt_suffix=" ")
        except click.Abort:
            return False
        answer = typed.strip().lower()
        if answer in ("", "o", "oui"):
            return True
        if answer in ("n", "non"):
            return False
        _echo("Répondez o (oui) ou n (non).")


def _save(declaration_path: str, sortie: str | None, session: _Questionnaire) -> None:
    """Write the completed declaration; an existing file is replaced only once confirmed.

    Without an answer (or with a closed input), nothing is written: the declaration the
    person gave is never lost by accident.
    """
    target = Path(sortie) if sortie is not None else Path(declaration_path)
    count = _count(len(session.answers), "réponse", "réponses")
    if target.exists():
        itself = declaration_path != "-" and target.resolve() == Path(declaration_path).resolve()
        question = (f"Enregistrer les {count} dans {target} (la fiche d'origine) ?" if itself
                    else f"{target} existe déjà : le remplacer par la fiche complétée ?")
        if not _confirm(question):
            _echo("Fiche inchangée." if itself else f"{target} inchangé : rien n'a été enregistré.")
            return
    document = session.declaration.document
    text = Path(declaration_path).read_text(encoding="utf-8") if declaration_path != "-" else "\n".join(
        document.lines) + "\n"
    new_text, _ = completed(session.declaration, text, session.answers, session.charte.vocabulaire)
    write_atomically(target, new_text)
    _echo(f"Fiche complétée enregistrée dans {target} ({count}).")


def _describe(charte: Charte) -> str:
    return (f"{_count(len(charte.regles), 'règle', 'règles')}, "
            f"{_count(len(charte.qualifications), 'qualification', 'qualifications')}, "
            f"{_count(len(charte.parametres), 'paramètre', 'paramètres')} "
            f"({charte.meta.id} {charte.meta.version})")


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number <= 1 else plural}"


def _echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print, unless the reader has gone (``… | head``): what was decided must still set the exit code.

    Everything printed may quote an input: control and bidi characters are shown escaped,
    never sent to the terminal.
    """
    with contextlib.suppress(BrokenPipeError):
        click.echo(visible(text), err=err, nl=nl)


def _read_declaration(path: str, vocabulaire: Vocabulaire | None, limits: Limits) -> Declaration:
    """Read a declaration and print its warnings (a version-1 declaration, converted)."""
    declaration = load_declaration(path, vocabulaire=vocabulaire, limits=limits)
    _print_diagnostics(declaration.avertissements)
    return declaration


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        _echo(str(diagnostic), err=True)


def _write_reports(decisions: Iterator[Decision], formats: tuple[str, ...], sortie: str | None) -> None:
    """Standard output, one file, or a folder with one file per declaration and format.

    Decisions are written as they come: nothing but the names of the files written is kept
    from one declaration to the next. Nothing is written when no declaration could be read.
    """
    first = next(decisions, None)
    if first is None:
        return
    pending = itertools.chain([first], decisions)
    if sortie is None:
        for chunk in FORMATS[formats[0]].flux(pending):
            _echo(chunk, nl=False)
        return
    target = Path(sortie)
    if len(formats) == 1 and not target.is_dir() and not sortie.endswith(("/", os.sep)):
        fmt = FORMATS[formats[0]]
        if not fmt.plusieurs:
            second = next(decisions, None)
            if second is not None:
                raise UsageFrancais(f"le format {formats[0]} écrit une fiche par fichier : donnez un "
                                    "dossier (--sortie DOSSIER/)")
        write_atomically(target, fmt.flux(pending))
        _echo(f"Résultat écrit dans {sortie}", err=True)
        return
    if target.exists() and not target.is_dir():
        raise InvalidInputError([Diagnostic(
            "sortie-impossible", f"« {sortie} » est un fichier : un dossier est attendu pour écrire un "
            "rapport par fiche et par format", Location(sortie),
            "donnez un dossier (--sortie rapports/), ou un seul format pour écrire un seul fichier")])
    written = []
    names = ReportNames()
    for decision in pending:
        stem = names.stem(decision.declaration.id)
        for name in formats:
            fmt = FORMATS[name]
            path = target / f"{stem}{fmt.extension}"
            write_atomically(path, fmt.flux([decision]))
            written.append(path)
    _echo(f"{_count(len(written), 'rapport écrit', 'rapports écrits')} dans {target} :", err=True)
    for path in written:
        _echo(f"  {path}", err=True)


def _now() -> str:
    from datetime import UTC, datetime  # noqa: PLC0415 - the clock is read only when asked

    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


_CLICK_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"No such command '(.+)'"), lambda m: f"commande inconnue « {m.group(1)} »"),
    (re.compile(r"Got unexpected extra (arguments?) \((.+)\)"),
     lambda m: f"{m.group(1)} en trop : {m.group(2)}"),
    (re.compile(r"Option '(.+)' requires an argument"),
     lambda m: f"l'option {m.group(1)} attend une valeur"),
    (re.compile(r"Option '(.+)' does not take a value"),
     lambda m: f"l'option {m.group(1)} ne prend pas de valeur"),
    (re.compile(r"Missing command"), lambda _: "commande manquante"),
]


class UsageFrancais(click.UsageError):
    """A usage error whose message is already French."""


def _usage_message(error: click.UsageError) -> str:
    if isinstance(error, UsageFrancais):
        return error.message
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
    _echo(f"{command} : {_usage_message(error)}", err=True)
    _echo(f"Voir « {command} --aide ».", err=True)
    return EXIT_INVALID


EXIT_INTERRUPTED = 130
"""Ctrl-C (SIGINT), as shells report it: 128 + 2."""
EXIT_TERMINATED = 143
"""SIGTERM (a service manager, ``kill``, a CI timeout): 128 + 15."""


class _Stopped(BaseException):
    """A signal asked to stop: unwind, so that no temporary file is left behind.

    Not a :class:`KeyboardInterrupt`, which click would turn into an abort after printing a
    blank line, and which the questionnaire reads as « stop asking ».
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> NoReturn:  # noqa: ARG001 - signal handler signature
    raise _Stopped(signum)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point of the ``charte-ia`` command: the single error boundary."""
    with contextlib.suppress(ValueError):  # only the main thread may set them (embedded use)
        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
    code = _run(argv)
    # Flush now, so that a closed pipe (``… | head``) or a closed stream cannot change the
    # exit code when the interpreter flushes them again on its way out.
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with this stream closed
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
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
        _echo("Interrompu.", err=True)
        return EXIT_INTERNAL
    except (KeyboardInterrupt, _Stopped) as stop:
        if isinstance(stop, _Stopped) and stop.signum == signal.SIGTERM:
            _echo("Arrêté (SIGTERM) : aucun fichier n'est resté à moitié écrit.", err=True)
            return EXIT_TERMINATED
        _echo("Interrompu (Ctrl-C) : aucun fichier n'est resté à moitié écrit.", err=True)
        return EXIT_INTERRUPTED
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_OK
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # the boundary: never a traceback for the user
        if os.environ.get("CHARTE_IA_DEBUG"):
            traceback.print_exc()
        _echo(str(Diagnostic("erreur-interne",
                             f"erreur interne ({type(error).__name__}) : merci de la signaler",
                             Location("charte-ia"), "relancez avec CHARTE_IA_DEBUG=1 pour le détail",
                             Gravite.ERREUR)), err=True)
        return EXIT_INTERNAL
    return EXIT_OK
