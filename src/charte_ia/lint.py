"""Checks on a compiled charter that go beyond validity: what a careful reviewer would flag.

:func:`lint` returns warnings, never errors: the charter loads and evaluates, but something
in it is probably not what its authors meant. ``charte-ia valider`` prints them, and with
``--strict`` refuses the charter. Codes (see ``docs/diagnostics.md``):

- ``reference-manquante``: a ``bloquant`` rule cites no reference;
- ``bloquant-a-verifier``: a ``bloquant`` rule carries a point still to be checked by a jurist;
- ``revue-ancienne``: a rule was last reviewed (``revu_le``) more than twelve months ago;
- ``valeur-jamais-en-vigueur``: a dated value (severity, parameter) is replaced before
  the charter or the rule comes into force, or starts after they end;
- ``regle-jamais-en-vigueur``: a rule's period does not meet the charter's;
- ``regle-inapplicable``: whatever the declaration says, the rule never applies (its
  condition is never true, or an exception always removes it);
- ``exceptions-simultanees``: two exceptions with different effects can hold together,
  which would put the rule in error for the declarations concerned.

``has()`` over a declaration field is not a warning but an error (``cel-has``), raised
when the charter compiles: it turns "not declared" into "false".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from charte_ia import cel
from charte_ia.charter import Charte, Regle
from charte_ia.diagnostics import Diagnostic, Gravite, Location, date_fr
from charte_ia.engine import fields_of, probe_answers, qualifications_of, supposing
from charte_ia.model import DEBUT_DES_TEMPS, Periode, Severite

MAX_COMBINATIONS = 512
"""Above this many combinations of answers, applicability is not explored."""

REVIEW_MONTHS = 12


def lint(charte: Charte, jour: date) -> list[Diagnostic]:
    """Warnings about a compiled charter, as of ``jour`` (for review ages and parameters)."""
    warnings: list[Diagnostic] = []
    periode = charte.meta.en_vigueur
    budget = cel.Budget.of(charte.limites)  # exploring every rule costs at most one decision
    for regle in charte.regles:
        warnings.extend(_references(regle))
        warnings.extend(_review(regle, jour))
        warnings.extend(_periods(regle, periode))
        warnings.extend(_applicability(charte, regle, jour, budget))
    for name, dated in charte.parametres.items():
        if "." in name:  # an imported pack's history is dated for all its users, not this charter
            continue
        where = charte.lieux_parametres.get(name) or charte.lieu_vigueur or Location(charte.fichier)
        for day in _dormant(dated, periode):
            warnings.append(_warning("valeur-jamais-en-vigueur",
                                     f"la valeur du paramètre « {name} » datée du {date_fr(day)} n'est "
                                     "jamais en vigueur pendant la période de la charte", where,
                                     "retirez-la, ou corrigez sa date"))
    return warnings


def _warning(code: str, message: str, location: Location, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, location, hint, Gravite.AVERTISSEMENT)


def _references(regle: Regle) -> Iterator[Diagnostic]:
    blocking = any(s is Severite.BLOQUANT for _, s in regle.severites)
    if blocking and regle.source.a_verifier:
        yield _warning("bloquant-a-verifier", f"la règle bloquante « {regle.id} » porte un point à "
                       f"vérifier : {regle.source.a_verifier}", regle.location,
                       "une règle non vérifiée ne doit pas bloquer un projet : faites-la vérifier, ou "
                       "ramenez sa sévérité à « majeur »")
    if blocking and not regle.references:
        yield _warning("reference-manquante", f"la règle bloquante « {regle.id} » ne cite aucune référence",
                       regle.location, "une règle qui bloque un projet doit dire sur quel texte elle se "
                       "fonde (references: texte, articles, url)")


def _review(regle: Regle, jour: date) -> Iterator[Diagnostic]:
    revu = regle.source.revu_le
    if revu is not None and _months_between(revu, jour) > REVIEW_MONTHS:
        yield _warning("revue-ancienne", f"la règle « {regle.id} » a été revue le {date_fr(revu)}, il y a "
                       f"plus de {REVIEW_MONTHS} mois", regle.location,
                       "relisez la règle et ses références, puis mettez à jour « revu_le »")


def _months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def _periods(regle: Regle, charte_periode: Periode) -> Iterator[Diagnostic]:
    own = regle.en_vigueur
    if own is not None and not _meet(own, charte_periode):
        yield _warning("regle-jamais-en-vigueur", f"la période de la règle « {regle.id} » ne recoupe pas "
                       "celle de la charte : elle sera toujours hors vigueur", regle.location,
                       "corrigez « en_vigueur » de la règle ou de la charte")
        return
    if regle.provenance is not None and not any(m.nature == "severite" for m in regle.modifications):
        return  # an imported rule's severities are dated for every importer, not for this charter
    window = own if own is not None else charte_periode
    if own is not None and charte_periode.du > own.du:
        window = Periode(du=charte_periode.du, au=own.au)
    for day in _dormant(regle.severites, window):
        yield _warning("valeur-jamais-en-vigueur", f"la sévérité de la règle « {regle.id} » datée du "
                       f"{date_fr(day)} n'est jamais en vigueur pendant la période de la règle",
                       regle.location, "retirez-la, ou corrigez sa date")


def _meet(a: Periode, b: Periode) -> bool:
    return (a.au is None or a.au >= b.du) and (b.au is None or b.au >= a.du)


def _dormant(dated: Sequence[tuple[date, Any]], periode: Periode) -> list[date]:
    """Dates of the values that are never in force during ``periode``."""
    dormant = []
    for index, (day, _) in enumerate(dated):
        following = dated[index + 1][0] if index + 1 < len(dated) else None
        ends_before = following is not None and following <= periode.du and day != DEBUT_DES_TEMPS
        starts_after = periode.au is not None and day > periode.au
        if ends_before or starts_after:
            dormant.append(day)
    return dormant


def _applicability(charte: Charte, regle: Regle, jour: date, budget: cel.Budget) -> Iterator[Diagnostic]:
    gates = [e for e in regle.exceptions if e.effet.value == "non_applicable"]
    expressions: list[cel.Expression] = [e.condition for e in regle.exceptions]
    if regle.applicable_si is not None:
        expressions.append(regle.applicable_si)
    if not expressions:
        return
    fields = sorted(set().union(*(fields_of(charte, e, regle.espace) for e in expressions)))
    needed = set().union(*(qualifications_of(charte, e, regle.espace) for e in expressions))
    answers = [probe_answers(charte.vocabulaire.champ(f)) for f in fields]
    if any(not a for a in answers) or _product(len(a) for a in answers) > MAX_COMBINATIONS:
        return
    ever_applies = False
    clash: tuple[str, str] | None = None
    for combination in itertools.product(*answers):
        truth = supposing(charte, dict(zip(fields, combination, strict=True)), jour, budget,
                          qualifications=needed)
        applies = regle.applicable_si is None or truth(regle.applicable_si, regle.espace) is True
        holding = [e for e in regle.exceptions if truth(e.condition, regle.espace) is True]
        if applies and not any(e in gates for e in holding):
            ever_applies = True
        effects = {e.effet for e in holding}
        if applies and len(effects) > 1 and clash is None:
            clash = (holding[0].id, holding[1].id)
    if budget.left <= 0:  # explored only in part: nothing can be said
        return
    if not ever_applies:
        yield _warning("regle-inapplicable", f"la règle « {regle.id} » ne s'applique à aucune fiche : sa "
                       "condition d'application n'est jamais vraie, ou une exception l'écarte toujours",
                       regle.location, "relisez « applicable_si » et les exceptions")
    if clash is not None:
        yield _warning("exceptions-simultanees", f"les exceptions « {clash[0]} » et « {clash[1]} » de la "
                       f"règle « {regle.id} » peuvent valoir ensemble avec des effets différents : la "
                       "règle serait alors en erreur", regle.location,
                       "rendez leurs conditions exclusives, ou donnez-leur le même effet")


def _product(sizes: Iterator[int]) -> int:
    total = 1
    for size in sizes:
        total *= size
        if total > MAX_COMBINATIONS:
            break
    return total

