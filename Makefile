# `make up` runs the engine on its embedded defaults; `make test` runs the tests.
# Both create .venv and install the project on first use (or when pyproject.toml changes).
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed

FRONT_END := web/node_modules/.installed

.PHONY: up test bench clean browser

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The web app's front end (GOV.UK Frontend, MOJ Frontend) and its tests' axe-core and
# OpenID provider, exactly as the lock file pins them; nothing is fetched at run time.
$(FRONT_END): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "make: the web app needs Node.js and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	touch $(FRONT_END)

up: $(STAMP) $(FRONT_END)
	$(VENV)/bin/python -m stack.up

test: $(STAMP) $(FRONT_END) browser
	$(VENV)/bin/python -m pytest -q $(PYTEST_ARGS)

# The annual report's tests open it in Debian's chromium (Playwright's own browser
# download does not work on these machines), and picture its printed pages with poppler's
# pdftoppm (tests/artifacts/report).
browser:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null || { \
	  echo "installing Debian's chromium and poppler-utils for the report's browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium poppler-utils >/dev/null; }

bench: $(STAMP) $(FRONT_END)
	$(VENV)/bin/python -m bench.run

clean:
	rm -rf $(VENV) var web/node_modules
