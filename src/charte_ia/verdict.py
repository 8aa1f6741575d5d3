"""The verdict of a decision, from the results of its rules (DESIGN §4).

The verdict follows DESIGN §4, in this order:

1. a ``bloquant`` rule ``non_conforme`` or ``erreur`` → ``non_conforme``;
2. else a ``bloquant`` or ``majeur`` rule ``indetermine`` → ``incomplet``;
3. else a ``majeur`` rule ``non_conforme`` or ``erreur``, or a ``mineur`` or ``info`` rule
   ``erreur`` → ``conforme_avec_reserves`` (a broken rule never lets ``conforme`` through);
4. else → ``conforme``.
"""

from __future__ import annotations

from collections.abc import Iterable

from charte_ia.decision import ResultatRegle, Resume, Statut, Verdict
from charte_ia.model import Severite


def verdict_of(results: Iterable[ResultatRegle]) -> tuple[Verdict, tuple[str, ...]]:
    """Compute the verdict, and the ids of the rules that determine it (DESIGN §4)."""
    results = list(results)

    def ids(statuts: set[Statut], severites: set[Severite]) -> tuple[str, ...]:
        return tuple(r.id for r in results if r.statut in statuts and r.severite in severites)

    failing = {Statut.NON_CONFORME, Statut.ERREUR}
    if blocking := ids(failing, {Severite.BLOQUANT}):
        return Verdict.NON_CONFORME, blocking
    if missing := ids({Statut.INDETERMINE}, {Severite.BLOQUANT, Severite.MAJEUR}):
        return Verdict.INCOMPLET, missing
    reserves = tuple(r.id for r in results
                     if (r.statut in failing and r.severite is Severite.MAJEUR)
                     or (r.statut is Statut.ERREUR and r.severite in {Severite.MINEUR, Severite.INFO}))
    if reserves:
        return Verdict.CONFORME_AVEC_RESERVES, reserves
    return Verdict.CONFORME, ()


def summarise(results: Iterable[ResultatRegle]) -> Resume:
    """Count the rules per status."""
    counts = {statut.value: 0 for statut in Statut}
    total = 0
    for result in results:
        counts[result.statut.value] += 1
        total += 1
    return Resume(**counts, total=total)
