# The handbook's build. `make` builds every format; `make test` runs every test.
# Every variable below can be overridden: `make LANGUAGE=es`, `make PAPER=a4`.

SPHINXOPTS  ?=
LANGUAGE    ?= en
PAPER       ?= letter
BUILDDIR    ?= _build
PYTHON      ?= python3
VENV        ?= .venv
PYTESTOPTS  ?=

# Warnings are errors, and --keep-going shows all of them at once; -n flags broken references.
ALLSPHINXOPTS = -W --keep-going -n -q -c . $(SPHINXOPTS)
SPHINXBUILD   = $(VENV)/bin/sphinx-build
STEM          = ice-mission-areas-$(LANGUAGE)
STAGE         = $(BUILDDIR)/.stage
PDFS          = $(BUILDDIR)/pdf/$(STEM).pdf $(BUILDDIR)/pdf/$(STEM)-large-print.pdf
EPUB          = $(BUILDDIR)/epub/$(STEM).epub
BRAILLE       = $(BUILDDIR)/braille/$(STEM).brf $(BUILDDIR)/braille/$(STEM)-braille.txt
# What a format depends on: a change to any of these rebuilds it.
SOURCES      := conf.py requirements.txt $(shell find docs _ext _static _templates _themes locales -type f 2>/dev/null)

# The language and paper are read by conf.py; the edition date comes from the last commit.
export HANDBOOK_LANGUAGE = $(LANGUAGE)
export HANDBOOK_PAPER = $(PAPER)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH

.DEFAULT_GOAL := all
.PHONY: help all html pdf epub braille lint serve test test-fast test-bench bench clean venv test-deps

help: ## List the targets
	@echo "make [target] [LANGUAGE=en] [PAPER=letter|a4] [SPHINXOPTS=...]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 14

all: html ## Build every format: HTML site (with the downloads), PDF, large-print PDF, EPUB, braille

venv: $(VENV)/.installed ## Create .venv from the pinned requirements

$(VENV)/.installed: requirements.txt scripts/system-deps.sh
	@PYTHON=$(PYTHON) bash scripts/system-deps.sh build
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

html: $(PDFS) $(EPUB) $(BRAILLE) $(VENV)/.installed ## Build the web site into _build/html (builds the other formats first)
	@# The staged site is reused between builds for speed, unless the last build
	@# did not finish: then a page may be half-written, so start afresh.
	@test -f $(STAGE)/html.complete || rm -rf $(STAGE)/html
	@rm -f $(STAGE)/html.complete
	$(SPHINXBUILD) -b html -d $(BUILDDIR)/doctrees/html $(ALLSPHINXOPTS) \
		-D handbook_downloads_from=$(BUILDDIR) docs $(STAGE)/html
	@touch $(STAGE)/html.complete
	$(VENV)/bin/python scripts/publish.py --tree $(STAGE)/html $(BUILDDIR)/html

pdf: $(PDFS) ## Build the PDF and the large-print PDF into _build/pdf

# A stamp per paper size, so `make PAPER=a4` after a Letter build renders again.
PAPER_STAMP = $(STAGE)/paper-$(PAPER)
$(PAPER_STAMP):
	@mkdir -p $(STAGE) && rm -f $(STAGE)/paper-* && touch $@

$(PDFS) &: $(SOURCES) $(PAPER_STAMP) $(VENV)/.installed
	rm -rf $(STAGE)/pdf
	$(SPHINXBUILD) -b pdf -d $(BUILDDIR)/doctrees/pdf $(ALLSPHINXOPTS) docs $(STAGE)/pdf
	$(VENV)/bin/python scripts/publish.py --files $(BUILDDIR)/pdf $(addprefix $(STAGE)/pdf/,$(notdir $(PDFS)))

epub: $(EPUB) ## Build the EPUB 3 into _build/epub (after the PDF, whose pages it marks)

# The EPUB marks the print PDF's pages (its page list), so it is built after the PDF.
$(EPUB): $(SOURCES) $(PDFS) $(VENV)/.installed
	@# The EPUB packs every file in its folder: start from an empty one.
	rm -rf $(STAGE)/epub
	$(SPHINXBUILD) -b epub -d $(BUILDDIR)/doctrees/epub $(ALLSPHINXOPTS) \
		-D handbook_page_map=$(abspath $(STAGE)/pdf/$(STEM)-pages.json) docs $(STAGE)/epub
	$(VENV)/bin/python scripts/publish.py --files $(BUILDDIR)/epub $(STAGE)/epub/$(STEM).epub

braille: $(BRAILLE) ## Build the braille-ready edition (BRF, and Unicode braille) into _build/braille

# Braille marks the print PDF's pages too (print page numbers), so it is built after the PDF.
$(BRAILLE) &: $(SOURCES) $(PDFS) $(VENV)/.installed
	rm -rf $(STAGE)/braille
	$(SPHINXBUILD) -b braille -d $(BUILDDIR)/doctrees/braille $(ALLSPHINXOPTS) \
		-D handbook_page_map=$(abspath $(STAGE)/pdf/$(STEM)-pages.json) docs $(STAGE)/braille
	$(VENV)/bin/python scripts/publish.py --files $(BUILDDIR)/braille $(addprefix $(STAGE)/braille/,$(notdir $(BRAILLE)))

lint: $(VENV)/.installed ## Check every page (content rules, references) without writing any output
	$(SPHINXBUILD) -b dummy -d $(BUILDDIR)/doctrees/lint $(ALLSPHINXOPTS) docs $(BUILDDIR)/.stage/lint

serve: $(VENV)/.installed ## Live preview of the web site at http://127.0.0.1:8000
	$(VENV)/bin/sphinx-autobuild -b html -d $(BUILDDIR)/doctrees/serve -c . $(SPHINXOPTS) \
		-D handbook_downloads_required=0 --watch _ext --watch _static --watch _templates \
		docs $(BUILDDIR)/serve

test-deps: $(VENV)/.installed-test node_modules/.installed ## Install what the tests need (Debian packages, Python, node)

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	@bash scripts/system-deps.sh test
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The tests in tiers (markers in pytest.ini): test-fast in under a minute, test all but the benchmark's.
test: test-deps ## Run every test but the benchmark's (builds the handbook once, drives Chromium, runs Java)
	$(VENV)/bin/python -m pytest -m "not bench" $(PYTESTOPTS)

test-fast: $(VENV)/.installed-test-python ## Unit tests, every rule on every page, the broken pages: no browser, no Java
	$(VENV)/bin/python -m pytest -m "not slow and not bench and not fresh" $(PYTESTOPTS)

test-bench: test-deps ## The benchmark's smoke tests (`make bench` measures)
	$(VENV)/bin/python -m pytest -m bench $(PYTESTOPTS)

# The tests' Python packages alone: all that `make test-fast` needs.
$(VENV)/.installed-test-python: requirements-test.txt $(VENV)/.installed
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

bench: all test-deps ## Measure build speed, memory and page weight (writes benchmarks/results.md)
	$(VENV)/bin/python scripts/bench.py

clean: ## Remove every build output
	rm -rf $(BUILDDIR)
