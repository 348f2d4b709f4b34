import { api, el } from './dom.js';

const EVERY_MS = 2_000;

/** The server's panels (validation, alerts, streams…): tables polled from /api/panels/<id>. */
export function startPanels(info) {
  const root = document.getElementById('panels');
  for (const panel of info.panels) {
    const section = el('section', 'panel');
    section.id = `panel-${panel.id}`;
    const body = el('div');
    section.append(el('h2', '', panel.title), body);
    root.append(section);
    const refresh = async () => {
      try {
        const { tables } = await api(`/api/panels/${encodeURIComponent(panel.id)}`);
        body.replaceChildren(...tables.map(tableOf));
      } catch (e) {
        body.replaceChildren(el('p', 'error', e.message));
      }
    };
    void refresh();
    setInterval(refresh, EVERY_MS);
  }
}

function tableOf(t) {
  const box = el('div', 'table');
  box.append(el('h3', '', t.title));
  if (t.rows.length === 0) {
    box.append(el('p', 'dim', t.empty ?? 'nothing yet'));
    return box;
  }
  const table = el('table');
  const head = el('tr');
  for (const c of t.columns) head.append(el('th', '', c));
  table.append(head);
  for (const row of t.rows) {
    const tr = el('tr');
    for (const cell of row) tr.append(el('td', typeof cell === 'number' ? 'num' : '', cell === null ? '—' : cell));
    table.append(tr);
  }
  box.append(table);
  return box;
}
