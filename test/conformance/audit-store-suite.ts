import { afterEach, describe, expect, it } from 'vitest';
import { eventEntry, gapEntry, rawEntry, recordHash, GENESIS_HASH, type AuditEntry, type AuditRecord, type AuditStore } from '../../src/audit/index.js';
import { matchesPattern, type AnyBusEvent } from '../../src/index.js';
import { AUDIT_TYPES, AuditProbe, PATTERN_TABLE, auditEvents, traceIdOf } from './audit-samples.js';

/** A fresh, empty store, and the database's own tool pointed at it (`sqlite3`, `psql`) for tampering. */
export interface AuditStoreFixture {
  readonly store: AuditStore;
  /** Runs SQL with the database's own command-line tool, bypassing the store. */
  tamper(sql: string): void;
}

/** Every record of `store`, oldest first. */
async function all(store: AuditStore, query: Parameters<AuditStore['scan']>[0] = {}): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of store.scan(query)) out.push(r);
  return out;
}

/**
 * The suite every audit store passes: appends and the chain, duplicates, queries (every pattern of
 * the pattern table, time, context, trace, id, order, paging), hostile content, checkpoints,
 * tampering through the database's own tool, retention. `create` opens a store with
 * `checkpointEvery: 10` on an empty database.
 */
export function describeAuditStore(name: string, create: () => Promise<AuditStoreFixture>, skip?: string): void {
  describe.skipIf(skip !== undefined)(`audit store: ${name}`, () => {
    const open: AuditStore[] = [];
    const fresh = async (): Promise<AuditStoreFixture> => {
      const f = await create();
      open.push(f.store);
      return f;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    it('an empty log verifies, with nothing checked', async () => {
      const { store } = await fresh();
      expect(await store.verify()).toEqual({ ok: true, checked: 0, firstPosition: 1, lastPosition: 0, headHash: GENESIS_HASH });
      const stats = await store.stats();
      expect(stats).toMatchObject({ records: 0, firstTime: null, lastTime: null, lost: 0, checkpoints: 0 });
    });

    it('appends in order, chaining each record to the one before, and checkpoints every 10', async () => {
      const { store } = await fresh();
      const events = auditEvents(25);
      expect(await store.append(events.slice(0, 12).map(eventEntry))).toEqual({ appended: 12, duplicates: 0, lastPosition: 12 });
      expect(await store.append(events.slice(12).map(eventEntry))).toEqual({ appended: 13, duplicates: 0, lastPosition: 25 });
      const records = await all(store);
      expect(records.map((r) => r.position)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(records.map((r) => r.eventId)).toEqual(events.map((e) => e.eventId));
      let prev = GENESIS_HASH;
      for (const r of records) {
        expect(r.prevHash).toBe(prev);
        expect(recordHash(r.prevHash, r.position, r.recordedAt, r)).toBe(r.hash);
        prev = r.hash;
      }
      // The body is the CloudEvent exactly as recorded.
      expect(records[0]!.body).toBe(JSON.stringify(events[0]));
      expect((await store.checkpoints()).map((c) => [c.position, c.hash])).toEqual([10, 20].map((p) => [p, records[p - 1]!.hash]));
      expect(await store.verify()).toMatchObject({ ok: true, checked: 25, firstPosition: 1, lastPosition: 25, headHash: prev });
    });

    it('stores each event id once: repeats in a batch and across batches are skipped', async () => {
      const { store } = await fresh();
      const events = auditEvents(6);
      await store.append(events.slice(0, 4).map(eventEntry));
      const again = [events[1]!, events[4]!, events[4]!, events[5]!, events[0]!].map(eventEntry);
      expect(await store.append(again)).toEqual({ appended: 2, duplicates: 3, lastPosition: 6 });
      expect((await all(store)).map((r) => r.eventId)).toEqual(events.map((e) => e.eventId));
      expect(await store.verify()).toMatchObject({ ok: true, checked: 6 });
    });

    it('concurrent appends form one chain', async () => {
      const { store } = await fresh();
      const events = auditEvents(200);
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(events.slice(i * 20, i * 20 + 20).map(eventEntry))));
      expect((await all(store)).length).toBe(200);
      expect(await store.verify()).toMatchObject({ ok: true, checked: 200 });
    });

    it('keeps raw and gap records, queryable by kind, counted in stats', async () => {
      const { store } = await fresh();
      await store.append([
        eventEntry(auditEvents(1)[0]!),
        rawEntry('{"specversion":"1.0","id":', 'malformed-json: unexpected end', 1_000),
        rawEntry(Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'not utf-8', 1_001),
        gapEntry({ lost: 3, eventType: 'order.placed' }, 1_002),
        gapEntry({ lost: 2 }, 1_003),
      ]);
      const raw = await all(store, { kinds: ['raw'] });
      expect(raw.map((r) => JSON.parse(r.body) as unknown)).toEqual([{ text: '{"specversion":"1.0","id":' }, { base64: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64') }]);
      expect(raw.map((r) => r.reason)).toEqual(['malformed-json: unexpected end', 'not utf-8']);
      const gaps = await all(store, { kinds: ['gap'] });
      expect(gaps.map((g) => [g.type, JSON.parse(g.body).lost])).toEqual([['order.placed', 3], [null, 2]]);
      // A gap in a type shows in that type's pattern query, where the log is incomplete.
      expect((await all(store, { pattern: 'order.*' })).map((r) => r.kind)).toEqual(['gap']);
      const stats = await store.stats();
      expect(stats).toMatchObject({ records: 5, byKind: { event: 1, raw: 2, gap: 2 }, lost: 5 });
      expect(stats.byFamily['(none)']).toBe(3);
      expect(stats.sizeBytes).toBeGreaterThan(0);
      expect(await store.verify()).toMatchObject({ ok: true, checked: 5 });
    });

    describe('query', () => {
      const events = auditEvents(AUDIT_TYPES.length * 3);
      const withStore = async (): Promise<AuditStore> => {
        const { store } = await fresh();
        await store.append(events.map(eventEntry));
        return store;
      };
      const ids = (rs: readonly AuditRecord[]): string[] => rs.map((r) => r.eventId!);
      const expected = (keep: (e: AnyBusEvent, i: number) => boolean): string[] => events.filter(keep).map((e) => e.eventId);

      it('answers every pattern of the pattern table (and more) exactly as matchesPattern does', async () => {
        const store = await withStore();
        const patterns = [...PATTERN_TABLE.map(([p]) => p), '*', '+', '+.+', '+.error.*', 'validation.+.completed', 'order.*', 'order.+', '*.placed', 'validation', 'nothing.here.*', 'started'];
        for (const pattern of patterns) {
          expect(ids(await all(store, { pattern })), pattern).toEqual(expected((e) => matchesPattern(pattern, e.eventType)));
        }
        for (const [pattern, yes, no] of PATTERN_TABLE) {
          const types = new Set((await all(store, { pattern })).map((r) => r.type));
          for (const t of yes) expect(types.has(t), `${pattern} ∋ ${t}`).toBe(true);
          for (const t of no) expect(types.has(t), `${pattern} ∌ ${t}`).toBe(false);
        }
        await expect(store.query({ pattern: 'order*' })).rejects.toMatchObject({ code: 'INVALID_PATTERN' });
        await expect(store.query({ pattern: "x' OR '1'='1" })).rejects.toMatchObject({ code: 'INVALID_PATTERN' });
      });

      it('by time range (inclusive), context id, trace id and event id', async () => {
        const store = await withStore();
        const t0 = events[0]!.timestamp.getTime();
        expect(ids(await all(store, { from: t0 + 5, to: new Date(t0 + 9) }))).toEqual(expected((_, i) => i >= 5 && i <= 9));
        expect(ids(await all(store, { contextId: 'ctx-3' }))).toEqual(expected((_, i) => i % 5 === 3));
        expect(ids(await all(store, { traceId: traceIdOf(7) }))).toEqual([events[7]!.eventId]);
        expect(ids(await all(store, { eventId: events[11]!.eventId }))).toEqual([events[11]!.eventId]);
        expect(ids(await all(store, { pattern: 'validation.*', contextId: 'ctx-1', from: t0 + 10 }))).toEqual(
          expected((e, i) => matchesPattern('validation.*', e.eventType) && i % 5 === 1 && i >= 10),
        );
        expect(await all(store, { eventId: 'no-such-id' })).toEqual([]);
      });

      it('pages oldest first and newest first, each record once', async () => {
        const store = await withStore();
        for (const order of ['oldest', 'newest'] as const) {
          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await store.query({ order, limit: 7, ...(cursor === undefined ? {} : { cursor }) });
            expect(page.records.length).toBeLessThanOrEqual(7);
            seen.push(...ids(page.records));
            cursor = page.next;
            pages++;
          } while (cursor !== undefined);
          const all = events.map((e) => e.eventId);
          expect(seen).toEqual(order === 'oldest' ? all : all.reverse());
          expect(pages).toBe(Math.ceil(events.length / 7));
        }
        await expect(store.query({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
        await expect(store.query({ cursor: '1; DROP TABLE audit_records' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
      });

      it('explains how it runs a query', async () => {
        const store = await withStore();
        expect((await store.explain({ pattern: 'validation.*' })).join('\n')).toMatch(/audit_records/);
      });
    });

    it('stores hostile content unchanged and still verifies', async () => {
      const { store } = await fresh();
      const nasty = [
        "'; DROP TABLE audit_records; --",
        'a\u0000b',
        '\ud800 lone \udfff surrogates',
        '\u202eevil\u2028\u2029\u001b]0;pwned\u0007',
        '💥'.repeat(1000),
        'x'.repeat(1_000_000),
        '\\"quoted\\" $1 ? %s',
      ];
      let deep: unknown = 'bottom';
      for (let i = 0; i < 200; i++) deep = { d: deep };
      const events = nasty.map((text, n) => AuditProbe.create('order.placed', { n, text, contextId: text.slice(0, 100), nested: deep }) as AnyBusEvent);
      const entries: AuditEntry[] = [...events.map(eventEntry), rawEntry("\u0000'); DELETE FROM audit_head; --\ud800", "reason with ' and \u0000 and \udc00")];
      await store.append(entries);
      const records = await all(store);
      expect(records.map((r) => r.body)).toEqual(entries.map((e) => e.body));
      expect(records.slice(0, nasty.length).map((r) => JSON.parse(r.body).data.text)).toEqual(nasty);
      expect(records[0]!.contextId).toBe(nasty[0]);
      // Characters a database can't hold unchanged are replaced in the indexed columns (the body keeps them escaped).
      expect(records[1]!.contextId).toBe('a\ufffdb');
      expect(records.at(-1)!.reason).toBe("reason with ' and \ufffd and \ufffd");
      expect((await all(store, { contextId: nasty[0]! })).map((r) => r.eventId)).toEqual([events[0]!.eventId]);
      expect(await store.verify()).toMatchObject({ ok: true, checked: entries.length });
    });

    it('stores the key id of each signed event, covered by the hash; unsigned records keep the hash they always had', async () => {
      const { store, tamper } = await fresh();
      const events = auditEvents(4);
      const entries: AuditEntry[] = events.map((e, i) => ({ ...eventEntry(e), keyId: i % 2 === 0 ? `k-${i}` : null }));
      await store.append(entries);
      const records = await all(store);
      expect(records.map((r) => r.keyId)).toEqual(entries.map((e) => e.keyId));
      const unsigned = records[1]!;
      expect(recordHash(unsigned.prevHash, unsigned.position, unsigned.recordedAt, { ...unsigned, keyId: undefined })).toBe(unsigned.hash);
      expect(await store.verify()).toMatchObject({ ok: true, checked: 4 });
      tamper(`UPDATE audit_records SET key_id = 'k-forged' WHERE position = 3`);
      expect(await store.verify()).toMatchObject({ ok: false, position: 3, problem: 'altered' });
    });

    describe('tamper evidence (changes made with the database tool)', () => {
      const tampered = async (sql: string, count = 25): Promise<{ store: AuditStore; events: AnyBusEvent[] }> => {
        const { store, tamper } = await fresh();
        const events = auditEvents(count);
        await store.append(events.map(eventEntry));
        expect(await store.verify()).toMatchObject({ ok: true });
        tamper(sql);
        return { store, events };
      };

      it('an altered record is named, position and event id', async () => {
        const { store, events } = await tampered(`UPDATE audit_records SET body = replace(body, '"n":4', '"n":40') WHERE position = 5`);
        const result = await store.verify();
        expect(result).toMatchObject({ ok: false, position: 5, eventId: events[4]!.eventId, problem: 'altered', checked: 4 });
        expect(!result.ok && result.message).toContain(`position 5 (event id ${events[4]!.eventId}) altered`);
      });

      it('an altered indexed column is caught too', async () => {
        const { store } = await tampered(`UPDATE audit_records SET context_id = 'ctx-9' WHERE position = 12`);
        expect(await store.verify()).toMatchObject({ ok: false, position: 12, problem: 'altered' });
      });

      it('a removed record is named by its position', async () => {
        const { store, events } = await tampered('DELETE FROM audit_records WHERE position = 7');
        const result = await store.verify();
        expect(result).toMatchObject({ ok: false, position: 7, eventId: null, problem: 'removed', checked: 6 });
        expect(!result.ok && result.message).toContain(`next one present is position 8, event id ${events[7]!.eventId}`);
      });

      it('removing the newest records is caught by the head', async () => {
        const { store } = await tampered('DELETE FROM audit_records WHERE position >= 24');
        expect(await store.verify()).toMatchObject({ ok: false, position: 24, problem: 'removed' });
      });

      it('an inserted record is named', async () => {
        const { store } = await tampered(
          `INSERT INTO audit_records SELECT 26, recorded_at, kind, 'forged-id', type, time, source, context_id, trace_id, reason, body, prev_hash, hash, key_id FROM audit_records WHERE position = 3`,
        );
        expect(await store.verify()).toMatchObject({ ok: false, position: 26, eventId: 'forged-id', problem: 'inserted' });
      });

      it('a record replaced in place (delete, then insert a forgery at its position) is named', async () => {
        const { store } = await tampered(
          `DELETE FROM audit_records WHERE position = 9; INSERT INTO audit_records SELECT 9, recorded_at, kind, 'forged-9', type, time, source, context_id, trace_id, reason, body, prev_hash, hash, key_id FROM audit_records WHERE position = 10`,
        );
        expect(await store.verify()).toMatchObject({ ok: false, position: 9, eventId: 'forged-9', problem: 'inserted' });
      });

      it('a chain rewritten from a point on disagrees with its checkpoints', async () => {
        // A consistent rewrite of the hashes from position 15 (what an attacker who knows the
        // algorithm does) is still caught at the checkpoint of position 20.
        const { store, tamper } = await fresh();
        await store.append(auditEvents(25).map(eventEntry));
        const records = await all(store);
        let prev = records[13]!.hash;
        const statements: string[] = [];
        for (const r of records.slice(14)) {
          const forged = { ...r, body: r.position === 15 ? r.body.replace('"n":14', '"n":99') : r.body };
          const hash = recordHash(prev, r.position, r.recordedAt, forged);
          statements.push(`UPDATE audit_records SET body = '${forged.body}', prev_hash = '${prev}', hash = '${hash}' WHERE position = ${r.position}`);
          prev = hash;
        }
        statements.push(`UPDATE audit_head SET last_hash = '${prev}'`);
        tamper(statements.join('; '));
        expect(await store.verify()).toMatchObject({ ok: false, position: 20, problem: 'checkpoint' });
      });
    });

    describe('retention', () => {
      it('by count removes the oldest records and the chain verifies from the retained start', async () => {
        const { store, tamper } = await fresh();
        const events = auditEvents(30);
        await store.append(events.map(eventEntry));
        expect(await store.applyRetention({ maxRecords: 12 })).toBe(18);
        expect(await store.applyRetention({ maxRecords: 12 })).toBe(0);
        expect((await all(store)).map((r) => r.position)).toEqual(Array.from({ length: 12 }, (_, i) => 19 + i));
        expect(await store.verify()).toMatchObject({ ok: true, checked: 12, firstPosition: 19, lastPosition: 30 });
        expect((await store.checkpoints()).map((c) => c.position)).toEqual([20, 30]);
        await store.append(auditEvents(5, undefined, 30).map(eventEntry));
        expect(await store.verify()).toMatchObject({ ok: true, checked: 17, firstPosition: 19, lastPosition: 35 });
        expect(await store.stats()).toMatchObject({ records: 17, firstPosition: 19, lastPosition: 35 });
        // Deleting the first retained record outside the store is still caught.
        tamper('DELETE FROM audit_records WHERE position = 19');
        expect(await store.verify()).toMatchObject({ ok: false, position: 19, problem: 'removed' });
      });

      it('by age, and down to nothing, after which the chain goes on', async () => {
        const { store } = await fresh();
        await store.append(auditEvents(10).map(eventEntry));
        const now = Date.now();
        expect(await store.applyRetention({ maxAgeMs: 3_600_000 }, now)).toBe(0);
        expect(await store.applyRetention({ maxAgeMs: 0 }, now + 3_600_000)).toBe(10);
        expect(await store.verify()).toMatchObject({ ok: true, checked: 0, firstPosition: 11, lastPosition: 10 });
        await store.append(auditEvents(3, undefined, 10).map(eventEntry));
        expect(await store.verify()).toMatchObject({ ok: true, checked: 3, firstPosition: 11, lastPosition: 13 });
        // An event removed by retention may be recorded again: its id is free.
        await expect(store.applyRetention({ maxRecords: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
      });
    });
  });
}
