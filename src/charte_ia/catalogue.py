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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from charte_ia import cel
from charte_ia.charter import Charte, Gabarit, Modification, Regle, describe_period, describe_severities
from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, date_fr, valeur_fr
from charte_ia.engine import fields_of
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.load import charter_from_document
from charte_ia.model import DEBUT_DES_TEMPS, Champ, Combinaison, PorteeRegle, Reference, TypeChamp
from charte_ia.output import cannot_write, new_folder_mode
from charte_ia.packs import PAQUETS_INTEGRES, paquets_integres
from charte_ia.source import Document, read_bytes
from charte_ia.tester import ResultatExemple, example_results

MARQUE = ".catalogue-charte-ia"
"""File that marks a folder as a generated catalogue, which may be replaced as a whole."""
CHARTES_INTEGREES = "chartes"
"""Folder of the package that holds the model charters."""

_TYPES = {TypeChamp.BOOLEEN: "oui ou non", TypeChamp.TEXTE: "texte", TypeChamp.ENTIER: "nombre entier",
          TypeChamp.DECIMAL: "nombre décimal", TypeChamp.DATE: "date (AAAA-MM-JJ)",
          TypeChamp.URL: "adresse web", TypeChamp.ENUM: "une valeur parmi une liste",
          TypeChamp.PAYS: "pays (code ISO à deux lettres)", TypeChamp.LISTE: "liste"}
_EXAMPLE_VALUES = {TypeChamp.BOOLEEN: "true", TypeChamp.TEXTE: "« … »", TypeChamp.ENTIER: "12",
                   TypeChamp.DECIMAL: "0.5", TypeChamp.DATE: "2026-09-01", TypeChamp.URL: "https://…",
                   TypeChamp.PAYS: "FR"}
_ALWAYS = {
    PorteeRegle.TOUT_PROJET: "Toujours, à tout projet déclaré.",
    PorteeRegle.SYSTEMES_IA: "À tout système d'IA.",
    PorteeRegle.ALGORITHMES: "À tout système d'IA, et à tout traitement algorithmique qui fonde des "
                             "décisions individuelles, qu'il relève de l'IA ou non.",
}
_STATUS_SIGNS = {"conforme": "✔", "non_conforme": "✘", "non_applicable": "–", "indetermine": "?",
                 "erreur": "⚠", "derogee": "≈"}


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
    units = _units(documents, jour, limits)
    catalogue = _Catalogue(units, jour)
    return catalogue.pages()


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


# --- What is documented ---------------------------------------------------------------------


@dataclass
class _Unit:
    """One documented file: a pack or a charter, compiled, with its examples run."""

    document: Document
    charte: Charte
    exemples: dict[str, list[ResultatExemple]]

    @property
    def est_paquet(self) -> bool:
        return self.charte.est_paquet

    @property
    def dossier(self) -> str:
        if self.est_paquet:
            return f"paquets/{self.charte.meta.id}"
        return f"chartes/{Path(self.document.name).stem}"

    @property
    def nom(self) -> str:
        meta = self.charte.meta
        return f"{meta.id} {meta.version}" if self.est_paquet else meta.titre

    @property
    def propres(self) -> list[Regle]:
        """The rules the file defines itself."""
        return [r for r in self.charte.regles if r.espace == ""]

    def page(self, regle: Regle) -> str:
        return f"{self.dossier}/{regle.source.id}.md"

    @property
    def source(self) -> dict[str, Any]:
        return self.document.data if isinstance(self.document.data, dict) else {}


def _units(documents: Sequence[Document], jour: date, limits: Limits) -> list[_Unit]:
    units = []
    problems: list[Diagnostic] = []
    for document in documents:
        try:
            charte = charter_from_document(document, limits=limits)
            results: dict[str, list[ResultatExemple]] = {}
            for outcome in example_results(charte, document, jour):
                results.setdefault(outcome.regle, []).append(outcome)
        except InvalidInputError as error:
            problems.extend(error.diagnostics)
            continue
        units.append(_Unit(document, charte, results))
    if problems:
        raise InvalidInputError(problems)
    seen: dict[str, str] = {}
    for unit in units:
        if unit.dossier in seen:
            problems.append(Diagnostic("catalogue-doublon",
                                       f"« {unit.document.name} » et « {seen[unit.dossier]} » seraient "
                                       f"documentés sur la même page ({unit.dossier})",
                                       Location(unit.document.name),
                                       "un paquet est documenté une seule fois, dans une seule version"))
        seen[unit.dossier] = unit.document.name
    if problems:
        raise InvalidInputError(problems)
    return units


