import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { rawPing, refused } from './connection-probes.js';
import { RespError, sendCommands } from './resp-client.js';
import { startRedis, type RedisServer } from './server-process.js';

const started: RedisServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.dispose()));
});

async function start(options?: Parameters<typeof startRedis>[0]): Promise<RedisServer> {
  const server = await startRedis(options);
  started.push(server);
  return server;
}

describe('startRedis', () => {
  it('starts a server on a free loopback port that answers a raw PING', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.port).not.toBe(6379);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(server.running).toBe(true);
    expect(existsSync(server.dir)).toBe(true);
    expect(await rawPing(server.port)).toBe('+PONG');
    const [save, appendonly, bind] = await sendCommands(server.port, [
      ['CONFIG', 'GET', 'save'],
      ['CONFIG', 'GET', 'appendonly'],
      ['CONFIG', 'GET', 'bind'],
    ]);
    expect(save).toEqual(['save', '']);
    expect(appendonly).toEqual(['appendonly', 'no']);
    expect(bind).toEqual(['bind', '127.0.0.1']);
  });

  it('stops, then starts again on the same port', async () => {
    const server = await start();
    const port = server.port;
    await server.stop();
    expect(server.running).toBe(false);
    expect(server.pid).toBeUndefined();
    expect(await refused(port)).toBe(true);
    await server.start();
    expect(server.port).toBe(port);
    expect(await rawPing(port)).toBe('+PONG');
    await server.kill();
    expect(await refused(port)).toBe(true);
    await server.restart();
    expect(await rawPing(port)).toBe('+PONG');
  });

  it('start() waits for its port while an impostor answering +PONG holds it', async () => {
    const server = await start();
    await server.stop();
    // A fake server on the same port that answers every PING: start() must not take it for Redis.
    const blocker = createServer((socket) => {
      socket.on('data', () => socket.end('+PONG\r\n'));
    });
    await new Promise<void>((resolve) => blocker.listen(server.port, '127.0.0.1', resolve));
    let started = false;
    const starting = server.start().then(() => {
      started = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(started).toBe(false);
    expect(server.running).toBe(false);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await starting;
    expect(server.running).toBe(true);
    const [info] = await sendCommands(server.port, [['INFO', 'server']]);
    expect(info).toContain(`process_id:${server.pid}`);
  });

  it('shares one start between concurrent calls, and dispose() aborts a pending start', async () => {
    const server = await startRedis();
    await server.stop();
    await Promise.all([server.start(), server.start()]);
    const [info] = await sendCommands(server.port, [['INFO', 'server']]);
    expect(info).toContain(`process_id:${server.pid}`);

    await server.stop();
    const blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(server.port, '127.0.0.1', resolve));
    try {
      const starting = server.start();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await server.dispose();
      await expect(starting).rejects.toThrow(/disposed/);
      expect(server.running).toBe(false);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('keeps appendonly data across a restart and across a SIGKILL', async () => {
    const server = await start({ appendonly: true });
    expect(await sendCommands(server.port, [['SET', 'greeting', 'hello world']])).toEqual(['OK']);
    await server.restart();
    expect(await sendCommands(server.port, [['GET', 'greeting']])).toEqual(['hello world']);
    // appendfsync always: an acknowledged write survives a crash too.
    expect(await sendCommands(server.port, [['SET', 'crash', 'safe']])).toEqual(['OK']);
    await server.kill();
    await server.start();
    expect(await sendCommands(server.port, [['MGET', 'greeting', 'crash']])).toEqual([['hello world', 'safe']]);
  });

  it('loses data across a restart without appendonly', async () => {
    const server = await start();
    await sendCommands(server.port, [['SET', 'k', 'v']]);
    await server.restart();
    expect(await sendCommands(server.port, [['GET', 'k']])).toEqual([null]);
  });

  it('creates ACL users that can AUTH, and rejects a wrong password', async () => {
    const server = await start({
      aclUsers: [
        { name: 'alice', password: 'secret with spaces "and" quotes' },
        { name: 'reader', password: 'r', rules: '~* &* +@read +ping' },
      ],
    });
    const [ok, pong, set] = await sendCommands(server.port, [
      ['AUTH', 'alice', 'secret with spaces "and" quotes'],
      ['PING'],
      ['SET', 'k', 'v'],
    ]);
    expect(ok).toBe('OK');
    expect(pong).toBe('PONG');
    expect(set).toBe('OK');

    const [wrong] = await sendCommands(server.port, [['AUTH', 'alice', 'nope']]);
    expect(wrong).toBeInstanceOf(RespError);
    expect((wrong as RespError).code).toBe('WRONGPASS');

    const [readerAuth, readerGet, readerSet] = await sendCommands(server.port, [
      ['AUTH', 'reader', 'r'],
      ['GET', 'k'],
      ['SET', 'k', 'x'],
    ]);
    expect(readerAuth).toBe('OK');
    expect(readerGet).toBe('v');
    expect((readerSet as RespError).code).toBe('NOPERM');

    // The default user stays open when no requirepass is given.
    expect(await rawPing(server.port)).toBe('+PONG');
  });

  it('supports requirepass, alone and together with ACL users', async () => {
    const plain = await start({ requirepass: 'pw' });
    expect(await rawPing(plain.port)).toMatch(/^-NOAUTH/);
    const [ok, wrong] = await sendCommands(plain.port, [['AUTH', 'pw'], ['AUTH', 'bad']]);
    expect(ok).toBe('OK');
    expect((wrong as RespError).code).toBe('WRONGPASS');

    const both = await start({ requirepass: 'pw', aclUsers: [{ name: 'bob', password: 'b' }] });
    expect(await rawPing(both.port)).toMatch(/^-NOAUTH/);
    expect(await sendCommands(both.port, [['AUTH', 'pw'], ['AUTH', 'bob', 'b']])).toEqual(['OK', 'OK']);
  });

  it('applies the pub/sub output buffer limit and extra args', async () => {
    const server = await start({ pubsubBufferLimit: '64kb 32kb 1', args: ['--maxmemory', '10mb'] });
    const [limit, maxmemory] = await sendCommands(server.port, [
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'GET', 'maxmemory'],
    ]);
    expect((limit as string[])[1]).toContain('pubsub 65536 32768 1');
    expect(maxmemory).toEqual(['maxmemory', String(10 * 1024 * 1024)]);
  });

  it('removes its directory on dispose and cannot be started again', async () => {
    const server = await startRedis();
    const { dir, port } = server;
    await server.dispose();
    expect(existsSync(dir)).toBe(false);
    expect(await refused(port)).toBe(true);
    await expect(server.start()).rejects.toThrow(/disposed/);
  });

  it('reports a startup failure with the server log', async () => {
    await expect(startRedis({ args: ['--no-such-option', 'x'] })).rejects.toThrow(/exited during startup/);
  });
});
