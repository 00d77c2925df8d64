#!/usr/bin/env bash
# Runs every test project (Release) and ends with one line "N passed, N failed[, N skipped]".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log="$(mktemp)"
dotnet test SharpEdge.slnx -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# one summary line per test project: "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total: ..."
sum() { grep -E '^(Passed|Failed)!' "$log" | grep -oE "$1: +[0-9]+" | awk '{s += $2} END {print s + 0}'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # build or runner failure
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
