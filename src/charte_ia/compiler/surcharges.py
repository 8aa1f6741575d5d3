"""Overrides and switch-offs: tightening is free, loosening needs a motif and an unlocked rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from charte_ia import cel
from charte_ia.charter import (
    RANG_SEVERITE,
    Modification,
    Regle,
    RegleDesactivee,
    describe_severities,
    joindre,
    valeur_au,
)
from charte_ia.compiler.base import UnitBase, pack_of
from charte_ia.diagnostics import (
    PathItem,
    did_you_mean,
)
from charte_ia.model import (
    Clause,
    Combinaison,
    ExceptionRegle,
    Severite,
    Surcharge,
)


class OverridesStep(UnitBase):
    """Applying a file's ``surcharges`` and ``desactive`` to the rules it imported."""

    def _overrides(self, imported: dict[str, Regle]) -> None:
        for key, surcharge in self.fichier.surcharges.items():
            at: tuple[PathItem, ...] = ("surcharges", key)
            full = joindre(self.espace, key)
            regle = imported.get(full)
            if regle is None:
                self._unknown_rule(key, at, imported)
                continue
            before = len(self.state.problems)
            changed, changes = Override(self, regle, surcharge, at).apply()
            if len(self.state.problems) > before:
                continue
            loosening = [c.description for c in changes if c.assouplissement]
            if loosening and regle.verrouille:
                self._problem("regle-verrouillee", f"la règle « {full} » est verrouillée par le paquet "
                              f"« {pack_of(regle)} » : elle ne peut pas être assouplie "
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
                              f"« {pack_of(regle)} » : elle ne peut pas être désactivée", (*at, "regle"),
                              "une règle verrouillée fait partie du socle commun ; elle peut être "
                              "renforcée, jamais retirée")
                continue
            del imported[full]
            location = self.document.locate(at)
            self.state.desactivees.append(
                RegleDesactivee(
                    id=full,
                    titre=regle.titre,
                    motif=desactivation.motif,
                    auteur=self.auteur,
                    provenance=regle.provenance,
                    location=location,
                )
            )
            self.state.modifications.append(
                Modification(
                    cible=full,
                    nature="desactivation",
                    description="règle désactivée",
                    assouplissement=True,
                    motif=desactivation.motif,
                    auteur=self.auteur,
                    location=location,
                )
            )

    def _unknown_rule(self, key: str, at: tuple[PathItem, ...], imported: dict[str, Regle]) -> None:
        relative = [r.removeprefix(self.espace + ".") if self.espace else r for r in imported]
        self._problem("regle-importee-inconnue", f"aucune règle importée ne s'appelle « {key} »", at,
                      did_you_mean(key, relative)
                      or "une règle importée se désigne par son espace et son identifiant, par exemple "
                      + (relative[0] if relative else "communs.SOUV-01"), key=True)



class Override:
    """One ``surcharges`` entry applied to one imported rule."""

    def __init__(self, unit: UnitBase, regle: Regle, surcharge: Surcharge, at: tuple[PathItem, ...]) -> None:
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
        self.changes.append(
            Modification(
                cible=self.regle.id,
                nature=nature,
                description=description,
                assouplissement=loosens,
                motif=self.surcharge.motif,
                auteur=self.unit.auteur,
                location=self.unit.document.locate((*self.at, written), key=True),
            )
        )

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


