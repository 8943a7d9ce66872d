#!/usr/bin/env bash
# Keeps one tracking issue, labelled $ISSUE_LABEL, in step with the audit:
# - something needs attention and no such issue is open: open one, its body the report;
# - something needs attention and one is open: replace its body with the new report and comment;
# - nothing needs attention and one is open: close it with a comment.
# The body is cut under GitHub's 65,536-character limit with a pointer to the full report.
# Inputs (environment): ATTENTION (true|false), OUT (default reports), ISSUE_LABEL (default
# link-audit), ISSUE_TITLE, ISSUE_LIMIT (default 65,000), GH (the gh CLI, default `gh`; it reads
# GH_TOKEN and GH_REPO), ARTIFACT_NAME, RUN_URL.
set -euo pipefail
# shellcheck source=.github/scripts/lib.sh
source "$(dirname "$0")/lib.sh"

gh=${GH:-gh}
label=${ISSUE_LABEL:-link-audit}
title=${ISSUE_TITLE:-Link audit: links need attention}
attention=${ATTENTION:?ATTENTION must be true or false}
report="${OUT:-reports}/report.md"
url=$(run_url)

open=$("$gh" issue list --label "$label" --state open --json number --limit 1 | jq -r '.[0].number // empty')

if [[ "$attention" != true ]]; then
  if [[ -n "$open" ]]; then
    "$gh" issue close "$open" --comment "Every link is healthy again as of $url."
    echo "Closed tracking issue #$open: nothing needs attention."
  else
    echo "Nothing needs attention and no tracking issue is open."
  fi
  exit 0
fi

body=$(mktemp)
trap 'rm -f "$body"' EXIT
if [[ -f "$report" ]]; then
  cut_to_fit "$report" "${ISSUE_LIMIT:-65000}" >"$body"
else
  printf 'Links need attention; see %s.\n' "$url" >"$body"
fi

if [[ -n "$open" ]]; then
  "$gh" issue edit "$open" --body-file "$body"
  "$gh" issue comment "$open" --body "Still needs attention as of $url; the description holds the latest report."
  echo "Updated tracking issue #$open."
else
  if ! "$gh" label list --search "$label" --json name --limit 100 | jq -e --arg l "$label" 'any(.[]; .name == $l)' >/dev/null; then
    "$gh" label create "$label" --color D93F0B --description "Opened and closed by the scheduled link audit"
  fi
  "$gh" issue create --title "$title" --label "$label" --body-file "$body"
  echo "Opened a tracking issue labelled $label."
fi