@dataclass
class _Use:
    """A rule or qualification that reads a field."""

    unit: _Unit
    nom: str
    titre: str
    page: str | None
    direct: bool


@dataclass
class _Catalogue:
    units: list[_Unit]
    jour: date
    usages: dict[str, list[_Use]] = field(default_factory=dict)
    origines: dict[str, _Unit] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.packs = {u.charte.meta.id: u for u in self.units if u.est_paquet}
        self.sections = self.units[0].charte.vocabulaire.sections if self.units else ()
        for unit in self.units:
            self._index_fields(unit)

    # - Index of who reads each field ---------------------------------------------------------

    def _index_fields(self, unit: _Unit) -> None:
        charte = unit.charte
        base = charte.vocabulaire
        for chemin in base.champs:
            self.origines.setdefault(chemin, unit)
        for qualification in charte.qualifications:
            if qualification.espace == "":
                direct = {"projet." + c for c in qualification.expression.chemins("projet")}
                for chemin in sorted(fields_of(charte, qualification.expression, "")):
                    self.usages.setdefault(chemin, []).append(_Use(
                        unit, f"qualif.{qualification.id}", qualification.titre,
                        f"{unit.dossier}/index.md#qualif-{qualification.id}", chemin in direct))
        for regle in unit.propres:
            direct = set()
            every: set[str] = set()
            for expression in _expressions(regle):
                direct |= {"projet." + c for c in expression.chemins("projet")}
                every |= fields_of(charte, expression, "")
            for chemin in sorted(every):
                self.usages.setdefault(chemin, []).append(
                    _Use(unit, regle.id, regle.titre, unit.page(regle), chemin in direct))

    def _added_by(self, chemin: str) -> _Unit | None:
        """The pack or charter that adds this field to the vocabulary, if not the base one."""
        for unit in self.units:
            added = unit.source.get("champs") or []
            if any(isinstance(c, dict) and c.get("chemin") == chemin for c in added):
                return unit
        return None

    # - Pages ----------------------------------------------------------------------------------

    def pages(self) -> dict[str, str]:
        pages = {"index.md": self._index()}
        for unit in self.units:
            pages[f"{unit.dossier}/index.md"] = (_PackPage(self, unit) if unit.est_paquet
                                                 else _CharterPage(self, unit)).render()
            for regle in unit.propres:
                pages[unit.page(regle)] = _RulePage(self, unit, regle).render()
        champs = self._all_fields()
        pages["champs/index.md"] = self._fields_index(champs)
        for champ in champs.values():
            pages[f"champs/{champ.chemin}.md"] = _FieldPage(self, champ).render()
        return pages

    def _all_fields(self) -> dict[str, Champ]:
        champs: dict[str, Champ] = {}
        for unit in self.units:
            for chemin, champ in unit.charte.vocabulaire.champs.items():
                champs.setdefault(chemin, champ)
        return champs

    def _index(self) -> str:
        md = _Markdown()
        md.title("Catalogue des règles")
        md.para("Ces pages sont produites par `charte-ia documenter` à partir des fichiers des paquets et "
                "des chartes : elles sont régénérées à chaque construction du site et ne se modifient pas "
                f"à la main. Les exemples des règles y sont évalués au {date_fr(self.jour)}.")
        packs = [u for u in self.units if u.est_paquet]
        if packs:
            md.heading(2, "Paquets de règles")
            md.table(["Paquet", "Version", "Règles", "Description"],
                     [[_link(u.charte.meta.titre, f"{u.dossier}/index.md"), u.charte.meta.version,
                       str(len(u.propres)), _md(_first_sentence(u.charte.meta.description))] for u in packs])
        charters = [u for u in self.units if not u.est_paquet]
        if charters:
            md.heading(2, "Chartes")
            md.table(["Charte", "Version", "Règles", "Paquets importés"],
                     [[_link(u.charte.meta.titre, f"{u.dossier}/index.md"), u.charte.meta.version,
                       str(len(u.charte.regles)), str(len(u.charte.paquets))] for u in charters])
        md.heading(2, "La fiche projet")
        md.para(f"[Les {len(self._all_fields())} champs de la fiche projet](champs/index.md), avec pour "
                "chacun sa question, son type, ses valeurs et les règles qui le lisent.")
        return md.text()

    def _fields_index(self, champs: dict[str, Champ]) -> str:
        md = _Markdown()
        md.title("Les champs de la fiche projet")
        md.para("Chaque champ de la fiche projet (`fiche-projet-ia/1`), section par section, avec le nombre "
                "de règles et de qualifications documentées ici qui le lisent. Toute valeur peut aussi "
                "s'écrire `inconnu`.")
        for section in self.sections:
            members = [c for c in champs.values() if c.section == section.id]
            if not members:
                continue
            md.heading(2, _md(section.titre))
            md.table(["Champ", "Question", "Type", "Lu par"],
                     [[_link(f"`{c.chemin}`", f"{c.chemin}.md"), _md(c.question), _type_fr(c),
                       str(len(self.usages.get(c.chemin, [])))] for c in members])
        return md.text()

    # - Names in words --------------------------------------------------------------------------

    def nommer(self, unit: _Unit, espace: str, depuis: str) -> cel.Nommer:
        """Labels for the names an expression of ``unit`` reads, as links from page ``depuis``."""
        charte = unit.charte

        def name(chemin: str) -> str | None:
            root, _, rest = chemin.partition(".")
            if root == "projet":
                champ = charte.vocabulaire.champ(chemin)
                if champ is None:
                    return None
                return _link(f"« {champ.question} »", _relative(depuis, f"champs/{chemin}.md"))
            if root == "qualif":
                qualification = charte.qualification(charte.nom_complet(espace, rest))
                if qualification is None:
                    return None
                return f"« {_md(qualification.titre)} »"
            if root == "param":
                full = charte.nom_complet(espace, rest)
                return f"le paramètre `{full}` ({_md(_dated(charte.parametres.get(full, ())))})"
            return None
        return name

    def parameter_spec(self, unit: _Unit, name: str) -> dict[str, Any]:
        """The parameter as written in its pack or charter: description, ``verrouille``…"""
        espace, _, local = name.rpartition(".")
        owner = unit
        if espace:
            pack = next((p for p in unit.charte.paquets if p.espace == espace), None)
            owner = self.packs.get(pack.id) if pack else None  # type: ignore[assignment]
        spec = (owner.source.get("parametres") or {}).get(local) if owner else None
        return spec if isinstance(spec, dict) else {}

    def rule_link(self, regle: Regle, depuis: str) -> str:
        """A link to the page of ``regle`` (imported or local), or its plain id."""
        provenance = regle.provenance
        if provenance is not None and provenance.paquet in self.packs:
            target = f"paquets/{provenance.paquet}/{regle.source.id}.md"
            return _link(f"`{regle.id}`", _relative(depuis, target))
        return f"`{regle.id}`"


