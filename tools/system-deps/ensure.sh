#!/usr/bin/env bash
# Installs the Debian tools the test suite runs for real (tools/system-deps/debian-packages.txt), when any
# is missing. Needs root (or passwordless sudo) and Debian's apt; otherwise it names what to install and fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
missing=()
while read -r package command; do
  [[ -z "$package" || "$package" == \#* ]] && continue
  [[ -x "$command" ]] || missing+=("$package")
done <"$here/debian-packages.txt"
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "system-deps: installing ${missing[*]} (Debian packages the tests run for real)"
if [[ $(id -u) -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
  echo "system-deps: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's coturn package enables a system TURN server listening on every address (port 3478); the tests start their
# own on loopback ports, so the system's is stopped and disabled where systemd runs it.
if [[ " ${missing[*]} " == *" coturn "* ]] && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  "${sudo[@]}" systemctl disable --now coturn >/dev/null 2>&1 || true
fi
# Debian's cloud-init package would configure this machine at its next boot if it found a data source; the tests only
# run `cloud-init schema`, so cloud-init is disabled at boot (its documented switch, /etc/cloud/cloud-init.disabled).
if [[ " ${missing[*]} " == *" cloud-init "* ]]; then
  "${sudo[@]}" touch /etc/cloud/cloud-init.disabled
fi
