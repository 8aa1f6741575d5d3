"""Imports: finding each pack, checking its version and compiling it under its namespace."""

from __future__ import annotations

import os
from pathlib import Path

from charte_ia.charter import (
    Modification,
    PaquetLu,
    Regle,
    joindre,
    valeur_au,
)
from charte_ia.compiler.base import MAX_IMPORT_DEPTH, PACK_NAME, UnitBase, brief, key_of_file, short_name
from charte_ia.diagnostics import (
    InvalidInputError,
    PathItem,
    date_fr,
    did_you_mean,
)
from charte_ia.model import (
    DEBUT_DES_TEMPS,
    FichierPaquet,
    Importation,
    NouvellesValeurs,
)
from charte_ia.source import Document, unreachable
from charte_ia.validation import validate_document


class ImportsStep(UnitBase):
    """Importing the packs a file names."""

    def _import(self, index: int, importation: Importation, namespaces: list[str]) -> list[Regle]:
        at: tuple[PathItem, ...] = ("importe", index)
        if not self._may_import(importation, namespaces, at):
            return []
        found = self._resolve(importation.paquet, (*at, "paquet"))
        if found is None:
            return []
        document, key = found
        if key in self.stack:
            chain = " → ".join([*(short_name(k) for k in self.stack), short_name(key)])
            self._problem("import-cycle", f"cycle d'importation : {chain}", (*at, "paquet"),
                          "un paquet ne peut pas s'importer lui-même, même indirectement")
            return []
        pack = self.state.packs[key][1]
        if pack is None:
            return []
        meta = pack.paquet
        if meta.version != importation.version:
            self._problem("version-paquet", f"le paquet « {meta.id} » est en version {meta.version}, "
                          f"l'importation demande la version {importation.version}", (*at, "version"),
                          "relisez les changements du paquet, puis épinglez la version disponible")
        espace = joindre(self.espace, importation.espace)
        child = type(self)(self.state, pack, document, espace=espace, stack=(*self.stack, key),
                           identity=(meta.id, meta.titre, meta.version), principes=meta.principes)
        rules = child.run()
        self.state.paquets.append(PaquetLu(id=meta.id, titre=meta.titre, version=meta.version,
                                           espace=espace, fichier=document.name, sha256=document.sha256))
        for name, title in meta.principes.items():
            self.state.principes.setdefault(name, title)
            self.principes.setdefault(name, title)
        for name, nouvelles in importation.parametres.items():
            self._change_parameter(espace, name, nouvelles, (*at, "parametres", name))
        return rules

    def _may_import(self, importation: Importation, namespaces: list[str], at: tuple[PathItem, ...]) -> bool:
        """Whether this import may be followed: its namespace is free, and depth and count are bounded."""
        if importation.espace in namespaces:
            self._problem("espace-duplique", f"espace « {importation.espace} » déjà utilisé par une "
                          "autre importation", (*at, "espace"), "donnez à chaque paquet importé son espace")
            return False
        clash = importation.espace in self.fichier.parametres or importation.espace in \
            self.fichier.qualifications
        if clash:
            self._problem("espace-duplique", f"l'espace « {importation.espace} » porte le nom d'un "
                          "paramètre ou d'une qualification", (*at, "espace"), "renommez l'espace")
            return False
        if len(self.stack) > MAX_IMPORT_DEPTH:
            self._problem("import-profondeur", f"plus de {MAX_IMPORT_DEPTH} niveaux d'importations "
                          "imbriquées", (*at, "paquet"), "un paquet qui en importe d'autres suffit le plus "
                          "souvent ; aplatissez la chaîne d'importations")
            return False
        self.state.imports += 1
        if self.state.imports > self.state.limits.max_imports:
            if self.state.imports == self.state.limits.max_imports + 1:  # said once, where it happens
                self._problem("import-trop-nombreux", f"plus de {self.state.limits.max_imports} paquets "
                              "importés, importations imbriquées comprises", (*at, "paquet"),
                              "un paquet importé par deux chemins compte deux fois : importez-le une "
                              "fois, plus haut ; la limite se règle par CHARTE_IA_MAX_IMPORTATIONS")
            return False
        return True

    def _resolve(self, reference: str, at: tuple[PathItem, ...]) -> tuple[Document, str] | None:
        """The pack file an import names, read and validated once per load (``state.packs``)."""
        if "/" in reference or reference.endswith((".yaml", ".yml")):
            base = Path(self.document.name).parent if self.document.name != "-" else Path()
            path = Path(os.path.normpath(base / reference))
            key = key_of_file(str(path))
            if key not in self.state.packs:
                try:
                    self._validate(key, self.state.reader.read_path(path, self.state.limits))
                except InvalidInputError as error:
                    if unreachable(error):
                        self._problem("paquet-introuvable", f"paquet introuvable : {path}", at,
                                      "le chemin se lit à partir du dossier du fichier qui importe")
                    else:
                        self.state.problems.extend(error.diagnostics)
                    return None
            return self.state.packs[key][0], key
        shipped = list(self.state.reader.shipped())
        if not PACK_NAME.match(reference) or reference not in shipped:
            self._problem("paquet-inconnu", f"paquet inconnu « {reference} »", at,
                          did_you_mean(reference, shipped)
                          or "paquets fournis : " + ", ".join(shipped) + " ; pour un fichier, "
                          "écrivez son chemin (par exemple ./regles/mon-paquet.yaml)")
            return None
        key = "integre:" + reference
        if key not in self.state.packs:
            try:
                self._validate(key, self.state.reader.read_shipped(reference, self.state.limits))
            except InvalidInputError as error:  # pragma: no cover - shipped packs are tested
                self.state.problems.extend(error.diagnostics)
                return None
        return self.state.packs[key][0], key

    def _validate(self, key: str, document: Document) -> None:
        """Validate a pack once; its problems are reported once, however often it is imported."""
        try:
            self.state.packs[key] = document, validate_document(FichierPaquet, document, code="paquet")
        except InvalidInputError as error:
            self.state.packs[key] = document, None
            self.state.problems.extend(error.diagnostics)

    def _change_parameter(self, espace: str, name: str, nouvelles: NouvellesValeurs,
                          at: tuple[PathItem, ...]) -> None:
        portee = self.state.portees.get(espace)
        if portee is None:
            return
        full = joindre(espace, name)
        if name not in portee.parametres:
            self._problem("parametre-inconnu", f"le paquet importé sous « {espace} » n'a pas de "
                          f"paramètre « {name} »", at, did_you_mean(name, portee.parametres)
                          or "paramètres du paquet : " + (", ".join(portee.parametres) or "aucun"),
                          key=True)
            return
        if full in self.state.verrouilles:
            self._problem("parametre-verrouille", f"le paramètre « {full} » est verrouillé par son "
                          "paquet : il ne peut pas être modifié", at, None, key=True)
            return
        for day, value in nouvelles.valeurs.items():
            if value is None:
                self._problem("parametre-vide", f"valeur vide pour le paramètre « {full} »",
                              (*at, "valeurs", day.isoformat()), "donnez une valeur, ou retirez cette date")
        first = min(nouvelles.valeurs)
        old = self.state.parametres[full]
        merged = tuple(sorted([(d, v) for d, v in old if d < first] + list(nouvelles.valeurs.items())))
        self.state.parametres[full] = merged
        portee.parametres[name] = merged
        since = "" if first == DEBUT_DES_TEMPS else f" à partir du {date_fr(first)}"
        self.state.modifications.append(
            Modification(
                cible=f"param.{full}",
                nature="parametre",
                description=f"paramètre « {full} » : {brief(valeur_au(old, first))} → "
                f"{brief(nouvelles.valeurs[first])}{since}",
                assouplissement=False,
                motif=nouvelles.motif,
                auteur=self.auteur,
                location=self.document.locate(at, key=True),
            )
        )