def _expressions(regle: Regle) -> list[cel.Expression]:
    expressions = [c.expression for c in regle.clauses] + [e.condition for e in regle.exceptions]
    if regle.applicable_si is not None:
        expressions.append(regle.applicable_si)
    return expressions


# --- Pages ----------------------------------------------------------------------------------


class _PackPage:
    def __init__(self, catalogue: _Catalogue, unit: _Unit) -> None:
        self.catalogue = catalogue
        self.unit = unit
        self.here = f"{unit.dossier}/index.md"

    def render(self) -> str:
        unit, meta = self.unit, self.unit.charte.meta
        md = _Markdown()
        md.title(f"{_md(meta.titre)}")
        md.facts([("Paquet", f"`{meta.id}`"), ("Version", meta.version), ("Licence", meta.licence or "—"),
                  ("Fichier", f"`{unit.document.name}`"), ("Empreinte sha256", f"`{unit.charte.sha256}`")])
        if meta.description:
            md.para(_md(meta.description))
        md.para(f"Pour l'importer dans une charte : `{{paquet: {meta.id}, version: {meta.version}, "
                f"espace: …}}` dans `importe:` (voir [Paquets de règles](../../../paquets.md)).")
        _parameters_section(md, self.catalogue, unit)
        _qualifications_section(md, self.catalogue, unit, self.here)
        _added_fields_section(md, unit, self.here)
        md.heading(2, f"Règles ({len(unit.propres)})")
        md.table(["Règle", "Titre", "Principe", "Sévérité"],
                 [[_link(f"`{r.id}`", f"{r.source.id}.md") + (" 🔒" if r.verrouille else ""), _md(r.titre),
                   _md(unit.charte.principes.get(r.principe, r.principe)), describe_severities(r.severites)]
                  for r in unit.propres])
        if any(r.verrouille for r in unit.propres):
            md.para("🔒 : règle verrouillée — une charte peut la renforcer, jamais l'assouplir ni la "
                    "désactiver.")
        return md.text()


