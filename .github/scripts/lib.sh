# Shared helpers for the audit steps; sourced, never run on its own.
# shellcheck shell=bash

# GitHub's address (GitHub Enterprise Server has its own).
server_url() {
  printf '%s' "${GITHUB_SERVER_URL:-https://github.com}"
}

# The run's page on GitHub, where the full report artifact can be downloaded.
run_url() {
  if [[ -n "${RUN_URL:-}" ]]; then
    printf '%s' "$RUN_URL"
  elif [[ -n "${GITHUB_RUN_ID:-}" && -n "${GITHUB_REPOSITORY:-}" ]]; then
    printf '%s/%s/actions/runs/%s' "$(server_url)" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID"
  else
    printf 'this workflow run'
  fi
}

# cut_to_fit FILE LIMIT_BYTES: prints FILE whole when it fits in LIMIT_BYTES, otherwise its first
# whole lines that fit with room to spare for a pointer to the full report. Bytes, not characters:
# a text's byte count is never below its character count, so a byte budget also fits a limit
# counted in characters, and cutting at a newline never splits a UTF-8 character.
cut_to_fit() {
  local file=$1 limit=$2
  local LC_ALL=C size pointer keep copy
  size=$(wc -c <"$file")
  if ((size <= limit)); then
    cat "$file"
    return
  fi
  # A push that failed left no copy in the repository (PUSH_OUTCOME: see tracking-issue.sh).
  copy=", and in \`${OUT:-reports}/report.md\`"
  if [[ "${PUSH_OUTCOME:-}" == failure ]]; then copy=""; fi
  # shellcheck disable=SC2016 # the backticks are Markdown, not command substitution
  pointer=$(printf '\n\n---\n\n> [!NOTE]\n> This report was cut to fit GitHub'"'"'s size limit (%s bytes). The full report is in the `%s` artifact of %s%s.\n' \
    "$limit" "${ARTIFACT_NAME:-link-audit-reports}" "$(run_url)" "$copy")
  keep=$((limit - ${#pointer} - 16))
  # Drop the last, possibly partial, line of what fits.
  head -c "$keep" "$file" | sed '$d'
  printf '%s\n' "$pointer"
}
