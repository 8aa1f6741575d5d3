"""JSON: the decision contract (``decision-charte-ia/1``), byte-for-byte deterministic.

One declaration gives one decision object; several give a JSON array of decisions,
in the order the declarations were given.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from charte_ia.decision import Decision


def render(decisions: Sequence[Decision]) -> str:
    """Serialise one decision as an object, several as an array."""
    if len(decisions) == 1:
        return decisions[0].to_json()
    payload = [d.model_dump(mode="json") for d in decisions]
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
