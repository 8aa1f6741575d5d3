"""What the catalogue documents: each file compiled with its examples run, and who reads each field."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from charte_ia import cel
from charte_ia.catalogue.markdown import dated_values, md_link, plain, relative
from charte_ia.charter import Charte, Regle
from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location
from charte_ia.engine import fields_of
from charte_ia.limits import Limits
from charte_ia.load import charter_from_document
from charte_ia.model import Champ
from charte_ia.source import Document
from charte_ia.tester import ResultatExemple, example_results


@dataclass
class Unit:
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


def units_of(documents: Sequence[Document], jour: date, limits: Limits) -> list[Unit]:
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
        units.append(Unit(document, charte, results))
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


@dataclass(kw_only=True)
class Use:
    """A rule or qualification that reads a field."""

    unit: Unit
    nom: str
    titre: str
    page: str | None
    direct: bool


@dataclass
class Catalogue:
    units: list[Unit]
    jour: date
    usages: dict[str, list[Use]] = field(default_factory=dict)
    origines: dict[str, Unit] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.packs = {u.charte.meta.id: u for u in self.units if u.est_paquet}
        self.sections = self.units[0].charte.vocabulaire.sections if self.units else ()
        for unit in self.units:
            self._index_fields(unit)

    # - Index of who reads each field ---------------------------------------------------------

    def _index_fields(self, unit: Unit) -> None:
        charte = unit.charte
        base = charte.vocabulaire
        for chemin in base.champs:
            self.origines.setdefault(chemin, unit)
        for qualification in charte.qualifications:
            if qualification.espace == "":
                direct = {"projet." + c for c in qualification.expression.chemins("projet")}
                for chemin in sorted(fields_of(charte, qualification.expression, "")):
                    self.usages.setdefault(chemin, []).append(Use(
                        unit=unit, nom=f"qualif.{qualification.id}", titre=qualification.titre,
                        page=f"{unit.dossier}/index.md#qualif-{qualification.id}", direct=chemin in direct))
        for regle in unit.propres:
            direct = set()
            every: set[str] = set()
            for expression in expressions_of(regle):
                direct |= {"projet." + c for c in expression.chemins("projet")}
                every |= fields_of(charte, expression, "")
            for chemin in sorted(every):
                self.usages.setdefault(chemin, []).append(
                    Use(
                        unit=unit,
                        nom=regle.id,
                        titre=regle.titre,
                        page=unit.page(regle),
                        direct=chemin in direct,
                    )
                )

    def _added_by(self, chemin: str) -> Unit | None:
        """The pack or charter that adds this field to the vocabulary, if not the base one."""
        for unit in self.units:
            added = unit.source.get("champs") or []
            if any(isinstance(c, dict) and c.get("chemin") == chemin for c in added):
                return unit
        return None


    def all_fields(self) -> dict[str, Champ]:
        champs: dict[str, Champ] = {}
        for unit in self.units:
            for chemin, champ in unit.charte.vocabulaire.champs.items():
                champs.setdefault(chemin, champ)
        return champs


    # - Names in words --------------------------------------------------------------------------

    def nommer(self, unit: Unit, espace: str, depuis: str) -> cel.Nommer:
        """Labels for the names an expression of ``unit`` reads, as links from page ``depuis``."""
        charte = unit.charte

        def name(chemin: str) -> str | None:
            root, _, rest = chemin.partition(".")
            if root == "projet":
                champ = charte.vocabulaire.champ(chemin)
                if champ is None:
                    return None
                return md_link(f"« {champ.question} »", relative(depuis, f"champs/{chemin}.md"))
            if root == "qualif":
                qualification = charte.qualification(charte.nom_complet(espace, rest))
                if qualification is None:
                    return None
                return f"« {plain(qualification.titre)} »"
            if root == "param":
                full = charte.nom_complet(espace, rest)
                return f"le paramètre `{full}` ({plain(dated_values(charte.parametres.get(full, ())))})"
            return None
        return name

    def parameter_spec(self, unit: Unit, name: str) -> dict[str, Any]:
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
            return md_link(f"`{regle.id}`", relative(depuis, target))
        return f"`{regle.id}`"


def expressions_of(regle: Regle) -> list[cel.Expression]:
    expressions = [c.expression for c in regle.clauses] + [e.condition for e in regle.exceptions]
    if regle.applicable_si is not None:
        expressions.append(regle.applicable_si)
    return expressions

