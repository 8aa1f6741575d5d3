# Deux commandes suffisent : « make demo » et « make test ».
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installe

CHARTE  := chartes/commune-modele.yaml
EXEMPLE := exemples/aide-attribution-creche.yaml

.PHONY: demo test bench lint typecheck verifier-exemples clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo : installe le projet et vérifie une fiche d'exemple au regard de la charte modèle
demo: $(STAMP)
	@echo "== Vérification de $(EXEMPLE) au regard de $(CHARTE)"
	@$(BIN)/charte-ia verifier $(EXEMPLE) --charte $(CHARTE); code=$$?; \
	  echo "(code de sortie : $$code — 0 conforme, 1 non conforme, 2 incomplet)"; \
	  test $$code -le 2

## test : lance toute la suite de tests, l'analyse statique et les tests des règles livrées
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	$(BIN)/python -m pytest --cov --cov-report=term
	$(BIN)/charte-ia tester regles/*.yaml chartes/*.yaml tests/chartes/*.yaml --seuil 100

## bench : mesure la compilation de la charte et la vitesse d'évaluation
bench: $(STAMP)
	$(BIN)/python bench/bench.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

## verifier-exemples : vérifie toutes les fiches d'exemple
verifier-exemples: $(STAMP)
	-$(BIN)/charte-ia tester tests/chartes/*.yaml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build dist src/*.egg-info
