"""Showing untrusted text safely, whatever the output.

Declarations and dérogation files come from outside, and charters and packs from other
collectivités: their texts reach reports, terminals and files that committees trust. Each
output gets one function here, applied to every value that comes from an input:

* :func:`visible` for any text shown to a person: control characters (C0 but newline and
  tab, DEL, C1, hence ESC/CSI/OSC sequences) and the characters that reorder or hide text
  (bidi overrides and isolates, lone surrogates, non-characters) are written as visible
  escapes (``\\u001b``, ``\\u202e``), so that nothing can move the cursor, recolour the
  screen or make a verdict read backwards;
* :func:`markdown` for Markdown — the committee report (CommonMark with tables) and the rule
  catalogue of the documentation site (Python-Markdown) alike: every character that could
  start emphasis, a heading, a link, raw HTML, a table cell or a code span is escaped, by a
  backslash or as an entity, and line breaks are collapsed, so that a value stays one run of
  plain text;
* :func:`markdown_code` for a value shown as code, and :func:`markdown_link` and
  :func:`safe_url` for links: only ``http:`` and ``https:`` addresses become links.

HTML escaping itself is Jinja's autoescape (:mod:`charte_ia.report.comite`), after
:func:`visible`; XML (JUnit) is escaped by :mod:`xml.etree`, after :func:`visible`; JSON and
SARIF by :mod:`json`, after :func:`visible`. Every renderer, the catalogue included, uses
these functions and no escaping of its own.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_HIDDEN = [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0),
           0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
           *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]
"""Characters never sent as they are: controls, bidi marks, overrides and isolates,
surrogates and the two non-characters XML 1.0 rejects."""
_VISIBLE = {code: f"\\u{code:04x}" for code in _HIDDEN}
"""Written as JSON writes them, so that a JSON or SARIF document stays valid and means the same."""

_LINE_BREAKS = re.compile(r"[\n\r\x0b\x0c\x85\u2028\u2029]+")
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]])")
"""Characters that open emphasis, code or links: backslash-escaped (CommonMark and Python-Markdown alike)."""
_MARKDOWN_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "~": "&#126;"})
"""Characters that open raw HTML, entities, a table cell or strikethrough: written as entities, which
every Markdown dialect decodes, where Python-Markdown (the documentation site) has no backslash escape."""
_MARKDOWN_BLOCK = re.compile(r"^(\s*)(?:(#)|([+=-])(?=\s|$|\3)|(\d{1,9})([.)])(?=\s|$))")
"""What starts a heading, a list, a setext underline or a numbered list at the start of a line."""
_BACKTICKS = re.compile(r"`+")
_URL_SAFE = ":/?#[]@!$&'*+,;=%-._~"
"""What stays unencoded in a link address (RFC 3986 reserved and unreserved characters)."""


def visible(text: str) -> str:
    """``text`` with every control, bidi or invisible character written as an escape."""
    return text.translate(_VISIBLE)


def one_line(text: str) -> str:
    """``text`` with its line breaks collapsed into single spaces."""
    return _LINE_BREAKS.sub(" ", text)


def markdown(text: str) -> str:
    """``text`` as one run of plain Markdown text, whatever characters it holds."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", visible(one_line(text))).translate(_MARKDOWN_ENTITIES)
    return _MARKDOWN_BLOCK.sub(_escape_block, escaped, count=1)


def _escape_block(match: re.Match[str]) -> str:
    space, hash_sign, sign, number, dot = match.groups()
    sign = hash_sign or sign  # « #titre » is a heading for Python-Markdown, even without a space
    if sign == "=":  # a setext underline: Python-Markdown has no backslash escape for it
        return f"{space}&#61;"
    return f"{space}\\{sign}" if sign else f"{space}{number}\\{dot}"


def markdown_code(text: str, *, in_table: bool = False) -> str:
    """``text`` as a CommonMark code span, fenced by more backticks than it contains.

    Args:
        in_table: The span sits in a table cell, where GitHub-flavoured Markdown splits
            cells on ``|`` even inside code: it is escaped there.
    """
    content = visible(one_line(text))
    if in_table:
        content = content.replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {content} " if content.startswith("`") or content.endswith("`") or not content.strip() \
        else content
    return f"{fence}{padded}{fence}"


def safe_url(url: str | None) -> str | None:
    """``url`` ready to be a link target, or ``None`` unless it is an ``http:``/``https:`` address.

    Characters outside the URL syntax (quotes, angle brackets, parentheses, spaces,
    controls) are percent-encoded, so that the address cannot close the link around it.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=_URL_SAFE)


def markdown_link(text: str, url: str | None) -> str:
    """A CommonMark link to ``url`` when it is a web address; otherwise the text alone."""
    target = safe_url(url)
    label = markdown(text)
    if target is None:
        return label
    return f"[{label}]({target})"
