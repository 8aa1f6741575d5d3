# Deux commandes suffisent : « make demo » et « make test ».
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installe

CHARTE  := chartes/commune-modele.yaml
EXEMPLE := exemples/aide-attribution-creche.yaml
RAPPORTS := rapports
# axe-core (contrôle d'accessibilité des rapports HTML), installé depuis le registre npm.
AXE     := $(VENV)/axe/node_modules/axe-core/axe.min.js

.PHONY: demo test docs bench fuzz lint typecheck verifier-exemples navigateur golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	touch $(STAMP)

## demo : installe le projet, vérifie une fiche d'exemple et écrit le rapport pour le comité
demo: $(STAMP)
	@echo "== Vérification de $(EXEMPLE) au regard de $(CHARTE)"
	@$(BIN)/charte-ia verifier $(EXEMPLE) --charte $(CHARTE); code=$$?; \
	  echo "(code de sortie : $$code — 0 conforme, 1 non conforme, 2 incomplet)"; \
	  test $$code -le 2
	@$(BIN)/charte-ia verifier $(EXEMPLE) --charte $(CHARTE) --format html --format markdown \
	  --sortie $(RAPPORTS)/ 2>/dev/null; test $$? -le 2
	@echo "== Rapport pour le comité d'éthique : $(RAPPORTS)/2026-attribution-creche.html"

## test : lance toute la suite de tests (dont « charte-ia tester » des règles livrées, à 100 %)
## et l'analyse statique
test: $(STAMP) $(AXE) navigateur
	$(BIN)/ruff check src tests bench fuzz
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n auto --cov --cov-report=term
	$(MAKE) --no-print-directory docs

## golden : réécrit les rapports de référence (tests/golden/) ; relire le diff avant de le valider
golden: $(STAMP)
	$(BIN)/python tests/golden/regenerer.py

## docs : génère le catalogue des règles et construit le site de documentation (site/)
docs: $(STAMP)
	$(BIN)/charte-ia documenter --sortie docs/catalogue
	$(BIN)/charte-ia servir --openapi docs/openapi.json
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	@echo "== Site de documentation : site/index.html"

## bench : mesure la compilation de la charte, la vitesse d'évaluation (compilée et interprétée), le
## démarrage, la croissance avec le nombre de règles et la longueur des listes, la comparaison avec Rego,
## et le service HTTP sous charge (2 000 requêtes, 16 clients, sur 127.0.0.1)
bench: $(STAMP) $(VENV)/.banc
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/echelle.py
	$(BIN)/python bench/service.py

$(VENV)/.banc: pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

## fuzz : cherche pendant DUREE secondes (600 par défaut) une entrée qui ferait échouer les chargeurs
DUREE ?= 600
fuzz: $(STAMP)
	@$(BIN)/python -m pip install --quiet -e '.[fuzz]' >/dev/null 2>&1 \
	  || echo "atheris n'a pas pu être installé : mutations aléatoires à la place."
	$(BIN)/python fuzz/chargeurs.py --duree $(DUREE)

# Les tests d'accessibilité ouvrent les rapports HTML dans Chromium : installé ici quand il
# manque (paquets Debian chromium et chromium-driver), sinon ces tests sont ignorés avec la raison.
navigateur:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "== Installation de Chromium pour les tests d'accessibilité"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
	    >/dev/null 2>&1 || echo "Chromium n'a pas pu être installé : les tests d'accessibilité seront ignorés."; \
	else echo "Chromium absent : les tests d'accessibilité seront ignorés."; fi

$(AXE): | $(STAMP)
	@npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@4.10 >/dev/null 2>&1 \
	  || echo "axe-core n'a pas pu être installé : les tests d'accessibilité seront ignorés."

lint: $(STAMP)
	$(BIN)/ruff check src tests bench fuzz

typecheck: $(STAMP)
	$(BIN)/mypy src

## verifier-exemples : vérifie toutes les fiches d'exemple
verifier-exemples: $(STAMP)
	-$(BIN)/charte-ia tester tests/chartes/*.yaml

clean:
	rm -rf $(VENV) $(RAPPORTS) site docs/catalogue fuzz/trouvailles .pytest_cache .mypy_cache .ruff_cache .coverage build dist src/*.egg-info
