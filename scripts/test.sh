#!/usr/bin/env bash
# The README's test command: sets everything up, then runs every suite.
# Arguments go to scripts/run-tests.py (e.g. --suite unit).
source "$(dirname "$0")/common.sh"

"$REPO_ROOT/scripts/setup.sh"
exec "$SYSTEM_PYTHON" "$REPO_ROOT/scripts/run-tests.py" "$@"
