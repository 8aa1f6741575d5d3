"""The pages of the catalogue: the index, one per pack, charter, rule and field."""


from __future__ import annotations

from charte_ia import cel
from charte_ia.catalogue.index import Catalogue, Unit, expressions_of
from charte_ia.catalogue.markdown import (
    Markdown,
    dated_values,
    md_link,
    period_fr,
    plain,
    relative,
    status_sign,
    template_md,
    type_fr,
    where,
    yaml_example,
)
from charte_ia.catalogue.sections import (
    ALWAYS,
    added_fields_section,
    parameters_section,
    qualifications_section,
    reference_md,
    references_section,
)
from charte_ia.charter import Modification, Regle, describe_period, describe_severities
from charte_ia.diagnostics import date_fr
from charte_ia.engine import fields_of
from charte_ia.model import DEBUT_DES_TEMPS, Champ, Combinaison, PorteeRegle, TypeChamp


class PackPage:
    def __init__(self, catalogue: Catalogue, unit: Unit) -> None:
        self.catalogue = catalogue
        self.unit = unit
        self.here = f"{unit.dossier}/index.md"

    def render(self) -> str:
        unit, meta = self.unit, self.unit.charte.meta
        md = Markdown()
        md.title(f"{plain(meta.titre)}")
        md.facts([("Paquet", f"`{meta.id}`"), ("Version", meta.version), ("Licence", meta.licence or "—"),
                  ("Fichier", f"`{unit.document.name}`"), ("Empreinte sha256", f"`{unit.charte.sha256}`")])
        if meta.description:
            md.para(plain(meta.description))
        md.para(f"Pour l'importer dans une charte : `{{paquet: {meta.id}, version: {meta.version}, "
                f"espace: …}}` dans `importe:` (voir [Paquets de règles](../../../paquets.md)).")
        parameters_section(md, self.catalogue, unit)
        qualifications_section(md, self.catalogue, unit, self.here)
        added_fields_section(md, unit, self.here)
        md.heading(2, f"Règles ({len(unit.propres)})")
        md.table(["Règle", "Titre", "Principe", "Sévérité"],
                 [[md_link(f"`{r.id}`", f"{r.source.id}.md") + (" 🔒" if r.verrouille else ""),
                   plain(r.titre),
                   plain(unit.charte.principes.get(r.principe, r.principe)), describe_severities(r.severites)]
                  for r in unit.propres])
        if any(r.verrouille for r in unit.propres):
            md.para("🔒 : règle verrouillée — une charte peut la renforcer, jamais l'assouplir ni la "
                    "désactiver.")
        return md.text()


