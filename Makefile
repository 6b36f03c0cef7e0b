# Taizhang: `make run` serves the demo on 127.0.0.1:8000; `make test` runs the whole suite.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo build/uv/bin/uv)
VENDOR := build/vendor

.PHONY: install run test lint messages clean

# LDAP sign-in needs python-ldap, which builds against libldap: the `ldap` extra goes in where its headers are.
LDAP_EXTRA := $(if $(wildcard /usr/include/ldap.h),--extra ldap,)

install: $(UV)
	$(UV) sync --locked $(LDAP_EXTRA)
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx $(VENDOR)/echarts
	cp -r node_modules/bootstrap/dist/css node_modules/bootstrap/dist/js $(VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	if command -v msgfmt >/dev/null; then cd src/taizhang && TAIZHANG_HOME=$(CURDIR) ../../$(BIN)/taizhang compilemessages -v 0; fi
	$(BIN)/taizhang collectstatic --noinput -v 0

# uv is the installer; when a machine lacks it, it goes into its own small environment under build/.
build/uv/bin/uv:
	python3 -m venv build/uv
	build/uv/bin/pip install --quiet uv

run: install
	$(BIN)/taizhang migrate --noinput -v 0
	$(BIN)/taizhang demo
	@echo "Taizhang is at http://127.0.0.1:8000/  (Ctrl-C stops it, the job worker and the reminder loop)"
	$(BIN)/taizhang remind --loop 600 & REMIND=$$!; $(BIN)/taizhang worker & WORKER=$$!; \
	trap 'kill $$REMIND $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/taizhang runserver 127.0.0.1:8000 --noreload

# One worker per core (pytest-xdist), each test file whole on one worker: a file's module-scoped
# servers (slapd, the CAS/OIDC provider) start once. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

lint:
	$(BIN)/ruff check src tests benchmarks

messages:
	cd src/taizhang && TAIZHANG_HOME=$(CURDIR) ../../$(BIN)/taizhang makemessages -l zh_Hans --no-obsolete --add-location file

clean:
	rm -rf $(VENV) build node_modules
