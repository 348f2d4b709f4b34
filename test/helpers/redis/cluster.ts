/**
 * Throwaway Redis Clusters for integration tests, built from the servers of
 * `server-process.ts`. Needs `redis-cli` besides `redis-server` (see `binaries.ts`).
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { sleep } from '../wait.js';
import { redisCliBinary, redisServerBinary } from './binaries.js';
import { sendCommands } from './resp-client.js';
import { launchRedis, type RedisServer } from './server-process.js';

/** A Redis Cluster started by {@link startRedisCluster}. */
export interface RedisCluster {
  /** The master nodes, each a {@link RedisServer}. */
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every node, the shape cluster clients take as startup nodes. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Stop every node and remove their directories. */
  dispose(): Promise<void>;
  /** Same as {@link RedisCluster.dispose}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /**
   * How long to wait for `cluster_state:ok` on every node, in milliseconds.
   * @defaultValue 30000
   */
  readyTimeoutMs?: number;
  /** Extra command-line arguments for every node. */
  args?: string[];
}

/** Start one cluster-enabled node, its cluster bus on a second free port. */
function launchClusterNode(args: string[]): Promise<RedisServer> {
  return launchRedis({ args }, 2, ([busPort]) => [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    '5000',
    '--cluster-port',
    String(busPort),
  ]);
}

/** `redis-cli --cluster create`: join the nodes as masters and assign the slots. */
function createCluster(cli: string, servers: readonly RedisServer[]): void {
  const create = spawnSync(
    cli,
    ['--cluster', 'create', ...servers.map((s) => `${s.host}:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (create.error || create.status !== 0) {
    throw new Error(
      `redis-cli --cluster create failed (status ${create.status}): ${create.error?.message ?? ''}\n${create.stdout}\n${create.stderr}`,
    );
  }
}

/** `CLUSTER INFO` of a node, or `''` if it does not answer. */
async function clusterInfo(server: RedisServer): Promise<string> {
  try {
    const [info] = await sendCommands(server.port, [['CLUSTER', 'INFO']]);
    return typeof info === 'string' ? info : '';
  } catch {
    return '';
  }
}

/** Wait until every node reports `cluster_state:ok` and knows all the others. */
async function waitForClusterOk(servers: readonly RedisServer[], readyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const infos = await Promise.all(servers.map(clusterInfo));
    const ready = infos.every(
      (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${servers.length}\r\n`),
    );
    if (ready) return;
    if (Date.now() > deadline) {
      throw new Error(`Redis Cluster did not reach cluster_state:ok:\n${infos.join('\n---\n')}`);
    }
    await sleep(100);
  }
}

/**
 * Start a Redis Cluster of `nodes` masters (no replicas) on free loopback
 * ports: each node runs with `cluster-enabled yes` and its cluster bus on a
 * second free port (`cluster-port`), `redis-cli --cluster create` assigns the
 * slots, and the promise resolves once every node reports `cluster_state:ok`
 * and knows all the others.
 *
 * @param nodes - number of master nodes, at least 3 (Redis' minimum for `--cluster create`)
 * @throws Error if `redis-server` or `redis-cli` is missing, or the cluster does not form.
 */
export async function startRedisCluster(nodes = 3, options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  if (!Number.isInteger(nodes) || nodes < 3) {
    throw new Error(`a Redis Cluster needs at least 3 masters, got ${nodes}`);
  }
  redisServerBinary();
  const cli = redisCliBinary();
  const servers: RedisServer[] = [];
  const disposeAll = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.dispose()));
  };
  try {
    for (let i = 0; i < nodes; i++) servers.push(await launchClusterNode(options.args ?? []));
    createCluster(cli, servers);
    await waitForClusterOk(servers, options.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await disposeAll();
    throw err;
  }
  return {
    nodes: servers,
    startupNodes: servers.map((s) => ({ host: s.host, port: s.port })),
    dispose: disposeAll,
    [Symbol.asyncDispose]: disposeAll,
  };
}
