# The two quick-start commands; both set up everything first (cheap when already done).
.PHONY: setup demo test

setup:
	@bash scripts/setup.sh

demo: setup
	.venv/bin/pdekit solve cases/turing.toml

test: setup
	@bash scripts/test.sh
