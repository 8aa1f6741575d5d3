"""The interactive questionnaire, driven through a real pseudo-terminal, and the write-back."""

from __future__ import annotations

import codecs
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from charte_ia import load_charter, load_declaration
from charte_ia.completion import completed, with_answers
from charte_ia.questionnaire import NE_SAIT_PAS, parse_answer
from charte_ia.vocabulary import default_vocabulary
from conftest import CHARTE_MODELE, EXEMPLES, ROOT

SOLIDARITE = EXEMPLES / "aide-instruction-solidarite.yaml"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminal POSIX requis")


class Terminal:
    """``charte-ia`` running in a pseudo-terminal, answered like a person would."""

    def __init__(self, *args: str | Path, cwd: Path, term: str = "dumb") -> None:
        self.master, slave = os.openpty()
        env = {**os.environ, "COLUMNS": "160", "PYTHONIOENCODING": "utf-8", "TERM": term, "LANG": "C.UTF-8",
               "NO_COLOR": "1"}  # the words are read here; colours are tested in test_lots
        self.process = subprocess.Popen([sys.executable, "-m", "charte_ia", *map(str, args)], stdin=slave,
                                        stdout=slave, stderr=slave, cwd=cwd, env=env, close_fds=True)
        os.close(slave)
        self.screen = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may be
        # split between two reads (GNU readline writes its prompt byte by byte)

    def expect(self, text: str, timeout: float = 30) -> str:
        """Read until ``text`` appears; return what was printed since the last call."""
        start = len(self.screen)
        deadline = time.monotonic() + timeout
        while text not in self.screen[start:]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"« {text} » jamais affiché ; écran :\n{self.screen[start:]}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the program ended and closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"fin du programme avant « {text} » :\n{self.screen[start:]}")
                self.screen += self._decoder.decode(chunk).replace("\r\n", "\n")
        return self.screen[start:]

    def answer(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8") + b"\n")

    def finish(self, timeout: float = 120) -> int:
        """Read until the program ends and closes the terminal (never on a pause); its exit code."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], remaining)
            try:
                chunk = os.read(self.master, 4096) if ready else b""
            except OSError:  # the program ended and closed the terminal
                chunk = b""
            if not chunk:
                break
            self.screen += self._decoder.decode(chunk).replace("\r\n", "\n")
        os.close(self.master)
        return self.process.wait(timeout=30)


@pytest.fixture
def fiche(tmp_path: Path) -> Path:
    copy = tmp_path / "fiche.yaml"
    shutil.copyfile(SOLIDARITE, copy)
    return copy


def test_first_answer_changes_the_decision_and_removes_a_question(fiche: Path) -> None:
    terminal = Terminal("completer", fiche, "--charte", CHARTE_MODELE, "--date", "2026-11-22", "--interactif",
                        cwd=fiche.parent)
    opening = terminal.expect("Réponse : ")
    # the AIPD date is not asked before it is known whether an AIPD exists (a prerequisite)
    assert "Décision actuelle : INCOMPLET — 2 questions" in opening
    assert "1. L'analyse d'impact relative à la protection des données (AIPD) a-t-elle été réalisée ?" \
        in opening
    terminal.answer("peut-être")
    assert "Réponse non valide : répondez oui ou non" in terminal.expect("Réponse : ")
    terminal.answer("non")
    after = terminal.expect("Réponse : ")
    # the decision changed, and the AIPD date is no longer asked (DON-03 no longer applies)
    assert "→ Décision : NON CONFORME — 1 question restante" in after
    assert "aipd_date" not in after
    assert "Comment un agent contrôle-t-il les résultats du système ?" in after
    terminal.answer("q")
    assert "Questionnaire interrompu." in terminal.expect("[O/n]")
    terminal.answer("o")
    assert terminal.finish() == 1
    assert f"Fiche complétée enregistrée dans {fiche} (1 réponse)." in terminal.screen
    text = fiche.read_text(encoding="utf-8")
    assert "    aipd_realisee: false\n" in text
    assert "    # Le mode de contrôle n'est pas encore arrêté avec le CCAS.\n    mode: inconnu\n" in text
    assert text.replace("aipd_realisee: false", "aipd_realisee: inconnu") == SOLIDARITE.read_text("utf-8")


def test_answering_every_question_reaches_a_decision(fiche: Path, tmp_path: Path) -> None:
    sortie = tmp_path / "completee.yaml"
    terminal = Terminal("completer", fiche, "-c", CHARTE_MODELE, "--date", "2026-11-22", "-i", "-o", sortie,
                        cwd=fiche.parent)
    terminal.expect("Réponse : ")
    terminal.answer("oui")
    assert "→ Décision : INCOMPLET — 2 questions restantes" in terminal.expect("Réponse : ")
    terminal.answer("4")  # validation_systematique
    assert "→ Décision : CONFORME — 1 question restante" in terminal.expect("Réponse : ")
    terminal.answer("15/03/2026")
    assert "Plus aucune question ne peut faire avancer la décision." in terminal.expect("Bilan")
    assert terminal.finish() == 0
    assert fiche.read_text(encoding="utf-8") == SOLIDARITE.read_text(encoding="utf-8")  # untouched
    written = sortie.read_text(encoding="utf-8")
    assert "    mode: validation_systematique\n" in written
    assert "    aipd_realisee: true\n    aipd_date: 2026-03-15\n" in written


def test_answers_are_edited_with_the_arrow_keys_and_choices_typed_with_their_accents(
        fiche: Path, tmp_path: Path) -> None:
    sortie = tmp_path / "completee.yaml"
    terminal = Terminal("completer", fiche, "-c", CHARTE_MODELE, "--date", "2026-11-22", "-i", "-o", sortie,
                        cwd=fiche.parent, term="xterm")
    assert "Question 1 sur 2" in terminal.expect("Réponse : ")
    terminal.answer("oui")
    assert "Question 2 sur 3" in terminal.expect("Réponse : ")  # the AIPD date is now asked too
    left = "\x1b[D"
    terminal.answer("Validation stématique" + left * 9 + "ys")  # a typo mended with the arrows
    assert "→ Décision : CONFORME" in terminal.expect("Réponse : ")
    terminal.answer("q")  # a new file: written without asking
    assert terminal.finish() == 0
    assert "    mode: validation_systematique\n" in sortie.read_text(encoding="utf-8")


def test_i_do_not_know_skips_the_question_without_writing(fiche: Path) -> None:
    terminal = Terminal("completer", fiche, "-c", CHARTE_MODELE, "--date", "2026-11-22", "-i",
                        cwd=fiche.parent)
    terminal.expect("Réponse : ")
    terminal.answer("?")
    assert "Comment un agent contrôle-t-il" in terminal.expect("Réponse : ")
    terminal.answer("")
    # the AIPD date depends on the AIPD existing, which stays unknown: it is never asked
    assert "Plus aucune question ne peut faire avancer la décision." in terminal.expect("Bilan")
    assert "À quelle date l'AIPD a-t-elle été terminée ?" not in terminal.screen
    assert terminal.finish() == 2
    assert "Enregistrer" not in terminal.screen
    assert fiche.read_text(encoding="utf-8") == SOLIDARITE.read_text(encoding="utf-8")


def test_answers_are_read_the_french_way() -> None:
    champs = default_vocabulary().champs
    assert parse_answer(champs["projet.donnees.personnelles"], "Oui") is True
    assert parse_answer(champs["projet.donnees.aipd_date"], "29/02/2028") == "2028-02-29"
    assert parse_answer(champs["projet.hebergement.pays_stockage"], "fr, de") == ["FR", "DE"]
    assert parse_answer(champs["projet.controle_humain.mode"], "revue_avant_notification") == \
        "revue_avant_notification"
    assert parse_answer(champs["projet.controle_humain.mode"], "?") is NE_SAIT_PAS
    for typed in ("Revue avant notification", "revue avant-notification", " REVUE_AVANT_NOTIFICATION "):
        assert parse_answer(champs["projet.controle_humain.mode"], typed) == "revue_avant_notification"
    assert parse_answer(champs["projet.controle_humain.mode"], "Échantillonnage") == "echantillonnage"
    with pytest.raises(ValueError, match="cette date n'existe pas"):
        parse_answer(champs["projet.donnees.aipd_date"], "30/02/2026")
    with pytest.raises(ValueError, match="vouliez-vous dire « echantillonnage »"):
        parse_answer(champs["projet.controle_humain.mode"], "echantilonnage")
    with pytest.raises(ValueError, match="code pays ISO 3166-1"):
        parse_answer(champs["projet.hebergement.pays_stockage"], "France")


def test_write_back_keeps_comments_and_creates_missing_groups() -> None:
    text = SOLIDARITE.read_text(encoding="utf-8")
    new = with_answers(text, {"projet.controle_humain.mode": "revue_avant_notification",
                              "projet.transparence.mention_ia_affichee": True})
    assert new.count("#") == text.count("#")
    assert "    mode: revue_avant_notification\n" in new
    assert "  transparence:\n    mention_explicite_decision: true\n    inscrit_registre_algorithmes: true\n" \
           "    mention_ia_affichee: true\n" in new
    charte = load_charter(CHARTE_MODELE)
    _, declaration = completed(load_declaration(SOLIDARITE), text, {"projet.donnees.aipd_realisee": True},
                               charte.vocabulaire)
    assert declaration.valeurs["projet.donnees.aipd_realisee"] is True


def test_the_declaration_is_never_replaced_without_a_yes(fiche: Path) -> None:
    terminal = Terminal("completer", fiche, "-c", CHARTE_MODELE, "--date", "2026-11-22", "-i", "-o", fiche,
                        cwd=fiche.parent)
    terminal.expect("Réponse : ")
    terminal.answer("oui")
    terminal.expect("Réponse : ")
    terminal.answer("q")
    assert "(la fiche d'origine) ? [O/n]" in terminal.expect("[O/n]")  # --sortie naming the file itself
    terminal.answer("non")
    assert terminal.finish() == 2
    assert "Fiche inchangée." in terminal.screen
    assert fiche.read_text(encoding="utf-8") == SOLIDARITE.read_text(encoding="utf-8")


def test_another_existing_file_is_replaced_only_once_confirmed(fiche: Path, tmp_path: Path) -> None:
    sortie = tmp_path / "deja-la.yaml"
    sortie.write_text("# un autre fichier\n", encoding="utf-8")
    terminal = Terminal("completer", fiche, "-c", CHARTE_MODELE, "--date", "2026-11-22", "-i", "-o", sortie,
                        cwd=fiche.parent)
    terminal.expect("Réponse : ")
    terminal.answer("oui")
    terminal.expect("Réponse : ")
    terminal.answer("q")
    assert f"{sortie} existe déjà : le remplacer par la fiche complétée ? [O/n]" in terminal.expect("[O/n]")
    terminal.answer("n")
    assert terminal.finish() == 2
    assert "rien n'a été enregistré" in terminal.screen
    assert sortie.read_text(encoding="utf-8") == "# un autre fichier\n"


def test_an_uncertain_answer_is_kept_and_not_asked_again(tmp_path: Path) -> None:
    fiche = tmp_path / "fiche.yaml"
    fiche.write_text("format: fiche-projet-ia/2\nprojet:\n  id: essai\n  nom: Essai\n  statut: idee\n"
                     "  usage: {decisions_individuelles: false}\n  donnees: {personnelles: false}\n",
                     encoding="utf-8")
    commune = ROOT / "src" / "charte_ia" / "chartes" / "commune-modele.yaml"
    terminal = Terminal("completer", fiche, "-c", commune, "--date", "2026-12-01", "-i", cwd=tmp_path)
    opening = terminal.expect("Réponse : ")
    assert "1. Le système est-il un système d'IA au sens du règlement européen sur l'IA ?" in opening
    terminal.answer("incertain")
    after = terminal.expect("Réponse : ")
    assert "système d'IA au sens du règlement" not in after.split("→ Décision", 1)[1]
    assert "→ Décision : INCOMPLET" in after
    terminal.answer("q")
    terminal.expect("[O/n]")
    terminal.answer("o")
    assert terminal.finish() == 2
    assert "    est_systeme_ia: incertain\n" in fiche.read_text(encoding="utf-8")


def test_a_choice_is_listed_and_typed_by_its_label() -> None:
    """The label a report shows is also an answer: « Contrôle par échantillonnage » is echantillonnage."""
    from charte_ia.questionnaire import shown_choice

    champs = default_vocabulary().champs
    mode = champs["projet.controle_humain.mode"]
    assert parse_answer(mode, "Contrôle par échantillonnage") == "echantillonnage"
    assert parse_answer(mode, "validation systematique par un agent") == "validation_systematique"
    assert parse_answer(champs["projet.usage.publics"], "Grand public, Élus") == ["grand_public", "elus"]
    assert shown_choice(mode, "echantillonnage") == "Contrôle par échantillonnage (echantillonnage)"
