"""Golden reports: every output format of a few shipped examples, byte for byte.

The references are in ``tests/golden/``; ``make golden`` writes them again, and the diff is
reviewed like code. A reporter, a template or a shipped rule that changes what a committee
or a CI reads makes this test fail until the new reference is committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
import regenerer

PAIRS = [(case, fmt) for case in regenerer.CASES for fmt in regenerer.FORMATS]


@pytest.mark.parametrize(("case", "fmt"), PAIRS, ids=[f"{c}.{regenerer.FORMATS[f]}" for c, f in PAIRS])
def test_report_matches_its_golden_file(case: str, fmt: str) -> None:
    expected = regenerer.path_of(case, fmt).read_text(encoding="utf-8")
    assert regenerer.render(case, fmt) == expected, (
        f"{regenerer.path_of(case, fmt).name} a changé : relancez « make golden » et relisez le diff")


def test_golden_files_are_exactly_the_cases() -> None:
    written = {p.name for p in regenerer.GOLDEN.iterdir() if p.suffix != ".py" and p.name != "__pycache__"}
    assert written == {regenerer.path_of(c, f).name for c, f in PAIRS}