class _CharterPage:
    def __init__(self, catalogue: _Catalogue, unit: _Unit) -> None:
        self.catalogue = catalogue
        self.unit = unit
        self.here = f"{unit.dossier}/index.md"

    def render(self) -> str:
        unit, charte, meta = self.unit, self.unit.charte, self.unit.charte.meta
        md = _Markdown()
        md.title(_md(meta.titre))
        facts = [("Identifiant", f"`{meta.id}`"), ("Version", meta.version),
                 ("Éditeur", _md(meta.editeur.nom) if meta.editeur else "—")]
        if meta.adoption:
            adoption = meta.adoption
            text = (f"{_md(adoption.instance)}, délibération {_md(adoption.deliberation)} "
                    f"du {date_fr(adoption.date)}")
            facts.append(("Adoption", _link(text, adoption.url) if adoption.url else text))
        facts += [("En vigueur", describe_period(meta.en_vigueur)),
                  ("Licence", meta.licence or "—"), ("Fichier", f"`{unit.document.name}`"),
                  ("Empreinte sha256", f"`{charte.sha256}`")]
        md.facts(facts)
        if meta.description:
            md.para(_md(meta.description))
        md.para("Vue fusionnée : les règles des paquets importés, avec les modifications que la charte leur "
                "apporte. Un assouplissement est toujours accompagné de son motif.")
        if charte.paquets:
            md.heading(2, "Paquets importés")
            md.table(["Paquet", "Version", "Espace de noms", "Empreinte sha256"],
                     [[self._pack_link(p.id, p.titre), p.version, f"`{p.espace}`", f"`{p.sha256[:16]}…`"]
                      for p in charte.paquets])
        self._changes(md)
        _parameters_section(md, self.catalogue, unit, fusion=True)
        _qualifications_section(md, self.catalogue, unit, self.here)
        _added_fields_section(md, unit, self.here)
        self._rules(md)
        return md.text()

    def _pack_link(self, pack_id: str, titre: str) -> str:
        if pack_id in self.catalogue.packs:
            return _link(_md(titre), _relative(self.here, f"paquets/{pack_id}/index.md"))
        return _md(titre)

    def _changes(self, md: _Markdown) -> None:
        charte = self.unit.charte
        own = [m for m in charte.modifications if m.nature != "parametre"]
        if own:
            md.heading(2, "Modifications des règles importées")
            md.table(["Règle", "Modification", "Assouplit ?", "Motif", "Écrite"],
                     [self._change_row(m) for m in own])
        if charte.desactivees:
            md.heading(2, "Règles désactivées")
            md.table(["Règle", "Titre", "Motif", "Écrite"],
                     [[f"`{d.id}`", _md(d.titre), _md(d.motif), _where(d.location)]
                      for d in charte.desactivees])

    def _change_row(self, change: Modification) -> list[str]:
        regle = self.unit.charte.regle(change.cible)
        target = self.catalogue.rule_link(regle, self.here) if regle else f"`{change.cible}`"
        return [target, _md(change.description), "**oui**" if change.assouplissement else "non",
                _md(change.motif) if change.motif else "—", _where(change.location)]

    def _rules(self, md: _Markdown) -> None:
        charte, jour = self.unit.charte, self.catalogue.jour
        md.heading(2, f"Règles ({len(charte.regles)})")
        md.para(f"Sévérité dans cette charte, et sévérité au {date_fr(jour)} entre crochets quand elle "
                "change avec le temps. ✎ : modifiée par la charte ; ⚠ : assouplie (avec motif).")
        for principe, titre in charte.principes.items():
            rules = [r for r in charte.regles if r.principe == principe]
            if not rules:
                continue
            md.heading(3, _md(titre))
            rows = []
            for regle in rules:
                if regle.provenance is None:
                    link = _link(f"`{regle.id}`", f"{regle.source.id}.md")
                    origin = "la charte"
                else:
                    link = self.catalogue.rule_link(regle, self.here)
                    origin = f"{regle.provenance.paquet} {regle.provenance.version}"
                mark = " ⚠" if regle.assouplie else (" ✎" if regle.modifications else "")
                severite = describe_severities(regle.severites)
                if len(regle.severites) > 1:
                    now = regle.severite_au(jour)
                    severite += f" [{now.value if now else 'pas encore en vigueur'}]"
                rows.append([link + mark, _md(regle.titre), severite, origin])
            md.table(["Règle", "Titre", "Sévérité", "Origine"], rows)


