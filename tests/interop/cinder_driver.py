#!/usr/bin/python3
"""Drive Debian's python3-cinder backup drivers without an OpenStack cloud, for interoperability tests.

Cinder's chunked drivers read and write the repository themselves; the rest of Cinder (database, RPC,
notifications) is replaced here by small in-memory stand-ins. Commands read one JSON request on stdin and
print one JSON answer on stdout:

  backup   {repo, driver, volume_file, backup: {...}, parent: {...}|null, size_gib, compression,
            file_size, sha_block, timestamp, volume_meta, s3: {...}|null, swift: {...}|null}
           swift: {auth_url, user, key, container[, zone]} (single_user tempauth v1)
  restore  {repo, driver, volume_file, chain: [{...}, ...] (requested first), compression, s3: {...}|null}
  delete   {repo, driver, backup: {...}, s3: {...}|null}: Cinder's delete_backup, which removes every object
  encode   {fields: {...}}              -> {"backup_service": ..., "backup_url": ...}
  decode   {backup_url}                 -> the record's fields
  batch    {requests: [{command, ...request}, ...]} -> {answers: [...]}: several commands in one process,
           each configured afresh (starting Python and importing Cinder costs more than a small backup)
  serve    one request per line ({command, ...request}), one answer per line, until stdin ends (the benchmark)

backup and restore answers carry "measured": wall and CPU seconds and the peak resident memory of the driver
call alone, for the benchmark (cinder-backup bench).

Times are UTC strings, '%Y-%m-%dT%H:%M:%S.%f' or (as records carry them) '%Y-%m-%dT%H:%M:%SZ'.
"""
import datetime
import json
import sys
import time
import traceback

from oslo_config import cfg
from oslo_utils import timeutils
from oslo_versionedobjects import fields as ovo_fields

from cinder import context as cinder_context
from cinder import objects
from cinder.volume import volume_utils

objects.register_all()
CONF = cfg.CONF


def _configure(req):
    # Importing the drivers registers their options (and chunkeddriver's) before the overrides.
    from cinder.backup.drivers import posix  # noqa: F401
    from cinder.backup.drivers import s3  # noqa: F401
    from cinder.backup.drivers import swift  # noqa: F401
    # Every request starts from Cinder's defaults, even the second one of a batch.
    CONF.reset()
    CONF([], project='cinder', default_config_files=[])
    # The driver base class touches the database engine once; an in-memory SQLite satisfies it.
    CONF.set_override('connection', 'sqlite://', group='database')
    driver = req.get('driver', 'posix')
    if req.get('compression'):
        CONF.set_override('backup_compression_algorithm', req['compression'])
    if driver == 'posix':
        CONF.set_override('backup_posix_path', req['repo'])
        CONF.set_override('backup_enable_progress_timer', False)
        if req.get('file_size'):
            CONF.set_override('backup_file_size', req['file_size'])
        if req.get('sha_block'):
            CONF.set_override('backup_sha_block_size_bytes', req['sha_block'])
    elif driver == 's3':
        s3conf = req['s3']
        CONF.set_override('backup_s3_endpoint_url', s3conf['endpoint'])
        CONF.set_override('backup_s3_store_access_key', s3conf['access_key'])
        CONF.set_override('backup_s3_store_secret_key', s3conf['secret_key'])
        CONF.set_override('backup_s3_store_bucket', s3conf['bucket'])
        CONF.set_override('backup_s3_enable_progress_timer', False)
        if req.get('file_size'):
            CONF.set_override('backup_s3_object_size', req['file_size'])
        if req.get('sha_block'):
            CONF.set_override('backup_s3_block_size', req['sha_block'])
        if s3conf.get('zone'):
            CONF.set_override('storage_availability_zone', s3conf['zone'])
    elif driver == 'swift':
        swconf = req['swift']
        CONF.set_override('backup_swift_auth', 'single_user')
        CONF.set_override('backup_swift_auth_version', '1')
        CONF.set_override('backup_swift_auth_url', swconf['auth_url'])
        CONF.set_override('backup_swift_user', swconf['user'])
        CONF.set_override('backup_swift_key', swconf['key'])
        CONF.set_override('backup_swift_container', swconf['container'])
        CONF.set_override('backup_swift_enable_progress_timer', False)
        CONF.set_override('backup_swift_retry_attempts', 1)
        CONF.set_override('backup_swift_retry_backoff', 1)
        if req.get('file_size'):
            CONF.set_override('backup_swift_object_size', req['file_size'])
        if req.get('sha_block'):
            CONF.set_override('backup_swift_block_size', req['sha_block'])
        if swconf.get('zone'):
            CONF.set_override('storage_availability_zone', swconf['zone'])
    # Notifications and database writes are not part of what we test.
    volume_utils.notify_about_backup_usage = lambda *a, **k: None


def _parse_time(value):
    if value is None:
        return None
    fmt = '%Y-%m-%dT%H:%M:%SZ' if value.endswith('Z') else '%Y-%m-%dT%H:%M:%S.%f'
    return datetime.datetime.strptime(value, fmt).replace(tzinfo=datetime.timezone.utc)


