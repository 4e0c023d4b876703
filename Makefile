# The handbook's build. `make` builds every format of every edition; `make test` runs every test.
# Every variable below can be overridden: `make HANDBOOK_LANGUAGES=es`, `make PAPER=a4`.

SPHINXOPTS  ?=
# The editions to build, by language. English is the source text (docs/) and the site's root;
# every other edition is a translation, from its catalogues in locales/<language>/LC_MESSAGES/,
# at _build/html/<language>/. (Not LANGUAGE: gettext reads that one, e.g. LANGUAGE=en_US:en.)
HANDBOOK_LANGUAGES ?= en es
# 1 builds an edition whose translation is incomplete, marked as a draft in every format.
HANDBOOK_DRAFT ?= 0
PAPER       ?= letter
BUILDDIR    ?= _build
PYTHON      ?= python3
VENV        ?= .venv
PYTESTOPTS  ?=
# How many commands a build runs at once (make's jobs): the languages build side by side.
JOBS        ?= $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
# `make check-fresh`: the Debian releases to try `make` on; FRESH_TEST=1 runs `make test` there too.
FRESH_RELEASES ?= bookworm trixie
FRESH_TEST  ?=

ifeq ($(origin LANGUAGE),command line)
$(error LANGUAGE is gettext's own variable; choose the editions with HANDBOOK_LANGUAGES, e.g. make HANDBOOK_LANGUAGES=es)
endif

# Warnings are errors, and --keep-going shows all of them at once; -n flags broken references.
ALLSPHINXOPTS = -W --keep-going -n -q -c . $(SPHINXOPTS)
SPHINXBUILD   = $(VENV)/bin/sphinx-build
PUBLISH       = $(VENV)/bin/python scripts/publish.py
# The render command runs sphinx-build (--after), which writes the print document, loading
# WeasyPrint meanwhile; the renders start once sphinx-build has exited, so they never share
# the memory with it, and one language's at a time, so that their memory plan holds while
# make builds the other languages (_ext/handbook/pdf/render.py).
RENDER_PDF    = PYTHONPATH=_ext $(VENV)/bin/python -m handbook.pdf.render --one-at-a-time $(STAGE)/render.lock
BASENAME      = ice-mission-areas
STAGE         = $(BUILDDIR)/.stage
# What one edition offers for download: $(call downloads_of,LANGUAGE). A new format per
# language is one more file here and one pattern rule below.
downloads_of  = $(BUILDDIR)/pdf/$(BASENAME)-$(1).pdf $(BUILDDIR)/pdf/$(BASENAME)-$(1)-large-print.pdf \
                $(BUILDDIR)/epub/$(BASENAME)-$(1).epub \
                $(BUILDDIR)/braille/$(BASENAME)-$(1).brf $(BUILDDIR)/braille/$(BASENAME)-$(1)-braille.txt
DOWNLOADS     = $(foreach language,$(HANDBOOK_LANGUAGES),$(call downloads_of,$(language)))
PDFS          = $(filter %.pdf,$(DOWNLOADS))
# The standard PDF's page map (which block starts each page): the EPUB's page list and the
# braille edition's print page numbers follow it. Published beside the PDFs.
page_map_of   = $(BUILDDIR)/pdf/$(BASENAME)-$(1)-pages.json
# Named here, so that make never takes them for intermediate files of the EPUB and braille rules
# and deletes them after the build (GNU make 4.4, Debian 13, does).
PAGE_MAPS     = $(foreach language,$(HANDBOOK_LANGUAGES),$(call page_map_of,$(language)))
EPUBS         = $(filter %.epub,$(DOWNLOADS))
BRAILLE       = $(filter $(BUILDDIR)/braille/%,$(DOWNLOADS))
SITES         = $(foreach language,$(HANDBOOK_LANGUAGES),$(STAGE)/$(language)/html.complete)
# The editions that are translations of docs/ (English, as _ext/handbook/common/editions.py says).
TRANSLATIONS  = $(filter-out en,$(HANDBOOK_LANGUAGES))
# sphinx-build for one edition, with its own doctrees: $(call sphinx,LANGUAGE,BUILDER). An edition's
# formats share its pages' readability scores, so each text is scored once (rules/readability.py).
scores_of     = $(BUILDDIR)/doctrees/$(1)/readability-scores.json
sphinx_options = -b $(2) -d $(BUILDDIR)/doctrees/$(1)/$(2) -D handbook_readability_cache=$(call scores_of,$(1)) \
                 $(ALLSPHINXOPTS)
sphinx        = HANDBOOK_LANGUAGE=$(1) $(SPHINXBUILD) $(call sphinx_options,$(1),$(2))
# What a format depends on: a change to any of these rebuilds it (compiled catalogues and
# Python bytecode are outputs).
SOURCES      := conf.py requirements.txt CONTRIBUTING.md \
                $(filter-out %.mo %.pyc,$(shell find docs _ext _static _templates _themes locales -type f 2>/dev/null))

# conf.py reads the editions, the draft option and the paper; the edition date comes from the last commit.
export HANDBOOK_LANGUAGES HANDBOOK_DRAFT
export HANDBOOK_PAPER = $(PAPER)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH

.DEFAULT_GOAL := all

# The builds run $(JOBS) commands at once, each command's output in one piece. Not when
# another target is asked for: a make run from the tests (or the benchmark) would find
# make's job slots in its environment and none of them open to it.
BUILD_GOALS = all html assemble pdf epub braille
ifeq ($(filter-out $(BUILD_GOALS),$(or $(MAKECMDGOALS),all)),)
MAKEFLAGS += --jobs=$(JOBS) --output-sync=target
endif
.PHONY: help all html assemble pdf epub braille lint serve update-po po-status test test-fast test-bench bench clean venv test-deps check-fresh FORCE

help: ## List the targets
	@echo "make [target] [HANDBOOK_LANGUAGES='en es'] [HANDBOOK_DRAFT=1] [PAPER=letter|a4] [JOBS=n] [SPHINXOPTS=...]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 14

all: html ## Build every format of every edition: the site (with the downloads), PDFs, large-print PDFs, EPUBs, braille

venv: $(VENV)/.installed ## Create .venv from the pinned requirements

$(VENV)/.installed: requirements.txt scripts/system-deps.sh
	@PYTHON=$(PYTHON) bash scripts/system-deps.sh build
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# One edition's site (its pages offer every edition's downloads), and the site put together.
site_of       = $(call sphinx,$(1),html) -D handbook_downloads_from=$(BUILDDIR) docs $(STAGE)/$(1)/html
PUBLISH_SITE  = $(PUBLISH) --site $(BUILDDIR)/html \
                $(foreach language,$(HANDBOOK_LANGUAGES),--edition $(language)=$(STAGE)/$(language)/html) \
                --downloads $(DOWNLOADS)

html: $(SITES) ## Build the web site into _build/html, one edition per language (builds the downloads first)
	$(PUBLISH_SITE)

# The CI workflow builds each edition's downloads in a job of its own (make pdf epub braille
# HANDBOOK_LANGUAGES=es); one job then gathers them into _build/ and runs this.
assemble: $(VENV)/.installed ## Build the site from downloads already in _build (built here or by other jobs), rebuilding none
	$(foreach language,$(HANDBOOK_LANGUAGES),$(call site_of,$(language)) &&) true
	$(PUBLISH_SITE)

# One edition's site, staged. Every edition offers every edition's downloads, so it needs them all.
# Sphinx runs on every `make` (it rebuilds only what changed), as page dates come from git.
$(STAGE)/%/html.complete: $(DOWNLOADS) $(VENV)/.installed FORCE
	@# The staged site is reused between builds for speed, unless the last build
	@# did not finish: then a page may be half-written, so start afresh.
	@test -f $@ || rm -rf $(STAGE)/$*/html
	@rm -f $@
	$(call site_of,$*)
	@touch $@

pdf: $(PDFS) $(PAGE_MAPS) ## Build the PDF and the large-print PDF of every edition into _build/pdf

# A stamp per paper size and draft option, so `make PAPER=a4` after a Letter build renders again.
OPTIONS_STAMP = $(STAGE)/options-$(PAPER)-draft$(HANDBOOK_DRAFT)
$(OPTIONS_STAMP):
	@mkdir -p $(STAGE) && rm -f $(STAGE)/options-* && touch $@

# One rule per format, for every language (% is the language).
$(BUILDDIR)/pdf/$(BASENAME)-%.pdf $(BUILDDIR)/pdf/$(BASENAME)-%-large-print.pdf $(BUILDDIR)/pdf/$(BASENAME)-%-pages.json: $(SOURCES) $(OPTIONS_STAMP) $(VENV)/.installed
	rm -rf $(STAGE)/$*/pdf
	HANDBOOK_LANGUAGE=$* $(RENDER_PDF) $(STAGE)/$*/pdf/render-job.json \
		--after $(SPHINXBUILD) $(call sphinx_options,$*,pdf) -D pdf_render_in_build=0 docs $(STAGE)/$*/pdf
	$(PUBLISH) --files $(BUILDDIR)/pdf $(STAGE)/$*/pdf/$(BASENAME)-$*.pdf $(STAGE)/$*/pdf/$(BASENAME)-$*-large-print.pdf \
		$(STAGE)/$*/pdf/$(BASENAME)-$*-pages.json

epub: $(EPUBS) ## Build the EPUB 3 of every edition into _build/epub (after the PDF, whose pages it marks)

# The EPUB marks the print PDF's pages (its page list), so it is built after the PDF.
$(BUILDDIR)/epub/$(BASENAME)-%.epub: $(SOURCES) $(call page_map_of,%) $(OPTIONS_STAMP) $(VENV)/.installed
	@# The EPUB packs every file in its folder: start from an empty one.
	rm -rf $(STAGE)/$*/epub
	$(call sphinx,$*,epub) -D handbook_page_map=$(abspath $(call page_map_of,$*)) docs $(STAGE)/$*/epub
	$(PUBLISH) --files $(BUILDDIR)/epub $(STAGE)/$*/epub/$(BASENAME)-$*.epub

braille: $(BRAILLE) ## Build the braille-ready editions (BRF, and Unicode braille) into _build/braille

# Braille marks the print PDF's pages too (print page numbers), so it is built after the PDF.
$(BUILDDIR)/braille/$(BASENAME)-%.brf $(BUILDDIR)/braille/$(BASENAME)-%-braille.txt: $(SOURCES) $(call page_map_of,%) $(OPTIONS_STAMP) $(VENV)/.installed
	rm -rf $(STAGE)/$*/braille
	$(call sphinx,$*,braille) -D handbook_page_map=$(abspath $(call page_map_of,$*)) docs $(STAGE)/$*/braille
	$(PUBLISH) --files $(BUILDDIR)/braille $(STAGE)/$*/braille/$(BASENAME)-$*.brf $(STAGE)/$*/braille/$(BASENAME)-$*-braille.txt

lint: $(VENV)/.installed ## Check every page of every edition (content rules, references, catalogues), writing no output
	$(foreach language,$(HANDBOOK_LANGUAGES),$(call sphinx,$(language),dummy) docs $(STAGE)/$(language)/lint &&) true

# `make serve HANDBOOK_LANGUAGES=es HANDBOOK_DRAFT=1` previews a translation in progress.
SERVED = $(firstword $(HANDBOOK_LANGUAGES))
serve: $(VENV)/.installed ## Live preview of the first edition listed (English) at http://127.0.0.1:8000
	HANDBOOK_LANGUAGE=$(SERVED) $(VENV)/bin/python scripts/serve.py -b html -d $(BUILDDIR)/doctrees/$(SERVED)/serve \
		-D handbook_readability_cache=$(call scores_of,$(SERVED)) -c . $(SPHINXOPTS) -D handbook_downloads_required=0 \
		--watch _ext --watch _static --watch _templates --watch locales --ignore '*.mo' docs $(BUILDDIR)/serve/$(SERVED)

# The messages to translate: the pages' (Sphinx's gettext builder, one catalogue per page) and the
# handbook's own (conf.py, _ext, templates, diagrams: babel.cfg). sphinx-intl merges them into each
# translation's catalogues, marking changed messages fuzzy. The English edition has none.
update-po: $(VENV)/.installed ## Update the translation catalogues in locales/ from the English text and code
	rm -rf $(BUILDDIR)/gettext
	HANDBOOK_LANGUAGE=en $(SPHINXBUILD) -b gettext -d $(BUILDDIR)/doctrees/gettext $(ALLSPHINXOPTS) docs $(BUILDDIR)/gettext
	@# Sphinx extracts the web templates into sphinx.pot; handbook.pot has them with every other template.
	rm -f $(BUILDDIR)/gettext/sphinx.pot
	PYTHONPATH=_ext $(VENV)/bin/python -m handbook.common.catalogue --pot $(BUILDDIR)/gettext/handbook.pot
	$(VENV)/bin/sphinx-intl update -p $(BUILDDIR)/gettext -d locales \
		$(addprefix -l ,$(TRANSLATIONS))
	PYTHONPATH=_ext $(VENV)/bin/python -m handbook.common.catalogue --tidy locales

po-status: $(VENV)/.installed ## Count the translated, fuzzy and untranslated messages of every catalogue
	$(VENV)/bin/sphinx-intl stat -d locales $(addprefix -l ,$(TRANSLATIONS))

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

# On every core, a test file to a process (its builds shared by its tests); `make test` builds the
# handbook once per process, so it runs in one.
test-fast: $(VENV)/.installed-test-python ## Unit tests, every rule on every page, the broken pages: no browser, no Java
	$(VENV)/bin/python -m pytest -m "not slow and not bench and not fresh" -n auto --dist loadfile $(PYTESTOPTS)

test-bench: test-deps ## The benchmark's smoke tests (`make bench` measures)
	$(VENV)/bin/python -m pytest -m bench $(PYTESTOPTS)

# The tests' Python packages alone: all that `make test-fast` needs.
$(VENV)/.installed-test-python: requirements-test.txt $(VENV)/.installed
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

bench: all test-deps ## Measure build speed, memory and page weight (writes benchmarks/results.md)
	$(VENV)/bin/python scripts/bench.py

check-fresh: ## As root: run `make` (FRESH_TEST=1: and `make test`) on fresh Debian 12 and 13 (HEAD only)
	FRESH_DIR=$(BUILDDIR)/fresh FRESH_TEST=$(FRESH_TEST) bash scripts/check-fresh.sh $(FRESH_RELEASES)

clean: ## Remove every build output
	rm -rf $(BUILDDIR)
