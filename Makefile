# The two quick-start commands; both set up everything first (cheap when already done).
.PHONY: setup demo test docs

setup:
	@bash scripts/setup.sh

demo: setup
	.venv/bin/pdekit solve cases/turing.toml

test: setup
	@bash scripts/test.sh

# The documentation site (Sphinx, warnings are errors) into docs/_build/html.
docs: setup
	.venv/bin/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: open docs/_build/html/index.html"
