#!/usr/bin/env bash
# The accept workflow's step: runs `linkwatch accept` on what a maintainer typed into the
# workflow's form. The form's text is untrusted: it arrives here through the environment, never
# through the workflow's `run:` text, and only resource ids (the catalog's own spelling: lowercase
# letters, digits and single hyphens, never a leading one) or the single word `all` get through;
# anything else is refused before linkwatch runs. The ids follow `--`, so none is read as an
# option either way.
# Inputs (environment): IDS (resource ids separated by spaces, or `all`), FORCE (true|false: also
# accept content judged hijacked), OUT (default reports), LINKWATCH (the binary, default
# `linkwatch`), ACTOR (who asked, for the commit message).
# Outputs (to $GITHUB_OUTPUT): message (the commit message for commit-back.sh).
set -euo pipefail

out=${OUT:-reports}
output=${GITHUB_OUTPUT:-/dev/null}

refuse() {
  echo "::error title=Nothing accepted::$1"
  exit 2
}

read -r -a words <<<"${IDS:-}"
if [[ "${IDS:-}" == *$'\n'* ]]; then
  refuse "ids must be on one line, separated by spaces"
fi
if ((${#words[@]} == 0)); then
  refuse "no ids given: type resource ids separated by spaces, or all"
fi

args=(accept --out "$out")
case "${FORCE:-false}" in
true) args+=(--force) ;;
false) ;;
*) refuse "force must be true or false" ;;
esac

if [[ "${words[*]}" == all ]]; then
  args+=(--all)
  what="every pending change"
else
  bad=()
  for id in "${words[@]}"; do
    if [[ "$id" == all ]]; then
      refuse "all accepts every pending change, so it comes alone, not among ids"
    fi
    # A subset of ^[a-z0-9-]+$: catalog ids start and end with a letter or digit.
    if [[ ! "$id" =~ ^[a-z0-9]+(-[a-z0-9]+)*$ ]]; then
      bad+=("$id")
    fi
  done
  if ((${#bad[@]})); then
    # Shown quoted by printf %q, so the log shows exactly what was refused and runs none of it.
    refuse "not a resource id: $(printf '%q ' "${bad[@]}")(ids are lowercase letters, digits and hyphens; or type all, alone)"
  fi
  args+=(-- "${words[@]}")
  what="${words[*]}"
fi

"${LINKWATCH:-linkwatch}" "${args[@]}"

message="Accept $what"
if [[ "${FORCE:-false}" == true ]]; then message+=" (forced past hijacked)"; fi
if [[ -n "${ACTOR:-}" ]]; then message+=", asked by @$ACTOR"; fi
echo "message=$message [skip ci]" >>"$output"
