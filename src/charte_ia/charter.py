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
from charte_ia.diagnostics import Diagnostic, Location, date_fr
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.model import (
    DEBUT_DES_TEMPS,
    Combinaison,
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


@dataclass(frozen=True, kw_only=True)
class ExceptionCompilee:
    """One exception of a rule, compiled."""

    id: str
    condition: cel.Expression
    effet: EffetException
    justification: str
    references: tuple[Reference, ...]
    location: Location


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class Regle:
    """Une règle compilée, après les surcharges des chartes qui l'importent.

    Attributes:
        id: Identifiant stable, préfixé par l'espace de noms pour une règle importée.
        titre: Titre court.
        principe: Clé du principe auquel elle se rattache.
        severites: Sévérité en vigueur à partir de chaque date, dans l'ordre des dates.
        applicable_si: Quand la règle s'applique (``None`` : toujours).
        clauses: Ce qu'elle exige, clause par clause.
        combinaison: ``toutes`` (toutes les clauses) ou ``une_de`` (au moins une).
        exceptions: Les cas où elle ne s'applique pas, ou est réputée respectée.
        message: Le message quand elle n'est pas respectée.
        remediation: Ce qu'il faut faire.
        references: Les références juridiques et de charte.
        en_vigueur: Sa période de vigueur (``None`` : celle de la charte).
        location: Où elle est écrite.
        source: La règle telle qu'écrite dans son fichier.
        espace: L'espace de noms où se lisent ses expressions (``""`` pour une règle de la charte).
        provenance: Le paquet d'où elle vient, pour une règle importée.
        modifications: Les modifications apportées par les chartes qui l'importent, dans l'ordre.
        verrouille: Si son paquet interdit de l'assouplir.
    """

    id: str
    titre: str
    principe: str
    severites: tuple[tuple[date, Severite], ...]
    applicable_si: cel.Expression | None
    clauses: tuple[ClauseCompilee, ...]
    combinaison: Combinaison
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
        """La sévérité en vigueur le jour ``jour`` (``None`` avant la première valeur datée)."""
        return valeur_au(self.severites, jour)

    def en_vigueur_au(self, jour: date) -> bool:
        """Si la règle est en vigueur le jour ``jour``."""
        return self.en_vigueur is None or self.en_vigueur.contient(jour)

    @property
    def assouplie(self) -> bool:
        """Si une charte qui l'importe l'a assouplie."""
        return any(m.assouplissement for m in self.modifications)

    @property
    def derogeable(self) -> bool:
        """Si le comité d'éthique peut y déroger.

        Une règle verrouillée reprend une obligation légale : un comité ne peut pas écarter la
        loi, sauf si la règle elle-même le prévoit (``derogeable: true``). Toute autre règle
        est dérogeable, sauf si elle dit le contraire (``derogeable: false``).
        """
        written = self.source.derogeable
        return (not self.verrouille) if written is None else written


@dataclass(frozen=True, kw_only=True)
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
class PaquetLu:
    """A pack the charter imports, as read: its identity and the sha256 of the file's bytes."""

    id: str
    titre: str
    version: str
    espace: str
    fichier: str
    sha256: str


@dataclass(frozen=True, kw_only=True)
class Charte:
    """Une charte compilée et fusionnée : chargée une fois, elle évalue autant de fiches qu'il faut.

    Attributes:
        meta: Le bloc ``charte:`` (identifiant, version, adoption…).
        fichier: Le nom du fichier lu.
        sha256: L'empreinte des octets du fichier.
        vocabulaire: Le vocabulaire de la fiche, avec les champs ajoutés par la charte et ses paquets.
        parametres: Les valeurs datées de chaque paramètre, par nom complet, dans l'ordre des dates.
        qualifications: Les qualifications, dans l'ordre d'évaluation (celles des paquets d'abord).
        regles: Les règles de la charte fusionnée, celles des paquets d'abord.
        portees: Les espaces de noms, par nom complet (``""`` pour la charte elle-même).
        paquets: Tous les paquets importés, importations imbriquées comprises.
        principes: Les intitulés des principes, de la charte et de ses paquets.
        modifications: Toutes les modifications locales apportées aux paquets importés.
        desactivees: Les règles importées désactivées, avec leur motif.
        avertissements: Les remarques non bloquantes relevées à la compilation.
        lieu_vigueur: Où est écrite la période de vigueur de la charte.
        lieux_parametres: Où sont écrites les valeurs datées de chaque paramètre, par nom complet.
        est_paquet: Si elle a été compilée à partir d'un paquet de règles plutôt que d'une charte.
        limites: Les bornes avec lesquelles elle a été chargée ; l'évaluation applique leur
            budget d'étapes.
    """

    meta: MetaCharte
    fichier: str
    sha256: str
    vocabulaire: Vocabulaire
    parametres: dict[str, tuple[tuple[date, Any], ...]]
    qualifications: tuple[Qualification, ...]
    regles: tuple[Regle, ...]
    portees: Mapping[str, Portee] = field(default_factory=dict)
    paquets: tuple[PaquetLu, ...] = ()
    principes: Mapping[str, str] = field(default_factory=dict)
    modifications: tuple[Modification, ...] = ()
    desactivees: tuple[RegleDesactivee, ...] = ()
    avertissements: tuple[Diagnostic, ...] = ()
    lieu_vigueur: Location | None = None
    lieux_parametres: Mapping[str, Location] = field(default_factory=dict)
    est_paquet: bool = False
    limites: Limits = DEFAULT_LIMITS
    memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """What the engine derives from the charter alone (the fields each rule reads…), computed
    on first use and kept: the same for every declaration. Never part of the charter's meaning."""

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without :attr:`memo`, which is computed again (cache of compiled charters)."""
        return {**self.__dict__, "memo": {}}

    def regle(self, regle_id: str) -> Regle | None:
        """La règle qui porte cet identifiant (avec son espace de noms), s'il y en a une."""
        return next((r for r in self.regles if r.id == regle_id), None)

    def qualification(self, qualification_id: str) -> Qualification | None:
        """La qualification qui porte ce nom complet, s'il y en a une."""
        return next((q for q in self.qualifications if q.id == qualification_id), None)

    @property
    def assouplissements(self) -> tuple[Modification, ...]:
        """Les modifications qui assouplissent une règle importée, désactivations comprises."""
        return tuple(m for m in self.modifications if m.assouplissement)

    def parametres_au(self, jour: date) -> dict[str, Any]:
        """Chaque paramètre qui a une valeur le jour ``jour``, par nom complet."""
        values = {}
        for name, dated in self.parametres.items():
            value = valeur_au(dated, jour)
            if value is not None:
                values[name] = value
        return values

    def nom_complet(self, espace: str, chemin: str) -> str:
        """Le nom complet désigné par un chemin ``param.…`` ou ``qualif.…`` écrit dans ``espace``.

        ``chemin`` est la partie qui suit la racine : ``communs.pays_autorises`` lu dans la charte
        désigne le paramètre ``pays_autorises`` de l'espace de noms ``communs``.
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


def describe_period(periode: Periode) -> str:
    """A period in French: ``du 01/04/2026 au 31/12/2027``, or ``du 01/04/2026`` when open-ended."""
    return f"du {date_fr(periode.du)}" + (f" au {date_fr(periode.au)}" if periode.au else "")


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
