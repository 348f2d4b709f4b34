import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBus, type Transport } from '../../../src/index.js';
import { redisPubSub, redisStreams, replayEvents } from '../../../src/redis/index.js';
import { Probe } from '../../conformance/samples.js';
import { REDIS_HOST } from '../../helpers/redis/free-port.js';
import { sendCommands } from '../../helpers/redis/resp-client.js';
import { NO_CHANNELS, NO_INFO, NO_XREADGROUP, RESTRICTED_USERS, urlOf } from '../../helpers/redis/restricted-users.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { sleep, waitUntil } from '../../helpers/wait.js';

/**
 * What Redis refuses is a connection error at once, saying what and for whom: a database the
 * server doesn't have, a subscription or group read the ACL user may not make. Never a silent
 * fall-back, never a wait for a timeout, never noise from ioredis on the console.
 */

let server: RedisServer;
beforeAll(async () => {
  // `databases` is left at its default: 16, so 0–15.
  server = await startRedis({ aclUsers: [...RESTRICTED_USERS] });
}, 120_000);
afterAll(async () => {
  await server?.dispose();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const url = (path = ''): string => `redis://${server.host}:${server.port}${path}`;
const makers: Record<string, (u: string, namespace: string) => Transport> = {
  'Redis Pub/Sub': (u, namespace) => redisPubSub({ connection: { url: u, backoff: { baseMs: 50, capMs: 200 } }, namespace, readyTimeoutMs: 1_500, closeTimeoutMs: 200 }),
  'Redis Streams': (u, namespace) => redisStreams({ connection: { url: u, backoff: { baseMs: 50, capMs: 200 } }, namespace, readyTimeoutMs: 1_500, closeTimeoutMs: 200 }),
};

/** A bus on `transport` collecting every `system.health.down` detail. */
function watched(transport: Transport) {
  const bus = createBus({ events: [Probe], transport, onError: () => {} });
  const downs: string[] = [];
  bus.subscribe('system.health.down', (e) => void downs.push(e.data.detail));
  return { bus, downs, status: (): string => (transport as unknown as { status: string }).status };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('resolved');
    },
    (e: unknown) => e as Error,
  );
}

describe('the database of a connection', () => {
  it.each([['/abc'], ['/1.5'], ['/var/run/redis.sock'], ['?db=two']])('%s is refused when the transport is made, not with a ReplyError later', async (path) => {
    for (const make of Object.values(makers)) {
      expect(() => make(url(path), 'db-bad')).toThrow(/option `connection\.url`: database ".*" \(.*\) must be a whole number from 0; the server's `databases` setting decides the highest/);
    }
    const error = await rejection(replayEvents({ pattern: '*', connection: { url: url(path) } }).next());
    expect(error).toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('a client of your own configured with an invalid db is refused too', () => {
    const client = new Redis({ host: server.host, port: server.port, db: Number.NaN, lazyConnect: true });
    expect(() => redisPubSub({ connection: { client } })).toThrow(/option `connection\.client`: database "NaN"/);
    client.disconnect();
  });

  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: one the server does not have is a connection error at once, and nothing lands in database 0`, async () => {
      const namespace = `db99-${name.replace(/\W/g, '')}-${process.pid}`;
      const { bus, downs, status } = watched(make(url('/99'), namespace));
      // Published before anything is known: buffered, and never flushed into another database.
      const receipt = await bus.emit('conf.order', { n: 1, text: 'db 99' });
      const error = await rejection(bus.ready());
      // Reported from Redis's answer, not by the ready timeout.
      expect(error.message).not.toMatch(/not ready within|not up after/);
      expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
      expect(error.message).toContain(`connection to redis://${server.host}:${server.port}/99: Redis refused database 99 (ERR DB index is out of range)`);
      expect(error.message).toContain("the server's `databases` setting decides the highest (16 databases, 0–15, by default)");
      expect(status()).toBe('down');
      expect(downs.some((d) => d.includes('Redis refused database 99'))).toBe(true);
      expect(receipt.status).toBe('buffered');
      // Reconnects keep being refused; meanwhile not one command runs in database 0.
      await sleep(600);
      expect(status()).toBe('down');
      await bus.close();
      const [keys, channels] = await sendCommands(server.port, [['KEYS', `*${namespace}*`], ['PUBSUB', 'NUMPAT']]);
      expect(keys).toEqual([]);
      expect(channels).toBe(0);
    });
  }

  it('replayEvents on one the server does not have rejects naming it', async () => {
    const error = await rejection(replayEvents({ pattern: '*', connection: { url: url('/99') }, connectTimeoutMs: 1_500 }).next());
    expect(error.message).toContain('Redis replay connection to');
    expect(error.message).toContain('Redis refused database 99');
  });

  it('a database the server has works as before', async () => {
    const namespace = `db3-${process.pid}`;
    const { bus } = watched(makers['Redis Streams']!(url('/3'), namespace));
    await bus.ready();
    expect((await bus.emit('conf.order', { n: 1, text: 'db 3' })).status).toBe('accepted');
    await bus.close();
    const [, inDb3] = await sendCommands(server.port, [['SELECT', '3'], ['EXISTS', `{${namespace}}:events`]]);
    expect(inDb3).toBe(1);
  });
});

