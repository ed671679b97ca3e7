#!/usr/bin/env bash
# Installs everything matchday needs on a Debian 12 machine, as root, and is safe to rerun:
#   1. Debian packages: WeasyPrint's Pango/HarfBuzz libraries, DejaVu fonts, poppler-utils
#      (pdftoppm, used by tests), jq (the README's curl walk-through), and Debian's chromium with
#      libatomic1 for the browser tests (Playwright drives /usr/bin/chromium; no browser is ever
#      downloaded, never run `playwright install`) -- skipped when dpkg says they are all installed;
#   2. a Python 3.11 virtual environment in .venv -- created only if missing or broken;
#   3. `pip install -e ".[test]"` into it -- skipped when pyproject.toml is unchanged since the
#      last successful install and the editable install still points at this work tree;
#   4. a local PostgreSQL server for the PostgreSQL tests (Debian's `postgresql`): started if it is
#      down, with a role and database `matchday` (password `matchday`, may create databases) made
#      if missing. The tests use it when MATCHDAY_TEST_DATABASE_URL is set (.ci/run sets it):
#        postgresql+psycopg://matchday:matchday@127.0.0.1:5432/matchday
#      (the port is the cluster's; the URL is also written to .venv/postgres-test-url).
# Works from any directory. Set MATCHDAY_SETUP_FORCE=1 to redo the pip step regardless, and
# MATCHDAY_SETUP_POSTGRES=0 to leave PostgreSQL out (nothing but its tests needs it), and
# MATCHDAY_SETUP_BROWSER=0 to leave chromium out (its tests then skip, except under CI=true).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
STAMP="$VENV/.matchday-setup-stamp"
APT_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils jq)
WITH_POSTGRES="${MATCHDAY_SETUP_POSTGRES:-1}"
[[ $WITH_POSTGRES == 1 ]] && APT_PACKAGES+=(postgresql)
# CI runs the browser tests, so there chromium is installed whatever the variable says.
WITH_BROWSER="${MATCHDAY_SETUP_BROWSER:-1}"
[[ $WITH_BROWSER == 1 || "${CI:-}" == true ]] && APT_PACKAGES+=(chromium libatomic1)
PG_ROLE=matchday PG_DATABASE=matchday PG_PASSWORD=matchday  # a local test server, not a secret

now_ms() { date +%s%3N; }
t_start=$(now_ms)
say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { local d=$(( $(now_ms) - $1 )); printf '%d.%01ds' $((d / 1000)) $((d % 1000 / 100)); }

# --- which Python 3.11 -------------------------------------------------------------------------
find_python() {
    local cand
    for cand in python3.11 /usr/bin/python3.11; do
        if command -v "$cand" >/dev/null 2>&1 \
            && "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1; then
            command -v "$cand"
            return 0
        fi
    done
    return 1
}
PY="$(find_python || true)"
if [[ -z "$PY" ]]; then
    APT_PACKAGES+=(python3.11 python3.11-venv)
elif ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    # Debian's own python3.11 ships venv/ensurepip in a separate package.
    APT_PACKAGES+=(python3.11-venv)
fi

# --- 1. Debian packages ------------------------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    say "apt: all system packages present, skipped (${APT_PACKAGES[*]})"
else
    t=$(now_ms)
    SUDO=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null \
            || die "not root and no password-less sudo; as root run: apt-get install ${missing[*]}"
        SUDO=(sudo -n)
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt_log="$(mktemp)"
    apt_update() { "${SUDO[@]}" apt-get update -q >>"$apt_log" 2>&1 || true; }
    apt_install() {
        "${SUDO[@]}" apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 \
            "${missing[@]}" >>"$apt_log" 2>&1
    }
    updated=no
    # apt-get update only when needed: no package lists yet, or one of the packages unknown.
    if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null \
        || ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
        apt_update; updated=yes
    fi
    # Lists present but stale (a version gone from the mirror): update once and retry.
    if ! apt_install; then
        if [[ $updated == no ]]; then
            apt_update; updated=yes
            apt_install || { tail -n 30 "$apt_log" >&2; die "apt-get install ${missing[*]} failed"; }
        else
            tail -n 30 "$apt_log" >&2; die "apt-get install ${missing[*]} failed"
        fi
    fi
    rm -f "$apt_log"
    say "apt: installed ${missing[*]} (apt-get update: $updated) in $(elapsed "$t")"
fi

# --- 2. virtual environment --------------------------------------------------------------------
[[ -n "$PY" ]] || PY="$(find_python)" || die "no python3.11 found even after apt-get install"
if [[ -x "$VENV/bin/python" ]] \
    && "$VENV/bin/python" -c 'import sys, pip; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1; then
    say "venv: $VENV exists ($("$VENV/bin/python" -V 2>&1)), kept"
else
    t=$(now_ms)
    if [[ -e "$VENV" ]]; then
        say "venv: $VENV is broken or not Python 3.11, recreating"
        rm -rf "$VENV"
    fi
    "$PY" -m venv "$VENV"
    say "venv: created $VENV with $("$VENV/bin/python" -V 2>&1) from $PY in $(elapsed "$t")"
fi

