"""The application layer: what each command does, as functions that return values.

The command line (:mod:`charte_ia.cli`) and any other interface (an HTTP service, a
procurement tool) call these functions: they read the inputs through :mod:`charte_ia.load`,
decide through :mod:`charte_ia.engine` and return decisions, diagnostics and texts. They
print nothing and never exit; what an interface shows, and with which exit code, is its own
business. A request that cannot be served as asked (an ambiguous rule id, several formats on
standard output) raises :class:`InvalidRequestError` with a French message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from charte_ia.batch import Verification, decide_files, expand
from charte_ia.batch import one_file as one_file  # noqa: PLC0414 - part of this layer's interface
from charte_ia.batch import write_rendered as write_rendered  # noqa: PLC0414
from charte_ia.batch import write_reports as write_reports  # noqa: PLC0414
from charte_ia.catalogue import build_pages, shipped_documents, write_catalogue
from charte_ia.charter import Charte, Regle
from charte_ia.completion import completed, migrated
from charte_ia.decision import Decision, InformationManquante, decision_json_schema
from charte_ia.declaration import Declaration, build_declaration
from charte_ia.derogation import Derogations, orphelines
from charte_ia.diagnostics import Diagnostic, InvalidInputError, did_you_mean
from charte_ia.diagnostics import InvalidRequestError as InvalidRequestError  # noqa: PLC0414
from charte_ia.engine import evaluate
from charte_ia.limits import DEFAULT_LIMITS, Limits
from charte_ia.lint import lint
from charte_ia.load import load_charter, load_declaration, load_derogations, model_charters
from charte_ia.migration import version_1
from charte_ia.model import FORMAT_FICHE, TypeChamp
from charte_ia.output import write_atomically
from charte_ia.report.explain import explain_charter, explain_rule
from charte_ia.source import read_file
from charte_ia.tester import Rapport
from charte_ia.tester import run as run_tests
from charte_ia.vocabulary import Vocabulaire, default_vocabulary


def now() -> str:
    """The current time, to the second, in UTC (RFC 3339), for a decision that must be dated."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def open_derogations(path: str | Path | None, charte: Charte) -> Derogations | None:
    """The dérogations of a file, checked against the charter that will apply them."""
    if path is None:
        return None
    derogations = load_derogations(path, limits=charte.limites)
    derogations.verifier_charte(charte)
    return derogations


# --- verifier ---------------------------------------------------------------------------------


def files_of(chemins: Iterable[str]) -> list[str]:
    """The declarations a run checks: each folder replaced by its YAML files, in name order.

    Raises:
        InvalidInputError: A folder holds no declaration (``dossier-sans-fiche``).
    """
    return expand(chemins)


def verify(charte: Charte, chemins: Iterable[str], jour: date, *, derogations: Derogations | None = None,
           horodatage: str | None = None, processus: int | None = None,
           rendre: tuple[str, ...] = ()) -> Iterator[Verification]:
    """Each declaration decided in turn, folders replaced by their YAML files (:mod:`charte_ia.batch`).

    The caller may write the reports of one declaration before the next is read; with several
    processes the decisions still come back in the order of the files. With ``rendre``, the
    reports in these formats come back rendered instead of the decisions (:func:`write_rendered`).
    """
    return decide_files(charte, expand(chemins), jour, derogations=derogations, horodatage=horodatage,
                        processus=processus, rendre=rendre)


def unmatched_derogations(derogations: Derogations | None, projets: Iterable[str]) -> list[Diagnostic]:
    """Warnings for the dérogations granted to none of the projects decided (their ``projet.id``)."""
    if derogations is None:
        return []
    return orphelines(derogations, projets)


# --- expliquer --------------------------------------------------------------------------------


def find_rule(charte: Charte, regle_id: str) -> Regle:
    """The rule with this id, or the only one whose id ends with it (``TRA-01`` for ``communs.TRA-01``).

    Raises:
        InvalidRequestError: No rule, or several, answer to this id.
    """
    regle = charte.regle(regle_id)
    if regle is not None:
        return regle
    matches = [r for r in charte.regles if r.id.endswith("." + regle_id)]
    if len(matches) == 1:
        return matches[0]
    ids = [r.id for r in charte.regles]
    if matches:
        raise InvalidRequestError(f"« {regle_id} » est ambigu : " + ", ".join(r.id for r in matches))
    hint = did_you_mean(regle_id, ids) or did_you_mean(regle_id, [i.rsplit(".", 1)[-1] for i in ids])
    raise InvalidRequestError(f"règle inconnue « {regle_id} »" + (f" ({hint})" if hint else "")
                              + " ; la liste s'obtient avec « charte-ia expliquer --charte "
                              f"{charte.fichier} »")


