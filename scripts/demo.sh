#!/usr/bin/env bash
# The main job on embedded defaults: a scripted cycle through the cinder-backup CLI.
# It builds the CLI, creates a volume with data, backs it up, changes it, backs it up incrementally,
# restores the incremental backup to a new volume, compares the bytes, verifies the chain, and removes
# what it made. It runs in a data directory of its own (a new temporary directory, with an empty
# configuration file, so neither your data directory nor your configuration is touched) and removes it
# at the end, even on failure. With --keep it keeps that directory and everything in it, and says where.
# Usage: scripts/demo.sh [--keep]
set -euo pipefail
keep=false
case "${1:-}" in
  "") ;;
  --keep) keep=true ;;
  *) echo "usage: $0 [--keep]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."

dotnet build src/CinderBackup.Cli -c Release -nologo -v quiet >/dev/null
cli="$PWD/src/CinderBackup.Cli/bin/Release/net8.0/cinder-backup"

home=$(mktemp -d "${TMPDIR:-/tmp}/cinderbackup-demo.XXXXXX")
cleanup() { if [ "$keep" = false ]; then rm -rf -- "$home"; fi; }
trap cleanup EXIT
: > "$home/cinderbackup.yaml"
export CINDERBACKUP_HOME="$home/data" CINDERBACKUP_CONFIG="$home/cinderbackup.yaml"

# Each command is echoed quoted as a shell would need it, so it can be copied and run as shown.
run() { printf '$ cinder-backup'; printf ' %q' "$@"; printf '\n'; "$cli" "$@"; }
value() { "$cli" "$@" -f value; }

tag="demo-$(date +%Y%m%d%H%M%S)"
run volume create --size 1 --description "CinderBackup demo volume" "$tag"
image=$(value volume show "$tag" -c path)
printf '# writing 16 MiB of data into %q\n' "$image"
dd if=/dev/urandom of="$image" bs=1M count=8 seek=16 conv=notrunc status=none
seq 1 1000000 | head -c 8388608 | dd of="$image" bs=1M seek=512 conv=notrunc status=none

run volume backup create --name "$tag-full" --description "full backup" "$tag"
echo "# changing 1 MiB of the volume"
dd if=/dev/urandom of="$image" bs=1M count=1 seek=100 conv=notrunc status=none
run volume backup create --name "$tag-inc" --incremental "$tag"
run volume backup list --volume "$tag"
run volume backup verify --deep "$tag-inc"
run volume backup restore "$tag-inc" --name "$tag-restored"
restored=$(value volume show "$tag-restored" -c path)
if cmp -s "$image" "$restored"; then
  echo "# restored volume is byte-identical to the source"
else
  printf '# MISMATCH between %q and %q\n' "$image" "$restored" >&2
  exit 1
fi
if [ "$keep" = true ]; then
  printf '# kept: volumes, backups, catalog and log in %q\n' "$CINDERBACKUP_HOME"
  printf '# look around with: CINDERBACKUP_HOME=%q CINDERBACKUP_CONFIG=%q cinder-backup volume backup list\n' "$CINDERBACKUP_HOME" "$CINDERBACKUP_CONFIG"
  echo "Demo finished: full and incremental backups of $tag restored byte-identically and kept."
  exit 0
fi
run volume backup delete "$tag-inc" "$tag-full"
run volume delete "$tag-restored" "$tag"
echo "Demo finished: full and incremental backups of $tag restored byte-identically; its data directory is removed."
