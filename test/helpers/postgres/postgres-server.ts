/**
 * A throwaway PostgreSQL server for tests: `initdb` into a temporary directory, then `pg_ctl start`
 * on a free loopback port, trust authentication for loopback only, no Unix socket. Never the
 * machine's own database.
 *
 * Binaries: the newest `/usr/lib/postgresql/<version>/bin` (the Debian package `postgresql`,
 * which `.ci/run` installs), or `PG_BIN_DIR`. Without them the suite is skipped, except under
 * `CI=true`, where {@link postgresAvailability} fails loudly.
 *
 * `initdb` and the server refuse to run as root (a superuser process could be made to run
 * arbitrary code through the server). Run as root, as tests on CI are, the helper makes the data
 * directory owned by the unprivileged `nobody` user and spawns both with that uid and gid (Node's
 * `spawn({ uid, gid })`, a setuid/setgid in the child before exec), as PostgreSQL's documentation
 * says to: start the server under an unprivileged account.
 *
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants as fsConstants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from '../redis/free-port.js';

/** The unprivileged account the server runs as when the tests run as root. */
const NOBODY = { uid: 65534, gid: 65534 };

/** The directory holding `initdb`, `pg_ctl` and `psql`, or `undefined` when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  const override = process.env['PG_BIN_DIR'];
  if (override) return override;
  let versions: string[];
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {
    return undefined;
  }
  for (const v of versions.sort((a, b) => Number(b) - Number(a))) {
    const dir = join('/usr/lib/postgresql', v, 'bin');
    try {
      accessSync(join(dir, 'initdb'), fsConstants.X_OK);
      accessSync(join(dir, 'pg_ctl'), fsConstants.X_OK);
      return dir;
    } catch {
      // not this version
    }
  }
  return undefined;
}

/**
 * Whether PostgreSQL tests can run: `{ skip: reason }` without the binaries, except under
 * `CI=true`, where missing binaries throw (CI installs them; a silent skip would hide that).
 */
export function postgresAvailability(): { readonly skip: string | undefined } {
  if (postgresBinDir() !== undefined) return { skip: undefined };
  const why = 'PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: install the Debian package postgresql (bash .ci/run does this)';
  if (process.env['CI'] === 'true') throw new Error(why);
  return { skip: why };
}

/** A running throwaway server. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Runs `sql` with `psql` (the database's own tool) on `db` (a URL). @default the `postgres` database */
  psql(sql: string, db?: string): string;
  /** A new empty database on the server; its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

function run(bin: string, args: readonly string[], asUser: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(asUser ?? {}), env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`))));
  });
}

/** Starts a server; stop it in `afterAll`. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(postgresAvailability().skip ?? 'no PostgreSQL');
  const asUser = userInfo().uid === 0 ? NOBODY : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dotbus-pg-'));
  const data = join(dir, 'data');
  if (asUser !== undefined) {
    chownSync(dir, asUser.uid, asUser.gid);
    chmodSync(dir, 0o700);
  }
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync'], asUser);
  for (let attempt = 1; ; attempt++) {
    const port = await getFreePort();
    // listen on loopback only, no Unix socket, fsync off: a throwaway server that nothing outside the tests can reach.
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c full_page_writes=off -c max_connections=40`;
    try {
      await run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start'], asUser);
    } catch (e) {
      if (attempt < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const psqlBin = join(bin, 'psql');
    const psql = (sql: string, db = url): string => execFileSync(psqlBin, [db, '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-t', '-A', '-c', sql], { encoding: 'utf8' });
    return {
      url,
      port,
      psql,
      async createDatabase(name: string): Promise<string> {
        psql(`CREATE DATABASE "${name}"`);
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      async stop(): Promise<void> {
        await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], asUser).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
