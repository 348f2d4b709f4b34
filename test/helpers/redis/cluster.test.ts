import { describe, expect, it } from 'vitest';
import { startRedisCluster } from './cluster.js';
import { RespError, sendCommands } from './resp-client.js';

describe('startRedisCluster', () => {
  it('forms a 3-master cluster with all slots covered', async () => {
    const cluster = await startRedisCluster(3);
    try {
      expect(cluster.nodes).toHaveLength(3);
      expect(cluster.startupNodes.map((n) => n.port)).toEqual(cluster.nodes.map((n) => n.port));
      for (const node of cluster.nodes) {
        const [info] = await sendCommands(node.port, [['CLUSTER', 'INFO']]);
        expect(info).toContain('cluster_state:ok');
        expect(info).toContain('cluster_slots_assigned:16384');
      }
      // A key lives on exactly one node; the others answer MOVED.
      const replies = await Promise.all(
        cluster.nodes.map(async (n) => (await sendCommands(n.port, [['SET', 'some-key', '1']]))[0]),
      );
      expect(replies.filter((r) => r === 'OK')).toHaveLength(1);
      expect(replies.filter((r) => r instanceof RespError && r.code === 'MOVED')).toHaveLength(2);
    } finally {
      await cluster.dispose();
    }
    for (const node of cluster.nodes) expect(node.running).toBe(false);
  });

  it('rejects fewer than 3 masters', async () => {
    await expect(startRedisCluster(2)).rejects.toThrow(/at least 3/);
  });
});
