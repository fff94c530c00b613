#!/usr/bin/env bash
# Set callsim up (system packages, .venv, the package) and start a practice call on the default scenario.
# Arguments go to `callsim practice` (a scenario id or path, --text, ...).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
exec .venv/bin/callsim practice "$@"
