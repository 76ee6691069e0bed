# Sourced by ./run and ./test (from the repository root).
# Makes .venv with Python 3.11 and installs the project into it, again only when
# pyproject.toml changed since the last install: the stamp lives inside .venv, so
# a deleted or recreated .venv is always installed afresh.

VENV=.venv
PY=$VENV/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK=1

die() {
	echo "error: $*" >&2
	exit 1
}

find_python() {
	local candidate
	for candidate in python3.11 python3; do
		if command -v "$candidate" >/dev/null 2>&1 &&
			"$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
			echo "$candidate"
			return 0
		fi
	done
	return 1
}

# ensure_venv [dev]: create .venv if missing and install `-e .` (or `-e .[dev]`).
ensure_venv() {
	local extras=${1:-} python spec hash stamp="$VENV/.niangjia-install"
	if [ ! -x "$PY" ]; then
		python=$(find_python) || die "Python 3.11 is needed: put python3.11 (or a python3 that is 3.11) on PATH."
		echo "Creating .venv with $($python --version)"
		"$python" -m venv "$VENV" ||
			die "could not create .venv (on Debian/Ubuntu: apt-get install python3.11-venv)."
	fi
	spec="."
	[ -n "$extras" ] && spec=".[$extras]"
	hash=$("$PY" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
	# A dev install also satisfies a plain one; any change of pyproject.toml reinstalls.
	if [ -f "$stamp" ] && { grep -qxF "$hash $spec" "$stamp" || { [ "$spec" = "." ] && grep -q "^$hash " "$stamp"; }; }; then
		return 0
	fi
	echo "Installing $spec into .venv (pyproject.toml changed or first run) ..."
	# The build backend's notices are noise on success; on failure the whole log is shown.
	if ! "$PY" -m pip install --quiet --editable "$spec" >"$VENV/pip-install.log" 2>&1; then
		cat "$VENV/pip-install.log" >&2
		die "pip install -e '$spec' failed (log above, also in $VENV/pip-install.log)."
	fi
	echo "$hash $spec" >"$stamp"
}
