# Shegong: `make run` starts the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck migrations-check pytest bench browser-deps messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(BIN)/shegong migrate --no-input -v0
	DEBUG=$${DEBUG:-1} $(BIN)/shegong demo --if-empty
	@echo "演示账号:kaifu_admin(区管理员)、dongfeng_manager(街道主管)、dongfeng_reviewer(街道工资复核员)、community_clerk(社区专干)、health_dept(区卫健局,职能部门),密码 Shegong@2026"
	@echo "Shegong 运行在 http://$(HOST):$(PORT)/"
	@# The job worker runs beside the server; Ctrl-C or SIGTERM stops both, and either
	@# one ending stops the other.
	@DEBUG=$${DEBUG:-1}; export DEBUG; \
	$(BIN)/shegong worker & worker=$$!; \
	$(BIN)/shegong runserver $(HOST):$(PORT) & server=$$!; \
	trap 'kill -TERM $$server $$worker 2>/dev/null' INT TERM; \
	while kill -0 $$server 2>/dev/null && kill -0 $$worker 2>/dev/null; do sleep 1; done; \
	kill -TERM $$server $$worker 2>/dev/null; wait

# Debian's chromium for the browser tests and a CJK font so Chinese renders in pages and reports.
browser-deps:
	@sh scripts/ensure-system-packages.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# mypy --strict over src/ (pyproject.toml [tool.mypy] strict = true; tests may leave fixtures unannotated).
typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev browser-deps
	$(BIN)/pytest -q $(PYTEST_ARGS)

# Models and migrations agree: a change to a model without its migration fails the build.
migrations-check: $(VENV)/.installed-dev
	SHEGONG_INITIALISING=1 $(BIN)/shegong makemigrations --check --dry-run -v1

test: lint typecheck migrations-check pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

messages: $(VENV)/.installed-dev
	cd src/shegong && ../../$(BIN)/shegong makemessages -l en --no-obsolete
	cd src/shegong && ../../$(BIN)/shegong compilemessages -l en

clean:
	rm -rf $(VENV) data
