"""Fuzz the loaders: declarations, charters (and packs), dérogations.

Every input is a byte string, read the way the command line reads a file. Whatever the
bytes, loading must end in one of two ways: a loaded object, or an ``InvalidInputError``
carrying located French diagnostics. A loaded declaration is then evaluated against the
model charter, a loaded charter evaluates an example declaration: evaluation must not
raise either. Anything else (another exception, a diagnostic without a place, a run over
20 seconds or 2 Go) is a finding: the input is saved in ``fuzz/trouvailles/`` and becomes
a regression test in ``tests/hostiles/``.

Usage (``make fuzz`` runs it for 10 minutes)::

    python fuzz/chargeurs.py --duree 600

With atheris installed (``pip install -e '.[fuzz]'``), the search is guided by coverage;
without it, seeds are mutated at random (same seed, same inputs).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # imported for real only once atheris can instrument them
    from charte_ia import Charte, Declaration

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = ROOT / "fuzz" / "trouvailles"
SEEDS = [*sorted((ROOT / "exemples").glob("*.yaml")), *sorted((ROOT / "chartes").glob("*.yaml")),
         *sorted((ROOT / "regles").glob("*.yaml")), *sorted((ROOT / "tests" / "fixtures").rglob("*.yaml")),
         *sorted((ROOT / "tests" / "hostiles").glob("*.yaml"))]
JOUR = date(2026, 11, 22)
TOKENS = [b"&a ", b"*a", b"[", b"]", b"{", b"}", b"!!python/name:os.system ", b"!x ", b": ", b"- ", b"\t",
          b"\x00", b"\n---\n", b"<<: *a\n", b"'", b'"', b"\\", b"#", b"|\n", b">-\n", b"? ", b"%YAML 1.1\n",
          b"\xc3", b"\xff\xfe", b"2026-13-45", b"1e999", b"0x", b".inf", b"~", b"null", b"\xe2\x80\xa8",
          b"{{ projet.nom }}", b"projet.", b".all(x, ", b".exists(y, ", b" && ", b" || ", b"has(", b"(" * 20]


class _Context(NamedTuple):
    charte: Charte
    fiche: Declaration


def _setup() -> _Context:
    from charte_ia import load_charter, load_declaration  # noqa: PLC0415 - after atheris instruments

    return _Context(load_charter(ROOT / "chartes" / "commune-modele.yaml"),
                    load_declaration(ROOT / "exemples" / "chatbot-etat-civil.yaml"))


def one_input(data: bytes) -> None:
    """Load ``data`` with the loader its content asks for; raise only on a finding."""
    from charte_ia.declaration import build_declaration  # noqa: PLC0415
    from charte_ia.derogation import derogations_from_document  # noqa: PLC0415
    from charte_ia.diagnostics import InvalidInputError  # noqa: PLC0415
    from charte_ia.engine import evaluate  # noqa: PLC0415
    from charte_ia.load import charter_from_document  # noqa: PLC0415
    from charte_ia.source import read_bytes  # noqa: PLC0415

    assert _CONTEXT is not None, "_setup() first"
    charte, fiche = _CONTEXT
    head = data[:400]
    try:
        if b"charte_ia/" in head or b"paquet_regles/" in head:
            with tempfile.TemporaryDirectory() as folder:  # relative imports are read from there
                loaded = charter_from_document(read_bytes(data, f"{folder}/fuzz.yaml"))
                try:
                    evaluate(loaded, fiche, JOUR)
                except InvalidInputError as error:
                    if error.diagnostics[0].code != "charte-hors-vigueur":
                        raise AssertionError("l'évaluation a refusé une charte chargée") from error
        elif b"derogations/" in head:
            derogations = derogations_from_document(read_bytes(data, "fuzz.yaml"))
            try:
                derogations.verifier_charte(charte)
            except InvalidInputError:
                return
            evaluate(charte, fiche, JOUR, derogations=derogations)
        else:
            declaration = build_declaration(read_bytes(data, "fuzz.yaml"), charte.vocabulaire)
            evaluate(charte, declaration, JOUR)
    except InvalidInputError as error:
        for diagnostic in error.diagnostics:
            if not diagnostic.message or diagnostic.location.file == "":
                raise AssertionError(f"diagnostic sans message ou sans fichier : {diagnostic!r}") from error


_CONTEXT: _Context | None = None


def _mutate(rng: random.Random, seeds: list[bytes]) -> bytes:
    data = bytearray(rng.choice(seeds))
    for _ in range(rng.randint(1, 6)):
        position = rng.randrange(len(data) + 1)
        kind = rng.randrange(6)
        if kind == 0 and data:
            data[min(position, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data[position:position] = rng.choice(TOKENS)
        elif kind == 2:
            del data[position:position + rng.randint(1, 40)]
        elif kind == 3:
            chunk = data[position:position + rng.randint(1, 200)]
            data[position:position] = bytes(chunk) * rng.randint(1, 20)
        elif kind == 4:
            other = rng.choice(seeds)
            start = rng.randrange(len(other) + 1)
            data[position:position] = other[start:start + rng.randint(1, 400)]
        else:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(data)


def _save(data: bytes, error: BaseException) -> Path:
    FINDINGS.mkdir(parents=True, exist_ok=True)
    path = FINDINGS / f"trouvaille-{abs(hash(data)):x}.yaml"
    path.write_bytes(data)
    path.with_suffix(".txt").write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    return path


def _findings(count: int) -> str:
    return f"{count} trouvaille{'s' if count > 1 else ''}"


def _random_search(duration: float, seed: int) -> int:
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in SEEDS]
    start = time.monotonic()
    count = findings = 0
    while time.monotonic() - start < duration:
        data = _mutate(rng, seeds)
        began = time.monotonic()
        try:
            one_input(data)
        except Exception as error:
            findings += 1
            print(f"trouvaille : {type(error).__name__} — enregistrée dans {_save(data, error)}", flush=True)
        if time.monotonic() - began > 20:
            findings += 1
            print(f"trouvaille : entrée de plus de 20 s — enregistrée dans {_save(data, TimeoutError())}")
        count += 1
        if count % 1000 == 0:
            print(f"{count} entrées essayées en {time.monotonic() - start:.0f} s, {_findings(findings)}",
                  flush=True)
    print(f"Fin : {count} entrées essayées en {time.monotonic() - start:.0f} s, {_findings(findings)}.")
    return 1 if findings else 0


def main() -> int:
    global _CONTEXT  # noqa: PLW0603 - loaded once, read by every input
    parser = argparse.ArgumentParser(description="Fuzzer les chargeurs de charte-ia.")
    parser.add_argument("--duree", type=float, default=600, help="durée en secondes (600 par défaut)")
    parser.add_argument("--graine", type=int, default=0, help="graine des mutations aléatoires")
    parser.add_argument("--sans-atheris", action="store_true",
                        help="mutations aléatoires même si atheris est installé")
    options, rest = parser.parse_known_args()
    try:
        if options.sans_atheris:
            raise ImportError
        import atheris  # noqa: PLC0415
    except ImportError:
        print("atheris absent : mutations aléatoires des fichiers d'exemple et du corpus hostile.")
        _CONTEXT = _setup()
        return _random_search(options.duree, options.graine)
    with atheris.instrument_imports():
        import yaml  # noqa: F401, PLC0415

        import charte_ia  # noqa: F401, PLC0415
    _CONTEXT = _setup()
    corpus = Path(tempfile.mkdtemp(prefix="fuzz-charte-ia-"))
    for path in SEEDS:
        (corpus / f"{path.parent.name}-{path.name}").write_bytes(path.read_bytes())
    FINDINGS.mkdir(parents=True, exist_ok=True)
    atheris.Setup([sys.argv[0], *rest, str(corpus), f"-max_total_time={int(options.duree)}", "-timeout=20",
                   "-rss_limit_mb=2048", f"-artifact_prefix={FINDINGS}/"], one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
