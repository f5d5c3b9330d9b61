# Deux commandes suffisent : `make run` (démonstration sur SQLite) et `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Réglages de développement pour `make run` ; la production lit son propre environnement.
DEV_ENV := DEBUG=1 SECRET_KEY=dev-seulement-pas-un-vrai-secret

.PHONY: install run migrate demo code-demo lint format test test-e2e check-deploy bench clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

install: $(BIN)/activate

migrate: install
	$(DEV_ENV) $(MANAGE) migrate --noinput

demo: migrate
	$(DEV_ENV) $(MANAGE) seed_demo

# Le code TOTP du moment pour les comptes de démonstration (secret publié dans le README).
code-demo: install
	@$(BIN)/python -c "import base64; from django_otp.oath import totp; \
	print(f'{totp(base64.b32decode(\"JBSWY3DPEHPK3PXP\")):06d}')"

run: demo
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8000

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run

test: lint
	$(BIN)/python -m pytest

test-e2e: install
	$(BIN)/python -m pytest -m e2e

# Vérifie que les réglages de production ne lèvent aucun avertissement de déploiement.
check-deploy: install
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
		ALLOWED_HOSTS=clspd.exemple.fr $(MANAGE) check --deploy --fail-level WARNING

# Le banc de mesure (une mesure, pas un test) : PostgreSQL, un jeu seed_scale, gunicorn.
BENCH_FACTOR ?= 0.01
BENCH_BASE ?= clspd_bench_$(subst .,_,$(BENCH_FACTOR))
# Le serveur de base sur la même machine : par sa socket Unix, plus rapide que TCP.
BENCH_PGHOST ?= %2Fvar%2Frun%2Fpostgresql
BENCH_ENV := DEBUG=0 SECRET_KEY=banc-de-mesure-seulement ALLOWED_HOSTS=localhost,127.0.0.1 \
	SECURE_SSL_REDIRECT=0 DATABASE_URL=postgres://postgres@$(BENCH_PGHOST)/$(BENCH_BASE) \
	STATIC_ROOT=$(CURDIR)/staticfiles

bench: install
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_BASE)'" \
		| grep -q 1 || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $(BENCH_BASE)"
	$(BENCH_ENV) $(MANAGE) migrate --noinput -v0
	$(BENCH_ENV) $(MANAGE) collectstatic --noinput -v0
	$(BENCH_ENV) $(MANAGE) bench --factor $(BENCH_FACTOR) --sortie clspd/banc/resultats-$(BENCH_FACTOR).md

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
