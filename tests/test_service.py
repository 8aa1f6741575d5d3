"""``charte-ia servir`` in a real uvicorn process on 127.0.0.1, as a tool in another language uses it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, Run

httpx = pytest.importorskip("httpx", reason="httpx absent : make test l'installe (extra dev)")
pytest.importorskip("fastapi", reason="FastAPI absent : make test l'installe (extra dev)")
pytest.importorskip("uvicorn", reason="uvicorn absent : make test l'installe (extra dev)")

EXEMPLES = ROOT / "exemples"
DAY = {"date_reference": "2026-11-22"}
CHARTE = "commune-modele"  # the shipped model charter, by its name
CHARTE_ID = "fr.commune-modele.charte-ia"
JETON = "jeton-de-test-4f1c"


@dataclass
class Service:
    url: str
    process: subprocess.Popen[str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(*args: str, env: dict[str, str] | None = None) -> Iterator[Service]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "charte_ia", "servir", "--charte", CHARTE,
                                "--port", str(port), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"le service s'est arrêté : {said}")
        try:
            httpx.get(f"{url}/sante", timeout=1, headers={"Authorization": f"Bearer {JETON}"})
            break
        except httpx.TransportError:
            time.sleep(0.1)
    try:
        yield Service(url, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    yield from _start()


def test_health_and_charters_served(service: Service) -> None:
    assert httpx.get(f"{service.url}/sante").json()["statut"] == "disponible"
    [served] = httpx.get(f"{service.url}/chartes").json()
    assert served["id"] == CHARTE_ID
    assert served["regles"] == 75
    rules = httpx.get(f"{service.url}/chartes/{CHARTE_ID}/regles").json()
    assert {"id": "communs.CH-COMMUNS", "nature": "charte"}.items() <= next(
        r for r in rules if r["id"] == "communs.CH-COMMUNS").items()
    explained = httpx.get(f"{service.url}/chartes/{CHARTE_ID}/regles/CH-COMMUNS").json()
    assert explained["explication"].startswith("Règle communs.CH-COMMUNS — ")
    schema = httpx.get(f"{service.url}/schemas/decision").json()
    assert schema["title"] == "Décision charte-ia (decision-charte-ia/1)"
    assert "projet" in httpx.get(f"{service.url}/schemas/fiche").json()["properties"]
    assert httpx.get(f"{service.url}/openapi.json").json()["info"]["title"] == "charte-ia"


def test_the_decision_is_the_one_the_command_gives_byte_for_byte(service: Service) -> None:
    fiche = EXEMPLES / "aide-attribution-creche.yaml"
    served = httpx.post(f"{service.url}/chartes/{CHARTE_ID}/decision", params=DAY,
                        content=fiche.read_bytes(), timeout=60)
    assert served.status_code == 200
    command = subprocess.run([sys.executable, "-m", "charte_ia", "verifier", "-", "--charte", CHARTE,
                              "--date", "2026-11-22", "--format", "json"], input=fiche.read_bytes(),
                             capture_output=True, check=False)
    assert served.content == command.stdout
    html = httpx.post(f"{service.url}/chartes/{CHARTE_ID}/decision", content=fiche.read_bytes(),
                      params=DAY, headers={"Accept": "text/html"}, timeout=60)
    assert html.headers["content-type"].startswith("text/html")
    assert "Avis de conformité : NON CONFORME" in html.text
    missing = httpx.post(f"{service.url}/chartes/{CHARTE_ID}/manquants", params=DAY,
                         content=(EXEMPLES / "aide-instruction-solidarite.yaml").read_bytes(), timeout=60)
    assert missing.json()[0]["champ"] == "projet.donnees.aipd_realisee"


@pytest.mark.parametrize(("path", "body", "status", "code"), [
    (f"/chartes/{CHARTE_ID}/decision", b"format: fiche-projet-ia/2\nprojet: {id: x, nom: y, donnees: "
     b"{personnelles: peut-etre}}\n", 422, "entree-invalide"),
    (f"/chartes/{CHARTE_ID}/decision", b"projet: [\n", 422, "entree-invalide"),
    (f"/chartes/{CHARTE_ID}/decision", b"a" * 1_000_001, 413, "corps-trop-grand"),
    ("/chartes/inconnue/decision", b"{}", 404, "charte-inconnue"),
    (f"/chartes/{CHARTE_ID}/decision?date_reference=22/11/2026", b"{}", 400, "parametre-invalide"),
    ("/nulle-part", b"", 404, "introuvable"),
])
def test_every_error_is_french_json_never_a_traceback(service: Service, path: str, body: bytes, status: int,
                                                      code: str) -> None:
    answer = httpx.post(f"{service.url}{path}", content=body, timeout=60)
    assert answer.status_code == status
    assert answer.json()["code"] == code
    assert "Traceback" not in answer.text


def test_a_wrong_answer_is_placed_as_the_command_places_it(service: Service) -> None:
    body = b"format: fiche-projet-ia/2\nprojet: {id: x, nom: y, donnees: {personnelles: peut-etre}}\n"
    [problem] = httpx.post(f"{service.url}/chartes/{CHARTE_ID}/decision", content=body).json()["diagnostics"]
    assert problem == {"code": "fiche", "gravite": "erreur", "emplacement": "projet.donnees.personnelles",
                       "ligne": 2, "colonne": 49, "conseil": None,
                       "message": "réponse attendue : oui ou non (ou true, false) ; « peut-etre » reçu"}


def test_beyond_loopback_a_token_is_required(run: Callable[..., Run],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from charte_ia import load_charter
    from charte_ia.server import Settings, application

    monkeypatch.delenv("CHARTE_IA_JETON", raising=False)
    refused = run("servir", "--charte", CHARTE, "--hote", "0.0.0.0")
    assert refused.code == 3
    assert "demande un jeton d'accès : définissez CHARTE_IA_JETON" in refused.err
    app = application(Settings([load_charter(CHARTE)], jeton=JETON))

    async def ask(headers: dict[str, str]) -> Any:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            return await client.get("/chartes", headers=headers)

    assert asyncio.run(ask({})).status_code == 401
    wrong = asyncio.run(ask({"Authorization": "Bearer faux"}))
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "jeton-invalide"
    assert asyncio.run(ask({"Authorization": f"Bearer {JETON}"})).status_code == 200


def test_the_charter_of_the_configuration_is_served(tmp_path: Path) -> None:
    """``charte = …`` in charte-ia.toml is the charter ``servir`` compiles, as for every command."""
    from charte_ia.cli import cli
    from charte_ia.cli.configuration import default_map

    (tmp_path / "charte-ia.toml").write_text('charte = "commune-modele"\n', encoding="utf-8")
    defaults = default_map(tmp_path / "charte-ia.toml", cli.commands)
    assert defaults["servir"] == {"chartes": ("commune-modele",)}
    assert defaults["verifier"]["charte_path"] == "commune-modele"


def test_the_openapi_document_is_french_and_says_the_errors_the_service_gives(run: Callable[..., Run],
                                                                              tmp_path: Path) -> None:
    import json

    target = tmp_path / "openapi.json"
    done = run("servir", "--openapi", target)
    assert done.code == 0, done.err
    text = target.read_text(encoding="utf-8")
    document = json.loads(text)
    assert sorted(document["paths"]) == ["/chartes", "/chartes/{charte_id}/decision",
                                         "/chartes/{charte_id}/manquants", "/chartes/{charte_id}/regles",
                                         "/chartes/{charte_id}/regles/{regle_id}", "/sante",
                                         "/schemas/decision", "/schemas/fiche"]
    for english in ("Successful Response", "Validation Error", "HTTPValidationError"):
        assert english not in text
    answers = document["paths"]["/chartes/{charte_id}/decision"]["post"]["responses"]
    assert sorted(answers) == ["200", "400", "401", "404", "413", "422", "503"]
    assert answers["422"]["description"] == "Fiche invalide (diagnostics)"


def test_the_hostile_declarations_of_the_corpus_are_refused_through_http(service: Service) -> None:
    """Each hostile declaration of tests/hostiles, sent as a body: a French 4xx, never a decision,
    never a traceback, and the service still answers afterwards."""
    hostile = sorted((ROOT / "tests" / "hostiles").glob("fiche-*.yaml"))
    assert len(hostile) >= 15
    for path in hostile:
        answer = httpx.post(f"{service.url}/chartes/{CHARTE_ID}/decision", content=path.read_bytes(),
                            timeout=60)
        assert answer.status_code in (413, 422), (path.name, answer.status_code)
        body = answer.json()
        assert body["code"] in ("entree-invalide", "corps-trop-grand"), path.name
        assert "Traceback" not in answer.text
        assert all(d["message"] and d["gravite"] == "erreur" for d in body.get("diagnostics", [])), path.name
    assert httpx.get(f"{service.url}/sante").json()["statut"] == "disponible"
