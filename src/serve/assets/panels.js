import { api, el } from './dom.js';

const EVERY_MS = 2_000;

/** The server's panels (validation, alerts, streams…): tables polled from /api/panels/<id>. */
export function startPanels(info) {
  const root = document.getElementById('panels');
  for (const panel of info.panels) {
    const section = el('section', 'panel');
    section.id = `panel-${panel.id}`;
    const body = el('div');
    const said = el('p', 'said');
    said.setAttribute('role', 'status');
    section.append(el('h2', '', panel.title));
    const form = formOf(panel.form ?? []);
    if (form) section.append(form);
    section.append(said, body);
    root.append(section);
    let refresh;
    const act = async (button) => {
      try {
        const { message } = await api(`/api/panels/${encodeURIComponent(panel.id)}/actions/${encodeURIComponent(button.action)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(button.input ?? {}),
        });
        said.className = 'said';
        said.textContent = message;
      } catch (e) {
        said.className = 'said error';
        said.textContent = e.message;
      }
      void refresh();
    };
    refresh = async () => {
      try {
        const query = form ? `?${new URLSearchParams(new FormData(form))}` : '';
        const { tables } = await api(`/api/panels/${encodeURIComponent(panel.id)}${query}`);
        body.replaceChildren(...tables.map((t) => tableOf(t, act)));
      } catch (e) {
        body.replaceChildren(el('p', 'error', e.message));
      }
    };
    form?.addEventListener('submit', (e) => {
      e.preventDefault();
      void refresh();
    });
    void refresh();
    setInterval(refresh, EVERY_MS);
  }
}

/** The panel's form (its fields' values go with every refresh), or none. */
function formOf(fields) {
  if (fields.length === 0) return undefined;
  const form = el('form', 'panel-form');
  form.autocomplete = 'off';
  for (const f of fields) {
    const label = el('label', '', f.label);
    const input = el('input');
    input.name = f.name;
    input.placeholder = f.placeholder ?? '';
    input.spellcheck = false;
    label.append(' ', input);
    form.append(label);
  }
  const submit = el('button', '', 'Query');
  submit.type = 'submit';
  form.append(submit);
  return form;
}

function buttonOf(button, act) {
  const b = el('button', '', button.label);
  b.type = 'button';
  b.dataset.action = button.action;
  b.addEventListener('click', () => void act(button));
  return b;
}

function tableOf(t, act) {
  const box = el('div', 'table');
  box.append(el('h3', '', t.title));
  for (const button of t.buttons ?? []) box.append(buttonOf(button, act));
  if (t.rows.length === 0) {
    box.append(el('p', 'dim', t.empty ?? 'nothing yet'));
    return box;
  }
  const table = el('table');
  const head = el('tr');
  for (const c of t.columns) head.append(el('th', '', c));
  if (t.rowButtons) head.append(el('th'));
  table.append(head);
  for (const [i, row] of t.rows.entries()) {
    const tr = el('tr');
    for (const cell of row) tr.append(el('td', typeof cell === 'number' ? 'num' : '', cell === null ? '—' : cell));
    if (t.rowButtons) {
      const td = el('td');
      for (const button of t.rowButtons[i] ?? []) td.append(buttonOf(button, act));
      tr.append(td);
    }
    table.append(tr);
  }
  box.append(table);
  return box;
}
