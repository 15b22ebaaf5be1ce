#!/usr/bin/env bash
# The main job on embedded defaults: a scripted cycle through the cinder-backup CLI.
# It builds the CLI, creates a volume with data, backs it up, changes it, backs it up incrementally,
# restores the incremental backup to a new volume, compares the bytes, verifies the chain, and removes
# what it made. Data goes to the default data directory (~/.local/share/cinderbackup, or $CINDERBACKUP_HOME).
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build src/CinderBackup.Cli -c Release -nologo -v quiet >/dev/null
cli="src/CinderBackup.Cli/bin/Release/net8.0/cinder-backup"
run() { echo "\$ cinder-backup $*"; "$cli" "$@"; }
value() { "$cli" "$@" -f value; }

tag="demo-$(date +%Y%m%d%H%M%S)"
run volume create --size 1 --description "CinderBackup demo volume" "$tag"
image=$(value volume show "$tag" -c path)
echo "# writing 16 MiB of data into $image"
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
  echo "# MISMATCH between $image and $restored" >&2
  exit 1
fi
run volume backup delete "$tag-inc"
run volume backup delete "$tag-full"
run volume delete "$tag-restored" "$tag"
echo "Demo finished: full and incremental backups of $tag restored byte-identically and cleaned up."
