"""``charte-ia init``: a model charter and a declaration to start from, in the current folder."""

from __future__ import annotations

from pathlib import Path

import click

from charte_ia.cli.francais import UsageFrancais
from charte_ia.cli.terminal import echo


@click.command()
@click.option("--modele", "-m", default="commune-modele", show_default=True, metavar="NOM",
              help="La charte modèle à copier : commune-modele, departement-modele ou metropole-modele.")
@click.option("--dossier", "-d", default=".", metavar="DOSSIER",
              help="Où écrire charte.yaml et fiche.yaml (par défaut : le dossier courant).")
def init(*, modele: str, dossier: str) -> None:
    """Copier une charte modèle et une fiche à compléter, pour commencer.

    Aucun fichier existant n'est remplacé.
    """
    from charte_ia import api
    from charte_ia.output import write_atomically

    try:
        files = api.starter_files(modele)
    except api.InvalidRequestError as error:
        raise UsageFrancais(str(error)) from None
    folder = Path(dossier)
    present = [name for name in files if (folder / name).exists()]
    if present:
        raise UsageFrancais(f"déjà présent : {', '.join(str(folder / n) for n in present)} ; rien n'a été "
                            "écrit (choisissez un autre dossier avec --dossier)")
    for name, text in files.items():
        write_atomically(folder / name, text)
    charte, fiche = folder / "charte.yaml", folder / "fiche.yaml"
    echo(f"Écrits : {charte} (copie de la charte modèle {modele}, à adapter puis à faire adopter) et "
         f"{fiche} (à compléter).", err=True)
    echo(f"Ensuite : charte-ia verifier {fiche} --charte {charte}", err=True)
