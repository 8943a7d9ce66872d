#!/usr/bin/env bash
# Runs `linkwatch check` and turns its exit code into step outputs:
#   0/1 → the step succeeds and records attention=true|false (any status other than ok and skipped,
#         read from results.json), unless FAIL_ON_PROBLEMS=true makes exit 1 fail the step;
#   2   → usage or catalog error: the step fails;
#   3   → the network was unavailable and nothing was written: the step fails loudly, so the
#         steps after it (summary, commit-back, tracking issue) do not run.
# Inputs (environment): LINKWATCH (the binary, default `linkwatch`), CATALOG, OUT, CONCURRENCY,
# PER_HOST, TIMEOUT, RETRIES, USER_AGENT, ONLY (one selector a line), FAIL_ON, CONFIRM_AFTER,
# CHANGED_SINCE, SHARD (K/N), FAIL_ON_PROBLEMS. Empty means linkwatch's own default. With
# MERGE_FROM (shard output directories, space-separated) it runs `linkwatch merge` instead.
# Outputs (to $GITHUB_OUTPUT): exit-code, attention, report.
set -euo pipefail

out=${OUT:-reports}
add() { if [[ -n "$2" ]]; then args+=("$1" "$2"); fi; }
if [[ -n "${MERGE_FROM:-}" ]]; then
  # The merge job of a sharded audit: combine the shards' output directories into $out.
  read -r -a shard_dirs <<<"$MERGE_FROM"
  args=(merge --catalog "${CATALOG:-catalog}" --out "$out")
  add --fail-on "${FAIL_ON:-}"
  args+=("${shard_dirs[@]}")
else
  args=(check --catalog "${CATALOG:-catalog}" --out "$out" --quiet)
  add --concurrency "${CONCURRENCY:-}"
  add --per-host "${PER_HOST:-}"
  add --timeout "${TIMEOUT:-}"
  add --retries "${RETRIES:-}"
  add --user-agent "${USER_AGENT:-}"
  add --fail-on "${FAIL_ON:-}"
  add --confirm-after "${CONFIRM_AFTER:-}"
  add --changed-since "${CHANGED_SINCE:-}"
  add --shard "${SHARD:-}"
  while IFS= read -r selector; do
    add --only "$selector"
  done <<<"${ONLY:-}"
fi

output=${GITHUB_OUTPUT:-/dev/null}
code=0
"${LINKWATCH:-linkwatch}" "${args[@]}" || code=$?
echo "exit-code=$code" >>"$output"

case $code in
0 | 1) ;;
3)
  echo "::error title=Network unavailable::linkwatch check could not reach the network (exit 3); nothing was written and nothing will be committed."
  exit 3
  ;;
*)
  echo "::error title=linkwatch check failed::linkwatch check exited $code (usage or catalog error); see the log above."
  exit "$code"
  ;;
esac

attention=false
if ((code == 1)); then
  attention=true
elif [[ -f "$out/results.json" ]] &&
  jq -e '[.outcomes[]? | select(.status != "ok" and .status != "skipped")] | length > 0' "$out/results.json" >/dev/null; then
  attention=true
fi
echo "attention=$attention" >>"$output"
echo "report=$out/report.md" >>"$output"
echo "Links needing attention: $attention (linkwatch check exited $code)."

if ((code == 1)) && [[ "${FAIL_ON_PROBLEMS:-false}" == true ]]; then
  echo "::error title=Links need attention::a link has a status in --fail-on; see $out/report.md."
  exit 1
fi
