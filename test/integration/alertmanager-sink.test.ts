import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine, alertmanagerSink } from '../../src/monitoring/index.js';
import { alertmanagerRequired, startAlertmanager, type Alertmanager } from '../helpers/alertmanager.js';
import { waitFor } from '../helpers/wait.js';
import { sample, T0, type TestEvent } from '../unit/monitoring/alerts/alert-fixture.js';

interface GettableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly status: { readonly state: string };
}

// Under CI=true a missing binary fails in startAlertmanager: never a skip there.
describe.runIf(alertmanagerRequired())('alertmanagerSink against a real Alertmanager', () => {
  let am: Alertmanager;
  beforeAll(async () => {
    am = await startAlertmanager();
  }, 60_000);
  afterAll(async () => {
    await am?.stop();
  });

  const alerts = async (): Promise<GettableAlert[]> => (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as GettableAlert[];

  it('posts firing alerts with startsAt, labels and annotations, and resolves them with endsAt', async () => {
    // Event time close to now, so that Alertmanager does not find the alert expired on arrival.
    const base = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const sink = alertmanagerSink(am.url, { backoff: { baseMs: 10, capMs: 100 } });
    const engine = new AlertEngine<TestEvent>({ clock: 'events', allowedLatenessMs: 0, sinks: [sink] });
    engine.threshold('metric.sample', {
      name: 'hot-host', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', groupBy: ['data.host'], above: 80, severity: 'critical',
      annotations: { runbook_url: 'https://runbooks.example/hot-host' },
    });
    const at = (s: number) => (base - T0) / 1000 + s;
    engine.push(sample(at(0.5), 95, 'web-1'));
    engine.push(sample(at(1.5), 10, 'web-2'));
    engine.flush();
    let seen: GettableAlert[] = [];
    await waitFor('the firing alert in Alertmanager', 20_000, async () => (seen = await alerts()).length === 1, () => JSON.stringify(seen));
    expect(seen[0]!.labels).toEqual({ alertname: 'hot-host', severity: 'critical', host: 'web-1' });
    expect(seen[0]!.annotations).toMatchObject({ runbook_url: 'https://runbooks.example/hot-host', summary: expect.stringContaining('max of data.value is 95') });
    expect(Date.parse(seen[0]!.startsAt)).toBe(base + 1_000);
    expect(seen[0]!.status.state).toBe('active');
    engine.push(sample(at(2.5), 10, 'web-1'));
    engine.push(sample(at(3.5), 10, 'web-1'));
    engine.flush();
    await waitFor('the alert to be resolved in Alertmanager', 20_000, async () => (seen = await alerts()).length === 0, () => JSON.stringify(seen));
    await engine.close();
    expect(sink.stats()).toMatchObject({ sent: 2, failed: 0, dropped: 0, queued: 0 });
  });
});
