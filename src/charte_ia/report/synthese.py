"""The visual summary of a decision: per principle, a bar of the rules in each state, as inline SVG.

No script and no colour alone: each state has its own pattern, a legend names them, every bar
says its counts in words, and the figure carries a text description for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup
from markupsafe import escape as html_escape

from charte_ia.diagnostics import nombre_fr
from charte_ia.report.escape import visible
from charte_ia.report.vue import BarrePrincipe

ETATS = (
    ("conforme", "respectée", "respectées"),
    ("non_conforme", "non respectée", "non respectées"),
    ("indetermine", "indéterminée", "indéterminées"),
    ("derogee", "dérogée", "dérogées"),
    ("non_applicable", "non applicable", "non applicables"),
)
_MOTIFS = {
    "conforme": '<rect width="8" height="8" fill="#1e6b32"/>',
    "non-conforme": '<rect width="8" height="8" fill="#fff"/><rect width="4" height="8" fill="#a4131c"/>',
    "indetermine": '<rect width="8" height="8" fill="#fff"/><circle cx="4" cy="4" r="2" fill="#414141"/>',
    "derogee": '<rect width="8" height="8" fill="#fff"/>'
               '<path d="M0 0L8 8M8 0L0 8" stroke="#8a5300" stroke-width="1.5"/>',
    "non-applicable": '<rect width="8" height="8" fill="#e6e6e6"/>',
}
"""A pattern per state (stripes, dots, crosses, grey), so that no state is told by colour alone."""


def _defs(ident: str) -> str:
    patterns = "".join(
        f'<pattern id="{ident}-m-{name}" width="8" height="8" patternUnits="userSpaceOnUse"'
        + (' patternTransform="rotate(45)"' if name == "non-conforme" else "") + f">{body}</pattern>"
        for name, body in _MOTIFS.items())
    return f"<defs>{patterns}</defs>"


def _text(value: str) -> str:
    """Text from the inputs: control and bidi characters made visible, then escaped for the page."""
    return str(html_escape(visible(value)))


def _fill(ident: str, key: str) -> str:
    return f"url(#{ident}-m-{key.replace('_', '-')})"


_WIDTH, _BAR_X, _BAR_W, _ROW = 640, 8, 624, 36


def en_mots(barre: BarrePrincipe) -> str:
    """A principle's counts in words: « 8 respectées, 2 non respectées, 3 non applicables »."""
    return ", ".join(nombre_fr(barre.comptes[key], one, many)
                     for key, one, many in ETATS if barre.comptes.get(key))


def svg(barres: Sequence[BarrePrincipe], ident: str) -> Markup:
    """The summary figure; ``ident`` keeps ids unique when a page holds several decisions."""
    if not barres:
        return Markup("")
    widest = max(b.total for b in barres) or 1
    legend_y = 8 + len(barres) * _ROW
    height = legend_y + 30
    parts = [f'<svg class="synthese" viewBox="0 0 {_WIDTH} {height}" role="img" '
             f'aria-labelledby="{ident}-titre {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}-titre">Règles par principe et par résultat</title>',
             f'<desc id="{ident}-desc">'
             + _text(" ; ".join(f"{b.titre} : {en_mots(b)}" for b in barres)) + "</desc>",
             _defs(ident)]
    for row, barre in enumerate(barres):
        y = 8 + row * _ROW
        parts.append(f'<text x="{_BAR_X}" y="{y + 12}" class="principe">{_text(barre.titre)} — '
                     f'{_text(en_mots(barre))}</text>')
        x = float(_BAR_X)
        for key, _, _ in ETATS:
            count = barre.comptes.get(key, 0)
            if not count:
                continue
            width = _BAR_W * count / widest
            parts.append(f'<rect x="{x:.1f}" y="{y + 17}" width="{width:.1f}" height="12" '
                         f'fill="{_fill(ident, key)}" stroke="#1b1b1b" stroke-width="0.5"/>')
            x += width
    x = float(_BAR_X)
    for key, _, many in ETATS:
        parts.append(f'<rect x="{x:.0f}" y="{legend_y + 6}" width="14" height="14" '
                     f'fill="{_fill(ident, key)}" stroke="#1b1b1b" stroke-width="0.5"/>'
                     f'<text x="{x + 18:.0f}" y="{legend_y + 18}" class="legende">{many}</text>')
        x += 18 + 8 * len(many) + 14
    parts.append("</svg>")
    return Markup("".join(parts))