class CharterPage:
    def __init__(self, catalogue: Catalogue, unit: Unit) -> None:
        self.catalogue = catalogue
        self.unit = unit
        self.here = f"{unit.dossier}/index.md"

    def render(self) -> str:
        unit, charte, meta = self.unit, self.unit.charte, self.unit.charte.meta
        md = Markdown()
        md.title(plain(meta.titre))
        facts = [("Identifiant", f"`{meta.id}`"), ("Version", meta.version),
                 ("Éditeur", plain(meta.editeur.nom) if meta.editeur else "—")]
        if meta.adoption:
            adoption = meta.adoption
            text = (f"{plain(adoption.instance)}, délibération {plain(adoption.deliberation)} "
                    f"du {date_fr(adoption.date)}")
            facts.append(("Adoption", md_link(text, adoption.url) if adoption.url else text))
        facts += [("En vigueur", describe_period(meta.en_vigueur)),
                  ("Licence", meta.licence or "—"), ("Fichier", f"`{unit.document.name}`"),
                  ("Empreinte sha256", f"`{charte.sha256}`")]
        md.facts(facts)
        if meta.description:
            md.para(plain(meta.description))
        md.para("Vue fusionnée : les règles des paquets importés, avec les modifications que la charte leur "
                "apporte. Un assouplissement est toujours accompagné de son motif.")
        if charte.paquets:
            md.heading(2, "Paquets importés")
            md.table(["Paquet", "Version", "Espace de noms", "Empreinte sha256"],
                     [[self._pack_link(p.id, p.titre), p.version, f"`{p.espace}`", f"`{p.sha256[:16]}…`"]
                      for p in charte.paquets])
        self._changes(md)
        parameters_section(md, self.catalogue, unit, fusion=True)
        qualifications_section(md, self.catalogue, unit, self.here)
        added_fields_section(md, unit, self.here)
        self._rules(md)
        return md.text()

    def _pack_link(self, pack_id: str, titre: str) -> str:
        if pack_id in self.catalogue.packs:
            return md_link(plain(titre), relative(self.here, f"paquets/{pack_id}/index.md"))
        return plain(titre)

    def _changes(self, md: Markdown) -> None:
        charte = self.unit.charte
        own = [m for m in charte.modifications if m.nature != "parametre"]
        if own:
            md.heading(2, "Modifications des règles importées")
            md.table(["Règle", "Modification", "Assouplit ?", "Motif", "Écrite"],
                     [self._change_row(m) for m in own])
        if charte.desactivees:
            md.heading(2, "Règles désactivées")
            md.table(["Règle", "Titre", "Motif", "Écrite"],
                     [[f"`{d.id}`", plain(d.titre), plain(d.motif), where(d.location)]
                      for d in charte.desactivees])

    def _change_row(self, change: Modification) -> list[str]:
        regle = self.unit.charte.regle(change.cible)
        target = self.catalogue.rule_link(regle, self.here) if regle else f"`{change.cible}`"
        return [target, plain(change.description), "**oui**" if change.assouplissement else "non",
                plain(change.motif) if change.motif else "—", where(change.location)]

    def _rules(self, md: Markdown) -> None:
        charte, jour = self.unit.charte, self.catalogue.jour
        md.heading(2, f"Règles ({len(charte.regles)})")
        md.para(f"Sévérité dans cette charte, et sévérité au {date_fr(jour)} entre crochets quand elle "
                "change avec le temps. ✎ : modifiée par la charte ; ⚠ : assouplie (avec motif).")
        for principe, titre in charte.principes.items():
            rules = [r for r in charte.regles if r.principe == principe]
            if not rules:
                continue
            md.heading(3, plain(titre))
            rows = []
            for regle in rules:
                if regle.provenance is None:
                    link = md_link(f"`{regle.id}`", f"{regle.source.id}.md")
                    origin = "la charte"
                else:
                    link = self.catalogue.rule_link(regle, self.here)
                    origin = f"{regle.provenance.paquet} {regle.provenance.version}"
                mark = " ⚠" if regle.assouplie else (" ✎" if regle.modifications else "")
                severite = describe_severities(regle.severites)
                if len(regle.severites) > 1:
                    now = regle.severite_au(jour)
                    severite += f" [{now.value if now else 'pas encore en vigueur'}]"
                rows.append([link + mark, plain(regle.titre), severite, origin])
            md.table(["Règle", "Titre", "Sévérité", "Origine"], rows)


