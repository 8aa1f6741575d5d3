"""How evaluation grows with the number of rules and the length of lists (``make bench``).

A synthetic charter adds sections of ten fields to the declaration (five booleans, three
countries, an integer, a list of countries) and rules of four shapes in turn: an
implication with membership, a numeric and boolean conjunction, ``all()`` over the list, and
a ternary with ``size()``. The script prints the median time per declaration for 15, 60 and
240 rules, then for one ``all()`` rule over lists of 10, 100 and 1 000 items: both should
grow linearly.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import charte_ia
from charte_ia.declaration import build_declaration
from charte_ia.source import read_bytes

JOUR = date(2026, 11, 22)
PAYS = ["FR", "DE", "IE", "US", "CN", "IT"]
SHAPES = [
    "!projet.{s}.b0 || projet.{s}.e0 in ['FR', 'DE', 'IE']",
    "projet.{s}.n >= 10 && projet.{s}.b1",
    "projet.{s}.l.all(p, p in ['FR', 'DE'])",
    "projet.{s}.b2 ? size(projet.{s}.l) > 2 : projet.{s}.n < 50",
]


def _charter(rules: int, sections: int, max_items: int) -> str:
    fields = []
    for index in range(sections):
        s = f"s{index}"
        fields += [f"  - {{chemin: projet.{s}.b{k}, type: booleen, section: identification, "
                   f"question: B{k} ?}}" for k in range(5)]
        fields += [f"  - {{chemin: projet.{s}.e{k}, type: pays, section: identification, question: E{k} ?}}"
                   for k in range(3)]
        fields.append(f"  - {{chemin: projet.{s}.n, type: entier, section: identification, question: N ?}}")
        fields.append(f"  - {{chemin: projet.{s}.l, type: liste, max_elements: {max_items}, "
                      "element: {type: pays}, section: identification, question: L ?}")
    regles = [f"  - {{id: R{i}, titre: R{i}, principe: p, severite: mineur, message: m, "
              f"exigence: \"{SHAPES[i % 4].format(s=f's{(i // 4) % sections}')}\"}}" for i in range(rules)]
    return ("format: charte_ia/1\ncharte: {id: fr.bench, titre: Banc, version: 1.0.0, "
            "en_vigueur: {du: 2026-01-01}, principes: {p: P}}\nchamps:\n" + "\n".join(fields)
            + "\nregles:\n" + "\n".join(regles) + "\n")


def _declaration(rng: random.Random, sections: int, items: int) -> str:
    lines = ["format: fiche-projet-ia/2", "projet:", "  id: banc", "  nom: Banc"]
    for index in range(sections):
        lines.append(f"  s{index}:")
        lines += [f"    b{k}: {str(rng.random() < 0.5).lower()}" for k in range(5)]
        lines += [f"    e{k}: {rng.choice(PAYS)}" for k in range(3)]
        lines.append(f"    n: {rng.randint(0, 100)}")
        lines.append(f"    l: [{', '.join(rng.choice(PAYS[:2]) for _ in range(items))}]")
    return "\n".join(lines) + "\n"


def _setup(rules: int, sections: int, items: int, count: int) -> tuple[charte_ia.Charte, list[Any]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "banc.yaml"
        path.write_text(_charter(rules, sections, max(items, 4)), encoding="utf-8")
        charte = charte_ia.load_charter(path)
    rng = random.Random(7)
    fiches = [build_declaration(read_bytes(_declaration(rng, sections, items).encode(), "banc.yaml"),
                                charte.vocabulaire) for _ in range(count)]
    return charte, fiches


def _median_ms(rules: int, sections: int, items: int, count: int) -> float:
    charte, fiches = _setup(rules, sections, items, count)
    timings = []
    for fiche in fiches:
        start = time.perf_counter()
        charte_ia.evaluate(charte, fiche, JOUR, classer_manquants=False)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


REGO = """package banc
{rules}
resultats := {{{names}}}
"""
REGO_SHAPES = [
    ["r{i} if {{ not input.{s}.b0 }}", "r{i} if {{ input.{s}.e0 in {{\"FR\", \"DE\", \"IE\"}} }}"],
    ["r{i} if {{ input.{s}.n >= 10; input.{s}.b1 }}"],
    ["r{i} if {{ every p in input.{s}.l {{ p in {{\"FR\", \"DE\"}} }} }}"],
    ["r{i} if {{ input.{s}.b2; count(input.{s}.l) > 2 }}",
     "r{i} if {{ not input.{s}.b2; input.{s}.n < 50 }}"],
]
"""The four shapes of the synthetic charter, written in Rego (OPA's language), rule for rule."""


def _versus_rego(count: int) -> None:
    """The synthetic 60-rule charter, charte-ia and regopy in the same process, same answers checked."""
    try:
        import regopy  # noqa: PLC0415  (a benchmark reference, installed by ``make bench`` only)
    except ImportError:
        print("comparaison avec Rego : regopy n'est pas installé (make bench l'installe)")
        return
    charte, fiches = _setup(60, 6, 4, count)
    lines = [f"default r{i} := false" for i in range(60)]
    for i in range(60):
        lines += [body.format(i=i, s=f"s{(i // 4) % 6}") for body in REGO_SHAPES[i % 4]]
    interpreter = regopy.Interpreter()
    interpreter.add_module("banc", REGO.format(rules="\n".join(lines),
                                                 names=", ".join(f'"R{i}": r{i}' for i in range(60))))
    inputs = [json.loads(json.dumps(dict(fiche.document.data)["projet"])) for fiche in fiches]
    charte_ms, rego_ms = [], []
    for fiche, data in zip(fiches, inputs, strict=True):
        start = time.perf_counter()
        decision = charte_ia.evaluate(charte, fiche, JOUR, classer_manquants=False)
        charte_ms.append(time.perf_counter() - start)
        start = time.perf_counter()
        interpreter.set_input(data)
        answers = json.loads(str(interpreter.query("data.banc.resultats")))["expressions"][0]
        rego_ms.append(time.perf_counter() - start)
        mine = {r.id: r.statut is charte_ia.Statut.CONFORME for r in decision.regles}
        if mine != answers:
            raise SystemExit(f"Rego et charte-ia ne donnent pas les mêmes résultats pour {fiche.id}")
    ours, theirs = statistics.median(charte_ms) * 1000, statistics.median(rego_ms) * 1000
    print(f"60 règles synthétiques, {count} fiches, mêmes 60 résultats : charte-ia {ours:.2f} ms par fiche, "
          f"Rego (regopy) {theirs:.2f} ms, soit {theirs / ours:.1f}× plus rapide que Rego (objectif 15×)")


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    _versus_rego(max(count, 200))
    print("échelle — règles (6 sections de 10 champs, listes de 4 pays) :")
    base = None
    for rules in (15, 60, 240):
        ms = _median_ms(rules, 6, 4, count)
        base = base or ms / rules
        print(f"  {rules:>4} règles : {ms:8.2f} ms par fiche ({ms / rules * 1000:6.0f} µs par règle, "
              f"{ms / rules / base:4.2f}× celui de 15 règles)")
    print("échelle — listes (une section, all() sur la liste) :")
    base = None
    for items in (10, 100, 1000):
        ms = _median_ms(4, 1, items, count)
        base = base or ms / items
        print(f"  {items:>5} éléments : {ms:8.2f} ms par fiche ({ms / items * 1000:6.1f} µs par élément, "
              f"{ms / items / base:4.2f}× celui de 10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
