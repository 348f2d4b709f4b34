import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, defineEvent, Type } from '../../../src/index.js';
import { redisPubSub } from '../../../src/redis/index.js';
import { getFreePort } from '../../helpers/redis/free-port.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

const Secret = defineEvent({ type: 'vault.opened', version: '1.0.0', schema: Type.Object({ n: Type.Integer() }) });

let server: RedisServer;
let dir: string;
let tlsPort: number;
let ca: Buffer;

beforeAll(async () => {
  // A throwaway CA-less self-signed certificate for 127.0.0.1, made for this run only.
  dir = mkdtempSync(join(tmpdir(), 'dotbus-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'cert.pem'));
  // A port found free may be taken before redis-server binds it: try a few.
  for (let attempt = 1; ; attempt++) {
    tlsPort = await getFreePort();
    try {
      server = await startRedis({
        args: ['--tls-port', String(tlsPort), '--tls-cert-file', join(dir, 'cert.pem'), '--tls-key-file', join(dir, 'key.pem'),
          '--tls-ca-cert-file', join(dir, 'cert.pem'), '--tls-auth-clients', 'no'],
      });
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
}, 60_000);
afterAll(async () => {
  await server?.dispose();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('Redis Pub/Sub over TLS', () => {
  it('delivers through a TLS connection built by the user (rediss, custom CA)', async () => {
    const client = new Redis({ host: '127.0.0.1', port: tlsPort, tls: { ca, servername: '127.0.0.1' }, lazyConnect: true });
    const make = () => createBus({ events: [Secret], transport: redisPubSub({ connection: { client }, namespace: `tls-${process.pid}` }) });
    const consumer = make();
    const producer = make();
    const got: number[] = [];
    consumer.subscribe('vault.*', (e) => void got.push(e.data.n));
    try {
      await Promise.all([consumer.ready(), producer.ready()]);
      for (let n = 0; n < 50; n++) expect((await producer.emit('vault.opened', { n })).status).toBe('accepted');
      await waitUntil(() => got.length >= 50);
      expect(got).toEqual(Array.from({ length: 50 }, (_, n) => n));
    } finally {
      await Promise.all([consumer.close(), producer.close()]);
      client.disconnect();
    }
  });

  it('connects from a rediss:// URL alone (the CA trusted through NODE_EXTRA_CA_CERTS)', () => {
    // A child process: Node reads NODE_EXTRA_CA_CERTS once, at start-up.
    const script = `
      import { createBus, defineEvent, Type } from './src/index.ts';
      import { redisPubSub } from './src/redis/index.ts';
      const Ping = defineEvent({ type: 'tls.ping', version: '1.0.0', schema: Type.Object({ n: Type.Number() }) });
      const bus = createBus({ events: [Ping], transport: redisPubSub({ connection: { url: process.env.TLS_URL }, namespace: 'tls-url', readyTimeoutMs: 5000 }) });
      let got = 0;
      bus.subscribe('tls.ping', () => void got++);
      await bus.ready();
      const r = await bus.emit('tls.ping', { n: 1 });
      while (got < 1) await new Promise((res) => setTimeout(res, 10));
      console.log(JSON.stringify({ status: r.status, got }));
      await bus.close();`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../../../', import.meta.url),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'), TLS_URL: `rediss://127.0.0.1:${tlsPort}` },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ status: 'accepted', got: 1 });
  });

  it('a plain redis:// connection to the TLS port fails with a clear error instead of hanging', async () => {
    const bus = createBus({ events: [Secret], transport: redisPubSub({ connection: { url: `redis://127.0.0.1:${tlsPort}`, connectTimeoutMs: 500 }, readyTimeoutMs: 1_500 }) });
    bus.subscribe('vault.*', () => {});
    await expect(bus.ready()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    await bus.close();
  });
});
