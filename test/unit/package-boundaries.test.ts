import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Heavy dependencies stay behind their subpath: importing the core entry (and the monitoring
 * entry) must work in a process where ioredis, prom-client, the OpenTelemetry API and the database
 * drivers, nor the dashboard's server (hono), cannot be resolved at all. `dotbus/audit` loads its drivers only when a store is opened.
 */
const hooks = `
const heavy = ['ioredis', 'prom-client', '@opentelemetry/api', 'better-sqlite3', 'pg', 'hono', '@hono/node-server', 'uplot'];
export async function resolve(specifier, context, next) {
  const hit = heavy.find((h) => specifier === h || specifier.startsWith(h + '/'));
  if (hit !== undefined) throw new Error(hit + ' must not be loaded by ' + context.parentURL);
  return next(specifier, context);
}`;

const script = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
const core = await import('./dist/index.js');
const monitoring = await import('./dist/monitoring/index.js');
const schema = await import('./dist/schema/index.js');
schema.asyncApiDocument();
const bus = core.createBus();
new monitoring.EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'boundary' }).measure('op', 'phase', () => 1);
await bus.emit('system.health.up', { component: 'boundary', status: 'up', detail: 'ok' });
await bus.close();
const refused = async (entry) => { try { await import(entry); return 'loaded'; } catch (e) { return String(e.message); } };
const audit = await import('./dist/audit/index.js');
const opened = async (open) => { try { await open(); return 'opened'; } catch (e) { return String(e.message); } };
console.log(JSON.stringify({ exports: Object.keys(core).length, redis: await refused('./dist/redis/index.js'),
  audit: Object.keys(audit).length, sqlite: await opened(() => audit.openSqliteStore({ path: ':memory:' })),
  postgres: await opened(() => audit.openPostgresStore({ url: 'postgres://127.0.0.1:1/x' })),
  prometheus: await refused('./dist/prometheus/index.js'), serve: await refused('./dist/serve/index.js'), otel: await refused('./dist/otel/index.js') }));
`;

describe('package boundaries', () => {
  it('the core, monitoring and schema entries load no heavy dependency', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/must not be loaded/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string | number>;
    expect(out['exports']).toBeGreaterThan(20);
    // The hook really is in force: each subpath entry, which needs its dependency, is refused.
    expect(out['redis']).toMatch(/ioredis must not be loaded/);
    expect(out['prometheus']).toMatch(/prom-client must not be loaded/);
    expect(out['otel']).toMatch(/@opentelemetry\/api must not be loaded/);
    expect(out['serve']).toMatch(/(@hono\/node-server|hono) must not be loaded/);
    // dotbus/audit loads without either driver, and opening a store says which package it needs.
    expect(out['audit']).toBeGreaterThan(5);
    expect(out['sqlite']).toMatch(/needs the package better-sqlite3/);
    expect(out['postgres']).toMatch(/needs the package pg/);
  });
});
