import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonRequired, requirePython } from '../helpers/python.js';
import { sendCommands } from '../helpers/redis/resp-client.js';
import { waitFor } from '../helpers/wait.js';
import { redisForCliSuite, ROOT, runCli } from './run-cli.js';

const redis = redisForCliSuite();
const dir = mkdtempSync(join(tmpdir(), 'dotbus-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(pythonRequired())('the Python consumer example (examples/python-consumer)', () => {
  it("validates every message of the demo against the exported JSON Schemas, and catches one that breaks them", async () => {
    const python = requirePython();
    const schemas = join(dir, 'schemas');
    const exported = await runCli(['schema', 'export', '--format', 'jsonschema', '--out', schemas]);
    expect(exported.code, exported.stderr).toBe(0);

    const namespace = `py-${process.pid}-${Date.now()}`;
    const consumer = spawn(python, [join(ROOT, 'examples/python-consumer/consumer.py'), '--redis', redis.url, '--namespace', namespace, '--schemas', schemas, '--stop-after', 'alert.resolved'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    consumer.stdout.on('data', (c: Buffer) => (out += c.toString()));
    consumer.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => consumer.on('close', resolve));
    try {
      await waitFor('the consumer to subscribe', 30_000, () => err.includes(`subscribed to ${namespace}:*`), () => err, () => (consumer.exitCode === null ? undefined : `it exited ${consumer.exitCode}: ${err}`));

      const demo = await runCli(['demo', '--redis', redis.url, '--namespace', namespace, '--records', '25', '--seed', '3']);
      expect(demo.code, demo.stderr).toBe(0);
      // A message dotbus would never send (data missing its required fields), from another producer.
      const planted = { specversion: '1.0', id: 'x-1', source: '/elsewhere', type: 'validation.started', time: '2024-01-01T00:00:00.000Z', datacontenttype: 'application/json', dataschema: 'urn:dotbus:schema:validation.started:1.0.0', schemaversion: '1.0.0', data: { subject: 'order' } };
      await sendCommands(redis.port, [['PUBLISH', `${namespace}:validation.started`, JSON.stringify(planted)]]);
      // The last one, through dotbus: the consumer stops after it, so everything before it has arrived.
      const last = await runCli(['publish', 'alert.resolved', '--redis', redis.url, '--namespace', namespace, '--data', JSON.stringify({ rule: 'r', kind: 'threshold', state: 'resolved', severity: 'info', labels: { subject: 'order' }, fingerprint: 'f-1', value: 3, at: '2026-11-29T10:00:00.000Z', activeSince: '2026-11-29T09:59:00.000Z', message: 'done' })]);
      expect(last.code, last.stderr).toBe(0);
      expect(await exited, err).toBe(0);
    } finally {
      if (consumer.exitCode === null) consumer.kill();
    }

    const lines = out.trim().split('\n');
    const invalid = lines.filter((l) => !l.startsWith('VALID '));
    expect(invalid).toEqual([expect.stringMatching(/^INVALID validation\.started urn:dotbus:schema:validation\.started:1\.0\.0 via=dataschema data: 'contextId' is a required property/)]);
    const valid = lines.filter((l) => l.startsWith('VALID '));
    // Every dotbus message names its schema by `dataschema`, and the export resolves it.
    expect(valid.filter((l) => !l.includes(' via=dataschema '))).toEqual([]);
    const types = new Set(valid.map((l) => l.split(' ')[1]));
    expect([...types].sort()).toEqual(expect.arrayContaining(['alert.resolved', 'performance.operation.complete', 'validation.completed', 'validation.phase.completed', 'validation.phase.started', 'validation.started']));
    // 25 orders, each started, completed or failed and timed: far more than 4 messages an order.
    expect(valid.length).toBeGreaterThan(100);
  });
});
