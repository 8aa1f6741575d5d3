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
from charte_ia.version import __version__
from charte_ia.vocabulary import Vocabulaire, default_vocabulary

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
    "load_charter",
    "load_declaration",
    "load_derogations",
]
