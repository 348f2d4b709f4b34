import type { DashboardPanel } from './panel.js';

/** One dead-letter entry as the panel shows it (what `DeadLetterQueue` of dotbus/redis lists). */
export interface DeadLetterView {
  readonly id: string;
  readonly reason: string;
  readonly error: string;
  readonly attempts: number;
  readonly group: string;
  readonly eventId?: string;
  readonly type?: string;
}

/** How a redrive ended (what `DeadLetterQueue` of dotbus/redis returns). */
export type RedriveView = { readonly id: string; readonly status: 'redriven' | 'gone' } | { readonly id: string; readonly status: 'refused'; readonly reason: string };

/** The dead-letter stream of a namespace: `DeadLetterQueue` of dotbus/redis fits. */
export interface DeadLetterSource {
  size(): Promise<number>;
  list(count?: number): Promise<readonly DeadLetterView[]>;
  redrive(id: string): Promise<RedriveView>;
  redriveAll(): Promise<readonly RedriveView[]>;
}

/** Most entries the panel lists. */
const SHOWN = 50;

/** The dead-letter entries with reason and attempts, and buttons to redrive one or all (each checked against its definition first). */
export function deadLetterPanel(source: DeadLetterSource): DashboardPanel {
  return {
    id: 'dead-letter',
    title: 'Dead letters',
    async read() {
      const [size, entries] = await Promise.all([source.size(), source.list(SHOWN)]);
      return [
        {
          title: size > entries.length ? `Newest ${entries.length} of ${size}` : `${size} entr${size === 1 ? 'y' : 'ies'}`,
          columns: ['id', 'type', 'reason', 'attempts', 'group', 'error'],
          rows: entries.map((e) => [e.id, e.type ?? null, e.reason, e.attempts, e.group, e.error]),
          empty: 'the dead-letter stream is empty',
          ...(entries.length === 0 ? {} : { buttons: [{ label: 'Redrive all', action: 'redrive-all' }] }),
          rowButtons: entries.map((e) => [{ label: 'Redrive', action: 'redrive', input: { id: e.id } }]),
        },
      ];
    },
    async act(action, input) {
      if (action === 'redrive') {
        const id = input['id'];
        if (id === undefined || !/^\d+-\d+$/.test(id)) throw new Error('redrive needs the id of a dead-letter entry, e.g. 1700000000000-0');
        return sentence(await source.redrive(id));
      }
      if (action === 'redrive-all') {
        const outcomes = await source.redriveAll();
        const redriven = outcomes.filter((o) => o.status === 'redriven').length;
        const refused = outcomes.filter((o) => o.status === 'refused');
        return `${redriven} redriven, ${refused.length} refused${refused.length === 0 ? '' : ` (first: ${sentence(refused[0]!)})`}`;
      }
      throw new Error(`no action ${action}: redrive or redrive-all`);
    },
  };
}

function sentence(o: RedriveView): string {
  if (o.status === 'refused') return `${o.id} refused: ${o.reason}`;
  return o.status === 'redriven' ? `${o.id} redriven` : `${o.id} is gone (already redriven or trimmed)`;
}
