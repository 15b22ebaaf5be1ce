#!/usr/bin/env bash
# Runs every test (xunit: engine, CLI end to end, module metadata, interoperability with the real Cinder code).
# First installs what the tests need and the machine lacks: Debian's python3-cinder (Cinder's own
# backup drivers) and zstd. NuGet packages are restored by dotnet test itself.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
/usr/bin/python3 -c 'import cinder.backup.drivers.posix' 2>/dev/null || need+=(python3-cinder)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing ${need[*]} ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The S3 tests run a local S3 server: moto_server (pip package moto[server], 5.x) must be on PATH.
if ! command -v moto_server >/dev/null 2>&1 && [ ! -x /root/.pyenv/shims/moto_server ]; then
  echo "warning: moto_server is not on PATH; the S3 tests will fail (pip install 'moto[server]')." >&2
fi

exec dotnet test CinderBackup.sln -c Release "$@"