describe('what an ACL user may not do', () => {
  it('Pub/Sub: a refused PSUBSCRIBE takes the connection down at once, naming the user and the channels to grant', async () => {
    const namespace = `ghost-${process.pid}`;
    const { bus, downs, status } = watched(makers['Redis Pub/Sub']!(urlOf(NO_CHANNELS, server.host, server.port), namespace));
    const sub = bus.subscribe('conf.*', () => {});
    await waitUntil(() => downs.length > 0, 1_000, 'a system.health.down event');
    expect(downs[0]).toMatch(/Redis refused P?SUBSCRIBE to user ghost \(NOPERM[^)]*\); grant what is missing: ACL SETUSER ghost &/);
    expect(status()).toBe('down');
    // (Pub/Sub's ready() rejects with it once its confirmation wait ends.)
    const error = await rejection(sub.ready);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(error.message).toMatch(/Redis subscriber connection to redis:\/\/127\.0\.0\.1:\d+: Redis refused P?SUBSCRIBE to user ghost \(NOPERM/);
    expect(error.message).toContain(`&${namespace}:conf.*`);
    expect(error.message).toContain(`&{dotbus}:heartbeat:${namespace}`);
    expect(error.message).not.toContain('did not confirm');
    await bus.close();
  });

  it('Streams: a refused XREADGROUP takes the reader down at once, naming the command to grant', async () => {
    const namespace = `noread-${process.pid}`;
    const { bus, downs, status } = watched(makers['Redis Streams']!(urlOf(NO_XREADGROUP, server.host, server.port), namespace));
    bus.subscribe('conf.*', () => {});
    await waitUntil(() => downs.length > 0, 2_000, 'a system.health.down event');
    expect(downs[0]).toMatch(/^Redis reader connection to redis:\/\/127\.0\.0\.1:\d+: Redis refused XREADGROUP to user noread \(NOPERM[^)]*\); grant what is missing: ACL SETUSER noread \+xreadgroup$/);
    expect(status()).toBe('down');
    await bus.close();
  });

  it('replayEvents names the user of the URL when its credentials are refused', async () => {
    const error = await rejection(replayEvents({ pattern: '*', connection: { url: urlOf({ ...NO_CHANNELS, password: 'wrong' }, server.host, server.port) } }).next());
    expect(error.message).toContain('Redis rejected the credentials for user ghost: WRONGPASS');
  });

  it('replayEvents as a user without INFO prints nothing on the console', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const replayed = [];
    for await (const r of replayEvents({ pattern: '*', connection: { url: urlOf(NO_INFO, server.host, server.port) }, namespace: `noinfo-${process.pid}` })) replayed.push(r);
    expect(replayed).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});

describe('replayEvents against a Redis that does not answer', () => {
  let silent: Server;
  let halfDeaf: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts TCP, never answers.
    silent = createServer((s) => void sockets.push(s));
    // Answers the handshake and EXISTS, never XRANGE.
    halfDeaf = createServer((s) => {
      sockets.push(s);
      let buffered = '';
      s.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        for (let parsed = parseCommand(buffered); parsed !== undefined; parsed = parseCommand(buffered)) {
          buffered = buffered.slice(parsed.length);
          const name = parsed.args[0]?.toUpperCase();
          if (name === 'EXISTS') s.write(':1\r\n');
          else if (name !== 'XRANGE') s.write('+OK\r\n');
        }
      });
    });
    await Promise.all([silent, halfDeaf].map((srv) => new Promise<void>((r) => srv.listen(0, REDIS_HOST, r))));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([silent, halfDeaf].map((srv) => new Promise((r) => srv.close(r))));
  });
  const urlOf = (srv: Server): string => `redis://${REDIS_HOST}:${(srv.address() as { port: number }).port}`;

  it('rejects after connectTimeoutMs when the handshake is never answered', async () => {
    const error = await rejection(replayEvents({ pattern: '*', connection: { url: urlOf(silent) }, connectTimeoutMs: 1_000 }).next());
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(error.message).toMatch(/^Redis replay connection to redis:\/\/127\.0\.0\.1:\d+ not up after 1000 ms/);
  });

  it('takes connectTimeoutMs from the connection options too', async () => {
    const error = await rejection(replayEvents({ pattern: '*', connection: { url: urlOf(silent), connectTimeoutMs: 800 } }).next());
    expect(error.message).toContain('not up after 800 ms');
  });

  it('rejects after commandTimeoutMs when a command is never answered', async () => {
    const error = await rejection(replayEvents({ pattern: '*', connection: { url: urlOf(halfDeaf) }, commandTimeoutMs: 500, onMissingStream: () => {} }).next());
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(error.message).toMatch(/^XRANGE on redis:\/\/127\.0\.0\.1:\d+ failed: Command timed out \(no reply within 500 ms\)$/);
  });
});

/** One RESP array command at the start of `text`, or undefined when it is not all there yet. */
function parseCommand(text: string): { args: string[]; length: number } | undefined {
  const head = /^\*(\d+)\r\n/.exec(text);
  if (head === null) return undefined;
  let at = head[0].length;
  const args: string[] = [];
  for (let i = 0; i < Number(head[1]); i++) {
    const bulk = /^\$(\d+)\r\n/.exec(text.slice(at));
    if (bulk === null) return undefined;
    const start = at + bulk[0].length;
    const end = start + Number(bulk[1]);
    if (text.length < end + 2) return undefined;
    args.push(text.slice(start, end));
    at = end + 2;
  }
  return { args, length: at };
}
