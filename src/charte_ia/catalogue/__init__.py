"""``charte-ia documenter``: the rule catalogue of the documentation site, generated.

From rule packs and charters (by default, those shipped with charte-ia), Markdown pages
for MkDocs:

- one page per pack (parameters, qualifications, rules) and per rule: title, principle,
  severity over time, when it applies (in words and in CEL), clauses, exceptions,
  remediation, references, the declaration fields it reads, its examples with the status
  they actually give today, its provenance and what each documented charter changed;
- one page per charter: the merged view, packs and versions, parameters, every local change
  with its motif, switched-off rules, and the rules by principle;
- one page per declaration field: question, type, values, and every rule that reads it.

Pages are a pure function of the files and the date the examples are evaluated at: the
catalogue is regenerated, never edited by hand.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import date
from importlib import resources
from pathlib import Path

from charte_ia.catalogue.index import Catalogue, units_of
from charte_ia.catalogue.markdown import Markdown, first_sentence, md_link, plain, type_fr
from charte_ia.catalogue.pages import CharterPage, FieldPage, PackPage, RulePage
from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, date_fr
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.model import Champ
from charte_ia.output import cannot_write, new_folder_mode
from charte_ia.packs import PAQUETS_INTEGRES, paquets_integres
from charte_ia.source import Document, read_bytes

MARQUE = ".catalogue-charte-ia"
"""File that marks a folder as a generated catalogue, which may be replaced as a whole."""
CHARTES_INTEGREES = "chartes"
"""Folder of the package that holds the model charters."""



def shipped_documents() -> list[Document]:
    """The packs, then the model charters, shipped with charte-ia."""
    documents = []
    for name in paquets_integres():
        documents.append(_shipped(PAQUETS_INTEGRES, name))
    folder = resources.files("charte_ia") / CHARTES_INTEGREES
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            documents.append(_shipped(CHARTES_INTEGREES, entry.name.removesuffix(".yaml")))
    return documents


def _shipped(folder: str, name: str) -> Document:
    resource = resources.files("charte_ia") / folder / f"{name}.yaml"
    return read_bytes(resource.read_bytes(), f"charte_ia/{folder}/{name}.yaml")


def build_pages(documents: Sequence[Document], jour: date, limits: Limits = DEFAULT_LIMITS) -> dict[str, str]:
    """Every page of the catalogue, by path relative to the catalogue folder.

    Args:
        documents: Packs and charters, already read.
        jour: The date the examples that give none are evaluated at.
        limits: The bounds for the packs they import and for their expressions.

    Raises:
        InvalidInputError: A file is not a valid pack or charter, or an example is invalid.
    """
    units = units_of(documents, jour, limits)
    return all_pages(Catalogue(units, jour))


def write_catalogue(pages: dict[str, str], sortie: Path) -> None:
    """Replace the folder ``sortie`` with ``pages``, all at once.

    The new catalogue is written beside the old one, then swapped in: an interrupted run
    leaves the previous catalogue. A folder that is not a generated catalogue is never
    replaced.

    Raises:
        InvalidInputError: ``sortie`` exists and is not a catalogue made by this command.
    """
    foreign = sortie.exists() and not (sortie / MARQUE).is_file()
    if foreign and (not sortie.is_dir() or any(sortie.iterdir())):
        raise InvalidInputError([Diagnostic(
            "sortie-non-catalogue",
            f"le dossier « {sortie} » existe et n'est pas un catalogue produit par charte-ia documenter",
            Location(str(sortie)),
            "choisissez un dossier vide ou absent : il sera entièrement remplacé à chaque génération")])
    try:
        sortie.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{sortie.name}.nouveau-", dir=sortie.parent))
    except OSError as error:
        raise cannot_write(sortie, error) from None
    try:
        os.chmod(staging, new_folder_mode())  # mkdtemp makes it private: give it the user's umask
        for relative, text in pages.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        (staging / MARQUE).write_text("Dossier produit par « charte-ia documenter » : ne pas modifier.\n",
                                      encoding="utf-8")
        # The old catalogue is moved to a fresh name of its own, then removed: nothing else
        # beside it (a folder of the user's, whatever its name) is ever touched.
        old = Path(tempfile.mkdtemp(prefix=f".{sortie.name}.ancien-", dir=sortie.parent))
        if sortie.exists():
            os.replace(sortie, old / sortie.name)
        os.replace(staging, sortie)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as error:
        raise cannot_write(sortie, error) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def all_pages(catalogue: Catalogue) -> dict[str, str]:
    """Every page of the catalogue, by path relative to its folder."""
    pages = {"index.md": _index(catalogue)}
    for unit in catalogue.units:
        pages[f"{unit.dossier}/index.md"] = (PackPage(catalogue, unit) if unit.est_paquet
                                             else CharterPage(catalogue, unit)).render()
        for regle in unit.propres:
            pages[unit.page(regle)] = RulePage(catalogue, unit, regle).render()
    champs = catalogue.all_fields()
    pages["champs/index.md"] = _fields_index(catalogue, champs)
    for champ in champs.values():
        pages[f"champs/{champ.chemin}.md"] = FieldPage(catalogue, champ).render()
    return pages


def _index(catalogue: Catalogue) -> str:
    md = Markdown()
    md.title("Catalogue des règles")
    md.para("Ces pages sont produites par `charte-ia documenter` à partir des fichiers des paquets et "
            "des chartes : elles sont régénérées à chaque construction du site et ne se modifient pas "
            f"à la main. Les exemples des règles y sont évalués au {date_fr(catalogue.jour)}.")
    packs = [u for u in catalogue.units if u.est_paquet]
    if packs:
        md.heading(2, "Paquets de règles")
        md.table(["Paquet", "Version", "Règles", "Description"],
                 [[md_link(u.charte.meta.titre, f"{u.dossier}/index.md"), u.charte.meta.version,
                   str(len(u.propres)), plain(first_sentence(u.charte.meta.description))] for u in packs])
    charters = [u for u in catalogue.units if not u.est_paquet]
    if charters:
        md.heading(2, "Chartes")
        md.table(["Charte", "Version", "Règles", "Paquets importés"],
                 [[md_link(u.charte.meta.titre, f"{u.dossier}/index.md"), u.charte.meta.version,
                   str(len(u.charte.regles)), str(len(u.charte.paquets))] for u in charters])
    md.heading(2, "La fiche projet")
    md.para(f"[Les {len(catalogue.all_fields())} champs de la fiche projet](champs/index.md), avec pour "
            "chacun sa question, son type, ses valeurs et les règles qui le lisent.")
    return md.text()

def _fields_index(catalogue: Catalogue, champs: dict[str, Champ]) -> str:
    md = Markdown()
    md.title("Les champs de la fiche projet")
    md.para("Chaque champ de la fiche projet (`fiche-projet-ia/1`), section par section, avec le nombre "
            "de règles et de qualifications documentées ici qui le lisent. Toute valeur peut aussi "
            "s'écrire `inconnu`.")
    for section in catalogue.sections:
        members = [c for c in champs.values() if c.section == section.id]
        if not members:
            continue
        md.heading(2, plain(section.titre))
        md.table(["Champ", "Question", "Type", "Lu par"],
                 [[md_link(f"`{c.chemin}`", f"{c.chemin}.md"), plain(c.question), type_fr(c),
                   str(len(catalogue.usages.get(c.chemin, [])))] for c in members])
    return md.text()
