"""charte-ia : vérifier la fiche d'un projet d'IA au regard de la charte de l'IA d'une collectivité.

L'API publique, dans l'ordre du pipeline ::

    from datetime import date
    import charte_ia

    charte = charte_ia.load_charter("chartes/commune-modele.yaml")      # une fois
    fiche = charte_ia.load_declaration("exemples/chatbot-etat-civil.yaml")
    decision = charte_ia.evaluate(charte, fiche, date(2026, 11, 22))
    decision.verdict          # Verdict.CONFORME, ...
    decision.to_json()        # le contrat JSON versionné

Le chargement lève :class:`InvalidInputError`, qui porte chaque problème localisé du fichier ;
l'évaluation ne lève jamais d'exception pour une règle cassée : son statut est ``erreur``.
"""

from typing import TYPE_CHECKING, Any

from charte_ia.version import __version__

if TYPE_CHECKING:
    from charte_ia.batch import evaluate_many
    from charte_ia.charter import Charte, Regle
    from charte_ia.decision import Decision, ResultatRegle, Statut, Verdict
    from charte_ia.declaration import Declaration
    from charte_ia.derogation import Derogations
    from charte_ia.diagnostics import (
        CharteIAError,
        Diagnostic,
        InvalidInputError,
        Location,
    )
    from charte_ia.engine import evaluate
    from charte_ia.limits import Limits
    from charte_ia.load import load_charter, load_declaration, load_derogations
    from charte_ia.model import Severite
    from charte_ia.vocabulary import Vocabulaire, default_vocabulary

_LIEUX = {
    "Charte": "charte_ia.charter",
    "CharteIAError": "charte_ia.diagnostics",
    "Decision": "charte_ia.decision",
    "Declaration": "charte_ia.declaration",
    "Derogations": "charte_ia.derogation",
    "Diagnostic": "charte_ia.diagnostics",
    "InvalidInputError": "charte_ia.diagnostics",
    "Limits": "charte_ia.limits",
    "Location": "charte_ia.diagnostics",
    "Regle": "charte_ia.charter",
    "ResultatRegle": "charte_ia.decision",
    "Severite": "charte_ia.model",
    "Statut": "charte_ia.decision",
    "Verdict": "charte_ia.decision",
    "Vocabulaire": "charte_ia.vocabulary",
    "default_vocabulary": "charte_ia.vocabulary",
    "evaluate": "charte_ia.engine",
    "evaluate_many": "charte_ia.batch",
    "load_charter": "charte_ia.load",
    "load_declaration": "charte_ia.load",
    "load_derogations": "charte_ia.load",
}
"""Where each public name lives: imported on first use, so that ``import charte_ia`` costs nothing."""

__all__ = [
    "Charte",
    "CharteIAError",
    "Decision",
    "Declaration",
    "Derogations",
    "Diagnostic",
    "InvalidInputError",
    "Limits",
    "Location",
    "Regle",
    "ResultatRegle",
    "Severite",
    "Statut",
    "Verdict",
    "Vocabulaire",
    "__version__",
    "default_vocabulary",
    "evaluate",
    "evaluate_many",
    "load_charter",
    "load_declaration",
    "load_derogations",
]


def __getattr__(name: str) -> Any:
    module = _LIEUX.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib  # noqa: PLC0415 - only when a name is first asked for

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LIEUX})