def explain(charte: Charte, regle_id: str | None, jour: date) -> str:
    """The merged charter with the origin of each rule, or one rule explained."""
    if regle_id is None:
        return explain_charter(charte, jour)
    return explain_rule(charte, find_rule(charte, regle_id), jour)


# --- completer --------------------------------------------------------------------------------


@dataclass
class Questionnaire:
    """The missing questions of a declaration, answered one by one and re-decided after each answer.

    An interface asks :meth:`next_question`, gets an answer from the person, and gives it to
    :meth:`answer` (or :meth:`skip` when the person does not know); :meth:`completed_text`
    writes the answers into the declaration's text, comments kept.
    """

    charte: Charte
    declaration: Declaration
    jour: date
    derogations: Derogations | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)

    def decide(self) -> Decision:
        """The decision on the declaration as it stands."""
        return evaluate(self.charte, self.declaration, self.jour, derogations=self.derogations)

    def pending(self, decision: Decision) -> list[InformationManquante]:
        """The questions still worth asking, the most useful first."""
        return [q for q in decision.informations_manquantes if q.champ not in self.skipped]

    def skip(self, chemin: str) -> None:
        """The person does not know: the question is not asked again."""
        self.skipped.add(chemin)

    def answer(self, chemin: str, value: Any) -> Decision:
        """Record an answer and decide again; an « incertain » answer is kept and not asked again."""
        self.answers[chemin] = value
        champ = self.charte.vocabulaire.champ(chemin)
        unsettled = champ is not None and value in champ.en_attente
        if unsettled:
            self.skipped.add(chemin)
        self.declaration = self.declaration.avec_reponse(chemin, value, en_attente=unsettled)
        return self.decide()

    def completed_text(self, original: str) -> str:
        """The declaration's text with the answers written in, comments and layout kept."""
        text, _ = completed(self.declaration, original, self.answers, self.charte.vocabulaire)
        return text


# --- valider ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validation:
    """What checking one charter or pack found.

    Attributes:
        charte: ``None`` when the file is invalid.
        diagnostics: The errors of an invalid file, or the warnings of a valid one.
        acceptee: Valid, and without warnings when checked strictly.
    """

    chemin: str
    charte: Charte | None
    diagnostics: tuple[Diagnostic, ...]
    acceptee: bool


def validate(chemin: str, jour: date, limits: Limits = DEFAULT_LIMITS, *, strict: bool = False) -> Validation:
    """Check a charter or a pack without a declaration, then its warnings (DESIGN §6)."""
    try:
        charte = load_charter(chemin, limits=limits)
    except InvalidInputError as error:
        return Validation(chemin, None, tuple(error.diagnostics), acceptee=False)
    warnings = (*charte.avertissements, *lint(charte, jour))
    return Validation(chemin, charte, warnings, acceptee=not (strict and warnings))


# --- tester, documenter, schema --------------------------------------------------------------


def run_examples(fichiers: Sequence[str], jour: date, limits: Limits = DEFAULT_LIMITS) -> list[Rapport]:
    """Run the examples of each charter or pack and each test file."""
    return run_tests(fichiers, jour, limits)


@dataclass(frozen=True)
class Catalogue:
    """The catalogue written: how many pages, from how many files."""

    pages: int
    documents: int


def document(fichiers: Sequence[str], sortie: Path, jour: date, limits: Limits = DEFAULT_LIMITS) -> Catalogue:
    """Write the catalogue of these files (or of the shipped packs and charters) into ``sortie``."""
    documents = [read_file(path, limits) for path in fichiers] if fichiers else shipped_documents()
    pages = build_pages(documents, jour, limits)
    write_catalogue(pages, sortie)
    return Catalogue(len(pages), len(documents))


def vocabulary_of(charte_path: str | None, limits: Limits = DEFAULT_LIMITS) -> Vocabulaire:
    """The vocabulary of a charter (with the fields its packs add), or the default one."""
    if charte_path is None:
        return default_vocabulary()
    return load_charter(charte_path, limits=limits).vocabulaire


def schema(quoi: str, charte_path: str | None = None, limits: Limits = DEFAULT_LIMITS) -> str:
    """The JSON Schema of a declaration (``declaration``) or of a decision (``decision``), as text."""
    if quoi == "decision":
        return json.dumps(decision_json_schema(), ensure_ascii=False, indent=2)
    payload = vocabulary_of(charte_path, limits).json_schema()
    return json.dumps(payload, ensure_ascii=False, indent=2)


