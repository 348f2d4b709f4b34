import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, oneLine, runCli } from './run-cli.js';

beforeAll(() => buildOnce(), 120_000);

describe('dotbus serve: usage errors before anything listens (exit 2, one line)', () => {
  it.each([
    [['--trace-url', 'javascript:alert(1)'], /^dotbus: --trace-url: must be an http\(s\) URL with \{traceId\} in it/],
    [['--auth-token', 'short'], /^dotbus: --auth-token: must be at least 16 characters long/],
    [['--host', '10.1.2.3'], /^dotbus: --host 10\.1\.2\.3 is not a loopback address: give --auth-token \(or DOTBUS_TOKEN\)/],
    [['--audit', 'no-such-log.db'], /^dotbus: no audit log at no-such-log\.db/],
    [['--rules', 'no-such-rules.yaml'], /^dotbus: no-such-rules\.yaml: /],
    [['--durable'], /^dotbus: --durable needs --redis URL/],
  ])('serve %j', async (args, message) => {
    const r = await runCli(['serve', '--port', '0', ...args], 20_000, { DOTBUS_TOKEN: '' });
    expect(r.code, r.stderr).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  it('a port in use is a failure that names it (exit 1)', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    try {
      const r = await runCli(['serve', '--port', String(port)], 20_000);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(new RegExp(`^dotbus: cannot serve the dashboard on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      taken.close();
    }
  });
});
