#!/usr/bin/env bash
# The main job on embedded defaults: a scripted cycle through the cinder-backup CLI.
# It builds the CLI, then creates a volume, writes data into it, snapshots it, attaches and detaches it,
# and removes what it created. Data goes to the default data directory (~/.local/share/cinderbackup,
# or $CINDERBACKUP_HOME when set).
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build src/CinderBackup.Cli -c Release -nologo -v quiet >/dev/null
cli="src/CinderBackup.Cli/bin/Release/net8.0/cinder-backup"
run() { echo "\$ cinder-backup $*"; "$cli" "$@"; }

tag="demo-$(date +%Y%m%d%H%M%S)"
run volume create --size 1 --description "CinderBackup demo volume" "$tag"
image=$("$cli" volume show "$tag" -f value -c path)
echo "# writing 8 MiB of data into $image"
dd if=/dev/urandom of="$image" bs=1M count=8 seek=16 conv=notrunc status=none
run volume snapshot create --volume "$tag" "$tag-snap"
run volume attach --instance inst1 --device /dev/vdc "$tag"
run volume list
run volume detach "$tag"
run volume snapshot delete "$tag-snap"
run volume delete "$tag"
echo "Demo finished: volume $tag created, snapshotted, attached, detached and deleted."
