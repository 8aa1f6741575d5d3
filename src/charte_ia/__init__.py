"""charte-ia: check an AI project's declaration against a collectivité's AI charter.

The public API, in the order of the pipeline::

    from datetime import date
    import charte_ia

    charte = charte_ia.load_charter("chartes/commune-modele.yaml")      # once
    fiche = charte_ia.load_declaration("exemples/chatbot-etat-civil.yaml")
    decision = charte_ia.evaluate(charte, fiche, date(2026, 11, 22))
    decision.verdict          # Verdict.CONFORME, ...
    decision.to_json()        # the versioned JSON contract

Loading raises :class:`InvalidInputError` carrying every located problem of the file;
evaluation never raises for a broken rule: the rule's status is ``erreur``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("charte-ia")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from charte_ia.charter import Charte, Regle
from charte_ia.decision import Decision, ResultatRegle, Statut, Verdict
from charte_ia.declaration import Declaration
from charte_ia.diagnostics import (
    CharteIAError,
    Diagnostic,
    InvalidInputError,
    Location,
)
from charte_ia.engine import evaluate
from charte_ia.load import load_charter, load_declaration
from charte_ia.model import Severite
from charte_ia.vocabulary import Vocabulaire, default_vocabulary

__all__ = [
    "Charte",
    "CharteIAError",
    "Decision",
    "Declaration",
    "Diagnostic",
    "InvalidInputError",
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
]