# --- 3. Python packages ------------------------------------------------------------------------
# The editable install maps the top-level packages that existed when it ran, so a package folder
# added later (api/) needs a reinstall just like a change to pyproject.toml.
pkg_dirs="$(for d in scheduler api; do [[ -d $d ]] && printf '%s ' "$d"; done; true)"
want_stamp="$(sha256sum pyproject.toml | cut -d' ' -f1) $ROOT ${pkg_dirs}"
editable_ok() {
    # The installed distribution exists and `scheduler` resolves to this work tree (without
    # importing it, so a bug in the package itself never triggers a reinstall).
    "$VENV/bin/python" -I - "$ROOT" >/dev/null 2>&1 <<'EOF'
import importlib.metadata, importlib.util, pathlib, sys
importlib.metadata.version("matchday")
spec = importlib.util.find_spec("scheduler")
assert spec is not None and spec.origin is not None
assert pathlib.Path(spec.origin).resolve().is_relative_to(pathlib.Path(sys.argv[1]).resolve())
EOF
}
if [[ "${MATCHDAY_SETUP_FORCE:-0}" != 1 && -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]] \
    && editable_ok; then
    say "pip: matchday[test] already installed for this pyproject.toml and package set, skipped"
else
    t=$(now_ms)
    rm -f "$STAMP"
    pip_log="$(mktemp)"
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
        "$VENV/bin/python" -m pip install -e ".[test]" >"$pip_log" 2>&1 \
        || { tail -n 40 "$pip_log" >&2; die "pip install -e .[test] failed (log above)"; }
    rm -f "$pip_log"
    editable_ok || die "pip install finished but 'scheduler' does not resolve to $ROOT"
    echo "$want_stamp" >"$STAMP"
    say "pip: installed -e .[test] (packages: ${pkg_dirs% }) in $(elapsed "$t")"
fi

# --- 4. PostgreSQL for the tests ---------------------------------------------------------------
as_postgres() {
    if ((EUID == 0)); then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi
}
pg_sql() {  # one statement as the server's superuser; prints the result unaligned
    as_postgres psql -p "$pg_port" -X -q -t -A -v ON_ERROR_STOP=1 -d postgres -c "$1"
}
setup_postgres() {
    t=$(now_ms)
    # The first cluster pg_lsclusters lists (Debian's package creates "15 main" on port 5432).
    read -r pg_version pg_cluster pg_port pg_status _ < <(pg_lsclusters --no-header 2>/dev/null | head -n 1) || true
    if [[ -z "${pg_version:-}" ]]; then
        pg_version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
        [[ -n "$pg_version" ]] || die "postgresql is installed but /usr/lib/postgresql has no server version"
        if ((EUID == 0)); then pg_createcluster "$pg_version" main >/dev/null; else sudo -n pg_createcluster "$pg_version" main >/dev/null; fi
        read -r pg_version pg_cluster pg_port pg_status _ < <(pg_lsclusters --no-header | head -n 1)
    fi
    if [[ $pg_status == online* ]]; then
        pg_started="already running"
    else
        # No systemd on these machines: pg_ctlcluster starts the server directly.
        if ((EUID == 0)); then pg_ctlcluster "$pg_version" "$pg_cluster" start; else sudo -n pg_ctlcluster "$pg_version" "$pg_cluster" start; fi
        pg_started="started"
    fi
    for _ in $(seq 1 50); do
        pg_isready -q -h 127.0.0.1 -p "$pg_port" && break
        sleep 0.2
    done
    pg_isready -q -h 127.0.0.1 -p "$pg_port" || die "PostgreSQL $pg_version/$pg_cluster did not come up on port $pg_port"
    made=""
    if [[ "$(pg_sql "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" != 1 ]]; then
        pg_sql "CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD'" >/dev/null
        made=", created role $PG_ROLE"
    fi
    if [[ "$(pg_sql "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" != 1 ]]; then
        pg_sql "CREATE DATABASE $PG_DATABASE OWNER $PG_ROLE" >/dev/null
        made="${made:-, created}${made:+ and} database $PG_DATABASE"
    fi
    PG_URL="postgresql+psycopg://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$pg_port/$PG_DATABASE"
    echo "$PG_URL" >"$VENV/postgres-test-url"
    say "postgres: $pg_version/$pg_cluster on port $pg_port $pg_started$made in $(elapsed "$t")"
    say "postgres: tests use it with MATCHDAY_TEST_DATABASE_URL=$PG_URL"
}
if [[ $WITH_POSTGRES == 1 ]]; then
    # In a subshell, so that a server that will not start stops only this step: solving needs no
    # PostgreSQL. In CI (CI=true) its tests must run, so there it is an error.
    rm -f "$VENV/postgres-test-url"
    set +e  # (not `if ! (…)`: that would switch errexit off inside the subshell too)
    (set -e; setup_postgres)
    pg_rc=$?
    set -e
    if ((pg_rc != 0)); then
        [[ "${CI:-}" == true ]] && die "PostgreSQL could not be set up (see above); CI runs its tests"
        say "postgres: WARNING: could not be set up (see above); the PostgreSQL tests will be skipped, solving is unaffected"
    fi
fi

say "done in $(elapsed "$t_start"); run tests with: .venv/bin/python -m pytest -q -n 2"
