#!/usr/bin/env bash
# Installs the Debian packages Proteus builds and tests with, only those missing.
# Works as root or as a user with sudo; does nothing when everything is present.
set -euo pipefail

packages=(
  build-essential cmake make pkg-config time
  libopenmpi-dev openmpi-bin
  libhdf5-dev hdf5-tools zlib1g-dev
  libboost-serialization-dev libboost-math-dev
  libfmt-dev libcli11-dev libtomlplusplus-dev librandom123-dev nlohmann-json3-dev
  librandom123-doc   # Random123's known-answer vectors (tests/engine: Philox KAT test)
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy   # .ci/run's format check, the tidy preset
  python3 python3-h5py python3-numpy python3-scipy python3-pandas
  python3-matplotlib chromium   # proteus-plot's figures; the index.html test (headless)
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "installing missing packages: ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1; then
  sudo_cmd=(sudo)
else
  echo "error: missing packages (${missing[*]}) and neither root nor sudo is available" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
