#!/usr/bin/env bash
# Commits the audit's reports (baseline, snapshots, CSV, Markdown, JSON) so git history is the
# audit history, then pushes, rebasing onto whatever landed meanwhile; no commit when nothing
# changed. The message carries [skip ci]; besides, pushes made with the workflow's GITHUB_TOKEN
# never start workflows, and the audit is not triggered by push, so it cannot loop.
# Inputs (environment): OUT (default reports), PUSH_REMOTE (default origin), PUSH_BRANCH (default
# the checked-out branch), PUSH_ATTEMPTS (default 5), GITHUB_TOKEN (optional: handed to git by a
# credential helper, never written to .git/config nor put on a command line), COMMIT_MESSAGE.
set -euo pipefail

out=${OUT:-reports}
remote=${PUSH_REMOTE:-origin}
branch=${PUSH_BRANCH:-$(git symbolic-ref --short HEAD)}
attempts=${PUSH_ATTEMPTS:-5}
message=${COMMIT_MESSAGE:-"Link audit $(date -u +%Y-%m-%d) [skip ci]"}
output=${GITHUB_OUTPUT:-/dev/null}

git_remote() {
  if [[ -n "${GITHUB_TOKEN:-}" ]]; then
    # The helper reads the token from the environment when git asks for it.
    # shellcheck disable=SC2016
    git -c credential.helper= \
      -c credential.helper='!f() { echo username=x-access-token; echo "password=${GITHUB_TOKEN}"; }; f' "$@"
  else
    git "$@"
  fi
}

# The bot is the author of the audit's commit and the committer of a rebase of it.
export GIT_AUTHOR_NAME='github-actions[bot]' GIT_COMMITTER_NAME='github-actions[bot]'
export GIT_AUTHOR_EMAIL='41898282+github-actions[bot]@users.noreply.github.com'
export GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL

# No reports written and none tracked: nothing to add (git add would reject the pathspec).
if [[ -e "$out" ]] || git ls-files --error-unmatch -- "$out" >/dev/null 2>&1; then
  git add --all -- "$out"
fi
if git diff --cached --quiet; then
  echo "Nothing changed in $out/: no commit."
  echo "committed=false" >>"$output"
  exit 0
fi
git commit --quiet -m "$message"

for ((i = 1; i <= attempts; i++)); do
  if git_remote push --quiet "$remote" "HEAD:refs/heads/$branch"; then
    echo "Pushed the audit's reports to $branch."
    echo "committed=true" >>"$output"
    exit 0
  fi
  echo "::warning::push $i of $attempts was rejected; rebasing onto $remote/$branch"
  git_remote pull --quiet --rebase "$remote" "$branch"
  sleep "$((i * ${PUSH_BACKOFF_SECS:-2}))"
done
echo "::error::could not push the audit's reports after $attempts attempts"
exit 1
