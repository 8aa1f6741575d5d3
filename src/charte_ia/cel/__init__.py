"""The CEL adapter: the only package that imports :mod:`celpy`.

cel-python 0.5 has sharp edges (DESIGN §7); this package hides them behind a small,
engine-neutral interface, in three modules (:mod:`~charte_ia.cel.syntax`, :mod:`~charte_ia.cel.run`,
:mod:`~charte_ia.cel.words`):

* :func:`compile_expression` parses an expression once, bounds its size, nesting and
  comprehension depth, and extracts the field paths it references, with positions;
* :func:`to_cel` converts plain Python data (the declaration, parameters, dates) into CEL
  values once per evaluation; ``None`` never enters CEL;
* :func:`evaluate` runs a compiled expression and returns either a plain Python value
  or a :class:`Failure` with a short French message (never the activation dump).

cel-python has no cost limit: a list traversal nested in another over long lists runs for
minutes. Every evaluation here is metered: each node of the syntax tree visited is one step,
drawn from a :class:`Budget` (per expression and per decision, :mod:`charte_ia.limits`).
An exhausted budget is a :class:`Failure`, so the rule is in ``erreur``; steps, unlike
seconds, give the same decision on every machine. Concatenations are charged by the size
of what they build, so that memory stays bounded too, and every function or method call
(``matches``, ``contains``, ``startsWith``, ``size``…) by the size of its arguments, before
it runs, so that the budget bounds the time spent on long texts as well.

Two runners give the same values, failures and steps. The default one
(:mod:`~charte_ia.cel.compiled`, with :mod:`~charte_ia.cel.operators`) turns each syntax tree,
once, into nested Python functions that do what cel-python's interpreter does, node for node,
with cel-python's own operators; it is about ten times faster. cel-python's interpreter stays
the reference (``CHARTE_IA_EVALUATION=interpretee``) and runs any expression the compiled runner
does not cover. cel-python's own transpiler is not used: it shares module globals between
threads. Both runners keep no state between calls, so a compiled :class:`Expression` may be
evaluated from several threads at once. Creating a
``celpy.Environment`` lowers the interpreter's recursion limit; the one environment
this module needs is created once, and the previous limit is restored at once.
"""

from charte_ia.cel.run import EVALUATIONS, Budget, Failure, evaluate, evaluation_chosen, to_cel
from charte_ia.cel.syntax import (
           MAX_NODES,
           TREE_LEVELS_PER_BRACKET,
           CelSyntaxError,
           Expression,
           Reference,
           compile_expression,
)
from charte_ia.cel.tree import Comparaison
from charte_ia.cel.words import Nommer, in_words

__all__ = ["EVALUATIONS", "MAX_NODES", "TREE_LEVELS_PER_BRACKET", "Budget", "CelSyntaxError", "Comparaison",
           "Expression", "Failure", "Nommer", "Reference", "compile_expression", "evaluate",
           "evaluation_chosen", "in_words", "to_cel"]
