# Shared by the scripts that build a pinned Python virtual environment (sourced, not run).
# The caller defines say() and fail() and sets: venv (path), want (hash of what the venv must hold),
# probe (Python code that imports what must work) and base_python (interpreter to build with).

# venv_handle_args "$@": `--force` removes the venv so it is rebuilt from scratch; anything else is refused.
venv_handle_args() {
  if [[ ${1:-} == --force ]]; then
    say "removing $venv (--force)"
    rm -rf "$venv"
  elif [[ $# -gt 0 ]]; then
    fail "unknown argument '$1' (use --force or nothing)"
  fi
}

# venv_is_current: true when the venv was built from exactly `$want` and `$probe` still imports.
venv_is_current() {
  local stamp="$venv/.requirements.sha256"
  [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]] && "$venv/bin/python" -c "$probe" 2>/dev/null
}

# venv_create: checks the base interpreter (3.11+), rebuilds a venv whose interpreter no longer runs
# (Python upgraded or moved) rather than patching it, creates it if missing, and clears the stamp so an
# install cut short is never taken as complete.
venv_create() {
  command -v "$base_python" >/dev/null || fail "no '$base_python' on PATH; install Python 3.11+ or set ISARA_PYTHON"
  "$base_python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
    fail "$("$base_python" --version 2>&1) is too old; the pinned packages need Python 3.11+ (set ISARA_PYTHON)"
  if [[ -e $venv ]] && ! "$venv/bin/python" -c 'pass' 2>/dev/null; then
    say "existing $venv is broken; rebuilding it"
    rm -rf "$venv"
  fi
  if [[ ! -x $venv/bin/python ]]; then
    say "creating $venv with $("$base_python" --version 2>&1)"
    "$base_python" -m venv "$venv"
  fi
  rm -f "$venv/.requirements.sha256"
}

# venv_seal: proves `$probe` imports, then records `$want` so the next run knows the venv is current.
venv_seal() {
  "$venv/bin/python" -c "$probe" || fail "packages installed but '$probe' fails; rerun with --force"
  echo "$want" >"$venv/.requirements.sha256"
}
