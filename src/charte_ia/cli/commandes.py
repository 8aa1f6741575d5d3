"""The commands: options → one call to :mod:`charte_ia.api` → what is printed → exit code.

The library is imported inside each command, when it runs: ``charte-ia --aide`` and
``--version`` load click and this file only.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from charte_ia.cli import configuration
from charte_ia.cli.francais import Choix, DateISO, Groupe, UsageFrancais, as_usage_error, install
from charte_ia.cli.terminal import (
    EXIT_INVALID,
    EXIT_NON_CONFORME,
    EXIT_OK,
    count,
    echo,
    exit_code,
    print_diagnostics,
    worst,
)
from charte_ia.limits import Limits
from charte_ia.report import NOMS, format_of
from charte_ia.version import __version__

if TYPE_CHECKING:
    from charte_ia.charter import Charte
    from charte_ia.decision import Decision

install()  # before the options below are built: click translates some names when they are
_HELP = {"help_option_names": ["-h", "--aide", "--help"], "max_content_width": 100}
_CHARTE = click.option("--charte", "-c", "charte_path", required=True, metavar="CHARTE",
                       help="Fichier YAML de la charte (ou d'un paquet de règles).")
_DEROGATIONS = click.option("--derogations", "derogations_path", default=None, metavar="FICHIER",
                            help="Dérogations accordées par le comité d'éthique (fichier derogations/2).")


@click.group(cls=Groupe, context_settings=_HELP, subcommand_metavar="COMMANDE [ARGUMENTS]...")
@click.version_option(__version__, "-V", "--version", message="charte-ia %(version)s",
                      help="Afficher la version et quitter.")
@click.option("--config", "config", default=None, metavar="FICHIER",
              help="Fichier de configuration (par défaut : charte-ia.toml, ou [tool.charte-ia] de "
                   "pyproject.toml, dans le dossier courant).")
@click.pass_context
def cli(ctx: click.Context, config: str | None) -> None:
    """Vérifier des projets d'IA au regard de la charte éthique de l'IA d'une collectivité.

    Codes de sortie : 0 conforme (ou avec réserves), 1 non conforme, 2 incomplet,
    3 entrée invalide, 4 erreur interne. Les limites de taille et de coût se règlent par
    des variables d'environnement CHARTE_IA_* (voir la référence des commandes).
    """
    ctx.obj = Limits.from_environment(os.environ)
    path = Path(config) if config is not None else configuration.found(Path())
    if path is not None:
        ctx.default_map = configuration.default_map(path, cli.commands)


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
@click.option("--format", "-f", "formats", type=Choix(NOMS), multiple=True,
              help="Format du résultat ; répétable (--format html --format sarif). Par défaut : celui "
                   "qu'indique l'extension de --sortie (r.html, r.json, r.sarif, r.junit.xml, r.md), "
                   "sinon texte.")
@click.option("--sortie", "-o", default=None, metavar="CHEMIN",
              help="Fichier où écrire le résultat, ou dossier (indispensable avec plusieurs formats) : un "
                   "fichier par fiche et par format. Sinon : sortie standard.")
@click.option("--strict", is_flag=True, help="Les réserves font échouer (code de sortie 1).")
@_DEROGATIONS
@click.option("--processus", "-j", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Nombre de processus qui décident (par défaut : un par cœur à partir de 32 fiches, "
                   "sinon un) ; les décisions sortent dans l'ordre des fiches.")
@click.option("--horodater", is_flag=True,
              help="Inscrire l'heure de l'évaluation dans la décision (elle ne sera alors plus "
                   "identique d'une exécution à l'autre).")
@click.option("--silencieux", "-q", "quiet", is_flag=True,
              help="Ni progression, ni bilan, ni liste des rapports écrits : seulement les résultats et "
                   "les problèmes.")
def verifier(*, declarations: tuple[str, ...], charte_path: str, jour: date | None, formats: tuple[str, ...],
             sortie: str | None, strict: bool, derogations_path: str | None, horodater: bool,
             processus: int | None, quiet: bool) -> None:
    """Vérifier une ou plusieurs fiches projet au regard d'une charte.

    FICHE est un fichier YAML de fiche projet IA (« - » lit l'entrée standard), un dossier
    (toutes ses fiches, .yaml et .yml, dans l'ordre de leurs noms) ou un motif entre
    guillemets ('fiches/**/*.yaml').
    """
    from charte_ia import api
    from charte_ia.cli.lot import Demande, verify_all
    from charte_ia.load import load_charter

    formats = tuple(dict.fromkeys(formats)) or (format_of(sortie),)
    if sortie is None and len(formats) > 1:
        raise UsageFrancais("plusieurs formats demandent un dossier de sortie : --sortie DOSSIER")
    charte = load_charter(charte_path, limits=_limits())
    derogations = api.open_derogations(derogations_path, charte)
    demande = Demande(formats, sortie, strict, quiet, api.now() if horodater else None, processus)
    sys.exit(verify_all(charte, api.files_of(declarations), jour or date.today(), derogations, demande))


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
    from charte_ia import api
    from charte_ia.load import load_charter

    charte = load_charter(charte_path, limits=_limits())
    with as_usage_error():
        echo(api.explain(charte, regle_id, jour or date.today()), nl=False)


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
    from charte_ia import api
    from charte_ia.cli.interactif import ask_all, save_completed
    from charte_ia.load import load_charter, load_declaration

    charte = load_charter(charte_path, limits=_limits())
    derogations = api.open_derogations(derogations_path, charte)
    declaration = load_declaration(declaration_path, vocabulaire=charte.vocabulaire, limits=charte.limites)
    print_diagnostics(declaration.avertissements)
    session = api.Questionnaire(charte, declaration, jour or date.today(), derogations)
    decision = session.decide()
    if not interactif:
        echo(_questions(decision), nl=False)
        sys.exit(exit_code(decision.verdict))
    if declaration_path == "-" and sortie is None:
        raise UsageFrancais("avec une fiche lue sur l'entrée standard, --sortie est obligatoire")
    decision = ask_all(session, decision)
    if session.answers:
        save_completed(declaration_path, sortie, session)
    sys.exit(exit_code(decision.verdict))


def _questions(decision: Decision) -> str:
    from charte_ia.report.text import TITRES_VERDICT, question_lines

    lines = [f"Décision : {TITRES_VERDICT[decision.verdict]} — {decision.declaration.nom}"]
    if not decision.informations_manquantes:
        lines.append("Aucune information ne manque pour décider.")
    else:
        missing = count(len(decision.informations_manquantes), "information manque", "informations manquent")
        lines.append(f"{missing}, la plus utile d'abord :")
        for info in decision.informations_manquantes:
            lines.extend(question_lines(info))
    return "\n".join(lines) + "\n"


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
    from charte_ia import api

    codes = []
    for path in chartes:
        checked = api.validate(path, jour or date.today(), _limits(), strict=strict)
        print_diagnostics(checked.diagnostics)
        found = len(checked.diagnostics)
        if checked.charte is None:
            echo(f"✗ {path} : invalide ({count(found, 'problème', 'problèmes')})", err=True)
        else:
            remark = f", {count(found, 'avertissement', 'avertissements')}" if found else ""
            if checked.acceptee:
                kind = "paquet" if checked.charte.est_paquet else "charte"
                echo(f"✓ {path} : {kind} valide — {_describe(checked.charte)}{remark}")
            else:
                echo(f"✗ {path} : refusée en mode strict — {_describe(checked.charte)}{remark}", err=True)
        codes.append(EXIT_OK if checked.acceptee else EXIT_INVALID)
    sys.exit(worst(codes))


def _describe(charte: Charte) -> str:
    return (f"{count(len(charte.regles), 'règle', 'règles')}, "
            f"{count(len(charte.qualifications), 'qualification', 'qualifications')}, "
            f"{count(len(charte.parametres), 'paramètre', 'paramètres')} "
            f"({charte.meta.id} {charte.meta.version})")


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
    from charte_ia import api
    from charte_ia.tester import summary as test_summary

    lines, ok = test_summary(api.run_examples(fichiers, jour or date.today(), _limits()), seuil)
    echo("\n".join(lines))
    sys.exit(EXIT_OK if ok else EXIT_NON_CONFORME)


@cli.command()
@click.argument("quoi", type=Choix(["declaration", "decision"]), default="declaration",
                metavar="[declaration|decision]")
@click.option("--charte", "-c", "charte_path", default=None, metavar="CHARTE",
              help="Inclure dans le schéma de la fiche les champs ajoutés par cette charte et ses paquets.")
def schema(*, quoi: str, charte_path: str | None) -> None:
    """Afficher le schéma JSON d'une fiche projet (par défaut) ou d'une décision."""
    from charte_ia import api

    echo(api.schema(quoi, charte_path, _limits()))


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
    from charte_ia import api
    from charte_ia.load import load_charter

    vocabulaire = load_charter(charte_path, limits=_limits()).vocabulaire if charte_path else None
    codes = []
    for found in api.fingerprints(fiches, vocabulaire, _limits()):
        print_diagnostics(found.diagnostics)
        if found.empreinte is None:
            codes.append(EXIT_INVALID)
            continue
        echo(f"{found.empreinte}  {found.chemin}")
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
    from charte_ia import api
    from charte_ia.model import FORMAT_FICHE

    if sortie is not None and len(fiches) > 1:
        raise UsageFrancais("--sortie ne s'emploie qu'avec une seule fiche")
    vocabulaire = api.vocabulary_of(charte_path, _limits())
    codes = []
    for path in fiches:
        with as_usage_error():
            done = api.migrate(path, vocabulaire, sortie, _limits())
        print_diagnostics(done.diagnostics)
        codes.append(EXIT_INVALID if done.diagnostics else EXIT_OK)
        if done.deja_a_jour:
            echo(f"{path} : déjà au format {FORMAT_FICHE}, inchangée.")
        elif done.cible is not None:
            converted = count(len(done.changements), "champ converti", "champs convertis")
            echo(f"{path} → {done.cible} : format {FORMAT_FICHE}, {converted}")
            for change in done.changements:
                echo(f"  {change}")
            echo(f"  empreinte de la fiche : {done.empreinte} (une dérogation qui citait la fiche au "
                 "format 1 doit inscrire celle-ci, une fois le comité assuré que rien n'a changé sur le "
                 "fond)")
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
    from charte_ia import api

    written = api.document(fichiers, Path(sortie), jour or date.today(), _limits())
    echo(f"Catalogue écrit dans {sortie} : {count(written.pages, 'page', 'pages')} "
         f"({count(written.documents, 'fichier documenté', 'fichiers documentés')}).")
