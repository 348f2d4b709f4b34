import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Heavy dependencies stay behind their subpath: importing the core entry (and the monitoring
 * entry) must work in a process where `ioredis` cannot be resolved at all.
 */
const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === 'ioredis' || specifier.startsWith('ioredis/')) throw new Error('ioredis must not be loaded by ' + context.parentURL);
  return next(specifier, context);
}`;

const script = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
const core = await import('./dist/index.js');
const bus = core.createBus();
await bus.emit('system.health.up', { component: 'boundary', status: 'up', detail: 'ok' });
await bus.close();
let redis = 'loaded';
try { await import('./dist/redis/index.js'); } catch (e) { redis = String(e.message); }
console.log(JSON.stringify({ exports: Object.keys(core).length, redis }));
`;

describe('package boundaries', () => {
  it('the core entry never loads ioredis', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/must not be loaded/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { exports: number; redis: string };
    expect(out.exports).toBeGreaterThan(20);
    // The hook really is in force: the Redis entry, which needs ioredis, is refused.
    expect(out.redis).toMatch(/ioredis must not be loaded/);
  });
});
