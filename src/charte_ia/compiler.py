"""Compiling a charter and the packs it imports into one merged :class:`~charte_ia.charter.Charte`.

:func:`compile_charter` reads the imported packs (by name among those shipped with
charte-ia, or by a path relative to the importing file), checks their pinned version,
compiles every expression once in its namespace, applies the importer's overrides and
switch-offs, and records where each rule comes from and what was changed locally.

Overrides may only tighten freely. A change that loosens a rule — lower severity,
narrower applicability, a clause of ``toutes`` removed, an exception added, the rule
switched off — needs a ``motif`` and is refused on a rule its pack marks ``verrouille``.
Every problem of every file is collected and reported together, each located at its
``fichier:ligne:colonne``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from charte_ia import cel
from charte_ia.charter import (
    RACINES,
    RANG_SEVERITE,
    Charte,
    ClauseCompilee,
    ExceptionCompilee,
    Gabarit,
    Modification,
    PaquetLu,
    Portee,
    Provenance,
    Qualification,
    Regle,
    RegleDesactivee,
    describe_severities,
    joindre,
    valeur_au,
)
from charte_ia.diagnostics import (
    Diagnostic,
    InvalidInputError,
    Location,
    PathItem,
    date_fr,
    did_you_mean,
    valeur_fr,
)
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.model import (
    DEBUT_DES_TEMPS,
    Clause,
    Combinaison,
    ExceptionRegle,
    FichierCharte,
    FichierPaquet,
    Importation,
    MetaCharte,
    NouvellesValeurs,
    Periode,
    RegleFichier,
    Severite,
    Surcharge,
)
from charte_ia.source import Document, unreachable
from charte_ia.validation import validate_document
from charte_ia.vocabulary import Vocabulaire

_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_PACK_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_IMPORT_DEPTH = 16
"""How deeply imports may nest (a charter importing a pack importing a pack…)."""
class PackReader(Protocol):
    """Where the documents of the imported packs come from (see :mod:`charte_ia.packs`)."""

    def shipped(self) -> Sequence[str]:
        """The names of the packs that can be imported by name."""

    def read_shipped(self, name: str, limits: Limits) -> Document:
        """The document of a pack imported by name."""

    def read_path(self, path: Path, limits: Limits) -> Document:
        """The document of a pack imported by path (raises InvalidInputError if unreadable)."""


def compile_charter(fichier: FichierCharte | FichierPaquet, document: Document,
                    vocabulaire: Vocabulaire, limits: Limits = DEFAULT_LIMITS, *,
                    packs: PackReader) -> Charte:
    """Compile a validated charter, with the packs it imports, into a merged charter.

    A pack can be compiled the same way, on its own (to check it, or to evaluate a
    declaration against it): it then behaves as a charter always in force.

    Raises:
        InvalidInputError: With every problem found in the charter and its packs.
    """
    if isinstance(fichier, FichierPaquet):
        pack = fichier.paquet
        meta = MetaCharte(id=pack.id, titre=pack.titre, version=pack.version, description=pack.description,
                          editeur=pack.editeur, licence=pack.licence, url=pack.url,
                          en_vigueur=Periode(du=DEBUT_DES_TEMPS), principes=pack.principes)
    else:
        meta = fichier.charte
    state = _State(vocabulaire, limits, packs)
    unit = _Unit(state, fichier, document, espace="", stack=(_key_of_file(document.name),),
                 identity=(meta.id, meta.titre, meta.version), principes=meta.principes)
    regles = unit.run()
    if not regles and not state.problems:
        state.problem(Diagnostic("charte-vide", "aucune règle en vigueur", document.locate(("regles",)),
                                 "écrivez des règles dans « regles » ou importez un paquet"))
    if state.problems:  # a pack imported by several paths reports each of its problems once
        unique = list(dict.fromkeys(state.problems))
        raise InvalidInputError(sorted(unique, key=_diagnostic_order(document.name)))
    principes = {**state.principes, **meta.principes}
    return Charte(meta, document.name, document.sha256, state.vocabulaire, state.parametres,
                  tuple(state.qualifications), tuple(regles), state.portees, tuple(state.paquets),
                  principes, tuple(state.modifications), tuple(state.desactivees),
                  lieu_vigueur=document.locate(("charte", "en_vigueur")),
                  lieux_parametres=state.lieux_parametres,
                  est_paquet=isinstance(fichier, FichierPaquet), limites=limits)


def _diagnostic_order(main: str) -> Any:
    def key(d: Diagnostic) -> tuple[bool, str, int, int]:
        return (d.location.file != main, d.location.file, d.location.line or 0, d.location.column or 0)
    return key


def _key_of_file(name: str) -> str:
    return "fichier:" + (str(Path(name).resolve()) if name != "-" else "-")


@dataclass
class _State:
    """What the compilation of a charter and all its packs builds together."""

    vocabulaire: Vocabulaire
    limits: Limits
    reader: PackReader
    problems: list[Diagnostic] = field(default_factory=list)
    portees: dict[str, Portee] = field(default_factory=dict)
    parametres: dict[str, tuple[tuple[date, Any], ...]] = field(default_factory=dict)
    verrouilles: set[str] = field(default_factory=set)
    lieux_parametres: dict[str, Location] = field(default_factory=dict)
    qualifications: list[Qualification] = field(default_factory=list)
    paquets: list[PaquetLu] = field(default_factory=list)
    principes: dict[str, str] = field(default_factory=dict)
    modifications: list[Modification] = field(default_factory=list)
    desactivees: list[RegleDesactivee] = field(default_factory=list)
    packs: dict[str, tuple[Document, FichierPaquet | None]] = field(default_factory=dict)
    """Each pack file read and validated once per load, however many times it is imported."""
    expressions: dict[str, cel.Expression] = field(default_factory=dict)
    """Each expression text compiled once per load: a pack imported twice shares its programs."""
    imports: int = 0

    def problem(self, diagnostic: Diagnostic) -> None:
        self.problems.append(diagnostic)

    def compile(self, text: str) -> cel.Expression:
        """Compile an expression, or reuse it when the same text was compiled in this load.

        Raises:
            cel.CelSyntaxError: As :func:`charte_ia.cel.compile_expression`.
        """
        found = self.expressions.get(text)
        if found is None:
            found = self.expressions[text] = cel.compile_expression(text, self.limits)
        return found


class _Unit:
    """One file being compiled: the charter, or a pack under its namespace."""

    def __init__(self, state: _State, fichier: FichierCharte | FichierPaquet, document: Document, *,
                 espace: str, stack: tuple[str, ...], identity: tuple[str, str, str],
                 principes: dict[str, str]) -> None:
        self.state = state
        self.fichier = fichier
        self.document = document
        self.espace = espace
        self.stack = stack
        self.auteur, self.titre, self.version = identity
        self.principes = dict(principes)
        self.is_pack = isinstance(fichier, FichierPaquet)

    def run(self) -> list[Regle]:
        imported: dict[str, Regle] = {}
        namespaces: list[str] = []
        for index, importation in enumerate(self.fichier.importe):
            rules = self._import(index, importation, namespaces)
            namespaces.append(importation.espace)
            for rule in rules:
                imported[rule.id] = rule
        self._fields()
        portee = Portee(self.espace, {}, (), tuple(namespaces))
        self.state.portees[self.espace] = portee
        self._parameters(portee)
        self._qualifications()
        own = self._rules()
        self._overrides(imported)
        self._switch_offs(imported)
        return [*imported.values(), *own]

    # -- imports ----------------------------------------------------------------------------

    def _import(self, index: int, importation: Importation, namespaces: list[str]) -> list[Regle]:
        at: tuple[PathItem, ...] = ("importe", index)
        if importation.espace in namespaces:
            self._problem("espace-duplique", f"espace « {importation.espace} » déjà utilisé par une "
                          "autre importation", (*at, "espace"), "donnez à chaque paquet importé son espace")
            return []
        clash = importation.espace in self.fichier.parametres or importation.espace in \
            self.fichier.qualifications
        if clash:
            self._problem("espace-duplique", f"l'espace « {importation.espace} » porte le nom d'un "
                          "paramètre ou d'une qualification", (*at, "espace"), "renommez l'espace")
            return []
        if len(self.stack) > MAX_IMPORT_DEPTH:
            self._problem("import-profondeur", f"plus de {MAX_IMPORT_DEPTH} niveaux d'importations "
                          "imbriquées", (*at, "paquet"), "un paquet qui en importe d'autres suffit le plus "
                          "souvent ; aplatissez la chaîne d'importations")
            return []
        self.state.imports += 1
        if self.state.imports > self.state.limits.max_imports:
            if self.state.imports == self.state.limits.max_imports + 1:  # said once, where it happens
                self._problem("import-trop-nombreux", f"plus de {self.state.limits.max_imports} paquets "
                              "importés, importations imbriquées comprises", (*at, "paquet"),
                              "un paquet importé par deux chemins compte deux fois : importez-le une "
                              "fois, plus haut ; la limite se règle par CHARTE_IA_MAX_IMPORTATIONS")
            return []
        found = self._resolve(importation.paquet, (*at, "paquet"))
        if found is None:
            return []
        document, key = found
        if key in self.stack:
            chain = " → ".join([*(_short(k) for k in self.stack), _short(key)])
            self._problem("import-cycle", f"cycle d'importation : {chain}", (*at, "paquet"),
                          "un paquet ne peut pas s'importer lui-même, même indirectement")
            return []
        pack = self.state.packs[key][1]
        if pack is None:
            return []
        meta = pack.paquet
        if meta.version != importation.version:
            self._problem("version-paquet", f"le paquet « {meta.id} » est en version {meta.version}, "
                          f"l'importation demande la version {importation.version}", (*at, "version"),
                          "relisez les changements du paquet, puis épinglez la version disponible")
        espace = joindre(self.espace, importation.espace)
        child = _Unit(self.state, pack, document, espace=espace, stack=(*self.stack, key),
                      identity=(meta.id, meta.titre, meta.version), principes=meta.principes)
        rules = child.run()
        self.state.paquets.append(PaquetLu(id=meta.id, titre=meta.titre, version=meta.version,
                                                espace=espace, fichier=document.name,
                                                sha256=document.sha256))
        for name, title in meta.principes.items():
            self.state.principes.setdefault(name, title)
            self.principes.setdefault(name, title)
        for name, nouvelles in importation.parametres.items():
            self._change_parameter(espace, name, nouvelles, (*at, "parametres", name))
        return rules

    def _resolve(self, reference: str, at: tuple[PathItem, ...]) -> tuple[Document, str] | None:
        """The pack file an import names, read and validated once per load (``state.packs``)."""
        if "/" in reference or reference.endswith((".yaml", ".yml")):
            base = Path(self.document.name).parent if self.document.name != "-" else Path()
            path = Path(os.path.normpath(base / reference))
            key = _key_of_file(str(path))
            if key not in self.state.packs:
                try:
                    self._validate(key, self.state.reader.read_path(path, self.state.limits))
                except InvalidInputError as error:
                    if unreachable(error):
                        self._problem("paquet-introuvable", f"paquet introuvable : {path}", at,
                                      "le chemin se lit à partir du dossier du fichier qui importe")
                    else:
                        self.state.problems.extend(error.diagnostics)
                    return None
            return self.state.packs[key][0], key
        shipped = list(self.state.reader.shipped())
        if not _PACK_NAME.match(reference) or reference not in shipped:
            self._problem("paquet-inconnu", f"paquet inconnu « {reference} »", at,
                          did_you_mean(reference, shipped)
                          or "paquets fournis : " + ", ".join(shipped) + " ; pour un fichier, "
                          "écrivez son chemin (par exemple ./regles/mon-paquet.yaml)")
            return None
        key = "integre:" + reference
        if key not in self.state.packs:
            try:
                self._validate(key, self.state.reader.read_shipped(reference, self.state.limits))
            except InvalidInputError as error:  # pragma: no cover - shipped packs are tested
                self.state.problems.extend(error.diagnostics)
                return None
        return self.state.packs[key][0], key

    def _validate(self, key: str, document: Document) -> None:
        """Validate a pack once; its problems are reported once, however often it is imported."""
        try:
            self.state.packs[key] = document, validate_document(FichierPaquet, document, code="paquet")
        except InvalidInputError as error:
            self.state.packs[key] = document, None
            self.state.problems.extend(error.diagnostics)

    def _change_parameter(self, espace: str, name: str, nouvelles: NouvellesValeurs,
                          at: tuple[PathItem, ...]) -> None:
        portee = self.state.portees.get(espace)
        if portee is None:
            return
        full = joindre(espace, name)
        if name not in portee.parametres:
            self._problem("parametre-inconnu", f"le paquet importé sous « {espace} » n'a pas de "
                          f"paramètre « {name} »", at, did_you_mean(name, portee.parametres)
                          or "paramètres du paquet : " + (", ".join(portee.parametres) or "aucun"),
                          key=True)
            return
        if full in self.state.verrouilles:
            self._problem("parametre-verrouille", f"le paramètre « {full} » est verrouillé par son "
                          "paquet : il ne peut pas être modifié", at, None, key=True)
            return
        for day, value in nouvelles.valeurs.items():
            if value is None:
                self._problem("parametre-vide", f"valeur vide pour le paramètre « {full} »",
                              (*at, "valeurs", day.isoformat()), "donnez une valeur, ou retirez cette date")
        first = min(nouvelles.valeurs)
        old = self.state.parametres[full]
        merged = tuple(sorted([(d, v) for d, v in old if d < first] + list(nouvelles.valeurs.items())))
        self.state.parametres[full] = merged
        portee.parametres[name] = merged
        since = "" if first == DEBUT_DES_TEMPS else f" à partir du {date_fr(first)}"
        self.state.modifications.append(Modification(
            f"param.{full}", "parametre",
            f"paramètre « {full} » : {_brief(valeur_au(old, first))} → "
            f"{_brief(nouvelles.valeurs[first])}{since}",
            False, nouvelles.motif, self.auteur, self.document.locate(at, key=True)))

    # -- own blocks -------------------------------------------------------------------------

    def _fields(self) -> None:
        if not self.fichier.champs:
            return
        try:
            self.state.vocabulaire = self.state.vocabulaire.etendre(self.fichier.champs, self.document,
                                                                    ("champs",))
        except InvalidInputError as error:
            self.state.problems.extend(error.diagnostics)

    def _parameters(self, portee: Portee) -> None:
        for name, parametre in self.fichier.parametres.items():
            for day, value in parametre.valeurs.items():
                if value is None:
                    self._problem("parametre-vide", f"valeur vide pour le paramètre « {name} »",
                                  ("parametres", name, "valeurs", day.isoformat()),
                                  "donnez une valeur, ou retirez cette date")
            dated = tuple(sorted(parametre.valeurs.items()))
            portee.parametres[name] = dated
            full = joindre(self.espace, name)
            self.state.parametres[full] = dated
            self.state.lieux_parametres[full] = self.document.locate(("parametres", name, "valeurs"))
            if parametre.verrouille:
                self.state.verrouilles.add(full)

    def _qualifications(self) -> None:
        for name, qualification in self.fichier.qualifications.items():
            expression = self._expression(qualification.expr, ("qualifications", name, "expr"))
            portee = self.state.portees[self.espace]
            self.state.portees[self.espace] = replace(portee, qualifications=(*portee.qualifications, name))
            if expression is not None:
                self.state.qualifications.append(Qualification(
                    joindre(self.espace, name), qualification.titre, expression, qualification.references,
                    self.document.locate(("qualifications", name), key=True), self.espace))

    def _rules(self) -> list[Regle]:
        compiled = []
        seen: dict[str, int] = {}
        for index, regle in enumerate(self.fichier.regles):
            where: tuple[PathItem, ...] = ("regles", index)
            if regle.id in seen:
                self._problem("regle-dupliquee", f"identifiant de règle « {regle.id} » déjà utilisé "
                              f"(règle n° {seen[regle.id] + 1})", (*where, "id"),
                              "chaque règle doit avoir un identifiant unique et stable")
            seen.setdefault(regle.id, index)
            if regle.principe not in self.principes:
                hint = did_you_mean(regle.principe, self.principes) or (
                    "principes déclarés : " + (", ".join(self.principes) or "aucun"))
                self._problem("principe-inconnu", f"principe inconnu « {regle.principe} »",
                              (*where, "principe"), hint)
            rule = self._rule(regle, where)
            if rule is not None:
                compiled.append(rule)
        return compiled

    def _rule(self, regle: RegleFichier, where: tuple[PathItem, ...]) -> Regle | None:
        before = len(self.state.problems)
        applicable = (self._expression(regle.applicable_si, (*where, "applicable_si"))
                      if regle.applicable_si else None)
        clauses = self._clauses(regle, where)
        exceptions = self._exceptions(regle.exceptions, (*where, "exceptions"), self.espace)
        message = self._template(regle.message, (*where, "message"))
        remediation = (self._template(regle.remediation, (*where, "remediation"))
                       if regle.remediation else None)
        if len(self.state.problems) > before or message is None:
            return None
        location = self.document.locate(where)
        provenance = (Provenance(self.auteur, self.version, self.espace, self.document.name, location.line,
                                 self.document.sha256) if self.is_pack else None)
        return Regle(joindre(self.espace, regle.id), regle.titre, regle.principe,
                     tuple(sorted(regle.severite.items())), applicable, clauses,
                     regle.exigence.combinaison, exceptions, message, remediation, regle.references,
                     regle.en_vigueur, location, regle, self.espace, provenance, (), regle.verrouille)

    def _clauses(self, regle: RegleFichier, where: tuple[PathItem, ...]) -> tuple[ClauseCompilee, ...]:
        exigence = regle.exigence
        if exigence.expr is not None:
            expression = self._expression(exigence.expr, (*where, "exigence"))
            return () if expression is None else (
                ClauseCompilee("exigence", expression, None, self.document.locate((*where, "exigence"))),)
        return self._compile_clauses(exigence.clauses, (*where, "exigence", exigence.combinaison),
                                     self.espace)

    def _compile_clauses(self, clauses: tuple[Clause, ...], at: tuple[PathItem, ...],
                         espace: str) -> tuple[ClauseCompilee, ...]:
        compiled = []
        for number, clause in enumerate(clauses):
            path = (*at, number)
            expression = self._expression(clause.expr, (*path, "expr"), espace)
            message = self._template(clause.message, (*path, "message"), espace) if clause.message else None
            if expression is not None:
                compiled.append(ClauseCompilee(clause.id, expression, message, self.document.locate(path)))
        return tuple(compiled)

    def _exceptions(self, exceptions: tuple[ExceptionRegle, ...], at: tuple[PathItem, ...],
                    espace: str) -> tuple[ExceptionCompilee, ...]:
        compiled = []
        for number, exception in enumerate(exceptions):
            path = (*at, number)
            condition = self._expression(exception.si, (*path, "si"), espace)
            if condition is not None:
                compiled.append(ExceptionCompilee(exception.id, condition, exception.effet,
                                                  exception.justification, exception.references,
                                                  self.document.locate(path)))
        return tuple(compiled)

    # -- overrides --------------------------------------------------------------------------

    def _overrides(self, imported: dict[str, Regle]) -> None:
        for key, surcharge in self.fichier.surcharges.items():
            at: tuple[PathItem, ...] = ("surcharges", key)
            full = joindre(self.espace, key)
            regle = imported.get(full)
            if regle is None:
                self._unknown_rule(key, at, imported)
                continue
            before = len(self.state.problems)
            changed, changes = _Override(self, regle, surcharge, at).apply()
            if len(self.state.problems) > before:
                continue
            loosening = [c.description for c in changes if c.assouplissement]
            if loosening and regle.verrouille:
                self._problem("regle-verrouillee", f"la règle « {full} » est verrouillée par le paquet "
                              f"« {_pack_of(regle)} » : elle ne peut pas être assouplie "
                              f"({'; '.join(loosening)})", at,
                              "seuls les renforcements sont admis sur une règle verrouillée : sévérité "
                              "relevée, exception retirée, clause ou condition d'application ajoutée",
                              key=True)
                continue
            if loosening and surcharge.motif is None:
                self._problem("motif-manquant", f"assouplir la règle « {full} » demande un motif "
                              f"({'; '.join(loosening)})", at,
                              "ajoutez « motif: … » (la raison et la délibération) : il sera affiché "
                              "dans chaque rapport", key=True)
                continue
            imported[full] = changed
            self.state.modifications.extend(changes)

    def _switch_offs(self, imported: dict[str, Regle]) -> None:
        for index, desactivation in enumerate(self.fichier.desactive):
            at: tuple[PathItem, ...] = ("desactive", index)
            full = joindre(self.espace, desactivation.regle)
            regle = imported.get(full)
            if regle is None:
                self._unknown_rule(desactivation.regle, (*at, "regle"), imported)
                continue
            if regle.verrouille:
                self._problem("regle-verrouillee", f"la règle « {full} » est verrouillée par le paquet "
                              f"« {_pack_of(regle)} » : elle ne peut pas être désactivée", (*at, "regle"),
                              "une règle verrouillée fait partie du socle commun ; elle peut être "
                              "renforcée, jamais retirée")
                continue
            del imported[full]
            location = self.document.locate(at)
            self.state.desactivees.append(RegleDesactivee(full, regle.titre, desactivation.motif,
                                                          self.auteur, regle.provenance, location))
            self.state.modifications.append(Modification(full, "desactivation", "règle désactivée", True,
                                                         desactivation.motif, self.auteur, location))

    def _unknown_rule(self, key: str, at: tuple[PathItem, ...], imported: dict[str, Regle]) -> None:
        relative = [r.removeprefix(self.espace + ".") if self.espace else r for r in imported]
        self._problem("regle-importee-inconnue", f"aucune règle importée ne s'appelle « {key} »", at,
                      did_you_mean(key, relative)
                      or "une règle importée se désigne par son espace et son identifiant, par exemple "
                      + (relative[0] if relative else "communs.SOUV-01"), key=True)

    # -- expressions ------------------------------------------------------------------------

    def _expression(self, text: str, path: tuple[PathItem, ...], espace: str | None = None,
                    offset: tuple[int, int] = (1, 1)) -> cel.Expression | None:
        scope = self.espace if espace is None else espace
        try:
            expression = self.state.compile(text.strip())
        except cel.CelSyntaxError as error:
            line, column = _shift(offset, error.line, error.column + _leading(text))
            self.state.problem(Diagnostic("cel-syntaxe", error.message, self._at(path, line, column),
                                          error.hint))
            return None
        ok = True
        for reference in expression.references:
            line, column = _shift(offset, reference.line, reference.column + _leading(text))
            problem = self._check_reference(reference, scope)
            if problem is not None:
                code, message, hint = problem
                self.state.problem(Diagnostic(code, message, self._at(path, line, column), hint))
                ok = False
        return expression if ok else None

    def _check_reference(self, reference: cel.Reference, scope: str) -> tuple[str, str, str | None] | None:
        root, _, rest = reference.chemin.partition(".")
        if root not in RACINES:
            return ("cel-nom-inconnu", f"nom inconnu « {root} »",
                    did_you_mean(root, RACINES) or "une expression lit projet.…, param.…, qualif.… ou date")
        if root == "projet":
            return self._check_field(reference)
        if root == "date":
            return None if not rest else ("cel-nom-inconnu", "« date » n'a pas de sous-champ",
                                          "date désigne la date de référence de l'évaluation")
        if not rest:
            return ("cel-nom-inconnu", f"« {root} » doit être suivi d'un nom", None)
        steps = rest.split(".")
        current = scope
        while len(steps) > 1 and steps[0] in self.state.portees[current].sous_espaces:
            current = joindre(current, steps.pop(0))
        portee = self.state.portees[current]
        name = steps[0]
        where = f" dans l'espace « {current} »" if current else ""
        if root == "param" and name not in portee.parametres:
            return ("cel-parametre-inconnu", f"paramètre inconnu « {name} »{where}",
                    did_you_mean(name, [*portee.parametres, *portee.sous_espaces])
                    or "déclarez-le dans le bloc « parametres »")
        if root == "qualif" and name not in portee.qualifications:
            later = current == self.espace and name in self.fichier.qualifications
            return ("cel-qualification-inconnue",
                    f"qualification « {name} » " + ("définie plus loin" if later else f"inconnue{where}"),
                    "une qualification ne peut utiliser que celles définies avant elle" if later
                    else did_you_mean(name, [*portee.qualifications, *portee.sous_espaces])
                    or "déclarez-la dans le bloc « qualifications »")
        return None

    def _check_field(self, reference: cel.Reference) -> tuple[str, str, str | None] | None:
        vocabulaire = self.state.vocabulaire
        chemin = reference.chemin
        if vocabulaire.champ(chemin) is None:
            if chemin in vocabulaire.groupes:
                return ("cel-champ-groupe", f"« {chemin} » est un groupe de champs, pas un champ",
                        "référencez un champ précis, par exemple "
                        + next(c for c in vocabulaire.champs if c.startswith(chemin + ".")))
            return ("cel-champ-inconnu", f"champ inconnu « {chemin} » dans le vocabulaire {vocabulaire.id}",
                    vocabulaire.suggestion(chemin)
                    or "la liste des champs s'obtient avec « charte-ia schema »")
        if reference.in_has:
            return ("cel-has", f"has({chemin}) confond « non déclaré » et « faux »",
                    "utilisez directement la valeur du champ : un champ non renseigné rend la règle "
                    "« indéterminée », jamais fausse")
        return None

    def _template(self, text: str, path: tuple[PathItem, ...], espace: str | None = None) -> Gabarit | None:
        parts: list[str | cel.Expression] = []
        cursor = 0
        ok = True
        for match in _TEMPLATE.finditer(text):
            parts.append(text[cursor:match.start()])
            before = text[: match.start(1)]
            offset = (before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
            expression = self._expression(match.group(1), path, espace, offset)
            if expression is None:
                ok = False
            else:
                parts.append(expression)
            cursor = match.end()
        parts.append(text[cursor:])
        return Gabarit(tuple(p for p in parts if p != "")) if ok else None

    # -- places -----------------------------------------------------------------------------

    def _at(self, path: tuple[PathItem, ...], line: int, column: int) -> Location:
        document = self.document
        position = document.position(path)
        if position is None:
            return document.locate(path)
        if position.style == "|":  # literal block: lines are kept as written
            return Location(document.name, position.content_line + line - 1,
                            position.content_column + column - 1, path)
        # Plain, quoted and folded values may span several lines joined by spaces: walk them.
        offset = column - 1
        number, start = position.content_line, position.content_column
        while number <= len(document.lines):
            segment = document.lines[number - 1][start - 1:].rstrip()
            if line > 1 or offset <= len(segment):
                return Location(document.name, number, start + offset, path)
            offset -= len(segment) + 1
            number += 1
            following = document.lines[number - 1] if number <= len(document.lines) else ""
            start = len(following) - len(following.lstrip()) + 1
        return Location(document.name, position.content_line, position.content_column, path)

    def _problem(self, code: str, message: str, path: tuple[PathItem, ...], hint: str | None = None,
                 *, key: bool = False) -> None:
        self.state.problem(Diagnostic(code, message, self.document.locate(path, key=key), hint))


class _Override:
    """One ``surcharges`` entry applied to one imported rule."""

    def __init__(self, unit: _Unit, regle: Regle, surcharge: Surcharge, at: tuple[PathItem, ...]) -> None:
        self.unit = unit
        self.regle = regle
        self.surcharge = surcharge
        self.at = at
        self.changes: list[Modification] = []

    def apply(self) -> tuple[Regle, list[Modification]]:
        surcharge = self.surcharge
        regle = self.regle
        if surcharge.severite is not None:
            regle = self._severity(regle, tuple(sorted(surcharge.severite.items())))
        if surcharge.applicable_si is not None:
            regle = self._applicability(regle)
        if surcharge.exigence is not None:
            regle = self._requirement(regle)
        if surcharge.exceptions is not None:
            regle = self._exceptions(regle)
        if surcharge.message is not None:
            message = self.unit._template(surcharge.message, (*self.at, "message"), regle.espace)
            if message is not None:
                regle = replace(regle, message=message)
                self._change("message", "message remplacé", loosens=False)
        if surcharge.remediation is not None:
            remediation = self.unit._template(surcharge.remediation, (*self.at, "remediation"), regle.espace)
            if remediation is not None:
                regle = replace(regle, remediation=remediation)
                self._change("remediation", "remédiation remplacée", loosens=False)
        if surcharge.references is not None:
            added = surcharge.references.ajouter
            regle = replace(regle, references=(*regle.references, *added))
            self._change("references", "références ajoutées : " + " ; ".join(r.texte for r in added),
                         loosens=False)
        return replace(regle, modifications=(*regle.modifications, *self.changes)), self.changes

    def _change(self, nature: str, description: str, *, loosens: bool) -> None:
        written = "applicable_si" if nature == "applicabilite" else nature
        self.changes.append(Modification(self.regle.id, nature, description, loosens, self.surcharge.motif,
                                         self.unit.auteur,
                                         self.unit.document.locate((*self.at, written), key=True)))

    def _severity(self, regle: Regle, new: tuple[tuple[date, Severite], ...]) -> Regle:
        old = regle.severites
        days = sorted({d for d, _ in old} | {d for d, _ in new})
        lowered = False
        for day in days:
            before, after = valeur_au(old, day), valeur_au(new, day)
            if before is not None and (after is None or RANG_SEVERITE[after] < RANG_SEVERITE[before]):
                lowered = True
        if old != new:
            change = f"sévérité : {describe_severities(old)} → {describe_severities(new)}"
            self._change("severite", change, loosens=lowered)
        return replace(regle, severites=new)

    def _applicability(self, regle: Regle) -> Regle:
        change = self.surcharge.applicable_si
        assert change is not None
        base = regle.applicable_si.source if regle.applicable_si is not None else None
        text = base
        at = (*self.at, "applicable_si")
        extend, restrict = change.etendre, change.restreindre
        valid = self.unit._expression(extend, (*at, "etendre"), regle.espace) if extend else None
        if extend is not None and valid is not None and base is not None:
            text = f"({text}) || ({extend.strip()})"
            self._change("applicabilite", f"s'applique aussi si : {extend.strip()}", loosens=False)
        valid = self.unit._expression(restrict, (*at, "restreindre"), regle.espace) if restrict else None
        if restrict is not None and valid is not None:
            text = f"({text}) && ({restrict.strip()})" if text is not None else restrict.strip()
            self._change("applicabilite", f"ne s'applique plus que si, en outre : {restrict.strip()}",
                         loosens=True)
        if text is None or text == base:
            return regle
        try:
            return replace(regle, applicable_si=cel.compile_expression(text, self.unit.state.limits))
        except cel.CelSyntaxError as error:
            self.unit._problem("cel-syntaxe", f"condition d'application combinée : {error.message}", at,
                               error.hint)
            return regle

    def _requirement(self, regle: Regle) -> Regle:
        change = self.surcharge.exigence
        assert change is not None
        at = (*self.at, "exigence")
        toutes = regle.combinaison is Combinaison.TOUTES
        clauses = self._edit("exigence", at, list(regle.clauses), change.retirer, change.ajouter,
                             loosen_remove=toutes, loosen_add=not toutes)
        clauses += self.unit._compile_clauses(change.ajouter, (*at, "ajouter"), regle.espace)
        if not clauses:
            self.unit._problem("exigence-vide", f"la règle « {regle.id} » n'aurait plus aucune clause", at,
                               "pour ne plus appliquer une règle, désactivez-la (« desactive ») "
                               "avec un motif")
        return replace(regle, clauses=tuple(clauses))

    def _exceptions(self, regle: Regle) -> Regle:
        change = self.surcharge.exceptions
        assert change is not None
        at = (*self.at, "exceptions")
        exceptions = self._edit("exceptions", at, list(regle.exceptions), change.retirer, change.ajouter,
                                loosen_remove=False, loosen_add=True)
        exceptions += self.unit._exceptions(change.ajouter, (*at, "ajouter"), regle.espace)
        return replace(regle, exceptions=tuple(exceptions))

    def _edit(self, nature: str, at: tuple[PathItem, ...], current: list[Any], removed: tuple[str, ...],
              added: Sequence[Clause | ExceptionRegle], *, loosen_remove: bool,
              loosen_add: bool) -> list[Any]:
        """Remove clauses or exceptions by id and check the ids of those added; record each change."""
        word, of, the = (("clause", "de clause", "la clause") if nature == "exigence"
                         else ("exception", "d'exception", "l'exception"))
        ids = [item.id for item in current]
        for number, name in enumerate(removed):
            if name not in ids:
                message = f"la règle « {self.regle.id} » n'a pas {of} « {name} »"
                self.unit._problem(f"{word}-inconnue", message, (*at, "retirer", number),
                                   did_you_mean(name, ids) or f"{word}s : " + (", ".join(ids) or "aucune"))
                continue
            current = [item for item in current if item.id != name]
            self._change(nature, f"{word} retirée : {name}", loosens=loosen_remove)
        for number, item in enumerate(added):
            if item.id in ids:
                self.unit._problem(f"{word}-dupliquee", f"la règle « {self.regle.id} » a déjà une {word} "
                                   f"« {item.id} »", (*at, "ajouter", number, "id"),
                                   f"donnez un autre identifiant à {the} ajoutée")
                continue
            what = (item.expr.strip() if isinstance(item, Clause)
                    else f"effet {item.effet.value}, si {item.si.strip()}")
            self._change(nature, f"{word} ajoutée : {item.id} ({what})", loosens=loosen_add)
        return current


def _pack_of(regle: Regle) -> str:
    return regle.provenance.paquet if regle.provenance else "?"


def _short(key: str) -> str:
    kind, _, value = key.partition(":")
    return value if kind == "integre" else Path(value).name


def _brief(value: Any) -> str:
    text = "(aucune)" if value is None else valeur_fr(value, crochets=True)
    return text if len(text) <= 60 else text[:57] + "…]"


def _leading(text: str) -> int:
    """Characters stripped before the expression on its first line."""
    stripped = text.lstrip()
    head = text[: len(text) - len(stripped)]
    return len(head) - (head.rfind("\n") + 1) if "\n" not in head else 0


def _shift(offset: tuple[int, int], line: int, column: int) -> tuple[int, int]:
    """Position of (line, column) of a sub-expression starting at ``offset`` in its text."""
    if line == 1:
        return offset[0], offset[1] + column - 1
    return offset[0] + line - 1, column
