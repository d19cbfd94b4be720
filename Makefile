# Every target bootstraps what it needs: a fresh clone only needs `make run`
# or `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
RASA := .venv/bin/rasa
VENV_STAMP := .venv/.installed
SPACY_MODEL := models/spacy/clinic_en/meta.json
RASA_MODEL := models/clinic-assistant.tar.gz
WEBCHAT := web/node_modules/.package-lock.json
CONTENT := $(wildcard data/content/*.yml) data/clinics.yml
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) $(wildcard clinic_nlp/*.py) $(wildcard clinic/*.py)

export PYTHONDONTWRITEBYTECODE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false

.PHONY: lint install browser nginx webchat spacy train validate migrate run run-scaled staff-user purge test bench clean

# Rasa servers for `make run` (more than 1: the scaled profile, docs/scaling.md).
SCALE ?= 1

install: $(VENV_STAMP)

$(VENV_STAMP): requirements.txt constraints.txt scripts/bootstrap.sh
	@scripts/bootstrap.sh

# Debian's Chromium for the browser tests (no browser download).
browser:
	@scripts/install_debian_package.sh /usr/bin/chromium chromium "the browser tests"

# Debian's nginx, the scaled profile's load balancer. nginx-light is the smallest
# build with what it uses (proxy, upstream hash, WebSocket upgrade); the package's
# own service is not used: scripts/scaled.py runs nginx with a config of its own.
nginx:
	@scripts/install_debian_package.sh /usr/sbin/nginx nginx-light "the scale-out tests, make run-scaled and make bench"

# The website's chat widget (rasa-webchat), from the committed lockfile; npm
# rewrites the stamp, so this reinstalls only when package-lock.json is newer.
webchat: $(WEBCHAT)

$(WEBCHAT): web/package-lock.json
	cd web && npm ci --no-audit --no-fund

spacy: $(SPACY_MODEL)

$(SPACY_MODEL): $(VENV_STAMP) $(CONTENT) $(wildcard clinic_nlp/*.py) $(wildcard clinic/*.py)
	$(PY) -m clinic_nlp.build_pipeline

# Trains only when data, domain, config or the NLU code changed.
train: $(RASA_MODEL)

$(RASA_MODEL): $(SPACY_MODEL) $(TRAINING_INPUTS)
	$(RASA) train --fixed-model-name clinic-assistant --out models --quiet

lint: $(VENV_STAMP)
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

validate: $(SPACY_MODEL)
	$(PY) -m scripts.validate_data

# Upgrades the clinic database ($$CLINIC_DB_URL, else var/clinic_requests.db)
# to the newest schema (clinic/migrate.py, migrations/); quick when it is current.
migrate: $(VENV_STAMP)
	$(PY) -m clinic.migrate

# The scaled profile creates and migrates its databases itself.
run: $(RASA_MODEL) webchat $(if $(filter-out 1,$(SCALE)),nginx,migrate)
	@exec $(PY) -m scripts.serve --model $(RASA_MODEL) --scale $(SCALE)

# SCALE Rasa servers (default 2) behind nginx, on the machine's PostgreSQL and
# Redis; creates and migrates the databases itself (docs/scaling.md).
run-scaled: $(RASA_MODEL) webchat nginx
	@exec $(PY) -m scripts.serve --model $(RASA_MODEL) --scale $(if $(filter-out 1,$(SCALE)),$(SCALE),2)

# A front-desk console login. Asks for the username and password, or takes
# them from STAFF_USER and STAFF_PASSWORD.
staff-user: $(VENV_STAMP)
	@user="$${STAFF_USER:-}"; [ -n "$$user" ] || read -rp "Staff username: " user; \
	$(PY) -m console.staff_accounts add "$$user"

# Removes conversations and closed requests older than $$CLINIC_RETENTION_DAYS
# (default 90) days; for a daily scheduler (cron, a systemd timer).
purge: migrate
	$(PY) -m scripts.purge

# Order fails fastest: lint, data validation, then the pytest suite (unit tests,
# rasa test stories, held-out NLU evaluation, live servers).
test: lint validate $(RASA_MODEL) browser nginx webchat migrate
	$(PY) -m pytest

# Trains both configurations into a temp dir itself: needs the spaCy pipeline, and nginx
# for the two-server figures.
bench: $(SPACY_MODEL) nginx
	$(PY) -m scripts.bench

clean:
	rm -rf models results .rasa reports/triage.txt
