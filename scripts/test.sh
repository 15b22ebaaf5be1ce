#!/usr/bin/env bash
# Runs every test: the xunit suites (engine, CLI end to end, module metadata, interoperability with the real Cinder
# code) and the Pester suite against the module as build.ps1 lays it out, then prints one line `N passed, N failed`
# for both and exits non-zero on any failure (build.ps1 -Task Build, Test does the work).
# First installs what the tests need and the machine lacks: Debian's python3-cinder (Cinder's own backup drivers),
# zstd (and tzdata), python3-keystone (a throwaway Keystone for the Swift Keystone tests), ceph-mon, ceph-osd, ceph-common (a throwaway Ceph cluster per test run), a Swift all-in-one's
# packages (swift-proxy/account/container/object, python3-swiftclient, memcached: the Swift tests start one on
# loopback) and postgresql-15 with apt; pwsh 7.6.9 from the committed tool manifest (.config/dotnet-tools.json). Pester comes
# from NuGet (tools/RestorePester) when the suite starts. Nothing is installed into a global PowerShell or .NET tool
# location.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
apt_install() {
  echo "Installing $* ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

need=()
/usr/bin/python3 -c 'import cinder.backup.drivers.posix' 2>/dev/null || need+=(python3-cinder)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
# The Ceph tests start a one-node cluster (mon + memstore OSD) and use librados/librbd (issue 18).
for p in ceph-mon ceph-osd ceph; do command -v "$p" >/dev/null 2>&1 || { need+=(ceph-mon ceph-osd ceph-common); break; }; done
[ -e /usr/lib/x86_64-linux-gnu/librbd.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/librbd.so.1 ] || need+=(librbd1 librados2)
# Time zones: a Pester test runs the module in America/New_York.
[ -e /usr/share/zoneinfo/America/New_York ] || need+=(tzdata)
# The PostgreSQL catalog tests start a throwaway PostgreSQL 15 (tests/Shared/PostgresServer.cs).
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || need+=(postgresql-15)
# Keystone v3 for the Swift single_user tests (tests/Shared/KeystoneServer.cs starts one on loopback and removes it).
[ -x /usr/bin/keystone-manage ] && [ -x /usr/bin/keystone-wsgi-public ] || need+=(python3-keystone)
# Swift all-in-one for the Swift repository and interop tests (tests/Shared/SwiftServer.cs starts and removes it).
for p in swift swift-proxy swift-account swift-container swift-object python3-swiftclient memcached; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
  apt_install "${need[@]}"
fi

# The S3 tests run a local S3 server: moto_server (moto 5, Python package moto[server]), which the machine image
# provides (Python's package index is not reachable from here, so it cannot be installed by this script).
if ! command -v moto_server >/dev/null 2>&1 && [ ! -x /root/.pyenv/shims/moto_server ]; then
  echo "warning: moto_server is not on PATH; the S3 tests will fail (pip install 'moto[server]')." >&2
fi

# pwsh 7.6.9 as a local .NET tool, from the committed manifest.
dotnet tool restore

# A fresh pwsh with stdin closed (a test that prompts fails instead of hanging): build the module into
# out/CinderBackup, run xunit, then the Pester suite (tests/Pester/Invoke-PesterSuite.ps1), then the one summary line.
exec dotnet pwsh -NoProfile -NonInteractive -Command './build.ps1 -Task Build, Test; exit $LASTEXITCODE' </dev/null
