"""JUnit XML, for CI test reports (GitLab, Jenkins).

One ``testsuite`` per declaration, one ``testcase`` per rule: a rule not met or undetermined
is a ``failure`` (its type says which), a rule in error an ``error``, a rule that does not
apply, is not in force or is derogated is ``skipped`` with the reason. The verdict, the
reference date and the charter are suite properties. Texts from the inputs have their
control and bidi characters escaped: the file always parses as XML 1.0.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from xml.etree import ElementTree as ET

from charte_ia.decision import Decision, ResultatRegle, Statut
from charte_ia.report.escape import visible
from charte_ia.report.text import LIBELLES_STATUT, TITRES_VERDICT

IGNORES = (Statut.NON_APPLICABLE, Statut.HORS_VIGUEUR, Statut.DEROGEE)
ECHECS = (Statut.NON_CONFORME, Statut.INDETERMINE)


def render(decisions: Sequence[Decision]) -> str:
    """One ``testsuites`` document, one suite per decision."""
    return "".join(stream(decisions))


def stream(decisions: Iterable[Decision]) -> Iterator[str]:
    """The same document, written as decisions come.

    The totals open the document but are known only at the end: the suites wait in a
    temporary file, not in memory, so that ten thousand declarations cost one at a time.
    """
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for decision in decisions:
            suite = _suite(decision)
            _printable(suite)
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
            ET.indent(suite, level=1)
            spool.write("  " + ET.tostring(suite, encoding="unicode") + "\n")
        counts = " ".join(f'{key}="{value}"' for key, value in totals.items())
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="charte-ia" {counts}>\n'
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            yield chunk
    yield "</testsuites>\n"


def _printable(root: ET.Element) -> None:
    """Make every text XML 1.0 can carry and a person can read: controls and bidi characters escaped."""
    for element in root.iter():
        for name, value in element.attrib.items():
            element.set(name, visible(value))
        if element.text:
            element.text = visible(element.text)


def _suite(decision: Decision) -> ET.Element:
    rules = decision.regles
    suite = ET.Element("testsuite", {
        "name": f"{decision.declaration.nom} ({decision.declaration.id})",
        "tests": str(len(rules)),
        "failures": str(sum(r.statut in ECHECS for r in rules)),
        "errors": str(sum(r.statut is Statut.ERREUR for r in rules)),
        "skipped": str(sum(r.statut in IGNORES for r in rules)),
        "time": "0",
    })
    properties = ET.SubElement(suite, "properties")
    for name, value in (("verdict", TITRES_VERDICT[decision.verdict]),
                        ("date_reference", decision.date_reference.isoformat()),
                        ("charte", f"{decision.charte.id} {decision.charte.version}"),
                        ("fiche", decision.declaration.fichier)):
        ET.SubElement(properties, "property", name=name, value=value)
    for rule in rules:
        suite.append(_case(decision, rule))
    return suite


def _case(decision: Decision, rule: ResultatRegle) -> ET.Element:
    case = ET.Element("testcase", {"classname": f"{decision.charte.id}.{rule.principe}",
                                   "name": f"{rule.id} — {rule.titre}", "file": decision.declaration.fichier,
                                   "time": "0"})
    severite = rule.severite.value if rule.severite else "sans sévérité"
    if rule.statut in ECHECS:
        failure = ET.SubElement(case, "failure", message=rule.message or rule.titre,
                                type=f"{rule.statut.value} ({severite})")
        failure.text = _details(rule)
    elif rule.statut is Statut.ERREUR:
        error = ET.SubElement(case, "error", message=rule.erreur or "règle en erreur", type="erreur")
        error.text = _details(rule)
    elif rule.statut in IGNORES:
        reason = LIBELLES_STATUT[rule.statut][0]
        if rule.derogation is not None:
            reason += f" : dérogation {rule.derogation.id} jusqu'au {rule.derogation.expire_le.isoformat()}"
        ET.SubElement(case, "skipped", message=reason)
    return case


def _details(rule: ResultatRegle) -> str:
    lines = []
    for clause in rule.clauses:
        if clause.statut is Statut.NON_CONFORME:
            lines.append(f"clause « {clause.id} » non respectée : {clause.expression}")
    if rule.manquants:
        lines.append("il manque : " + ", ".join(rule.manquants))
    for donnee in rule.donnees:
        if donnee.position is not None:
            where = f"{donnee.position.fichier}:{donnee.position.ligne}"
            lines.append(f"{donnee.champ} = {donnee.valeur} ({where})")
    if rule.remediation:
        lines.append(f"Que faire : {rule.remediation}")
    return "\n".join(lines)
