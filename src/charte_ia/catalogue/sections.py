"""Sections several catalogue pages share: parameters, qualifications, added fields, references."""


from __future__ import annotations

from collections.abc import Iterable

from charte_ia import cel
from charte_ia.catalogue.index import Catalogue, Unit
from charte_ia.catalogue.markdown import Markdown, dated_values, md_link, plain, relative
from charte_ia.model import PorteeRegle, Reference

ALWAYS = {
    PorteeRegle.TOUT_PROJET: "Toujours, à tout projet déclaré.",
    PorteeRegle.SYSTEMES_IA: "À tout système d'IA.",
    PorteeRegle.ALGORITHMES: "À tout système d'IA, et à tout traitement algorithmique qui fonde des "
                             "décisions individuelles, qu'il relève de l'IA ou non.",
}


def parameters_section(md: Markdown, catalogue: Catalogue, unit: Unit, *, fusion: bool = False) -> None:
    charte = unit.charte
    names = list(charte.parametres) if fusion else [
        n for n in charte.parametres if n in (unit.source.get("parametres") or {})]
    if not names:
        return
    md.heading(2, "Paramètres")
    rows = []
    for name in names:
        spec = catalogue.parameter_spec(unit, name)
        changes = [m for m in charte.modifications if m.nature == "parametre" and m.cible == f"param.{name}"]
        note = "; ".join(plain(m.description) + (f" — motif : {plain(m.motif)}" if m.motif else "")
                         for m in changes)
        locked = " 🔒" if spec.get("verrouille") is True else ""
        description = plain(str(spec.get("description") or ""))
        if spec.get("justification"):
            description += " *Pourquoi cette valeur :* " + plain(str(spec["justification"]))
        values = plain(dated_values(charte.parametres[name]))
        rows.append([f"`{name}`{locked}", description, values, note or "—"])
    last = "Modifié par la charte" if fusion else "Modifications"
    md.table(["Paramètre", "Description", "Valeurs", last], rows)
    if any("🔒" in row[0] for row in rows):
        md.para("🔒 : paramètre verrouillé par son paquet — une charte ne peut pas en changer la "
                "valeur.")


def qualifications_section(md: Markdown, catalogue: Catalogue, unit: Unit, here: str) -> None:
    own = [q for q in unit.charte.qualifications if q.espace == ""]
    if not own:
        return
    declared = unit.source.get("qualifications") or {}
    md.heading(2, "Qualifications")
    md.para("Une qualification est une étiquette calculée une fois par fiche, avant les règles, que les "
            "règles lisent sous la forme `qualif.nom`.")
    nommer = catalogue.nommer(unit, "", here)
    for qualification in own:
        md.heading(3, f"`{qualification.id}` — {plain(qualification.titre)} {{#qualif-{qualification.id}}}")
        spec = declared.get(qualification.id)
        if isinstance(spec, dict) and spec.get("description"):
            md.para(plain(str(spec["description"])))
        md.para("Vraie si : " + cel.in_words(qualification.expression, nommer))
        md.code(qualification.expression.source.strip())
        if qualification.references:
            md.bullets(reference_md(r) for r in qualification.references)


def added_fields_section(md: Markdown, unit: Unit, here: str) -> None:
    added = [c for c in unit.source.get("champs") or [] if isinstance(c, dict)]
    if not added:
        return
    md.heading(2, "Champs ajoutés à la fiche")
    md.bullets(md_link(f"`{c.get('chemin')}`", relative(here, f"champs/{c.get('chemin')}.md"))
               + f" — {plain(str(c.get('question', '')))}" for c in added)


def references_section(md: Markdown, references: Iterable[Reference]) -> None:
    items = [reference_md(r) for r in references]
    if items:
        md.heading(2, "Références")
        md.bullets(items)


def reference_md(reference: Reference) -> str:
    text = plain(reference.texte)
    if reference.articles:
        text += ", art. " + ", ".join(plain(a) for a in reference.articles)
    return f"{text} — {md_link('texte officiel', reference.url)}" if reference.url else text


