# CQO Academy: `make run` serves the app, `make test` runs the suite. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app lms
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup db translations browser bench lint clean

# Links the app hands out (QR codes, invitations, reset links, reminders) use LMS_BASE_URL:
# unless it is set, the address make run serves on.
run: export LMS_BASE_URL ?= http://$(HOST):$(PORT)
run: db
	@echo "CQO Academy: http://$(HOST):$(PORT)/"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup translations browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $@

translations: setup
	$(BIN)/pybabel compile --use-fuzzy -d lms/translations -f >/dev/null

db: setup translations
	$(FLASK) db upgrade
	$(FLASK) lms sync-content
	$(FLASK) lms seed-demo --if-empty

# Browser tests use Debian's Chromium; install it when we may, else the tests skip and say why.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "Could not install chromium: browser tests will be skipped."; \
	else echo "No /usr/bin/chromium and no root to install it: browser tests will be skipped."; fi

bench: setup
	for b in bench/*.py; do $(BIN)/python $$b --quick || exit 1; done

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
