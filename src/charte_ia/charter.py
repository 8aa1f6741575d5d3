"""The compiled charter: what the engine evaluates, and what explanations show.

A :class:`Charte` is produced once by :func:`charte_ia.compiler.compile_charter` from a
charter file and the packs it imports, then evaluates any number of declarations. It is
the *merged* charter: imported rules carry their namespace (``communs.SOUV-01``), their
:class:`Provenance` (pack, version, file and line) and every local :class:`Modification`
made by an importer, loosenings marked as such with their ``motif``.

Namespaces nest: a pack imported under ``communs`` has its own parameters and
qualifications, which its rules read as ``param.x`` and ``qualif.y``; the charter reads
them as ``param.communs.x`` and ``qualif.communs.y``. Each namespace is a :class:`Portee`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from charte_ia import cel
from charte_ia.decision import PaquetImporte
from charte_ia.diagnostics import Diagnostic, Location, date_fr
from charte_ia.model import (
    DEBUT_DES_TEMPS,
    EffetException,
    MetaCharte,
    Periode,
    Reference,
    RegleFichier,
    Severite,
)
from charte_ia.vocabulary import Vocabulaire

RACINES = ("projet", "param", "qualif", "date")
"""The root names a CEL expression may use."""

RANG_SEVERITE = {Severite.INFO: 0, Severite.MINEUR: 1, Severite.MAJEUR: 2, Severite.BLOQUANT: 3}
"""Severities from the lightest to the gravest."""

T = TypeVar("T")


def joindre(espace: str, nom: str) -> str:
    """The full name of ``nom`` inside namespace ``espace`` (``""`` is the charter itself)."""
    return f"{espace}.{nom}" if espace else nom


@dataclass(frozen=True)
class Gabarit:
    """A message with ``{{ expression }}`` parts, rendered with the values of a declaration.

    Attributes:
        morceaux: Literal text and compiled expressions, in order.
    """

    morceaux: tuple[str | cel.Expression, ...]

    @property
    def expressions(self) -> tuple[cel.Expression, ...]:
        """The compiled expressions of the message."""
        return tuple(m for m in self.morceaux if isinstance(m, cel.Expression))


@dataclass(frozen=True)
class ClauseCompilee:
    """One clause of a requirement, compiled."""

    id: str
    expression: cel.Expression
    message: Gabarit | None
    location: Location


@dataclass(frozen=True)
class ExceptionCompilee:
    """One exception of a rule, compiled."""

    id: str
    condition: cel.Expression
    effet: EffetException
    justification: str
    references: tuple[Reference, ...]
    location: Location


@dataclass(frozen=True)
class Qualification:
    """A derived label, compiled; evaluated once per declaration, in charter order.

    Attributes:
        id: Full name, namespace included (``communs.aipd_requise``).
        espace: The namespace whose expressions it is written in.
    """

    id: str
    titre: str
    expression: cel.Expression
    references: tuple[Reference, ...]
    location: Location
    espace: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where an imported rule comes from.

    Attributes:
        paquet: The pack's id.
        version: The pack's version.
        espace: The namespace it was imported under (full, for nested imports).
        fichier: The pack file, as named in reports.
        ligne: The rule's line in that file.
        sha256: Hash of the pack file.
    """

    paquet: str
    version: str
    espace: str
    fichier: str
    ligne: int | None
    sha256: str


@dataclass(frozen=True)
class Modification:
    """One local change made by an importer to an imported rule or parameter.

    Attributes:
        cible: The full id of the rule, or ``param.<nom>`` for a parameter.
        nature: ``severite``, ``applicabilite``, ``exigence``, ``exceptions``, ``message``,
            ``remediation``, ``references``, ``desactivation`` or ``parametre``.
        description: The change, in French, as reports show it.
        assouplissement: Whether it loosens the rule (then it has a ``motif``).
        motif: Why, as written by the importer.
        auteur: The id of the charter or pack that made the change.
        location: Where the change is written.
    """

    cible: str
    nature: str
    description: str
    assouplissement: bool
    motif: str | None
    auteur: str
    location: Location


@dataclass(frozen=True)
class Regle:
    """A compiled rule (DESIGN §3), after the overrides of its importers.

    Attributes:
        id: Stable identifier, with its namespace for an imported rule.
        titre: Short title.
        principe: Key of the principle it belongs to.
        severites: Severity in force from each date, in date order.
        applicable_si: When the rule applies (``None`` = always).
        clauses: What it requires, as clauses.
        combinaison: ``toutes`` (all clauses) or ``une_de`` (at least one).
        exceptions: Cases where it does not apply or is deemed met.
        message: Message shown when the rule is not met.
        remediation: What to do about it.
        references: Legal and charter references.
        en_vigueur: When the rule is in force (``None`` = as the charter).
        location: Where the rule is written.
        source: The rule as written in its file.
        espace: The namespace its expressions are read in (``""`` for a local rule).
        provenance: The pack it comes from, for an imported rule.
        modifications: Local changes made by importers, in order.
        verrouille: Whether its pack forbids loosening it.
    """

    id: str
    titre: str
    principe: str
    severites: tuple[tuple[date, Severite], ...]
    applicable_si: cel.Expression | None
    clauses: tuple[ClauseCompilee, ...]
    combinaison: str
    exceptions: tuple[ExceptionCompilee, ...]
    message: Gabarit
    remediation: Gabarit | None
    references: tuple[Reference, ...]
    en_vigueur: Periode | None
    location: Location
    source: RegleFichier
    espace: str = ""
    provenance: Provenance | None = None
    modifications: tuple[Modification, ...] = ()
    verrouille: bool = False

    def severite_au(self, jour: date) -> Severite | None:
        """The severity in force on ``jour`` (``None`` before the first dated value)."""
        return valeur_au(self.severites, jour)

    def en_vigueur_au(self, jour: date) -> bool:
        """Whether the rule is in force on ``jour``."""
        return self.en_vigueur is None or self.en_vigueur.contient(jour)

    @property
    def assouplie(self) -> bool:
        """Whether an importer loosened it."""
        return any(m.assouplissement for m in self.modifications)


