#!/usr/bin/env bash
# Set callsim up in this folder: system packages (apt-get, as root or through sudo), a .venv, the package.
#
#   scripts/setup.sh           what a practice call needs
#   scripts/setup.sh --test    also the test tools (pytest, ruff, mypy, import-linter, jiwer)
#
# Safe to run again: it installs only what is missing. PYTHON=python3.12 picks the interpreter;
# CALLSIM_SKIP_SYSTEM_PACKAGES=1 skips the system packages (you installed them yourself).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
extras=""
[[ "${1:-}" == "--test" ]] && extras="[test]"

say() { printf 'setup: %s\n' "$*"; }
die() {
    printf 'setup: %s\n' "$*" >&2
    exit 1
}

# -- system packages -----------------------------------------------------------------------------------
# espeak-ng speaks for the personas (pyttsx3), PortAudio plays and records (sounddevice), PulseAudio and
# the ALSA plugin carry sound on Linux and run the test rig's virtual mouth and speaker, sox makes test
# tones, python3-venv makes the .venv.
debian_packages=(espeak-ng libespeak-ng1 libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins sox
    libsndfile1 python3 python3-venv)

install_system_packages() {
    if [[ "${CALLSIM_SKIP_SYSTEM_PACKAGES:-}" == 1 ]]; then
        say "skipping system packages (CALLSIM_SKIP_SYSTEM_PACKAGES=1)"
        return
    fi
    case "$(uname -s)" in
    Darwin)
        say "macOS: no system packages needed (sounddevice brings PortAudio; the personas use the system voices)"
        return
        ;;
    MINGW* | MSYS* | CYGWIN*)
        say "Windows: no system packages needed (sounddevice brings PortAudio; the personas use SAPI5 voices)"
        return
        ;;
    esac
    if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
        say "not a Debian/Ubuntu system: install espeak-ng, PortAudio, PulseAudio (or PipeWire's pulse server),"
        say "the ALSA pulse plugin and sox with your package manager, then run this again with"
        say "CALLSIM_SKIP_SYSTEM_PACKAGES=1"
        die "cannot install system packages here"
    fi
    local missing=()
    for package in "${debian_packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        say "system packages: all present"
        return
    fi
    local run=()
    if [[ $(id -u) -eq 0 ]]; then
        run=()
    elif command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then
        run=(sudo)
    else
        die "missing system packages: ${missing[*]}. Neither root nor sudo is available here; ask an" \
            "administrator to run: apt-get install ${missing[*]}  (then run this again)"
    fi
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${run[@]}" apt-get update -qq || die "apt-get update failed"
    "${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
        die "apt-get install failed for: ${missing[*]}"
}

# -- Python and the virtual environment ----------------------------------------------------------------

find_python() {
    local candidates=("${PYTHON:-}" python3 python3.13 python3.12 python3.11 python)
    for candidate in "${candidates[@]}"; do
        [[ -n "$candidate" ]] || continue
        command -v "$candidate" >/dev/null || continue
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    die "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"
}

make_venv() {
    local python=$1
    if [[ -x .venv/bin/python ]] && .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        return
    fi
    say "creating .venv with $python"
    "$python" -m venv .venv || die "could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)"
}

install_package() {
    # reinstall only when pyproject.toml or the extras changed since the last successful install
    local stamp=.venv/.callsim-installed
    local want
    want="$(cksum <pyproject.toml) $extras"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && .venv/bin/python -c 'import simulator' 2>/dev/null; then
        say "callsim already installed in .venv"
        return
    fi
    say "installing callsim${extras} into .venv"
    .venv/bin/python -m pip install --quiet -e "$repo$extras" || die "pip install failed"
    echo "$want" >"$stamp"
}

install_system_packages
make_venv "$(find_python)"
install_package
say "ready: $repo/.venv/bin/callsim"
