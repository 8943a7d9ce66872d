#!/usr/bin/env bash
# Keeps one tracking issue, labelled $ISSUE_LABEL, in step with the audit:
# - something needs attention and no such issue is open: open one;
# - something needs attention and one is open: replace its description, and comment only when
#   the set of problems changed since the audit that wrote it ("2 new, 1 fixed, 3 still open");
# - nothing needs attention and one is open: close it with a comment.
# The description starts with the hijacked links, when there are any, then says where the
# reports are (the run's artifact, and the branch unless pushing failed) and how to accept
# changes, then holds the report (its history chart linked to the copy pushed to the branch), cut
# under GitHub's 65,536-character limit. It ends with the problems as `id status` lines in a
# hidden comment, which the next audit compares with.
# Problems are read from $OUT/results.json: every outcome whose status is not ok or skipped.
# Inputs (environment): ATTENTION (true|false), OUT (default reports), ISSUE_LABEL (default
# link-audit), ISSUE_TITLE, ISSUE_LIMIT (default 65,000), GH (the gh CLI, default `gh`; it reads
# GH_TOKEN and GH_REPO), ARTIFACT_NAME, RUN_URL, PUSH_OUTCOME (the commit-back step's outcome:
# success, failure, or empty when the reports are not committed), PUSH_BRANCH, ACCEPT_WORKFLOW
# (the file name of a workflow running accept.sh; empty: the issue gives the command instead).
set -euo pipefail
# shellcheck source=.github/scripts/lib.sh
source "$(dirname "$0")/lib.sh"

gh=${GH:-gh}
label=${ISSUE_LABEL:-link-audit}
title=${ISSUE_TITLE:-Link audit: links need attention}
attention=${ATTENTION:?ATTENTION must be true or false}
out=${OUT:-reports}
report="$out/report.md"
results="$out/results.json"
url=$(run_url)
marker=linkwatch-problems

listed=$("$gh" issue list --label "$label" --state open --json number,body --limit 1)
open=$(jq -r '.[0].number // empty' <<<"$listed")

if [[ "$attention" != true ]]; then
  if [[ -n "$open" ]]; then
    "$gh" issue close "$open" --comment "Every link is healthy again as of $url."
    echo "Closed tracking issue #$open: nothing needs attention."
  else
    echo "Nothing needs attention and no tracking issue is open."
  fi
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The problems, `id status` a line in catalog order: now, and as the open issue recorded them.
# Ids are catalog ids and statuses linkwatch's words, so neither can close the HTML comment.
known=false
if [[ -f "$results" ]]; then
  known=true
  jq -r '.outcomes[]? | select(.status != "ok" and .status != "skipped") | "\(.id) \(.status)"' \
    "$results" >"$work/now"
fi
recorded=false
if [[ -n "$open" ]]; then
  # The last marker counts: the report above it may quote anything.
  jq -r '.[0].body // ""' <<<"$listed" | tr -d '\r' |
    awk -v start="<!-- $marker" '
      $0 == start { n = 0; inside = 1; found = 1; next }
      inside && $0 == "-->" { inside = 0; last = ""; for (i = 1; i <= n; i++) last = last lines[i] "\n"; next }
      inside { lines[++n] = $0 }
      END { printf "%s", last; exit !found }' >"$work/before" && recorded=true
fi

# Where the reports are: the run's artifact always, the branch only when the push went through.
where="The full reports of this audit are in the \`${ARTIFACT_NAME:-link-audit-reports}\` artifact of $url"
case "${PUSH_OUTCOME:-}" in
success) where+=", and in \`$out/\` on \`${PUSH_BRANCH:-the audited branch}\`." ;;
failure) where+=". Pushing them to \`${PUSH_BRANCH:-the audited branch}\` failed (a protected branch? see the run's log), so the artifact is their only copy: download it before it expires." ;;
*) where+="." ;;
esac

# ids_with STATUS: the ids now of that status, space-separated; the first 100, which is plenty
# to copy into a form.
ids_with() { awk -v s="$1" '$2 == s && n++ < 100 { printf "%s%s", (n > 1 ? " " : ""), $1 }' "$work/now"; }

# How to accept changes (and hijacks that are false alarms): the accept workflow's form when
# there is one, else the command. The Markdown's backticks are meant.
# shellcheck disable=SC2016
accept_hint() {
  local changed hijacked repo how
  changed=$(ids_with changed)
  hijacked=$(ids_with hijacked)
  if [[ -z "$changed$hijacked" ]]; then return 0; fi
  if [[ -n "${ACCEPT_WORKFLOW:-}" ]]; then
    repo=${GH_REPO:-${GITHUB_REPOSITORY:-}}
    how="*Actions → Accept changes → Run workflow*"
    if [[ -n "$repo" ]]; then
      how="[Accept changes]($(server_url)/$repo/actions/workflows/$ACCEPT_WORKFLOW) → *Run workflow*"
    fi
    if [[ -n "$changed" ]]; then
      printf 'To accept changes once you have read their diffs below: %s with ids `%s`, or `all`.\n' "$how" "$changed"
    fi
    if [[ -n "$hijacked" ]]; then
      printf 'A hijacked link that a browser shows to be fine is accepted the same way with *force* ticked: `%s`.\n' "$hijacked"
    fi
  else
    if [[ -n "$changed" ]]; then
      printf 'To accept changes once you have read their diffs below: `linkwatch accept %s` in a clone, then commit `%s/`.\n' "$changed" "$out"
    fi
    if [[ -n "$hijacked" ]]; then
      printf 'A hijacked link that a browser shows to be fine: `linkwatch accept --force %s`.\n' "$hijacked"
    fi
  fi
  printf '\n'
}

