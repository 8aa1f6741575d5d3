"""The bounds put on every input, so that a hostile file costs seconds, not hours.

Charters, packs, declarations and dérogations come from outside: from vendors, from other
collectivités. Each bound below stops one way of making the tool hang, exhaust memory or
crash; hitting one is an ordinary, located error (``docs/securite.md``):

* a YAML file is refused (exit code 3) when it is too big, too deeply nested, or too large
  once its aliases are expanded;
* a CEL expression is refused when the charter loads if it is too long, too nested or
  nests too many list traversals;
* an evaluation that uses up its budget of steps gives the rule the status ``erreur``,
  which can never lead to ``conforme``. Steps are counted, not seconds: the same inputs
  always give the same decision, whatever the machine.

The defaults suit every real charter by a wide margin. Tools that embed the library pass
their own :class:`Limits`; the command line reads them from ``CHARTE_IA_*`` environment
variables (:meth:`Limits.from_environment`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location


@dataclass(frozen=True, slots=True)
class Limits:
    """Les bornes appliquées aux fichiers lus et aux expressions évaluées.

    Attributes:
        max_bytes: Taille maximale d'un fichier YAML, en octets.
        max_depth: Profondeur maximale d'imbrication (dictionnaires et listes) d'un fichier.
        max_nodes: Nombre maximal de valeurs d'un fichier, alias développés ; le texte
            qu'il contient, alias développés, est borné à quatre fois ``max_bytes``.
        cel_max_length: Longueur maximale d'une expression CEL, en caractères.
        cel_max_nesting: Profondeur maximale de parenthèses et crochets d'une expression.
        cel_max_comprehensions: Nombre maximal de parcours de listes (``all``, ``exists``,
            ``exists_one``, ``map``, ``filter``) imbriqués l'un dans l'autre.
        cel_max_steps: Étapes d'évaluation permises à une expression ; au-delà, la règle
            est en ``erreur``.
        decision_max_steps: Étapes permises à l'ensemble des expressions d'une décision
            (et autant pour l'essai des réponses possibles aux informations manquantes).
        max_imports: Nombre maximal de paquets importés par une charte, importations
            imbriquées comprises (un paquet importé par deux chemins compte deux fois).
    """

    max_bytes: int = 1_000_000
    max_depth: int = 64
    max_nodes: int = 20_000
    cel_max_length: int = 2_000
    cel_max_nesting: int = 12
    cel_max_comprehensions: int = 2
    cel_max_steps: int = 50_000
    decision_max_steps: int = 300_000
    max_imports: int = 64

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            ceiling = _CEILINGS.get(item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{item.name} : un entier positif est attendu, pas {value!r}")
            if ceiling is not None and value > ceiling:
                raise ValueError(f"{item.name} : au plus {ceiling} ({value} demandé)")

    @property
    def max_expanded_chars(self) -> int:
        """Text a file may hold once its aliases are expanded, in characters."""
        return 4 * self.max_bytes

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Limits:
        """Read the limits from ``CHARTE_IA_*`` variables; the others keep their default.

        Raises:
            InvalidInputError: A variable that is not a positive integer within its ceiling.
        """
        values: dict[str, int] = {}
        problems = []
        for name, variable in ENVIRONMENT.items():
            text = environ.get(variable)
            if text is None or not text.strip():
                continue
            try:
                values[name] = int(text.strip().replace("_", ""))
                cls(**{name: values[name]})
            except ValueError:
                ceiling = _CEILINGS.get(name)
                bound = f" (au plus {ceiling})" if ceiling else ""
                problems.append(Diagnostic(
                    "limite-invalide", f"{variable} vaut « {text} » : un entier positif est attendu{bound}",
                    Location(variable), "retirez la variable pour garder la limite par défaut"))
        if problems:
            raise InvalidInputError(problems)
        return cls(**values)


ENVIRONMENT = {
    "max_bytes": "CHARTE_IA_MAX_OCTETS",
    "max_depth": "CHARTE_IA_MAX_PROFONDEUR",
    "max_nodes": "CHARTE_IA_MAX_NOEUDS",
    "cel_max_length": "CHARTE_IA_CEL_MAX_CARACTERES",
    "cel_max_nesting": "CHARTE_IA_CEL_MAX_IMBRICATION",
    "cel_max_comprehensions": "CHARTE_IA_CEL_MAX_PARCOURS",
    "cel_max_steps": "CHARTE_IA_CEL_MAX_ETAPES",
    "decision_max_steps": "CHARTE_IA_DECISION_MAX_ETAPES",
    "max_imports": "CHARTE_IA_MAX_IMPORTATIONS",
}
"""The environment variable of each limit, for the command line."""

_CEILINGS = {
    "max_depth": 200,  # deeper documents would exhaust the interpreter's stack while being read
    "cel_max_nesting": 20,  # deeper expressions would exhaust it while being evaluated
    "cel_max_comprehensions": 4,  # beyond, the cost grows as the fifth power of a list's size
    "max_imports": 1_000,  # each import copies the pack's rules into the charter
}

DEFAULT_LIMITS = Limits()
"""The limits used when none are given."""
