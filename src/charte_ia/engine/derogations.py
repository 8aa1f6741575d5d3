"""Dérogations granted by the ethics committee, applied to the rule results of one declaration."""

from __future__ import annotations

from datetime import date

from charte_ia.charter import (
    Charte,
)
from charte_ia.decision import (
    DerogationAppliquee,
    EtatDerogation,
    ResultatRegle,
    Statut,
    SuiviDerogation,
)
from charte_ia.declaration import Declaration
from charte_ia.derogation import Derogation, Derogations
from charte_ia.diagnostics import date_fr, did_you_mean
from charte_ia.engine.regles import place_of

# --- Dérogations -------------------------------------------------------------------------------


def apply_derogations(charte: Charte, declaration: Declaration, jour: date, derogations: Derogations,
                       results: list[ResultatRegle]) -> tuple[list[ResultatRegle], list[SuiviDerogation]]:
    by_id = {r.id: index for index, r in enumerate(results)}
    suivi = []
    for index, derogation in derogations.pour(declaration.id):
        place = place_of(derogations.location(index))
        for regle_id in derogation.regles:
            position = by_id.get(regle_id)
            current = None if position is None else results[position]
            etat, detail = _derogation_state(derogation, jour, current, declaration.empreinte)
            if position is None:
                known = [r.id for r in charte.regles]
                detail += f" ({hint})" if (hint := did_you_mean(regle_id, known)) else ""
            elif etat is EtatDerogation.UTILISEE:
                results[position] = results[position].model_copy(update={
                    "statut": Statut.DEROGEE,
                    "derogation": DerogationAppliquee(
                        id=derogation.id, accordee_par=derogation.accordee_par,
                        deliberation=derogation.deliberation, accordee_le=derogation.accordee_le,
                        expire_le=derogation.expire_le, justification=derogation.justification,
                        mesures_compensatoires=derogation.mesures_compensatoires)})
            suivi.append(SuiviDerogation(id=derogation.id, regle=regle_id, etat=etat, detail=detail,
                                         accordee_le=derogation.accordee_le,
                                         expire_le=derogation.expire_le, position=place))
    return results, suivi


def _derogation_state(derogation: Derogation, jour: date, result: ResultatRegle | None,
                      empreinte: str) -> tuple[EtatDerogation, str]:
    if result is None:
        return EtatDerogation.ORPHELINE, "la charte n'a pas de règle en vigueur portant cet identifiant"
    if derogation.empreinte_fiche != empreinte:
        return EtatDerogation.A_REEXAMINER, (
            "la fiche n'est plus celle que le comité a examinée (son contenu a changé, ou une autre "
            "fiche reprend l'identifiant du projet) : la dérogation ne s'applique pas ; le comité "
            f"doit réexaminer la fiche, puis inscrire son empreinte ({empreinte[:19]}…, donnée par "
            "« charte-ia empreinte FICHE ») s'il maintient la dérogation")
    if jour > derogation.expire_le:
        return EtatDerogation.EXPIREE, (f"expirée le {date_fr(derogation.expire_le)} : elle ne "
                                        f"s'applique plus, la règle est {_statut(result.statut)}")
    if jour < derogation.accordee_le:
        return EtatDerogation.PAS_ENCORE_VALABLE, (f"accordée à compter du "
                                                   f"{date_fr(derogation.accordee_le)}")
    if result.statut is Statut.NON_CONFORME:
        return EtatDerogation.UTILISEE, (f"la règle non respectée est dérogée jusqu'au "
                                         f"{date_fr(derogation.expire_le)}")
    reasons = {
        Statut.INDETERMINE: "la règle est indéterminée : une dérogation ne remplace pas une "
                            "information manquante",
        Statut.ERREUR: "la règle est en erreur : elle doit être corrigée dans la charte",
        Statut.HORS_VIGUEUR: "la règle n'est pas en vigueur à la date de référence",
    }
    return EtatDerogation.SANS_OBJET, reasons.get(
        result.statut, f"la règle est {_statut(result.statut)} : la dérogation n'a pas servi")


def _statut(statut: Statut) -> str:
    return statut.value.replace("_", " ").replace("indetermine", "indéterminée")