class RulePage:
    def __init__(self, catalogue: Catalogue, unit: Unit, regle: Regle) -> None:
        self.catalogue = catalogue
        self.unit = unit
        self.regle = regle
        self.here = unit.page(regle)
        self.nommer = catalogue.nommer(unit, "", self.here)

    def render(self) -> str:
        regle, unit, source = self.regle, self.unit, self.regle.source
        md = Markdown()
        md.title(f"{regle.id} — {plain(regle.titre)}")
        md.facts([(("Paquet" if unit.est_paquet else "Charte"), md_link(plain(unit.nom), "index.md")),
                  ("Principe", plain(unit.charte.principes.get(regle.principe, regle.principe))),
                  ("Sévérité", describe_severities(regle.severites)),
                  ("Concerne", regle.source.portee.libelle),
                  ("Nature", regle.source.nature.libelle),
                  ("En vigueur", period_fr(regle))])
        if regle.verrouille:
            md.admonition("warning", "Règle verrouillée",
                          "Une charte qui importe ce paquet peut la renforcer, jamais l'assouplir "
                          "ni la désactiver.")
        if source.a_verifier:
            md.admonition("note", "À faire vérifier par un juriste", plain(source.a_verifier))
        if source.description:
            md.para(plain(source.description))
        self._severities(md)
        md.heading(2, "Quand la règle s'applique")
        scope = regle.source.portee
        if regle.applicable_si is None:
            md.para(ALWAYS[scope])
        else:
            if scope is not PorteeRegle.TOUT_PROJET:
                md.para(f"Parmi {scope.libelle} :")
            self._expression(md, regle.applicable_si)
        self._requirement(md)
        self._exceptions(md)
        md.heading(2, "Message quand elle n'est pas respectée")
        md.para(template_md(regle.message))
        if regle.remediation is not None:
            md.heading(2, "Que faire")
            md.para(template_md(regle.remediation))
        references_section(md, regle.references)
        self._fields(md)
        self._examples(md)
        self._in_charters(md)
        md.heading(2, "Provenance")
        md.para(f"Écrite dans `{unit.document.name}`, ligne {regle.location.line}"
                + (f", revue le {date_fr(source.revu_le)}" if source.revu_le else "") + ".")
        return md.text()

    def _severities(self, md: Markdown) -> None:
        if len(self.regle.severites) < 2:
            return
        md.heading(2, "Sévérité dans le temps")
        md.table(["À partir du", "Sévérité"],
                 [["(toujours)" if day == DEBUT_DES_TEMPS else date_fr(day), severite.value]
                  for day, severite in self.regle.severites])

    def _expression(self, md: Markdown, expression: cel.Expression) -> None:
        md.para(cel.in_words(expression, self.nommer))
        md.code(expression.source.strip())

    def _requirement(self, md: Markdown) -> None:
        regle = self.regle
        md.heading(2, "Ce qu'elle exige")
        if len(regle.clauses) > 1:
            md.para("Toutes les clauses suivantes." if regle.combinaison is Combinaison.TOUTES
                    else "Au moins une des clauses suivantes.")
        for clause in regle.clauses:
            if len(regle.clauses) > 1:
                md.heading(3, f"Clause « {clause.id} »")
            self._expression(md, clause.expression)
            if clause.message is not None:
                md.para(f"Message si elle n'est pas respectée : {(template_md(clause.message))}")

    def _exceptions(self, md: Markdown) -> None:
        if not self.regle.exceptions:
            return
        md.heading(2, "Exceptions")
        for exception in self.regle.exceptions:
            effet = ("la règle ne s'applique pas" if exception.effet.value == "non_applicable"
                     else "la règle est réputée respectée")
            md.heading(3, f"« {exception.id} » : {effet}")
            self._expression(md, exception.condition)
            md.para(f"Justification : {plain(exception.justification)}")
            if exception.references:
                md.bullets(reference_md(r) for r in exception.references)

    def _fields(self, md: Markdown) -> None:
        charte = self.unit.charte
        direct: set[str] = set()
        every: set[str] = set()
        parameters: set[str] = set()
        for expression in expressions_of(self.regle):
            direct |= {"projet." + c for c in expression.chemins("projet")}
            every |= fields_of(charte, expression, "")
            parameters |= {charte.nom_complet("", c) for c in expression.chemins("param")}
        if every:
            md.heading(2, "Champs de la fiche lus")
            lines = []
            for chemin in sorted(every, key=charte.vocabulaire.ordre):
                champ = charte.vocabulaire.champ(chemin)
                how = "" if chemin in direct else " (par une qualification)"
                lines.append(md_link(f"`{chemin}`", relative(self.here, f"champs/{chemin}.md"))
                             + (f" — {plain(champ.question)}" if champ else "") + how)
            md.bullets(lines)
        if parameters:
            md.heading(2, "Paramètres")
            md.bullets(f"`{name}` : {plain(dated_values(charte.parametres.get(name, ())))}"
                       for name in sorted(parameters))

    def _examples(self, md: Markdown) -> None:
        outcomes = self.unit.exemples.get(self.regle.id, [])
        if not outcomes:
            return
        md.heading(2, f"Exemples ({len(outcomes)})")
        md.para("Chaque exemple est une fiche partielle écrite dans la règle ; « obtenu » est le statut "
                f"que la règle donne réellement (évalué au {date_fr(self.catalogue.jour)} ou à la date "
                "de l'exemple).")
        md.table(["Exemple", "Date", "Attendu", "Obtenu"],
                 [[plain(o.nom), date_fr(o.jour), status_sign(o.attendu),
                   status_sign(o.resultat.statut.value) + ("" if o.reussi else " — **écart**")]
                  for o in outcomes])

    def _in_charters(self, md: Markdown) -> None:
        if not self.unit.est_paquet:
            return
        lines = []
        for unit in self.catalogue.units:
            if unit.est_paquet:
                continue
            link = md_link(plain(unit.charte.meta.titre), relative(self.here, f"{unit.dossier}/index.md"))
            pack, local = self.unit.charte.meta.id, self.regle.source.id
            imported = [r for r in unit.charte.regles if r.provenance is not None
                        and r.provenance.paquet == pack and r.source.id == local]
            off = [d for d in unit.charte.desactivees if d.provenance is not None
                   and d.provenance.paquet == pack and d.id.endswith("." + local)]
            for regle in imported:
                changes = "; ".join(plain(m.description) + (f" (motif : {plain(m.motif)})" if m.motif else "")
                                    for m in regle.modifications)
                lines.append(f"{link} : `{regle.id}`, {describe_severities(regle.severites)}"
                             + (f" — modifiée : {changes}" if changes else " — telle quelle"))
            for switched in off:
                lines.append(f"{link} : **désactivée** — motif : {plain(switched.motif)}")
        if lines:
            md.heading(2, "Dans les chartes documentées")
            md.bullets(lines)


