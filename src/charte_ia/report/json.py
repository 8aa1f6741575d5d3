"""JSON: the decision contract (``decision-charte-ia/1``), byte-for-byte deterministic.

One declaration gives one decision object; several give a JSON array of decisions,
in the order the declarations were given.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence

from charte_ia.decision import Decision


def render(decisions: Sequence[Decision]) -> str:
    """Serialise one decision as an object, several as an array."""
    return "".join(stream(decisions))


def stream(decisions: Iterable[Decision]) -> Iterator[str]:
    """The same text, one decision at a time (the same bytes as ``json.dumps`` of the array)."""
    pending = iter(decisions)
    first = next(pending, None)
    if first is None:
        yield "[]\n"
        return
    second = next(pending, None)
    if second is None:
        yield first.to_json()
        return
    yield "[\n" + _item(first)
    for decision in itertools.chain([second], pending):
        yield ",\n" + _item(decision)
    yield "\n]\n"


def _item(decision: Decision) -> str:
    return "\n".join("  " + line for line in decision.to_json().rstrip("\n").split("\n"))
