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

from dataclasses import replace
from typing import Any

from charte_ia.charter import (
    Charte,
    ClauseCompilee,
    Portee,
    Provenance,
    Qualification,
    Regle,
    joindre,
)
from charte_ia.compiler.base import MAX_IMPORT_DEPTH, PackReader, State, key_of_file
from charte_ia.compiler.imports import ImportsStep
from charte_ia.compiler.surcharges import OverridesStep
from charte_ia.diagnostics import (
    Diagnostic,
    InvalidInputError,
    PathItem,
    did_you_mean,
)
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.model import (
    DEBUT_DES_TEMPS,
    FichierCharte,
    FichierPaquet,
    MetaCharte,
    Periode,
    RegleFichier,
)
from charte_ia.source import Document
from charte_ia.vocabulary import Vocabulaire

__all__ = ["MAX_IMPORT_DEPTH", "PackReader", "compile_charter"]


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
    state = State(vocabulaire, limits, packs)
    unit = Unit(state, fichier, document, espace="", stack=(key_of_file(document.name),),
                 identity=(meta.id, meta.titre, meta.version), principes=meta.principes)
    regles = unit.run()
    if not regles and not state.problems:
        state.problem(Diagnostic("charte-vide", "aucune règle en vigueur", document.locate(("regles",)),
                                 "écrivez des règles dans « regles » ou importez un paquet"))
    if state.problems:  # a pack imported by several paths reports each of its problems once
        unique = list(dict.fromkeys(state.problems))
        raise InvalidInputError(sorted(unique, key=_diagnostic_order(document.name)))
    principes = {**state.principes, **meta.principes}
    return Charte(
        meta=meta,
        fichier=document.name,
        sha256=document.sha256,
        vocabulaire=state.vocabulaire,
        parametres=state.parametres,
        qualifications=tuple(state.qualifications),
        regles=tuple(regles),
        portees=state.portees,
        paquets=tuple(state.paquets),
        principes=principes,
        modifications=tuple(state.modifications),
        desactivees=tuple(state.desactivees),
        lieu_vigueur=document.locate(("charte", "en_vigueur")),
        lieux_parametres=state.lieux_parametres,
        est_paquet=isinstance(fichier, FichierPaquet),
        limites=limits,
    )


def _diagnostic_order(main: str) -> Any:
    def key(d: Diagnostic) -> tuple[bool, str, int, int]:
        return (d.location.file != main, d.location.file, d.location.line or 0, d.location.column or 0)
    return key



class Unit(ImportsStep, OverridesStep):
    """One file being compiled: the charter, or a pack under its namespace."""

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
                self.state.qualifications.append(
                    Qualification(
                        id=joindre(self.espace, name),
                        titre=qualification.titre,
                        expression=expression,
                        references=qualification.references,
                        location=self.document.locate(("qualifications", name), key=True),
                        espace=self.espace,
                    )
                )

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
        provenance = (
            Provenance(
                paquet=self.auteur,
                version=self.version,
                espace=self.espace,
                fichier=self.document.name,
                ligne=location.line,
                sha256=self.document.sha256,
            )
            if self.is_pack
            else None
        )
        return Regle(
            id=joindre(self.espace, regle.id),
            titre=regle.titre,
            principe=regle.principe,
            severites=tuple(sorted(regle.severite.items())),
            applicable_si=applicable,
            clauses=clauses,
            combinaison=regle.exigence.combinaison,
            exceptions=exceptions,
            message=message,
            remediation=remediation,
            references=regle.references,
            en_vigueur=regle.en_vigueur,
            location=location,
            source=regle,
            espace=self.espace,
            provenance=provenance,
            modifications=(),
            verrouille=regle.verrouille,
        )

    def _clauses(self, regle: RegleFichier, where: tuple[PathItem, ...]) -> tuple[ClauseCompilee, ...]:
        exigence = regle.exigence
        if exigence.expr is not None:
            expression = self._expression(exigence.expr, (*where, "exigence"))
            return () if expression is None else (
                ClauseCompilee("exigence", expression, None, self.document.locate((*where, "exigence"))),)
        return self._compile_clauses(exigence.clauses, (*where, "exigence", exigence.combinaison),
                                     self.espace)

