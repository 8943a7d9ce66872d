#!/usr/bin/env bash
# Appends report.md to the job summary, cut to fit: GitHub drops a step's summary over 1 MiB, so a
# longer report is cut at a line with a pointer to the run's full report artifact.
# Inputs (environment): OUT (default reports), GITHUB_STEP_SUMMARY, SUMMARY_LIMIT (bytes, default
# 1,000,000: under 1 MiB with room for what other steps add), ARTIFACT_NAME, RUN_URL.
set -euo pipefail
# shellcheck source=.github/scripts/lib.sh
source "$(dirname "$0")/lib.sh"

report="${OUT:-reports}/report.md"
summary=${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY must name the job summary file}
if [[ ! -f "$report" ]]; then
  echo "::warning::no $report to add to the job summary"
  exit 0
fi
cut_to_fit "$report" "${SUMMARY_LIMIT:-1000000}" >>"$summary"
