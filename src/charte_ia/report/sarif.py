"""SARIF 2.1.0, for code-scanning tools (GitHub, GitLab, editors).

One run per declaration. Each rule of the charter is a ``reportingDescriptor`` (title,
message, remediation as help, first reference as help link, severity and principle as
properties); each rule that is not met, cannot be decided, is in error or is derogated is a
result located in the declaration file — on the line and column of the field the failing
clause reads, when the declaration gives it. Levels follow severities (bloquant → error,
majeur → warning, mineur and info → note); a derogated rule carries an accepted external
suppression with the committee's justification.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from charte_ia.decision import Decision, ResultatRegle, Statut
from charte_ia.model import Severite
from charte_ia.report.escape import visible
from charte_ia.report.text import LIBELLES_STATUT, format_reference

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
NIVEAUX = {Severite.BLOQUANT: "error", Severite.MAJEUR: "warning", Severite.MINEUR: "note",
           Severite.INFO: "note"}
SIGNALES = (Statut.NON_CONFORME, Statut.INDETERMINE, Statut.ERREUR, Statut.DEROGEE)


def render(decisions: Sequence[Decision]) -> str:
    """One SARIF log, one run per decision."""
    return "".join(stream(decisions))


def stream(decisions: Iterable[Decision]) -> Iterator[str]:
    """The same log, one run at a time (the same bytes as ``json.dumps`` of the whole log)."""
    yield "{\n" + f'  "$schema": {json.dumps(SCHEMA)},\n  "version": "2.1.0",\n  "runs": ['
    count = 0
    for decision in decisions:
        text = json.dumps(_printable(_run(decision)), ensure_ascii=False, indent=2)
        yield ("," if count else "") + "\n" + "\n".join("    " + line for line in text.split("\n"))
        count += 1
    yield ("\n  ]" if count else "]") + "\n}\n"


_CATEGORY = re.compile(r"[^A-Za-z0-9._-]+")
"""What a run category may not contain: the « / » that separates its parts, spaces, anything else."""


def _printable(value: Any) -> Any:
    """Every text with its control and bidi characters escaped, as code-scanning tools show them."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value


def _run(decision: Decision) -> dict[str, Any]:
    rules = list(decision.regles)
    index = {r.id: i for i, r in enumerate(rules)}
    return {
        "tool": {"driver": {
            "name": "charte-ia", "version": decision.moteur.version,
            "semanticVersion": decision.moteur.version, "language": "fr-FR",
            "rules": [_descriptor(r) for r in rules]}},
        "artifacts": [{"location": {"uri": _uri(decision.declaration.fichier)},
                       "hashes": {"sha-256": decision.declaration.sha256}}],
        "invocations": [{"executionSuccessful": True}],
        # One category per declaration: GitHub code scanning keeps each run instead of merging
        # the runs of one upload that share a category (a merge it no longer accepts).
        "automationDetails": {"id": f"charte-ia/{_CATEGORY.sub('-', decision.declaration.id) or 'fiche'}/"},
        "results": [_result(decision, r, index[r.id]) for r in rules if r.statut in SIGNALES],
        "properties": {"verdict": decision.verdict.value,
                       "date_reference": decision.date_reference.isoformat(),
                       "charte": {"id": decision.charte.id, "version": decision.charte.version,
                                  "sha256": decision.charte.sha256},
                       "projet": {"id": decision.declaration.id, "nom": decision.declaration.nom}},
    }


def _descriptor(rule: ResultatRegle) -> dict[str, Any]:
    references = [format_reference(r) for r in rule.references]
    help_text = (rule.remediation or rule.titre) + (
        "\nRéférences : " + " ; ".join(references) if references else "")
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.id.replace(".", "_").replace("-", "_"),
        "shortDescription": {"text": rule.titre},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": NIVEAUX.get(rule.severite, "note") if rule.severite else "note"},
        "properties": {"principe": rule.principe, "severite": rule.severite.value if rule.severite else None,
                       "tags": [rule.principe]},
    }
    if rule.message:
        descriptor["fullDescription"] = {"text": rule.message}
    url = next((r.url for r in rule.references if r.url), None)
    if url:
        descriptor["helpUri"] = url
    return descriptor


def _result(decision: Decision, rule: ResultatRegle, index: int) -> dict[str, Any]:
    text = f"{rule.id} ({LIBELLES_STATUT[rule.statut][0]}) : {rule.message or rule.titre}"
    failed = [c for c in rule.clauses if c.statut is Statut.NON_CONFORME]
    if failed:
        text += " — " + " ; ".join(c.message or f"clause « {c.id} »" for c in failed)
    if rule.manquants:
        text += " — il manque : " + ", ".join(rule.manquants)
    if rule.erreur:
        text += f" — {rule.erreur}"
    result: dict[str, Any] = {
        "ruleId": rule.id,
        "ruleIndex": index,
        "level": NIVEAUX.get(rule.severite, "note") if rule.severite else "note",
        "kind": "open" if rule.statut is Statut.INDETERMINE else "fail",
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(decision.declaration.fichier), "index": 0},
            "region": _region(rule)}}],
    }
    if rule.statut is Statut.DEROGEE and rule.derogation is not None:
        result["suppressions"] = [{
            "kind": "external", "status": "accepted",
            "justification": f"Dérogation {rule.derogation.id} ({rule.derogation.deliberation}), jusqu'au "
                             f"{rule.derogation.expire_le.isoformat()} : {rule.derogation.justification}"}]
    return result


def _region(rule: ResultatRegle) -> dict[str, int]:
    """The declaration field the failing clause reads, or the first field the rule read."""
    failed = " ".join(c.expression for c in rule.clauses if c.statut is Statut.NON_CONFORME)
    placed = [d for d in rule.donnees if d.position is not None and d.position.ligne]
    chosen = next((d for d in placed if d.champ in failed), placed[0] if placed else None)
    if chosen is None or chosen.position is None or chosen.position.ligne is None:
        return {"startLine": 1, "startColumn": 1}
    return {"startLine": chosen.position.ligne, "startColumn": chosen.position.colonne or 1}


def _uri(path: str) -> str:
    return path.replace("\\", "/") if path != "-" else "stdin"