class FakeBackup(dict):
    """The attributes and dict access a chunked driver uses on a Backup object."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)

    def __setattr__(self, name, value):
        self[name] = value

    def refresh(self):
        pass

    def save(self):
        pass

    def as_read_deleted(self):
        class _Nothing:
            def __enter__(self_inner):
                return self

            def __exit__(self_inner, *exc):
                return False
        return _Nothing()


def _backup(fields):
    b = FakeBackup()
    b.update({
        'id': fields['id'],
        'volume_id': fields['volume_id'],
        'display_name': fields.get('display_name'),
        'display_description': fields.get('display_description'),
        'created_at': _parse_time(fields['created_at']),
        'parent_id': fields.get('parent_id'),
        'container': fields.get('container'),
        'service_metadata': fields.get('service_metadata'),
        'size': fields.get('size', 1),
        'status': fields.get('status', 'creating'),
        'availability_zone': fields.get('availability_zone'),
    })
    return b


class FakeDB(object):
    def __init__(self, size_gib):
        self.size_gib = size_gib

    def volume_get(self, context, volume_id):
        return {'size': self.size_gib, 'id': volume_id}


def _measured(call):
    """Runs call(); returns its wall and CPU seconds (all threads) and the process's peak RSS during it."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # resets VmHWM, so the peak is this call's
    except OSError:
        pass
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = None
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    peak = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {'wall_s': wall, 'cpu_s': cpu, 'peak_rss_bytes': peak}


def _driver(req, ctx):
    if req.get('driver', 'posix') == 'swift':
        from cinder.backup.drivers.swift import SwiftBackupDriver
        # The Swift driver connects only for a context with a user (Cinder's request context).
        user_ctx = cinder_context.RequestContext(user_id='cinder-user', project_id='cinder-project', is_admin=True)
        return SwiftBackupDriver(user_ctx)
    if req.get('driver', 'posix') == 's3':
        from cinder.backup.drivers.s3 import S3BackupDriver
        return S3BackupDriver(ctx)
    from cinder.backup.drivers.posix import PosixBackupDriver
    return PosixBackupDriver(ctx)


def cmd_backup(req):
    _configure(req)
    ctx = cinder_context.get_admin_context()
    backup = _backup(req['backup'])
    parent = _backup(req['parent']) if req.get('parent') else None
    objects.Backup.get_by_id = staticmethod(lambda context, backup_id: parent)
    timeutils.set_time_override(_parse_time(req['timestamp']))
    try:
        drv = _driver(req, ctx)
        drv.db = FakeDB(req['size_gib'])
        drv.get_metadata = lambda volume_id: req.get('volume_meta')
        with open(req['volume_file'], 'rb') as volume_file:
            measured = _measured(lambda: drv.backup(backup, volume_file))
    finally:
        timeutils.clear_time_override()
    return {'container': backup['container'], 'service_metadata': backup['service_metadata'],
            'object_count': backup.get('object_count'), 'service': drv.__module__ + '.' + type(drv).__name__,
            'measured': measured}


def cmd_restore(req):
    _configure(req)
    ctx = cinder_context.get_admin_context()
    chain = [_backup(f) for f in req['chain']]
    for b in chain:
        b['status'] = 'restoring'
    by_id = {b['id']: b for b in chain}
    objects.Backup.get_by_id = staticmethod(lambda context, backup_id: by_id[backup_id])
    drv = _driver(req, ctx)
    applied = []
    drv.put_metadata = lambda volume_id, meta: applied.append(meta)
    with open(req['volume_file'], 'r+b') as volume_file:
        measured = _measured(lambda: drv.restore(chain[0], req.get('target_volume_id', 'target'), volume_file))
    return {'volume_meta_applied': applied, 'measured': measured}


def cmd_delete(req):
    _configure(req)
    ctx = cinder_context.get_admin_context()
    _driver(req, ctx).delete_backup(_backup(req['backup']))
    return {}


def cmd_encode(req):
    ctx = cinder_context.get_admin_context()
    fields = dict(req['fields'])
    # A record is exported from a Backup loaded from the database (Backup._from_db_object): every field is
    # set, NULL integers read as 0, and metadata is a dict. Fields the request leaves out are such NULLs.
    for name, field in objects.Backup.fields.items():
        if name == 'parent':
            continue
        if name == 'metadata':
            fields.setdefault(name, {})
        elif name == 'deleted':
            fields.setdefault(name, False)
        elif isinstance(field, ovo_fields.IntegerField):
            fields[name] = fields.get(name) or 0
        else:
            fields.setdefault(name, None)
    for key in ('created_at', 'updated_at', 'deleted_at', 'data_timestamp'):
        if fields.get(key) is not None:
            fields[key] = _parse_time(fields[key])
    backup = objects.Backup(context=ctx, **fields)
    service = fields.get('service')
    return {'backup_service': service, 'backup_url': backup.encode_record(driver_info={})}


def cmd_decode(req):
    return objects.Backup.decode_record(req['backup_url'])


COMMANDS = {'backup': cmd_backup, 'restore': cmd_restore, 'delete': cmd_delete, 'encode': cmd_encode,
            'decode': cmd_decode}


def cmd_batch(req):
    return {'answers': [COMMANDS[r['command']](r) for r in req['requests']]}


def serve():
    for line in sys.stdin:
        if line.strip():
            req = json.loads(line)
            try:
                answer = COMMANDS[req['command']](req)
            except Exception:  # the caller reports it; the server stays up
                answer = {'error': traceback.format_exc()}
            json.dump(answer, sys.stdout)
            sys.stdout.write('\n')
            sys.stdout.flush()


def main():
    command = sys.argv[1]
    if command == 'serve':
        return serve()
    req = json.load(sys.stdin)
    result = dict(COMMANDS, batch=cmd_batch)[command](req)
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
