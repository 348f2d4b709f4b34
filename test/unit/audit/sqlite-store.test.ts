import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventEntry, openSqliteStore } from '../../../src/audit/index.js';
import { describeAuditStore } from '../../conformance/audit-store-suite.js';
import { auditEvents } from '../../conformance/audit-samples.js';

const dir = mkdtempSync(join(tmpdir(), 'dotbus-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The sqlite3 command-line tool (the Debian package sqlite3, which .ci/run installs). */
function sqlite3(file: string, sql: string): void {
  execFileSync('sqlite3', [file, sql], { stdio: ['ignore', 'pipe', 'pipe'] });
}

describeAuditStore('sqlite', async () => {
  const path = join(dir, `log-${++n}.db`);
  const store = await openSqliteStore({ path, checkpointEvery: 10, synchronous: 'normal' });
  return { store, tamper: (sql) => sqlite3(path, sql) };
});

describe('sqlite store', () => {
  it('serves a pattern query from the type index, a context query from the context index', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    await store.append(auditEvents(50).map(eventEntry));
    expect((await store.explain({ pattern: 'validation.*' })).join('\n')).toMatch(/USING (COVERING )?INDEX audit_records_type/);
    expect((await store.explain({ contextId: 'ctx-1' })).join('\n')).toMatch(/USING (COVERING )?INDEX audit_records_context/);
    await store.close();
  });

  it('adds the key id column to a log created before it, whose records still verify', async () => {
    const path = join(dir, 'before-key-id.db');
    const first = await openSqliteStore({ path });
    await first.append(auditEvents(3).map(eventEntry));
    await first.close();
    // The log as an earlier version left it: no key_id column.
    sqlite3(path, 'ALTER TABLE audit_records DROP COLUMN key_id');
    const second = await openSqliteStore({ path });
    expect(await second.verify()).toMatchObject({ ok: true, checked: 3 });
    await second.append([{ ...eventEntry(auditEvents(4)[3]!), keyId: 'k-1' }]);
    expect(await second.verify()).toMatchObject({ ok: true, checked: 4 });
    await second.close();
  });

  it('reopens a file and goes on with its chain', async () => {
    const path = join(dir, 'reopen.db');
    const events = auditEvents(8);
    const first = await openSqliteStore({ path });
    await first.append(events.slice(0, 5).map(eventEntry));
    await first.close();
    const second = await openSqliteStore({ path });
    expect(await second.append(events.map(eventEntry))).toEqual({ appended: 3, duplicates: 5, lastPosition: 8 });
    expect(await second.verify()).toMatchObject({ ok: true, checked: 8 });
    await second.close();
  });
});
