"""``charte-ia servir``: start the HTTP service on the charters given, compiled at start-up."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from charte_ia.cli.francais import UsageFrancais
from charte_ia.cli.terminal import echo
from charte_ia.limits import Limits

TOKEN_VARIABLE = "CHARTE_IA_JETON"
"""Where the operator puts the access token: an environment variable, never the command line
(which every user of the machine can read)."""


@click.command()
@click.option("--charte", "-c", "chartes", multiple=True, metavar="CHARTE",
              help="Une charte à servir (fichier, ou nom d'une charte modèle) ; répétable. Les chartes sont "
                   "compilées au démarrage ; une requête les désigne par leur identifiant.")
@click.option("--hote", default="127.0.0.1", show_default=True, metavar="ADRESSE",
              help="L'adresse d'écoute ; au-delà de la machine (0.0.0.0…), CHARTE_IA_JETON est obligatoire.")
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Le port d'écoute.")
@click.option("--openapi", "openapi", default=None, metavar="FICHIER",
              help="Écrire le document OpenAPI du service dans FICHIER (« - » : la sortie standard), sans "
                   "démarrer le service.")
def servir(*, chartes: tuple[str, ...], hote: str, port: int, openapi: str | None) -> None:
    """Servir les décisions par HTTP (API JSON en français, document OpenAPI sur /openapi.json).

    Points d'accès : /sante, /chartes, /chartes/ID/regles, /schemas/fiche, /schemas/decision ;
    POST /chartes/ID/decision (fiche en JSON ou YAML ; rapport selon l'en-tête Accept) et
    POST /chartes/ID/manquants. Ctrl-C arrête le service.
    """
    if openapi is not None:
        write_openapi(openapi)
        return
    if not chartes:
        raise UsageFrancais("option obligatoire manquante : --charte (la charte à servir)")
    limits = click.get_current_context().find_root().obj
    serve(chartes, hote, port, limits if isinstance(limits, Limits) else Limits())


def write_openapi(target: str) -> None:
    """The OpenAPI document, for the documentation site or a client generator."""
    from charte_ia.output import write_atomically  # noqa: PLC0415
    from charte_ia.server import Settings, openapi_text  # noqa: PLC0415

    text = openapi_text(Settings(()))
    if target == "-":
        echo(text, nl=False)
    else:
        write_atomically(Path(target), text)


def serve(chartes: tuple[str, ...], hote: str, port: int, limits: Limits) -> None:
    """Load the charters, then serve them until interrupted (Ctrl-C or SIGTERM)."""
    try:
        import uvicorn  # noqa: PLC0415 - the service's libraries load only for this command

        from charte_ia.server import Settings, application  # noqa: PLC0415
    except ImportError as error:
        raise UsageFrancais(f"le service demande FastAPI et uvicorn : pip install 'charte-ia[serveur]' "
                            f"({error})") from None
    from charte_ia.load import load_charter  # noqa: PLC0415

    jeton = os.environ.get(TOKEN_VARIABLE) or None
    if not _loopback(hote) and jeton is None:
        raise UsageFrancais(f"écouter sur « {hote} », au-delà de la machine, demande un jeton d'accès : "
                            f"définissez {TOKEN_VARIABLE} (les clients l'envoient dans "
                            "« Authorization: Bearer <jeton> »)")
    loaded = [load_charter(chemin, limits=limits) for chemin in chartes]
    echo(f"charte-ia sert {len(loaded)} charte{'s' if len(loaded) > 1 else ''} sur http://{hote}:{port}/ "
         f"({', '.join(c.meta.id for c in loaded)}) ; documentation de l'API : /openapi.json", err=True)
    uvicorn.run(application(Settings(loaded, jeton)), host=hote, port=port, log_level="warning",
                server_header=False, date_header=False)


def _loopback(hote: str) -> bool:
    if hote == "localhost":
        return True
    try:
        return ipaddress.ip_address(hote).is_loopback
    except ValueError:
        return False