class _RulePage:
    def __init__(self, catalogue: _Catalogue, unit: _Unit, regle: Regle) -> None:
        self.catalogue = catalogue
        self.unit = unit
        self.regle = regle
        self.here = unit.page(regle)
        self.nommer = catalogue.nommer(unit, "", self.here)

    def render(self) -> str:
        regle, unit, source = self.regle, self.unit, self.regle.source
        md = _Markdown()
        md.title(f"{regle.id} — {_md(regle.titre)}")
        md.facts([(("Paquet" if unit.est_paquet else "Charte"), _link(_md(unit.nom), "index.md")),
                  ("Principe", _md(unit.charte.principes.get(regle.principe, regle.principe))),
                  ("Sévérité", describe_severities(regle.severites)),
                  ("Concerne", regle.source.portee.libelle),
                  ("Nature", regle.source.nature.libelle),
                  ("En vigueur", _period(regle))])
        if regle.verrouille:
            md.admonition("warning", "Règle verrouillée",
                          "Une charte qui importe ce paquet peut la renforcer, jamais l'assouplir "
                          "ni la désactiver.")
        if source.a_verifier:
            md.admonition("note", "À faire vérifier par un juriste", _md(source.a_verifier))
        if source.description:
            md.para(_md(source.description))
        self._severities(md)
        md.heading(2, "Quand la règle s'applique")
        scope = regle.source.portee
        if regle.applicable_si is None:
            md.para(_ALWAYS[scope])
        else:
            if scope is not PorteeRegle.TOUT_PROJET:
                md.para(f"Parmi {scope.libelle} :")
            self._expression(md, regle.applicable_si)
        self._requirement(md)
        self._exceptions(md)
        md.heading(2, "Message quand elle n'est pas respectée")
        md.para(_template(regle.message))
        if regle.remediation is not None:
            md.heading(2, "Que faire")
            md.para(_template(regle.remediation))
        _references(md, regle.references)
        self._fields(md)
        self._examples(md)
        self._in_charters(md)
        md.heading(2, "Provenance")
        md.para(f"Écrite dans `{unit.document.name}`, ligne {regle.location.line}"
                + (f", revue le {date_fr(source.revu_le)}" if source.revu_le else "") + ".")
        return md.text()

    def _severities(self, md: _Markdown) -> None:
        if len(self.regle.severites) < 2:
            return
        md.heading(2, "Sévérité dans le temps")
        md.table(["À partir du", "Sévérité"],
                 [["(toujours)" if day == DEBUT_DES_TEMPS else date_fr(day), severite.value]
                  for day, severite in self.regle.severites])

    def _expression(self, md: _Markdown, expression: cel.Expression) -> None:
        md.para(cel.in_words(expression, self.nommer))
        md.code(expression.source.strip())

    def _requirement(self, md: _Markdown) -> None:
        regle = self.regle
        md.heading(2, "Ce qu'elle exige")
        if len(regle.clauses) > 1:
            md.para("Toutes les clauses suivantes." if regle.combinaison is Combinaison.TOUTES
                    else "Au moins une des clauses suivantes.")
        for clause in regle.clauses:
            if len(regle.clauses) > 1:
                md.heading(3, f"Clause « {clause.id} »")
            self._expression(md, clause.expression)
            if clause.message is not None:
                md.para(f"Message si elle n'est pas respectée : {(_template(clause.message))}")

    def _exceptions(self, md: _Markdown) -> None:
        if not self.regle.exceptions:
            return
        md.heading(2, "Exceptions")
        for exception in self.regle.exceptions:
            effet = ("la règle ne s'applique pas" if exception.effet.value == "non_applicable"
                     else "la règle est réputée respectée")
            md.heading(3, f"« {exception.id} » : {effet}")
            self._expression(md, exception.condition)
            md.para(f"Justification : {_md(exception.justification)}")
            if exception.references:
                md.bullets(_reference(r) for r in exception.references)

    def _fields(self, md: _Markdown) -> None:
        charte = self.unit.charte
        direct: set[str] = set()
        every: set[str] = set()
        parameters: set[str] = set()
        for expression in _expressions(self.regle):
            direct |= {"projet." + c for c in expression.chemins("projet")}
            every |= fields_of(charte, expression, "")
            parameters |= {charte.nom_complet("", c) for c in expression.chemins("param")}
        if every:
            md.heading(2, "Champs de la fiche lus")
            lines = []
            for chemin in sorted(every, key=charte.vocabulaire.ordre):
                champ = charte.vocabulaire.champ(chemin)
                how = "" if chemin in direct else " (par une qualification)"
                lines.append(_link(f"`{chemin}`", _relative(self.here, f"champs/{chemin}.md"))
                             + (f" — {_md(champ.question)}" if champ else "") + how)
            md.bullets(lines)
        if parameters:
            md.heading(2, "Paramètres")
            md.bullets(f"`{name}` : {_md(_dated(charte.parametres.get(name, ())))}"
                       for name in sorted(parameters))

    def _examples(self, md: _Markdown) -> None:
        outcomes = self.unit.exemples.get(self.regle.id, [])
        if not outcomes:
            return
        md.heading(2, f"Exemples ({len(outcomes)})")
        md.para("Chaque exemple est une fiche partielle écrite dans la règle ; « obtenu » est le statut "
                f"que la règle donne réellement (évalué au {date_fr(self.catalogue.jour)} ou à la date "
                "de l'exemple).")
        md.table(["Exemple", "Date", "Attendu", "Obtenu"],
                 [[_md(o.nom), date_fr(o.jour), _status(o.attendu),
                   _status(o.resultat.statut.value) + ("" if o.reussi else " — **écart**")]
                  for o in outcomes])

    def _in_charters(self, md: _Markdown) -> None:
        if not self.unit.est_paquet:
            return
        lines = []
        for unit in self.catalogue.units:
            if unit.est_paquet:
                continue
            link = _link(_md(unit.charte.meta.titre), _relative(self.here, f"{unit.dossier}/index.md"))
            pack, local = self.unit.charte.meta.id, self.regle.source.id
            imported = [r for r in unit.charte.regles if r.provenance is not None
                        and r.provenance.paquet == pack and r.source.id == local]
            off = [d for d in unit.charte.desactivees if d.provenance is not None
                   and d.provenance.paquet == pack and d.id.endswith("." + local)]
            for regle in imported:
                changes = "; ".join(_md(m.description) + (f" (motif : {_md(m.motif)})" if m.motif else "")
                                    for m in regle.modifications)
                lines.append(f"{link} : `{regle.id}`, {describe_severities(regle.severites)}"
                             + (f" — modifiée : {changes}" if changes else " — telle quelle"))
            for switched in off:
                lines.append(f"{link} : **désactivée** — motif : {_md(switched.motif)}")
        if lines:
            md.heading(2, "Dans les chartes documentées")
            md.bullets(lines)


