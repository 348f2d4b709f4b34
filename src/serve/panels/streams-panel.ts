import type { StreamGroupSource } from '../../monitoring/index.js';
import type { DashboardPanel } from './panel.js';

/** The consumer groups of a Redis Streams namespace (`groupInfo()` of the Streams transport): lag, pending entries, consumers. */
export function streamsPanel(source: StreamGroupSource): DashboardPanel {
  return {
    id: 'streams',
    title: 'Redis Streams',
    async read() {
      const groups = await source.groupInfo();
      return [
        {
          title: 'Consumer groups',
          columns: ['namespace', 'group', 'consumers', 'pending', 'lag', 'oldest pending ms'],
          rows: groups.map((g) => [g.namespace, g.broadcast ? `${g.group} (broadcast)` : g.group, g.consumers, g.pending, g.lag ?? null, g.oldestPendingMs ?? null]),
          empty: 'no consumer group',
        },
      ];
    },
  };
}
