#!/usr/bin/python3
"""Drive Debian's python3-cinder CephBackupDriver against a test cluster, for interoperability tests.

One JSON request on stdin, one JSON answer on stdout (the rest of Cinder is replaced by stand-ins, as in
cinder_driver.py):

  backup   {conf, user, pool, volume_file, size_gib, volume_meta, backup: {...}}: a backup from a file
           (a non-RBD source) -> {container, service_metadata, service}
  restore  {conf, user, pool, volume_file, size_gib, backup: {...}}: Cinder's restore into a file
           -> {volume_meta_applied: [...]}
  delete   {conf, user, pool, backup: {...}}: Cinder's delete_backup
  backup_rbd   {conf, user, pool, rbd_pool, size_gib, volume_meta, backup: {..., parent_service_metadata}}: a
           backup of RBD image volume-<volume_id> in rbd_pool (Cinder's _backup_rbd: base image, snapshots,
           rbd export-diff | import-diff) -> {container, service_metadata, service}
  restore_rbd  {conf, user, pool, rbd_pool, target_volume_id, size_gib, backup: {...}}: Cinder's restore into
           RBD image volume-<target_volume_id> in rbd_pool (its diff restore when the target has no extents)

Cinder 21.3.1 fails a file source shorter than the volume when restore_discard_excess_bytes is on (its
_discard_bytes misreads the proxied image as a file); backups here run with it off, as the recipe notes.
"""
import datetime
import json
import sys

from oslo_config import cfg

from cinder import context as cinder_context
from cinder import objects
from cinder.volume import volume_utils

objects.register_all()
CONF = cfg.CONF


class FakeBackup(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)

    def __setattr__(self, name, value):
        self[name] = value

    def save(self):
        pass


class FakeDB(object):
    def __init__(self, size_gib):
        self.size_gib = size_gib

    def volume_get(self, context, volume_id):
        class V(dict):
            def __getattr__(self, name):
                return self[name]
        return V(size=self.size_gib, id=volume_id, name='volume-%s' % volume_id)


def _configure(req, discard):
    from cinder.backup.drivers import ceph  # noqa: F401 (registers the options)
    CONF.reset()
    CONF([], project='cinder', default_config_files=[])
    CONF.set_override('connection', 'sqlite://', group='database')
    CONF.set_override('backup_ceph_conf', req['conf'])
    CONF.set_override('backup_ceph_user', req['user'])
    CONF.set_override('backup_ceph_pool', req['pool'])
    CONF.set_override('backup_ceph_chunk_size', 4 * 1024 * 1024)
    CONF.set_override('restore_discard_excess_bytes', discard)
    volume_utils.notify_about_backup_usage = lambda *a, **k: None


def _backup(fields):
    b = FakeBackup()
    b.update({'id': fields['id'], 'volume_id': fields['volume_id'], 'container': fields.get('container'),
              'service_metadata': fields.get('service_metadata'), 'parent_id': fields.get('parent_id'),
              'parent': None, 'snapshot_id': None, 'size': fields.get('size', 1),
              'created_at': datetime.datetime.now(datetime.timezone.utc)})
    if fields.get('parent_id'):
        # Cinder's API loads the parent: an incremental's base name comes from the parent's service_metadata.
        b['parent'] = FakeBackup(id=fields['parent_id'], service_metadata=fields.get('parent_service_metadata'))
    return b


class _RbdFile(object):
    """RBD image volume-<id> in rbd_pool, opened as Cinder's RBD volume driver hands it to a backup driver."""

    def __init__(self, req, volume_id):
        import rados
        import rbd
        from os_brick.initiator import linuxrbd
        self.client = rados.Rados(conffile=req['conf'], rados_id=req['user'])
        self.client.connect()
        self.ioctx = self.client.open_ioctx(req['rbd_pool'])
        image = rbd.Image(self.ioctx, 'volume-%s' % volume_id)
        self.file = linuxrbd.RBDVolumeIOWrapper(
            linuxrbd.RBDImageMetadata(image, req['rbd_pool'], req['user'], req['conf']))

    def __enter__(self):
        return self.file

    def __exit__(self, *exc):
        self.file.close()
        self.ioctx.close()
        self.client.shutdown()


def _driver(req):
    from cinder.backup.drivers.ceph import CephBackupDriver
    drv = CephBackupDriver(cinder_context.get_admin_context())
    drv.db = FakeDB(req.get('size_gib', 1))
    return drv


def _run_backup(req, open_source):
    _configure(req, discard=False)
    drv = _driver(req)
    drv.get_metadata = lambda volume_id: req.get('volume_meta')
    backup = _backup(req['backup'])
    with open_source(backup) as f:
        updates = drv.backup(backup, f)
    return {'container': backup['container'], 'service_metadata': (updates or {}).get('service_metadata'),
            'service': drv.__module__ + '.' + type(drv).__name__}


def cmd_backup(req):
    return _run_backup(req, lambda backup: open(req['volume_file'], 'rb'))


def _run_restore(req, target):
    _configure(req, discard=req.get('discard', True))
    drv = _driver(req)
    applied = []
    drv.put_metadata = lambda volume_id, meta: applied.append(meta)
    with target as f:
        drv.restore(_backup(req['backup']), req.get('target_volume_id', 'target'), f)
    return {'volume_meta_applied': applied}


def cmd_restore(req):
    return _run_restore(req, open(req['volume_file'], 'r+b'))


def cmd_backup_rbd(req):
    return _run_backup(req, lambda backup: _RbdFile(req, backup['volume_id']))


def cmd_restore_rbd(req):
    return _run_restore(req, _RbdFile(req, req['target_volume_id']))


def cmd_delete(req):
    _configure(req, discard=True)
    _driver(req).delete_backup(_backup(req['backup']))
    return {}


def main():
    req = json.load(sys.stdin)
    result = {'backup': cmd_backup, 'restore': cmd_restore, 'delete': cmd_delete,
              'backup_rbd': cmd_backup_rbd, 'restore_rbd': cmd_restore_rbd}[sys.argv[1]](req)
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