class _FieldPage:
    def __init__(self, catalogue: _Catalogue, champ: Champ) -> None:
        self.catalogue = catalogue
        self.champ = champ
        self.here = f"champs/{champ.chemin}.md"

    def render(self) -> str:
        champ = self.champ
        md = _Markdown()
        md.title(f"`{champ.chemin}`")
        md.para(f"**{_md(champ.question)}**")
        section = next((s.titre for s in self.catalogue.sections if s.id == champ.section), champ.section)
        facts = [("Section", _md(section)), ("Type", _type_fr(champ)),
                 ("Obligatoire", "oui" if champ.obligatoire else "non")]
        if champ.unite:
            facts.append(("Unité", _md(champ.unite)))
        if champ.type is TypeChamp.LISTE:
            facts.append(("Nombre de valeurs", f"au plus {champ.max_elements}"))
        md.facts(facts)
        if champ.aide:
            md.para(_md(champ.aide))
        values = champ.valeurs or (champ.element.valeurs if champ.element else ())
        if values:
            md.heading(2, "Valeurs possibles")
            md.bullets(f"`{v}`" for v in values)
        md.para("La réponse `inconnu` est toujours possible : une règle qui a besoin de ce champ est alors "
                "« indéterminée » et la fiche « incomplète ».")
        md.heading(2, "Dans la fiche")
        md.code(_yaml_example(champ), "yaml")
        _references(md, champ.references)
        added = self.catalogue._added_by(champ.chemin)
        if added is not None:
            owner = _link(_md(added.nom), _relative(self.here, f"{added.dossier}/index.md"))
            md.admonition("info", "Champ ajouté",
                          f"Ajouté au vocabulaire par {owner} :"
                          " une fiche qui le remplit ne se lit qu'avec ce paquet ou cette charte.")
        self._uses(md)
        return md.text()

    def _uses(self, md: _Markdown) -> None:
        uses = self.catalogue.usages.get(self.champ.chemin, [])
        md.heading(2, f"Lu par ({len(uses)})")
        if not uses:
            md.para("Aucune règle ni qualification documentée ici ne lit ce champ : il sert à la description "
                    "du projet et aux rapports.")
            return
        md.table(["Règle ou qualification", "Titre", "Dans", "Lecture"],
                 [[_link(f"`{u.nom}`", _relative(self.here, u.page) if u.page else None), _md(u.titre),
                   _md(u.unit.nom), "directe" if u.direct else "par une qualification"] for u in uses])