@dataclass(frozen=True)
class RegleDesactivee:
    """An imported rule an importer switched off, kept to be shown in every report."""

    id: str
    titre: str
    motif: str
    auteur: str
    provenance: Provenance | None
    location: Location


@dataclass(frozen=True)
class Portee:
    """One namespace: the charter itself (``""``) or an imported pack.

    Attributes:
        espace: Full name of the namespace.
        parametres: Dated values of its own parameters, by local name.
        qualifications: Local names of its own qualifications, in order.
        sous_espaces: Local names of the namespaces it imports.
    """

    espace: str
    parametres: dict[str, tuple[tuple[date, Any], ...]]
    qualifications: tuple[str, ...]
    sous_espaces: tuple[str, ...]


@dataclass(frozen=True)
class Charte:
    """A compiled, merged charter: load it once, evaluate many declarations with it.

    Attributes:
        meta: The ``charte:`` block (id, version, adoption…).
        fichier: The file name it was read from.
        sha256: Hash of the file's bytes.
        vocabulaire: The declaration vocabulary, with the fields packs and charter add.
        parametres: Dated values of each parameter, by full name, in date order.
        qualifications: Derived labels, in evaluation order (imported ones first).
        regles: The rules in force in the merged charter, imported ones first.
        portees: The namespaces, by full name (``""`` is the charter itself).
        paquets: Every imported pack, nested imports included.
        principes: Titles of the principles, the charter's and its packs'.
        modifications: Every local change made by an importer.
        desactivees: Imported rules switched off, with their motif.
        avertissements: Non-blocking remarks found while compiling.
        lieu_vigueur: Where the charter's period of validity is written.
        lieux_parametres: Where each parameter's dated values are written, by full name.
        est_paquet: Whether it was compiled from a rule pack rather than a charter.
    """

    meta: MetaCharte
    fichier: str
    sha256: str
    vocabulaire: Vocabulaire
    parametres: dict[str, tuple[tuple[date, Any], ...]]
    qualifications: tuple[Qualification, ...]
    regles: tuple[Regle, ...]
    portees: Mapping[str, Portee] = field(default_factory=dict)
    paquets: tuple[PaquetImporte, ...] = ()
    principes: Mapping[str, str] = field(default_factory=dict)
    modifications: tuple[Modification, ...] = ()
    desactivees: tuple[RegleDesactivee, ...] = ()
    avertissements: tuple[Diagnostic, ...] = ()
    lieu_vigueur: Location | None = None
    lieux_parametres: Mapping[str, Location] = field(default_factory=dict)
    est_paquet: bool = False

    def regle(self, regle_id: str) -> Regle | None:
        """The rule with this id, if any."""
        return next((r for r in self.regles if r.id == regle_id), None)

    def qualification(self, qualification_id: str) -> Qualification | None:
        """The qualification with this full name, if any."""
        return next((q for q in self.qualifications if q.id == qualification_id), None)

    @property
    def assouplissements(self) -> tuple[Modification, ...]:
        """The local changes that loosen an imported rule, rule switch-offs included."""
        return tuple(m for m in self.modifications if m.assouplissement)

    def parametres_au(self, jour: date) -> dict[str, Any]:
        """Every parameter that has a value on ``jour``, by full name."""
        values = {}
        for name, dated in self.parametres.items():
            value = valeur_au(dated, jour)
            if value is not None:
                values[name] = value
        return values

    def nom_complet(self, espace: str, chemin: str) -> str:
        """The full name a ``param.…`` or ``qualif.…`` path written in ``espace`` designates.

        ``chemin`` is the part after the root: ``communs.pays_autorises`` read in the
        charter designates the parameter ``pays_autorises`` of namespace ``communs``.
        """
        return resoudre(self.portees, espace, chemin)


def resoudre(portees: Mapping[str, Portee], espace: str, chemin: str) -> str:
    """Resolve ``chemin`` (after ``param.`` or ``qualif.``) read in namespace ``espace``."""
    steps = chemin.split(".")
    current = espace
    while len(steps) > 1 and current in portees and steps[0] in portees[current].sous_espaces:
        current = joindre(current, steps.pop(0))
    return joindre(current, steps[0])


def describe_severities(dated: Sequence[tuple[date, Severite]]) -> str:
    """Severities over time, in French: ``mineur à partir du 01/08/2024, puis majeur à partir du …``."""
    return ", puis ".join(
        severite.value + ("" if day == DEBUT_DES_TEMPS else f" à partir du {date_fr(day)}")
        for day, severite in dated)


def entree_au(dated: Sequence[tuple[date, T]], jour: date) -> tuple[date, T] | None:
    """The dated entry in force on ``jour``: the last one dated on or before it."""
    current: tuple[date, T] | None = None
    for entry in dated:
        if entry[0] <= jour:
            current = entry
    return current


def valeur_au(dated: Sequence[tuple[date, T]], jour: date) -> T | None:
    """The value in force on ``jour``."""
    entry = entree_au(dated, jour)
    return None if entry is None else entry[1]
