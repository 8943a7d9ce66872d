#!/usr/bin/env bash
# The action's first step: download the release binary for this runner and verify its SHA-256
# checksum, or say that linkwatch must be built from the action's source instead.
#   - VERSION empty: the release of the action's own version (its Cargo.toml); when there is none
#     for this runner (no such release, an OS or architecture without a build, or the action's
#     repository unknown, as with `uses: ./`), build from source.
#   - VERSION `source`: build from source.
#   - VERSION X.Y.Z or vX.Y.Z: that release; its absence is an error, not a build of other code.
# A checksum that does not match, or a release that cannot be fetched for another reason than
# not existing, fails the step: it is never a reason to fall back.
# Inputs (environment): VERSION, ACTION_REPOSITORY (owner/name; when empty, read from the
# runner's `_actions/<owner>/<name>/<ref>` folder in GITHUB_ACTION_PATH), GITHUB_ACTION_PATH,
# GITHUB_SERVER_URL, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP.
# Outputs (to $GITHUB_OUTPUT): build (true when linkwatch must be built from source), linkwatch
# (the binary's path, where the build will put it when build=true).
set -euo pipefail

output=${GITHUB_OUTPUT:-/dev/null}
action=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is the folder of the action}
# Runners on Windows give the path with backslashes.
action=${action//\\//}

from_source() {
  echo "$1; building linkwatch from the action's source."
  local binary="$action/target/release/linkwatch"
  if [[ "${RUNNER_OS:-}" == Windows ]]; then binary+=.exe; fi
  {
    echo "build=true"
    echo "linkwatch=$binary"
  } >>"$output"
  exit 0
}

version=${VERSION:-}
if [[ "$version" == source ]]; then
  from_source "version: source"
fi
required=true
if [[ -z "$version" ]]; then
  required=false
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action/Cargo.toml" | head -n 1)
fi
version=${version#v}
tag="v$version"

# Not a release: a reason to build when the version was not asked for, an error when it was.
no_release() {
  if [[ "$required" == true ]]; then
    echo "::error::$1" >&2
    exit 1
  fi
  from_source "$1"
}

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) no_release "no linkwatch release is built for ${RUNNER_OS:-this OS} on ${RUNNER_ARCH:-this architecture}" ;;
esac

repository=${ACTION_REPOSITORY:-}
if [[ -z "$repository" && "$action" =~ /_actions/([^/]+)/([^/]+)/ ]]; then
  repository="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
fi
if [[ -z "$repository" ]]; then
  no_release "the action's repository is unknown (a local \`uses: ./\`?), so is its release"
fi

if [[ "$target" == *windows* ]]; then
  archive="linkwatch-$tag-$target.zip"
  exe=linkwatch.exe
else
  archive="linkwatch-$tag-$target.tar.gz"
  exe=linkwatch
fi
base="${GITHUB_SERVER_URL:-https://github.com}/$repository/releases/download/$tag"
dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/linkwatch-release"
rm -rf "$dir"
mkdir -p "$dir"

# fetch URL FILE: prints the HTTP status; curl's own failures (DNS, TLS, a cut transfer) after
# its retries fail the step.
fetch() {
  curl --silent --show-error --location --retry 3 --proto '=https,http' \
    --output "$2" --write-out '%{http_code}' "$1"
}

code=$(fetch "$base/$archive.sha256" "$dir/$archive.sha256")
case "$code" in
  200) ;;
  404) no_release "no release $tag of $repository has a build for $target" ;;
  *)
    echo "::error::$base/$archive.sha256 answered HTTP $code" >&2
    exit 1
    ;;
esac
code=$(fetch "$base/$archive" "$dir/$archive")
if [[ "$code" != 200 ]]; then
  echo "::error::$base/$archive answered HTTP $code" >&2
  exit 1
fi

expected=$(cut -d ' ' -f 1 <"$dir/$archive.sha256")
# From standard input: given a path with a backslash (RUNNER_TEMP on Windows), sha256sum would
# escape it and start its line with `\`.
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum <"$dir/$archive" | cut -d ' ' -f 1)
else
  actual=$(shasum -a 256 <"$dir/$archive" | cut -d ' ' -f 1)
fi
if [[ ! "$expected" =~ ^[0-9a-f]{64}$ || "$actual" != "$expected" ]]; then
  echo "::error::$archive does not match its published SHA-256 checksum (expected ${expected:-nothing}, got $actual)" >&2
  exit 1
fi

if [[ "$archive" == *.zip ]]; then
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$dir/$archive" -d "$dir"
  else
    7z x -bd -y "-o$dir" "$dir/$archive" >/dev/null
  fi
else
  tar -xzf "$dir/$archive" -C "$dir"
fi
binary="$dir/linkwatch-$tag-$target/$exe"
reported=$("$binary" --version)
if [[ "$reported" != "linkwatch $version" ]]; then
  echo "::error::$archive holds $reported, not linkwatch $version" >&2
  exit 1
fi
echo "Using $reported from $base/$archive (SHA-256 $actual)."
{
  echo "build=false"
  echo "linkwatch=$binary"
} >>"$output"
