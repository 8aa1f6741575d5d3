"""Reading YAML: positions, strictness and limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charte_ia.diagnostics import InvalidInputError
from charte_ia.limits import DEFAULT_LIMITS
from charte_ia.source import read_bytes
from conftest import ROOT


def _codes(raw: bytes) -> list[str]:
    with pytest.raises(InvalidInputError) as refused:
        read_bytes(raw, "f.yaml")
    return [d.code for d in refused.value.diagnostics]


def test_positions_of_keys_and_values_are_one_based() -> None:
    document = read_bytes(b"projet:\n  nom: Test\n  liste: [a, b]\n", "f.yaml")
    assert str(document.locate(("projet", "nom"))) == "f.yaml:2:8"
    assert str(document.locate(("projet", "nom"), key=True)) == "f.yaml:2:3"
    assert str(document.locate(("projet", "liste", 1))) == "f.yaml:3:14"
    # An unknown path is placed at its nearest known ancestor: here the « projet » mapping.
    assert str(document.locate(("projet", "absent", "plus"))) == "f.yaml:2:3"


def test_dates_stay_text_and_only_true_false_are_booleans() -> None:
    document = read_bytes(b"d: 2026-08-02\npays: [NO, FR]\nr: oui\nb: true\n", "f.yaml")
    assert document.data == {"d": "2026-08-02", "pays": ["NO", "FR"], "r": "oui", "b": True}


def test_duplicate_keys_are_refused_with_both_lines() -> None:
    with pytest.raises(InvalidInputError) as refused:
        read_bytes(b"a: 1\nb: 2\na: 3\n", "f.yaml")
    diagnostic = refused.value.diagnostics[0]
    assert diagnostic.code == "yaml-cle-dupliquee"
    assert str(diagnostic.location) == "f.yaml:3:1"
    assert "déjà définie ligne 1" in diagnostic.message


def test_python_tags_are_refused() -> None:
    assert _codes(b"a: !!python/object/apply:os.system ['true']\n") == ["yaml-etiquette"]


def test_non_utf8_bytes_are_located() -> None:
    with pytest.raises(InvalidInputError) as refused:
        read_bytes("a: é\nb: ok\n".encode("latin-1"), "f.yaml")
    assert str(refused.value.diagnostics[0].location) == "f.yaml:1:4"


def test_alias_bombs_stop_at_the_node_limit() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    assert _codes("\n".join(lines).encode()) == ["yaml-trop-de-noeuds"]
    assert DEFAULT_LIMITS.max_nodes < 10**8


def test_deep_nesting_is_refused() -> None:
    assert _codes(b"a: " + b"[" * 200 + b"]" * 200 + b"\n") == ["yaml-profondeur"]


def test_several_documents_are_refused() -> None:
    assert _codes(b"a: 1\n---\nb: 2\n") == ["yaml-plusieurs-documents"]


def test_syntax_error_message_is_french() -> None:
    with pytest.raises(InvalidInputError) as refused:
        read_bytes(b"a: b: c\n", "f.yaml")
    assert refused.value.diagnostics[0].message == "syntaxe YAML invalide : « : » inattendu"


# --- libyaml and PyYAML read alike ---------------------------------------------------------------

def _reference(text: str) -> object:
    """What PyYAML's own scanner gives for a text: the data and positions, or the diagnostics."""
    from charte_ia.source import parse

    lines = tuple(text.splitlines())
    try:
        return parse._parse_with(parse._BoundedLoader, text, "f.yaml", lines, DEFAULT_LIMITS)
    except InvalidInputError as error:
        return [str(d) for d in error.diagnostics]


def _read(text: str) -> object:
    from charte_ia.source import parse

    try:
        return parse.parse_yaml(text, "f.yaml", tuple(text.splitlines()), DEFAULT_LIMITS)
    except InvalidInputError as error:
        return [str(d) for d in error.diagnostics]


YAML_FILES = sorted(p for pattern in ("src/charte_ia/**/*.yaml", "exemples/*.yaml", "tests/**/*.yaml")
                    for p in ROOT.glob(pattern))


@pytest.mark.no_cover  # every file of the repository, at volume: the paths it runs are measured by the others
def test_every_yaml_file_of_the_repository_reads_the_same_through_libyaml() -> None:
    assert len(YAML_FILES) > 100
    for path in YAML_FILES:
        text = path.read_text(encoding="utf-8", errors="replace").removeprefix("\ufeff")
        assert _read(text) == _reference(text), path


_YAML_PIECES = st.sampled_from([
    "a", "b:", " ", "  ", "\n", "- ", "-", ":", "'", '"', "[", "]", "{", "}", ",", "#", "&x ", "*x", "&", "*",
    "!!str ", "!x ", "!", "|", ">", "|-", ">+", "|2", "? ", "---", "...", "1", "0x1", "true", "~", "\t",
    "\\", "é", "%YAML 1.1\n", "%", "@", "`", "\u00a0", "\x85", "\n  ", "x: y", "k:\n  - v", "'a''b'",
    '"\\u00e9"'])


@given(st.lists(_YAML_PIECES, max_size=40).map("".join))
def test_any_text_reads_as_pyyaml_reads_it(text: str) -> None:
    """The fast scanner never accepts what PyYAML refuses, nor reads anything otherwise."""
    assert _read(text) == _reference(text)
