"""Measure how fast a charter loads and how fast declarations are checked (``make bench``).

Speed is measured here, never by timed tests: figures depend on the machine. The script
prints the charter compilation time, the evaluations per second over the shipped examples
(and, in the same process, how much faster than cel-python's interpreter, the reference),
the peak memory of one evaluation, the cold start of the command (``--aide``, and ``verifier``
on one declaration), and the time and peak memory of one ``verifier`` run over a folder of
1 000 and 10 000 declarations (``FICHES=…`` to change the second; one process per core),
whose memory must stay flat.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

import charte_ia

ROOT = Path(__file__).resolve().parent.parent
CHARTE = ROOT / "chartes" / "commune-modele.yaml"
JOUR = date(2026, 11, 22)


def _best_of(repeat: int, action: object) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    load = _best_of(5, lambda: _compile_anew(kept=False))
    kept = _best_of(5, lambda: _compile_anew(kept=True))
    charte = charte_ia.load_charter(CHARTE)
    paths, fiches = [], []
    for path in sorted((ROOT / "exemples").glob("*.yaml")):
        try:
            fiches.append(charte_ia.load_declaration(path, vocabulaire=charte.vocabulaire))
            paths.append(path)
        except charte_ia.InvalidInputError:  # a fiche written for another charter's fields
            continue
    per_eval = _per_fiche(charte, fiches, rounds)
    reference = _interpreted(charte, fiches, max(rounds // 10, 3))
    tracemalloc.start()
    charte_ia.evaluate(charte, fiches[0], JOUR)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"charte : {len(charte.regles)} règles, compilée en {load * 1000:.1f} ms, relue du cache des "
          f"chartes compilées en {kept * 1000:.1f} ms (meilleur de 5)")
    print(f"évaluation : {statistics.median(per_eval) * 1000:.2f} ms par fiche (médiane sur "
          f"{len(fiches)} fiches × {rounds} tours), soit {1 / statistics.median(per_eval):.0f} fiches/s")
    slow, fast = statistics.median(reference), statistics.median(per_eval)
    print(f"  interpréteur de cel-python (référence) : {slow * 1000:.2f} ms par fiche, l'évaluation "
          f"compilée est {slow / fast:.1f}× plus rapide (même processus)")
    slowest = max(range(len(fiches)), key=per_eval.__getitem__)
    questions = len(charte_ia.evaluate(charte, fiches[slowest], JOUR).informations_manquantes)
    print(f"la plus lente : {paths[slowest].name}, {per_eval[slowest] * 1000:.2f} ms "
          f"({questions} informations manquantes, chaque réponse possible essayée)")
    print(f"mémoire : pic de {peak / 1024:.0f} Kio pour une évaluation")
    aide = _cold(["--aide"])
    un = _cold(["verifier", str(paths[0]), "--charte", str(CHARTE), "--date", JOUR.isoformat()])
    print(f"démarrage : charte-ia --aide {aide * 1000:.0f} ms, verifier sur une fiche {un * 1000:.0f} ms "
          "(médiane de 5 lancements)")
    for count in (1_000, int(os.environ.get("FICHES", "10000"))):
        seconds, rss = _many(paths, count)
        print(f"charte-ia verifier sur {count} fiches (json, un fichier par fiche) : {seconds:.0f} s, "
              f"pic de mémoire {rss / 1024:.0f} Mio")
    return 0


def _compile_anew(*, kept: bool) -> None:
    """Load the charter as a new process would: compiled, or read back from the user's cache."""
    from charte_ia import load  # noqa: PLC0415  (the process-wide memory of compiled charters)

    load._COMPILED.clear()
    cache = os.environ.pop("CHARTE_IA_CACHE", None)
    if not kept:
        os.environ["CHARTE_IA_CACHE"] = ""  # no cache: compiled
    try:
        charte_ia.load_charter(CHARTE)
    finally:
        os.environ.pop("CHARTE_IA_CACHE", None)
        if cache is not None:
            os.environ["CHARTE_IA_CACHE"] = cache


def _per_fiche(charte: charte_ia.Charte, fiches: list[charte_ia.Declaration], rounds: int) -> list[float]:
    """Seconds per evaluation of each declaration, averaged over ``rounds``."""
    timings = []
    for fiche in fiches:
        start = time.perf_counter()
        for _ in range(rounds):
            charte_ia.evaluate(charte, fiche, JOUR)
        timings.append((time.perf_counter() - start) / rounds)
    return timings


def _interpreted(charte: charte_ia.Charte, fiches: list[charte_ia.Declaration], rounds: int) -> list[float]:
    """The same evaluations with cel-python's interpreter, the reference (``CHARTE_IA_EVALUATION``)."""
    os.environ["CHARTE_IA_EVALUATION"] = "interpretee"
    try:
        return _per_fiche(charte, fiches, rounds)
    finally:
        del os.environ["CHARTE_IA_EVALUATION"]


def _cold(args: list[str]) -> float:
    """Median wall time of a whole ``charte-ia`` process, from its start to its exit."""
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "charte_ia", *args], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _many(paths: list[Path], count: int) -> tuple[float, int]:
    """Time and peak memory (RSS, Kio) of one ``verifier`` run over ``count`` declarations.

    The shipped examples are copied under new ids: the reports are written as each
    declaration is decided, so the memory must not grow with the number of declarations.
    """
    with tempfile.TemporaryDirectory() as folder:
        for number in range(count):
            source = paths[number % len(paths)]
            text = source.read_text(encoding="utf-8")
            head, _, rest = text.partition("\n  id: ")
            copy = Path(folder) / f"fiche-{number}.yaml"
            copy.write_text(f"{head}\n  id: lot-{number}-{rest.partition(chr(10))[0]}\n"
                            f"{rest.partition(chr(10))[2]}", encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "charte_ia", "verifier", folder, "--charte", str(CHARTE),
                        "--date", JOUR.isoformat(), "--format", "json", "--sortie", f"{folder}/rapports/"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before)


if __name__ == "__main__":
    raise SystemExit(main())
