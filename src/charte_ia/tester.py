"""``charte-ia tester``: rule examples, charter test files and rule coverage.

Two kinds of tests:

- **inline examples** (``exemples:`` in a rule): a partial declaration and the status the
  rule must give. They run against the file that defines the rule, compiled on its own;
- **test files** (``format: tests-charte/1``): whole cases — a declaration file or an
  inline one, a date, and the expected verdict, rule statuses and first missing fields —
  run against the charter (or pack) the file names, imports included.

Coverage is counted for the rules a file defines itself (imported rules are covered by
their own pack's tests): each rule must be seen ``conforme`` and ``non_conforme``, and
each clause of a rule with several must be seen failing. :func:`run` returns one
:class:`Rapport` per charter or pack.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr

from charte_ia.charter import Charte, Regle
from charte_ia.decision import Decision, ResultatRegle, Statut
from charte_ia.declaration import Declaration, build_declaration
from charte_ia.diagnostics import Diagnostic, InvalidInputError, Location, PathItem, did_you_mean, nombre_fr
from charte_ia.engine import evaluate, evaluate_rule
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.load import charter_from_document, load_declaration
from charte_ia.model import FORMAT_FICHE, FrozenModel, IsoDate, StatutAttendu, Texte
from charte_ia.source import Document, read_file, unreachable
from charte_ia.validation import validate_document

FORMAT_TESTS = "tests-charte/1"

VerdictAttendu = Literal["conforme", "conforme_avec_reserves", "non_conforme", "incomplet"]


class Attendu(FrozenModel):
    """What a test case expects; every key left out is not checked."""

    verdict: VerdictAttendu | None = None
    regles: dict[StrictStr, StatutAttendu] = Field(default_factory=dict)
    manquants: tuple[StrictStr, ...] | None = None


class CasTest(FrozenModel):
    """One test case: a declaration (a file, or written inline), a date, what is expected."""

    nom: Texte
    date: IsoDate
    fiche: Texte | None = None
    projet: dict[StrictStr, Any] | None = None
    attendu: Attendu


class FichierTests(FrozenModel):
    """A test file (``format: tests-charte/1``) for one charter or pack."""

    format: Literal["tests-charte/1"]
    charte: Texte
    cas: Annotated[tuple[CasTest, ...], Field(min_length=1)]


@dataclass
class Echec:
    """A test that did not give what was expected."""

    location: Location
    nom: str
    ecarts: list[str]


@dataclass
class Rapport:
    """The tests of one charter or pack, and the coverage of its own rules."""

    fichier: str
    charte: Charte
    exemples: int = 0
    cas: int = 0
    echecs: list[Echec] = field(default_factory=list)
    vus: dict[str, set[Statut]] = field(default_factory=dict)
    clauses_en_echec: dict[str, set[str]] = field(default_factory=dict)

    @property
    def regles(self) -> list[Regle]:
        """The rules the file defines itself."""
        return [r for r in self.charte.regles if r.espace == ""]

    def record(self, result: ResultatRegle) -> None:
        """Count a rule result for coverage."""
        self.vus.setdefault(result.id, set()).add(result.statut)
        failing = {c.id for c in result.clauses if c.statut is Statut.NON_CONFORME}
        self.clauses_en_echec.setdefault(result.id, set()).update(failing)

    def manques(self) -> list[str]:
        """What coverage still lacks, in French."""
        missing = []
        for regle in self.regles:
            seen = self.vus.get(regle.id, set())
            for statut, label in ((Statut.CONFORME, "conforme"), (Statut.NON_CONFORME, "non conforme")):
                if statut not in seen:
                    missing.append(f"{regle.id} n'est jamais {label}")
            if len(regle.clauses) > 1:
                failed = self.clauses_en_echec.get(regle.id, set())
                missing += [f"{regle.id} : la clause « {c.id} » n'est jamais en échec"
                            for c in regle.clauses if c.id not in failed]
        return missing

    @property
    def couverture(self) -> float:
        """Share of the coverage points reached, in percent."""
        total = sum(2 + (len(r.clauses) if len(r.clauses) > 1 else 0) for r in self.regles)
        return 100.0 if total == 0 else round(100 * (total - len(self.manques())) / total, 1)


def run(paths: Sequence[str | Path], jour: date, limits: Limits = DEFAULT_LIMITS) -> list[Rapport]:
    """Run the examples of every charter or pack given, and every test file given.

    Args:
        paths: Charter, pack and test files, in any order.
        jour: Date of the examples that do not give one.
        limits: The bounds for every file read and every expression.

    Raises:
        InvalidInputError: A file, an example or a test case is not valid.
    """
    reports: dict[str, Rapport] = {}
    documents = [read_file(p, limits) for p in paths]
    for document in documents:
        if _format(document) != FORMAT_TESTS:
            _report_for(reports, document, jour, limits)
    for document in documents:
        if _format(document) == FORMAT_TESTS:
            _run_test_file(reports, document, jour, limits)
    return list(reports.values())


def _format(document: Document) -> Any:
    return document.data.get("format") if isinstance(document.data, dict) else None


def _report_for(reports: dict[str, Rapport], document: Document, jour: date, limits: Limits) -> Rapport:
    key = str(Path(document.name).resolve()) if document.name != "-" else "-"
    if key not in reports:
        charte = charter_from_document(document, limits=limits)
        report = Rapport(document.name, charte)
        _run_examples(report, document, jour)
        reports[key] = report
    return reports[key]


@dataclass(frozen=True, kw_only=True)
class ResultatExemple:
    """What an example written in a rule gave.

    Attributes:
        regle: The rule's id.
        nom: The example's name.
        jour: The date it was evaluated at.
        attendu: The status the example expects.
        resultat: The rule's result on the example's declaration.
        location: Where the example is written.
    """

    regle: str
    nom: str
    jour: date
    attendu: str
    resultat: ResultatRegle
    location: Location

    @property
    def reussi(self) -> bool:
        """Whether the rule gave the expected status."""
        return self.resultat.statut.value == self.attendu


def example_results(charte: Charte, document: Document, jour: date) -> list[ResultatExemple]:
    """Run the examples written in the rules ``document`` defines, compiled as ``charte``.

    Args:
        charte: The charter or pack compiled from ``document``.
        document: The file the rules and their examples are written in.
        jour: Date of the examples that do not give one.

    Raises:
        InvalidInputError: An example's declaration is not valid.
    """
    problems: list[Diagnostic] = []
    results = []
    for regle in (r for r in charte.regles if r.espace == ""):
        for index, exemple in enumerate(regle.source.exemples):
            where = (*regle.location.path, "exemples", index)
            try:
                declaration = _inline_declaration(document, (*where, "projet"), exemple.projet, exemple.nom,
                                                  charte)
            except InvalidInputError as error:
                problems.extend(error.diagnostics)
                continue
            day = exemple.date or jour
            result = evaluate_rule(charte, declaration, day, regle)
            results.append(
                ResultatExemple(
                    regle=regle.id,
                    nom=exemple.nom,
                    jour=day,
                    attendu=exemple.attendu,
                    resultat=result,
                    location=document.locate(where),
                )
            )
    if problems:
        raise InvalidInputError(problems)
    return results


def _run_examples(report: Rapport, document: Document, jour: date) -> None:
    for outcome in example_results(report.charte, document, jour):
        report.exemples += 1
        report.record(outcome.resultat)
        if not outcome.reussi:
            report.echecs.append(Echec(outcome.location, f"exemple « {outcome.nom} » de {outcome.regle}",
                                       [_status_gap(outcome.regle, outcome.attendu, outcome.resultat)]))


def _inline_declaration(document: Document, prefix: tuple[PathItem, ...], projet: dict[str, Any], nom: str,
                        charte: Charte) -> Declaration:
    """A declaration written inside a charter or test file, located in that file."""
    data = {"format": FORMAT_FICHE, "projet": {"id": "exemple", "nom": nom, **projet}}
    size = len(prefix)
    values = {("projet", *path[size:]): position for path, position in document.values.items()
              if path[:size] == prefix}
    keys = {("projet", *path[size:]): position for path, position in document.keys.items()
            if path[:size] == prefix}
    return build_declaration(
        Document(
            name=document.name,
            data=data,
            sha256=document.sha256,
            values=values,
            keys=keys,
            lines=document.lines,
        ),
        charte.vocabulaire,
    )


def _run_test_file(reports: dict[str, Rapport], document: Document, jour: date, limits: Limits) -> None:
    fichier = validate_document(FichierTests, document, code="tests")
    base = Path(document.name).parent
    target = base / fichier.charte
    try:
        charter_document = read_file(target, limits)
    except InvalidInputError as error:
        if not unreachable(error):  # the charter is there but broken: say where and why
            raise
        hint = "le chemin se lit depuis le dossier du fichier de tests"
        raise InvalidInputError([Diagnostic("tests-charte", f"charte introuvable : {target}",
                                            document.locate(("charte",)), hint)]) from None
    report = _report_for(reports, charter_document, jour, limits)
    problems: list[Diagnostic] = []
    for index, cas in enumerate(fichier.cas):
        where: tuple[PathItem, ...] = ("cas", index)
        try:
            declaration = _case_declaration(document, where, cas, base, report.charte)
            decision = evaluate(report.charte, declaration, cas.date)
        except InvalidInputError as error:
            problems.extend(error.diagnostics)
            continue
        report.cas += 1
        for result in decision.regles:
            report.record(result)
        gaps = _case_gaps(cas, decision, report.charte, (document, where), problems)
        if gaps:
            report.echecs.append(Echec(document.locate(where), f"cas « {cas.nom} »", gaps))
    if problems:
        raise InvalidInputError(problems)


def _case_declaration(document: Document, where: tuple[PathItem, ...], cas: CasTest, base: Path,
                      charte: Charte) -> Declaration:
    if (cas.fiche is None) == (cas.projet is None):
        raise InvalidInputError([Diagnostic("tests-cas", "un cas donne soit « fiche » (un fichier), soit "
                                            "« projet » (la fiche écrite dans le cas)",
                                            document.locate(where))])
    if cas.fiche is not None:
        return load_declaration(base / cas.fiche, vocabulaire=charte.vocabulaire, limits=charte.limites)
    return _inline_declaration(document, (*where, "projet"), cas.projet or {}, cas.nom, charte)


def _case_gaps(cas: CasTest, decision: Decision, charte: Charte,
               place: tuple[Document, tuple[PathItem, ...]], problems: list[Diagnostic]) -> list[str]:
    document, where = place
    attendu = cas.attendu
    gaps = []
    if attendu.verdict is not None and decision.verdict.value != attendu.verdict:
        gaps.append(f"verdict attendu {attendu.verdict}, obtenu {decision.verdict.value}")
    for regle_id, statut in attendu.regles.items():
        result = decision.regle(regle_id)
        if result is None:
            problems.append(Diagnostic("tests-regle", f"règle inconnue « {regle_id} »",
                                       document.locate((*where, "attendu", "regles", regle_id), key=True),
                                       did_you_mean(regle_id, [r.id for r in charte.regles])))
        elif result.statut.value != statut:
            gaps.append(_status_gap(regle_id, statut, result))
    if attendu.manquants is not None:
        ranked = [info.champ for info in decision.informations_manquantes]
        if ranked[: len(attendu.manquants)] != list(attendu.manquants):
            gaps.append("informations manquantes attendues (dans l'ordre) : " + ", ".join(attendu.manquants)
                        + " ; obtenues : " + (", ".join(ranked) or "aucune"))
    return gaps


def _status_gap(regle_id: str, attendu: str, result: ResultatRegle) -> str:
    detail = ""
    if result.manquants:
        detail = " (il manque " + ", ".join(result.manquants) + ")"
    elif result.erreur:
        detail = f" ({result.erreur})"
    return f"{regle_id} : attendu {attendu}, obtenu {result.statut.value}{detail}"


def summary(reports: Iterable[Rapport], seuil: float) -> tuple[list[str], bool]:
    """Lines to print, and whether every test passed with enough coverage."""
    lines: list[str] = []
    ok = True
    for report in reports:
        passed = report.exemples + report.cas - len(report.echecs)
        coverage = report.couverture
        enough = coverage >= seuil
        ok = ok and not report.echecs and enough
        mark = "✓" if not report.echecs and enough else "✗"
        lines.append(f"{mark} {report.fichier} : {nombre_fr(report.exemples, 'exemple')}, {report.cas} cas, "
                     f"{nombre_fr(passed, 'réussi')} ; couverture {coverage:g} % de "
                     f"{nombre_fr(len(report.regles), 'règle')} (seuil {seuil:g} %)")
        for echec in report.echecs:
            lines.append(f"  {echec.location}: {echec.nom}")
            lines += [f"    {gap}" for gap in echec.ecarts]
        lines += [f"  non couvert : {missing}" for missing in report.manques()]
    return lines, ok