# --- Shared sections ------------------------------------------------------------------------


def _parameters_section(md: _Markdown, catalogue: _Catalogue, unit: _Unit, *, fusion: bool = False) -> None:
    charte = unit.charte
    names = list(charte.parametres) if fusion else [
        n for n in charte.parametres if n in (unit.source.get("parametres") or {})]
    if not names:
        return
    md.heading(2, "Paramètres")
    rows = []
    for name in names:
        spec = catalogue.parameter_spec(unit, name)
        changes = [m for m in charte.modifications if m.nature == "parametre" and m.cible == f"param.{name}"]
        note = "; ".join(_md(m.description) + (f" — motif : {_md(m.motif)}" if m.motif else "")
                         for m in changes)
        locked = " 🔒" if spec.get("verrouille") is True else ""
        description = _md(str(spec.get("description") or ""))
        if spec.get("justification"):
            description += " *Pourquoi cette valeur :* " + _md(str(spec["justification"]))
        rows.append([f"`{name}`{locked}", description, _md(_dated(charte.parametres[name])), note or "—"])
    last = "Modifié par la charte" if fusion else "Modifications"
    md.table(["Paramètre", "Description", "Valeurs", last], rows)
    if any("🔒" in row[0] for row in rows):
        md.para("🔒 : paramètre verrouillé par son paquet — une charte ne peut pas en changer la "
                "valeur.")


def _qualifications_section(md: _Markdown, catalogue: _Catalogue, unit: _Unit, here: str) -> None:
    own = [q for q in unit.charte.qualifications if q.espace == ""]
    if not own:
        return
    declared = unit.source.get("qualifications") or {}
    md.heading(2, "Qualifications")
    md.para("Une qualification est une étiquette calculée une fois par fiche, avant les règles, que les "
            "règles lisent sous la forme `qualif.nom`.")
    nommer = catalogue.nommer(unit, "", here)
    for qualification in own:
        md.heading(3, f"`{qualification.id}` — {_md(qualification.titre)} {{#qualif-{qualification.id}}}")
        spec = declared.get(qualification.id)
        if isinstance(spec, dict) and spec.get("description"):
            md.para(_md(str(spec["description"])))
        md.para("Vraie si : " + cel.in_words(qualification.expression, nommer))
        md.code(qualification.expression.source.strip())
        if qualification.references:
            md.bullets(_reference(r) for r in qualification.references)


def _added_fields_section(md: _Markdown, unit: _Unit, here: str) -> None:
    added = [c for c in unit.source.get("champs") or [] if isinstance(c, dict)]
    if not added:
        return
    md.heading(2, "Champs ajoutés à la fiche")
    md.bullets(_link(f"`{c.get('chemin')}`", _relative(here, f"champs/{c.get('chemin')}.md"))
               + f" — {_md(str(c.get('question', '')))}" for c in added)


def _references(md: _Markdown, references: Iterable[Reference]) -> None:
    items = [_reference(r) for r in references]
    if items:
        md.heading(2, "Références")
        md.bullets(items)