{
  if [[ "$known" == true ]]; then
    jq -r '
      [.outcomes[]? | select(.status == "hijacked")] as $h
      | select($h | length > 0)
      | "⚠ **\($h | length) \(if ($h | length) == 1 then "link now leads" else "links now lead" end) to something else (hijacked):** "
        + ([$h[:20][] | "\(.title) (`\(.id)`, `\(.url)`)"] | join("; "))
        + (if ($h | length) > 20 then "; and \(($h | length) - 20) more, listed below" else "" end)
        + ". Remove or replace \(if ($h | length) == 1 then "it" else "them" end) in the catalog now.\n"' "$results"
  fi
  printf '%s\n\n' "$where"
  if [[ "$known" == true ]]; then accept_hint; fi
} >"$work/head"
# The list is left out when it would crowd out the report; the next audit then comments anyway.
: >"$work/tail"
if [[ "$known" == true ]]; then
  { printf '\n<!-- %s\n' "$marker"; cat "$work/now"; printf -- '-->\n'; } >"$work/list"
  if (($(wc -c <"$work/list") <= ${ISSUE_LIMIT:-65000} / 4)); then
    mv "$work/list" "$work/tail"
  fi
fi

# The report's chart is a file beside it (`![Audit history](history.svg)`), which an issue cannot
# reach: the issue shows the copy committed to the branch, or no chart when none was pushed.
if [[ -f "$report" ]] && grep -qxF '![Audit history](history.svg)' "$report"; then
  repo=${GH_REPO:-${GITHUB_REPOSITORY:-}}
  chart=""
  if [[ "${PUSH_OUTCOME:-}" == success && -n "$repo" && -n "${PUSH_BRANCH:-}" ]]; then
    chart="![Audit history]($(server_url)/$repo/raw/$PUSH_BRANCH/$out/history.svg)"
  fi
  awk -v chart="$chart" '$0 == "![Audit history](history.svg)" { if (chart != "") print chart; next } { print }' \
    "$report" >"$work/report.md"
  report="$work/report.md"
fi

body="$work/body.md"
cp "$work/head" "$body"
budget=$((${ISSUE_LIMIT:-65000} - $(wc -c <"$work/head") - $(wc -c <"$work/tail")))
if [[ -f "$report" ]]; then
  cut_to_fit "$report" "$budget" >>"$body"
else
  printf 'Links need attention; see %s.\n' "$url" >>"$body"
fi
cat "$work/tail" >>"$body"

if [[ -z "$open" ]]; then
  if ! "$gh" label list --search "$label" --json name --limit 100 | jq -e --arg l "$label" 'any(.[]; .name == $l)' >/dev/null; then
    "$gh" label create "$label" --color D93F0B --description "Opened and closed by the scheduled link audit"
  fi
  "$gh" issue create --title "$title" --label "$label" --body-file "$body"
  echo "Opened a tracking issue labelled $label."
  exit 0
fi

"$gh" issue edit "$open" --body-file "$body"

comment="$work/comment.md"
if [[ "$known" != true ]]; then
  printf 'Links need attention as of %s; the description holds the latest report.\n' "$url" >"$comment"
elif [[ "$recorded" != true ]]; then
  printf 'Links need attention as of %s: %s, listed in the description, which kept no list from an earlier audit to compare with.\n\n%s\n' \
    "$url" "$(wc -l <"$work/now" | tr -d ' ')" "$where" >"$comment"
else
  # new / fixed / same / restatus lines, in catalog order.
  awk 'NR == FNR { if (NF) { before[$1] = $2; order[++n] = $1 }; next }
    NF { now[$1] = $2
      if (!($1 in before)) print "new", $1, $2
      else if (before[$1] != $2) print "restatus", $1, before[$1], $2
      else print "same", $1, $2 }
    END { for (i = 1; i <= n; i++) if (!(order[i] in now)) print "fixed", order[i], before[order[i]] }' \
    "$work/before" "$work/now" >"$work/diff"
  count() { awk -v k="$1" '$1 == k' "$work/diff" | wc -l | tr -d ' '; }
  new=$(count new)
  fixed=$(count fixed)
  restatus=$(count restatus)
  still=$((restatus + $(count same)))
  if ((new + fixed + restatus == 0)); then
    echo "Updated tracking issue #$open: the same $still problems as the last audit, so no comment."
    exit 0
  fi
  {
    printf 'Since the last audit: %s new, %s fixed, %s still open' "$new" "$fixed" "$still"
    if ((restatus)); then printf ' (%s with another status)' "$restatus"; fi
    printf ', as of %s.\n\n' "$url"
    # At most 50 ids a line, so that a comment stays far under GitHub's limit.
    awk -v max=50 '
      function add(k, text) { if (++n[k] <= max) line[k] = line[k] (n[k] > 1 ? ", " : "") text }
      $1 == "new" { add("new", "`" $2 "` (" $3 ")") }
      $1 == "fixed" { add("fixed", "`" $2 "` (was " $3 ")") }
      $1 == "restatus" { add("restatus", "`" $2 "` (" $3 " → " $4 ")") }
      END {
        split("new fixed restatus", keys, " ")
        split("New|Fixed|Now another status", labels, "|")
        for (i = 1; i <= 3; i++) {
          k = keys[i]
          if (n[k]) printf "- %s: %s%s\n", labels[i], line[k], (n[k] > max ? sprintf(", and %d more", n[k] - max) : "")
        }
      }' "$work/diff"
    printf '\n%s\n' "$where"
  } >"$comment"
fi
"$gh" issue comment "$open" --body-file "$comment"
echo "Updated tracking issue #$open and commented."
