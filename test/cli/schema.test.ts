import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS } from '../../src/index.js';
import { buildOnce, cliFixture, oneLine, runCli } from './run-cli.js';

/** Event types of the built-in definitions: what an export without --events holds. */
const BUILT_IN_TYPES = BUILT_IN_EVENTS.flatMap((d) => d.types).length;
/** The schema fixtures define two types of their own (order.placed, order.shipped). */
const FIXTURE_TYPES = BUILT_IN_TYPES + 2;

let dir: string;
/** The export of schema-v1.js every check compares with. */
let v1: string;

beforeAll(async () => {
  buildOnce();
  dir = mkdtempSync(join(tmpdir(), 'dotbus-cli-schema-'));
  v1 = join(dir, 'v1');
  const r = await runCli(['schema', 'export', '--format', 'jsonschema', '--events', cliFixture('schema-v1.js'), '--out', v1]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dotbus schema export', () => {
  it('--format jsonschema writes a file per event type and the index', async () => {
    const out = join(dir, 'builtin');
    const r = await runCli(['schema', 'export', '--format', 'jsonschema', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`dotbus: wrote ${BUILT_IN_TYPES} JSON Schemas (2020-12) and index.json to ${out}\n`);
    expect(existsSync(join(out, 'validation.started.json'))).toBe(true);
    const placed = JSON.parse(readFileSync(join(v1, 'order.placed.json'), 'utf8')) as { $id: string };
    expect(placed.$id).toBe('urn:dotbus:schema:order.placed:1.0.0');
  });

  it("--format asyncapi prints the document, with the module's service as operations", async () => {
    const r = await runCli(['schema', 'export', '--format', 'asyncapi', '--events', cliFixture('schema-v1.js'), '--namespace', 'shop']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { asyncapi: string; info: { title: string }; channels: Record<string, { address: string }>; operations: Record<string, unknown> };
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info.title).toBe('shop');
    expect(doc.channels['pubsub:order.placed']!.address).toBe('shop:order.placed');
    expect(doc.channels['pubsub:payment.*']!.address).toBe('shop:payment.{part2}');
    expect(Object.keys(doc.operations).sort()).toEqual(['receive:payment.*', 'receive:system.error.+', 'send:order.placed', 'send:order.shipped']);
  });

  it('--out writes the AsyncAPI document to a file', async () => {
    const file = join(dir, 'asyncapi.json');
    const r = await runCli(['schema', 'export', '--format', 'asyncapi', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect((JSON.parse(readFileSync(file, 'utf8')) as { asyncapi: string }).asyncapi).toBe('3.0.0');
  });

  it('exits 2 without --format or with an unknown one, and for a bad namespace', async () => {
    for (const args of [['schema', 'export'], ['schema', 'export', '--format', 'yaml'], ['schema', 'export', '--format', 'asyncapi', '--namespace', 'a:b']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      oneLine(r.stderr);
    }
  });
});

describe('dotbus schema check', () => {
  it('exits 0 for compatible changes', async () => {
    const r = await runCli(['schema', 'check', '--against', v1, '--events', cliFixture('schema-v2-compatible.js')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`dotbus: backward: compatible (${FIXTURE_TYPES} event type versions compared against 1 export)\n`);
  });

  it('lists each breaking change with type, pointer and why, and exits 1', async () => {
    const r = await runCli(['schema', 'check', '--against', v1, '--events', cliFixture('schema-v2-breaking.js')]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      'BREAKING order.placed 1.0.0 → 1.1.0 /properties/data/properties/note required-added: breaks readers: consumers on 1.1.0 refuse events written under 1.0.0: 1.1.0 requires `note`; 1.0.0 lets writers leave it out',
      'BREAKING order.placed 1.0.0 → 1.1.0 /properties/data/properties/total/type type-narrowed: breaks readers: consumers on 1.1.0 refuse events written under 1.0.0: 1.1.0 requires integer; 1.0.0 allows number',
      'BREAKING order.shipped 1.0.0 → 1.1.0 /properties/data/properties/carrier enum-narrowed: breaks readers: consumers on 1.1.0 refuse events written under 1.0.0: 1.1.0 does not allow "ups", which 1.0.0 allows',
    ]);
    expect(oneLine(r.stderr)).toBe('dotbus: backward: 3 incompatible changes in 2 event types (compared against 1 export)');
  });

  it('forward: the compatible change breaks old readers only where they are closed; the breaking one passes', async () => {
    const forward = await runCli(['schema', 'check', '--against', v1, '--events', cliFixture('schema-v2-breaking.js'), '--mode', 'forward']);
    expect(forward.code, forward.stdout).toBe(0);
    const compatible = await runCli(['schema', 'check', '--against', v1, '--events', cliFixture('schema-v2-compatible.js'), '--mode', 'forward']);
    expect(compatible.code, compatible.stdout).toBe(1);
    expect(compatible.stdout).toContain('order.shipped 1.0.0 → 1.1.0 /properties/data/properties/carrier enum-narrowed: breaks writers: events written under 1.1.0 are refused by consumers on 1.0.0');
  });

  it('accepts a breaking change under a new major with an upcaster, and says so', async () => {
    const r = await runCli(['schema', 'check', '--against', v1, '--events', cliFixture('schema-v2-major.js')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 7).join(' '))).toEqual([
      'accepted order.placed 1.0.0 → 2.0.0 /properties/data/properties/totalCents required-added:',
      'accepted order.placed 1.0.0 → 2.0.0 /properties/data/properties/note required-added:',
    ]);
    expect(r.stdout).toContain('accepted: major 2 upcasts 1.0.0 events before reading them');
    expect(r.stderr).toBe(`dotbus: backward: compatible (${FIXTURE_TYPES} event type versions compared against 1 export; accepted: 2 changes)\n`);
  });

  it('without --events, the removed application types break backward', async () => {
    const r = await runCli(['schema', 'check', '--against', join(v1, 'index.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('BREAKING order.placed 1.0.0 → (removed) / event-removed');
  });

  it('exits 2 without --against, for an unknown mode, and for a path that is no export', async () => {
    for (const args of [['schema', 'check'], ['schema', 'check', '--against', v1, '--mode', 'sideways'], ['schema', 'check', '--against', join(dir, 'missing')], ['schema', 'check', '--against', join(v1, 'order.placed.json')]]) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      oneLine(r.stderr);
    }
  });
});
