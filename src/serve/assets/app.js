import { startCharts } from './charts.js';
import { api, el } from './dom.js';
import { startPanels } from './panels.js';
import { startTail } from './tail.js';

const STATS_EVERY_MS = 2_000;

async function main() {
  const info = await api('/api/info');
  document.getElementById('title').textContent = info.title;
  startTail(info);
  startCharts();
  startPanels(info);
  const stats = document.getElementById('stats');
  const refresh = async () => {
    try {
      const { bus, live } = await api('/api/stats');
      stats.textContent = `${live.events} events seen · ${live.clients} live connection(s) · published ${bus.published ?? 0}`;
    } catch (e) {
      stats.textContent = `server unreachable: ${e.message}`;
    }
  };
  void refresh();
  setInterval(refresh, STATS_EVERY_MS);
}

main().catch((e) => document.body.prepend(el('p', 'error', `dashboard failed to start: ${e.message}`)));