def _reference(reference: Reference) -> str:
    text = _md(reference.texte)
    if reference.articles:
        text += ", art. " + ", ".join(_md(a) for a in reference.articles)
    return f"{text} — {_link('texte officiel', reference.url)}" if reference.url else text


# --- Markdown -------------------------------------------------------------------------------


class _Markdown:
    """A Markdown page, built block by block."""

    def __init__(self) -> None:
        self.blocks: list[str] = []

    def title(self, text: str) -> None:
        self.blocks.append(f"# {text}")

    def heading(self, level: int, text: str) -> None:
        self.blocks.append(f"{'#' * level} {text}")

    def para(self, text: str) -> None:
        self.blocks.append(text.strip())

    def facts(self, items: Sequence[tuple[str, str]]) -> None:
        self.blocks.append("\n".join(f"- **{label}** : {value}" for label, value in items))

    def bullets(self, items: Iterable[str]) -> None:
        self.blocks.append("\n".join(f"- {item}" for item in items))

    def code(self, text: str, language: str = "text") -> None:
        self.blocks.append(f"```{language}\n{text}\n```")

    def admonition(self, kind: str, title: str, text: str) -> None:
        self.blocks.append(f'!!! {kind} "{title}"\n\n    {text}')

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(cell.replace("\n", " ").replace("|", "\\|") for cell in row) + " |"
                  for row in rows]
        self.blocks.append("\n".join(lines))

    def text(self) -> str:
        return "\n\n".join(self.blocks) + "\n"


_ESCAPED = str.maketrans({"\\": "\\\\", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "#": "\\#",
                          "<": "&lt;", ">": "&gt;", "`": "\\`"})


def _md(text: str | None) -> str:
    """Plain text made safe for Markdown: no markup, no HTML."""
    return " ".join((text or "").split()).translate(_ESCAPED)


def _link(text: str, target: str | None) -> str:
    return f"[{text}]({target})" if target else text


def _relative(depuis: str, cible: str) -> str:
    """The link from page ``depuis`` to page ``cible``, both relative to the catalogue."""
    anchor = ""
    if "#" in cible:
        cible, anchor = cible.split("#", 1)
        anchor = "#" + anchor
    return os.path.relpath(cible, os.path.dirname(depuis) or ".").replace(os.sep, "/") + anchor


def _where(location: Location) -> str:
    return f"`{Path(location.file).name}:{location.line}`" if location.line else f"`{location.file}`"


def _first_sentence(text: str | None) -> str:
    text = " ".join((text or "").split())
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


def _type_fr(champ: Champ) -> str:
    if champ.type is TypeChamp.LISTE and champ.element is not None:
        return f"liste ({_TYPES[champ.element.type]})"
    return _TYPES[champ.type]


def _status(value: str) -> str:
    return f"{_STATUS_SIGNS.get(value, '')} {value.replace('_', ' ')}".strip()


def _dated(dated: Sequence[tuple[date, Any]]) -> str:
    parts = [valeur_fr(value, crochets=True)
             + ("" if day == DEBUT_DES_TEMPS else f" à partir du {date_fr(day)}") for day, value in dated]
    return ", puis ".join(parts) if parts else "aucune valeur"


def _period(regle: Regle) -> str:
    return "comme la charte qui l'applique" if regle.en_vigueur is None else describe_period(regle.en_vigueur)


def _template(gabarit: Gabarit) -> str:
    """A message in Markdown: its text escaped, its ``{{ expression }}`` parts as code."""
    return "".join(_md(m) if isinstance(m, str) else "`{{ " + m.source + " }}`" for m in gabarit.morceaux)


def _yaml_example(champ: Champ) -> str:
    steps = champ.chemin.split(".")
    if champ.type is TypeChamp.ENUM:
        value = champ.valeurs[0] if champ.valeurs else "…"
    elif champ.type is TypeChamp.LISTE:
        element = champ.element
        first = (element.valeurs[0] if element and element.valeurs
                 else _EXAMPLE_VALUES.get(element.type if element else TypeChamp.TEXTE, "…"))
        value = f"[{first}]"
    else:
        value = _EXAMPLE_VALUES.get(champ.type, "…")
    lines = [f"{'  ' * depth}{step}:" for depth, step in enumerate(steps[:-1])]
    lines.append(f"{'  ' * (len(steps) - 1)}{steps[-1]}: {value}   # ou : inconnu")
    return "\n".join(lines)
