#!/usr/bin/env bash
# Makes (or refreshes) the project's virtual environment .venv with the
# Python package mipnet built from this checkout, its dependencies, and what
# its tests use (python/requirements-dev.txt). maturin builds the extension
# with cargo's release profile into the workspace's target directory, so
# HiGHS is compiled once for the CLI and the package together.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
  echo "mipnet: the Python package needs python3 (3.9 or newer)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r python/requirements-dev.txt
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" \
  .venv/bin/maturin develop --release --locked --quiet
