#!/usr/bin/env bash
# The whole check: set up with the test tools, start the private audio rig, then ruff, mypy,
# import-linter and pytest (extra arguments go to pytest). `.ci/run` and `make test` call this.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh --test

# The real-audio tests run against a private PulseAudio daemon (scripts/audio-sandbox.sh): two null sinks,
# its own socket in a temporary folder, nothing to do with a desktop's sound server.
rig=$(mktemp -d "${TMPDIR:-/tmp}/callsim-rig.XXXXXX")
cleanup() {
    scripts/audio-sandbox.sh stop "$rig" >/dev/null 2>&1 || true
    rm -rf "$rig"
}
trap cleanup EXIT
rig_env=$(scripts/audio-sandbox.sh start "$rig")
while IFS= read -r line; do
    export "${line?}"
done <<<"$rig_env"
echo "test: audio rig running ($PULSE_SERVER)"

status=0
run() {
    echo "test: $*"
    "$@" || status=1
}
run .venv/bin/ruff check .
run .venv/bin/mypy
run .venv/bin/lint-imports
run .venv/bin/pytest "$@"
exit $status