# --- empreinte, migrer ------------------------------------------------------------------------


@dataclass(frozen=True)
class Empreinte:
    """The fingerprint of one declaration, or why it could not be read."""

    chemin: str
    empreinte: str | None
    diagnostics: tuple[Diagnostic, ...] = ()


def fingerprints(chemins: Iterable[str], vocabulaire: Vocabulaire | None,
                 limits: Limits = DEFAULT_LIMITS) -> Iterator[Empreinte]:
    """The fingerprint of each declaration, to be written in a dérogation."""
    for chemin in chemins:
        try:
            declaration = load_declaration(chemin, vocabulaire=vocabulaire, limits=limits)
        except InvalidInputError as error:
            yield Empreinte(chemin, None, tuple(error.diagnostics))
            continue
        yield Empreinte(chemin, declaration.empreinte, tuple(declaration.avertissements))


@dataclass(frozen=True)
class Migration:
    """One declaration rewritten (or left as it was) in the current format.

    Attributes:
        cible: Where it was written; ``None`` when nothing was written.
        changements: One line per field converted.
        empreinte: The fingerprint of the converted declaration.
    """

    chemin: str
    cible: Path | None = None
    changements: tuple[str, ...] = ()
    empreinte: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def deja_a_jour(self) -> bool:
        """Already in the current format: nothing was rewritten."""
        return self.cible is None and not self.diagnostics


def migrate(chemin: str, vocabulaire: Vocabulaire, sortie: str | None = None,
            limits: Limits = DEFAULT_LIMITS) -> Migration:
    """Rewrite a version-1 declaration in the current format, keeping comments and layout."""
    if chemin == "-" and sortie is None:
        raise InvalidRequestError("avec une fiche lue sur l'entrée standard, --sortie est obligatoire")
    try:
        document = read_file(chemin, limits)
        if not version_1(document.data):
            build_declaration(document, vocabulaire)  # valid as it is: nothing to rewrite
            return Migration(chemin)
        text = "\n".join(document.lines) + "\n"
        new_text, changes, declaration = migrated(text, document.name, vocabulaire)
        target = Path(sortie) if sortie is not None else Path(chemin)
        write_atomically(target, new_text)
    except InvalidInputError as error:
        return Migration(chemin, diagnostics=tuple(error.diagnostics))
    return Migration(chemin, target, tuple(changes), declaration.empreinte)



# --- init --------------------------------------------------------------------------------------


def starter_files(modele: str) -> dict[str, str]:
    """What ``charte-ia init`` writes: a copy of a model charter, and a declaration to start from.

    The declaration holds the fields every project must give and the qualifying questions
    (is it an AI system? personal data? individual decisions?), each with its question and its
    possible answers as a comment, set to ``inconnu``: ``verifier`` then asks the rest, the most
    useful first.

    Raises:
        InvalidRequestError: No model charter has that name.
    """
    names = model_charters()
    if modele not in names:
        raise InvalidRequestError(f"aucune charte modèle ne s'appelle « {modele} » : "
                                  + (did_you_mean(modele, names) or "chartes modèles : " + ", ".join(names)))
    charte = (resources.files("charte_ia") / "chartes" / f"{modele}.yaml").read_text(encoding="utf-8")
    return {"charte.yaml": charte, "fiche.yaml": _starter_declaration(default_vocabulary())}


def _starter_declaration(vocabulaire: Vocabulaire) -> str:
    lines = ["# Fiche projet IA, à compléter. Une réponse que vous ne connaissez pas encore s'écrit",
             "# « inconnu » : « charte-ia verifier fiche.yaml --charte charte.yaml » pose alors les",
             "# questions qui restent, la plus utile d'abord.", f"format: {FORMAT_FICHE}", "projet:"]
    opened: set[str] = set()
    starters = {"projet.id": "mon-projet", "projet.nom": "Mon projet d'IA"}
    for champ in vocabulaire.champs.values():
        if not (champ.obligatoire or champ.qualifiante):
            continue
        *groups, leaf = champ.chemin.split(".")[1:]
        for depth, group in enumerate(groups, start=1):
            path = ".".join(groups[:depth])
            if path not in opened:
                opened.add(path)
                lines.append("  " * depth + f"{group}:")
        indent = "  " * (len(groups) + 1)
        answers = "oui ou non" if champ.type is TypeChamp.BOOLEEN else ", ".join(champ.valeurs)
        lines.append(f"{indent}# {champ.question}" + (f" ({answers})" if answers else ""))
        lines.append(f"{indent}{leaf}: {starters.get(champ.chemin, 'inconnu')}")
    return "\n".join(lines) + "\n"
