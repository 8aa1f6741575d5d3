"""``charte-ia servir``: the decision over HTTP, for tools written in any language.

The charters served are loaded and compiled when the service starts, from the command line or
the configuration file, never from a path given in a request. Every request is untrusted: its
body is read up to a limit, its declaration is checked as a file is (same diagnostics, same
budgets), evaluations run in a bounded number at once, and every error is a JSON answer in
French (``code``, ``message``, ``emplacement``), never a traceback. Beyond the loopback
interface, every request must carry the operator's token (``Authorization: Bearer``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from charte_ia import api
from charte_ia.charter import Charte
from charte_ia.decision import Decision, decision_json_schema
from charte_ia.diagnostics import Diagnostic, InvalidInputError
from charte_ia.engine import evaluate
from charte_ia.load import load_declaration
from charte_ia.report import FORMATS
from charte_ia.source import STDIN_NAME
from charte_ia.version import __version__

MAX_BODY = 1_000_000
"""Bytes a request body may hold: a declaration is a few kilobytes."""
MAX_EVALUATIONS = 4
"""Evaluations run at once; the others wait their turn, up to :data:`WAIT_SECONDS`."""
WAIT_SECONDS = 10.0
_REPORTS = {"text/html": "html", "text/markdown": "markdown", "application/pdf": "pdf"}
_MEDIA = {"html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8",
          "pdf": "application/pdf"}


@dataclass(frozen=True)
class Settings:
    """What the operator chose when starting the service."""

    chartes: Sequence[Charte]
    jeton: str | None = None
    max_body: int = MAX_BODY
    max_evaluations: int = MAX_EVALUATIONS


class RequestError(Exception):
    """A request that cannot be served, with its HTTP status and French diagnostics."""

    def __init__(self, status: int, code: str, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.diagnostics = status, code, message, diagnostics


def application(settings: Settings) -> FastAPI:
    """The ASGI application serving these charters (by their id)."""
    served = {charte.meta.id: charte for charte in settings.chartes}
    app = FastAPI(title="charte-ia", version=__version__, docs_url=None, redoc_url=None,
                  description="Vérifier une fiche projet IA au regard d'une charte : décision, rapport, "
                              "informations manquantes.")
    _guards(app, settings)
    _reading(app, served)
    _deciding(app, served, settings)
    app.openapi = lambda: _french(app)  # type: ignore[method-assign]
    return app


_ERROR_SCHEMA = {"type": "object", "title": "Erreur", "required": ["code", "message"], "properties": {
    "code": {"type": "string", "description": "Le code de l'erreur (jeton-invalide, entree-invalide…)"},
    "message": {"type": "string", "description": "Ce qui ne va pas, en français"},
    "diagnostics": {"type": "array", "description": "Pour une fiche invalide : chaque problème, comme la "
                    "commande le donne (code, gravite, message, emplacement, ligne, colonne, conseil)",
                    "items": {"type": "object"}}}}
_ERRORS = {"400": "Paramètre invalide", "401": "Jeton absent ou invalide (service au-delà de la machine)",
           "404": "Charte, règle ou adresse inconnue", "413": "Corps trop volumineux",
           "422": "Fiche invalide (diagnostics)", "503": "Trop d'évaluations en cours"}


def _french(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document in French, with the errors the service really answers."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description,
                           routes=app.routes)
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}}}
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            answers = operation.setdefault("responses", {})
            answers.pop("422", None)
            answers.get("200", {})["description"] = "Réponse"
            wanted = ("400", "401", "404") + (("413", "422", "503") if method == "post" else ())
            answers.update({status: {"description": _ERRORS[status], **error} for status in wanted})
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Erreur"] = _ERROR_SCHEMA
    app.openapi_schema = document
    return document


def _guards(app: FastAPI, settings: Settings) -> None:
    """The token, and every error as a French JSON answer (never a traceback)."""

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        try:
            if settings.jeton is not None and not _authorised(request, settings.jeton):
                raise RequestError(401, "jeton-invalide", "jeton d'accès absent ou invalide : "
                                   "en-tête « Authorization: Bearer <jeton> » attendu")
            return await call_next(request)
        except RequestError as error:
            return _error(error)
        except Exception:  # never a traceback to a client
            return _error(RequestError(500, "erreur-interne", "erreur interne : merci de la signaler"))

    @app.exception_handler(RequestValidationError)
    async def invalid_parameter(_: Request, error: RequestValidationError) -> JSONResponse:
        names = ", ".join(str(e.get("loc", ("?",))[-1]) for e in error.errors())
        return _error(RequestError(400, "parametre-invalide", f"paramètre invalide : {names} (une date "
                                   "s'écrit AAAA-MM-JJ)"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        messages = {404: ("introuvable", "adresse inconnue : voir /openapi.json"),
                    405: ("methode-non-admise", "méthode non admise pour cette adresse")}
        code, message = messages.get(error.status_code, ("requete-refusee", "requête refusée"))
        return _error(RequestError(error.status_code, code, message))

    @app.exception_handler(RequestError)
    async def refused(_: Request, error: RequestError) -> JSONResponse:
        return _error(error)


def _reading(app: FastAPI, served: dict[str, Charte]) -> None:
    """What a tool reads before sending a declaration: charters, rules, schemas."""

    @app.get("/sante", summary="État du service")
    async def sante() -> dict[str, Any]:
        return {"statut": "disponible", "version": __version__, "chartes": len(served)}

    @app.get("/chartes", summary="Les chartes servies")
    async def chartes() -> list[dict[str, Any]]:
        return [{"id": c.meta.id, "titre": c.meta.titre, "version": c.meta.version, "sha256": c.sha256,
                 "regles": len(c.regles)} for c in served.values()]

    @app.get("/chartes/{charte_id}/regles", summary="Les règles d'une charte, paquets fusionnés")
    async def regles(charte_id: str) -> list[dict[str, Any]]:
        charte = _charter(served, charte_id)
        return [{"id": r.id, "titre": r.titre, "principe": r.principe, "nature": r.source.nature.value,
                 "paquet": r.provenance.paquet if r.provenance else None} for r in charte.regles]

    @app.get("/chartes/{charte_id}/regles/{regle_id}", summary="Une règle expliquée")
    async def regle(charte_id: str, regle_id: str, date_reference: date | None = None) -> dict[str, Any]:
        charte = _charter(served, charte_id)
        try:
            found = api.find_rule(charte, regle_id)
        except api.InvalidRequestError as error:
            raise RequestError(404, "regle-inconnue", str(error)) from None
        return {"id": found.id, "explication": api.explain(charte, found.id, date_reference or date.today())}

    @app.get("/schemas/fiche", summary="Schéma JSON des fiches d'une charte")
    async def schema_fiche(charte: str | None = None) -> dict[str, Any]:
        chosen = _charter(served, charte) if charte else next(iter(served.values()))
        return chosen.vocabulaire.json_schema()

    @app.get("/schemas/decision", summary="Schéma JSON de la décision (decision-charte-ia/1)")
    async def schema_decision() -> dict[str, Any]:
        return decision_json_schema()


def _deciding(app: FastAPI, served: dict[str, Charte], settings: Settings) -> None:
    """Declarations in, decisions, reports and missing information out, a bounded number at once."""
    slots = asyncio.Semaphore(settings.max_evaluations)

    @app.post("/chartes/{charte_id}/decision", summary="Décider d'une fiche (JSON ou YAML)",
              description="La décision au format decision-charte-ia/1, identique à celle de "
                          "« charte-ia verifier - --format json » ; ou le rapport du comité selon l'en-tête "
                          "Accept : text/html, text/markdown, application/pdf.")
    async def decision(charte_id: str, request: Request, date_reference: date | None = None) -> Response:
        charte = _charter(served, charte_id)
        decided = await _decide(request, charte, date_reference, slots, settings.max_body)
        report = _REPORTS.get(request.headers.get("accept", "").split(",")[0].strip())
        if report is None:
            return Response(decided.to_json(), media_type="application/json")
        content = await run_in_threadpool(FORMATS[report].contenu, [decided])
        return Response(content, media_type=_MEDIA[report])

    @app.post("/chartes/{charte_id}/manquants", summary="Les informations manquantes, la plus utile d'abord")
    async def manquants(charte_id: str, request: Request, date_reference: date | None = None) -> Response:
        charte = _charter(served, charte_id)
        decided = await _decide(request, charte, date_reference, slots, settings.max_body)
        return JSONResponse([q.model_dump(mode="json") for q in decided.informations_manquantes])


def _charter(served: dict[str, Charte], charte_id: str) -> Charte:
    found = served.get(charte_id)
    if found is None:
        raise RequestError(404, "charte-inconnue", f"charte « {charte_id} » non servie ; chartes servies : "
                           + ", ".join(sorted(served)))
    return found


async def _decide(request: Request, charte: Charte, jour: date | None, slots: asyncio.Semaphore,
                  max_body: int) -> Decision:
    body = await _body(request, max_body)
    try:
        await asyncio.wait_for(slots.acquire(), WAIT_SECONDS)
    except TimeoutError:
        raise RequestError(503, "service-occupe", "trop d'évaluations en cours : réessayez dans un "
                           "instant") from None
    try:
        return await run_in_threadpool(_evaluate, charte, body, jour or date.today())
    finally:
        slots.release()


def _evaluate(charte: Charte, body: bytes, jour: date) -> Decision:
    try:
        declaration = load_declaration(body, vocabulaire=charte.vocabulaire, limits=charte.limites,
                                       nom=STDIN_NAME)  # as « charte-ia verifier - » names it
        return evaluate(charte, declaration, jour)
    except InvalidInputError as error:
        raise RequestError(422, "entree-invalide", "fiche invalide", error.diagnostics) from None


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, "corps-trop-grand", f"requête trop volumineuse (plus de {limit} octets)")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise RequestError(413, "corps-trop-grand", f"requête trop volumineuse (plus de {limit} octets)")
    return bytes(received)


def _authorised(request: Request, jeton: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), jeton.encode())


def _error(error: RequestError) -> JSONResponse:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.diagnostics:
        body["diagnostics"] = [_diagnostic(d) for d in error.diagnostics]
    return JSONResponse(body, status_code=error.status)


def _diagnostic(diagnostic: Diagnostic) -> dict[str, Any]:
    where = diagnostic.location
    return {"code": diagnostic.code, "gravite": diagnostic.gravite.value, "message": diagnostic.message,
            "emplacement": where.logical_path or None, "ligne": where.line, "colonne": where.column,
            "conseil": diagnostic.hint}


def openapi_text(settings: Settings) -> str:
    """The OpenAPI document of the service, as JSON text (for the documentation site)."""
    return json.dumps(application(settings).openapi(), ensure_ascii=False, indent=2) + "\n"