class FieldPage:
    def __init__(self, catalogue: Catalogue, champ: Champ) -> None:
        self.catalogue = catalogue
        self.champ = champ
        self.here = f"champs/{champ.chemin}.md"

    def render(self) -> str:
        champ = self.champ
        md = Markdown()
        md.title(f"`{champ.chemin}`")
        md.para(f"**{plain(champ.question)}**")
        section = next((s.titre for s in self.catalogue.sections if s.id == champ.section), champ.section)
        facts = [("Section", plain(section)), ("Type", type_fr(champ)),
                 ("Obligatoire", "oui" if champ.obligatoire else "non")]
        if champ.unite:
            facts.append(("Unité", plain(champ.unite)))
        if champ.type is TypeChamp.LISTE:
            facts.append(("Nombre de valeurs", f"au plus {champ.max_elements}"))
        md.facts(facts)
        if champ.aide:
            md.para(plain(champ.aide))
        values = champ.valeurs or (champ.element.valeurs if champ.element else ())
        if values:
            md.heading(2, "Valeurs possibles")
            md.bullets(f"`{v}`" for v in values)
        md.para("La réponse `inconnu` est toujours possible : une règle qui a besoin de ce champ est alors "
                "« indéterminée » et la fiche « incomplète ».")
        md.heading(2, "Dans la fiche")
        md.code(yaml_example(champ), "yaml")
        references_section(md, champ.references)
        added = self.catalogue._added_by(champ.chemin)
        if added is not None:
            owner = md_link(plain(added.nom), relative(self.here, f"{added.dossier}/index.md"))
            md.admonition("info", "Champ ajouté",
                          f"Ajouté au vocabulaire par {owner} :"
                          " une fiche qui le remplit ne se lit qu'avec ce paquet ou cette charte.")
        self._uses(md)
        return md.text()

    def _uses(self, md: Markdown) -> None:
        uses = self.catalogue.usages.get(self.champ.chemin, [])
        md.heading(2, f"Lu par ({len(uses)})")
        if not uses:
            md.para("Aucune règle ni qualification documentée ici ne lit ce champ : il sert à la description "
                    "du projet et aux rapports.")
            return
        md.table(["Règle ou qualification", "Titre", "Dans", "Lecture"],
                 [[md_link(f"`{u.nom}`", relative(self.here, u.page) if u.page else None), plain(u.titre),
                   plain(u.unit.nom), "directe" if u.direct else "par une qualification"] for u in uses])


