import { el } from './dom.js';

/** Most rows the tail shows; older ones go. */
const MAX_ROWS = 200;

/** The live tail: an EventSource on /api/live with the typed pattern, filtered on the server. */
export function startTail(info) {
  const list = document.getElementById('tail');
  const input = document.getElementById('pattern');
  const error = document.getElementById('pattern-error');
  const skippedNote = document.getElementById('skipped');
  const pause = document.getElementById('pause');
  const status = document.getElementById('live-status');
  let source;
  let paused = false;

  const open = (pattern) => {
    source?.close();
    error.textContent = '';
    skippedNote.textContent = '';
    list.replaceChildren();
    delete list.dataset.pattern;
    status.textContent = 'connecting…';
    source = new EventSource(`/api/live?pattern=${encodeURIComponent(pattern)}`);
    // The server sends hello once this connection receives events: from then on nothing matching is missed.
    source.addEventListener('hello', (e) => {
      list.dataset.pattern = JSON.parse(e.data).pattern;
      status.textContent = `live: ${list.dataset.pattern}`;
    });
    source.addEventListener('error', () => {
      delete list.dataset.pattern;
      status.textContent = 'reconnecting…';
    });
    source.addEventListener('invalid', (e) => {
      error.textContent = JSON.parse(e.data).error;
      status.textContent = '';
      source.close();
    });
    source.addEventListener('events', (e) => {
      const { skipped, rows } = JSON.parse(e.data);
      if (skipped > 0) skippedNote.textContent = `${skipped} skipped (the page could not keep up)`;
      if (paused) return;
      const fragment = document.createDocumentFragment();
      for (const row of rows) fragment.prepend(rowItem(row, info));
      list.prepend(fragment);
      while (list.childElementCount > MAX_ROWS) list.lastElementChild.remove();
    });
  };

  document.getElementById('filter').addEventListener('submit', (e) => {
    e.preventDefault();
    open(input.value.trim() || '*');
  });
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
  });
  open(input.value);
}

/** One event: a summary line that expands to its data, source, time and trace. */
function rowItem(row, info) {
  const item = el('li', 'event');
  item.dataset.type = row.type;
  const details = el('details');
  const summary = el('summary');
  summary.append(el('time', 'dim', row.time.slice(11, 23)), ' ', el('span', `type ${typeClass(row.type)}`, row.type), ' ', el('span', 'brief', brief(row)));
  if (row.untyped) summary.append(' ', el('span', 'untyped', 'untyped'));
  const fields = el('dl');
  const add = (name, value) => fields.append(el('dt', '', name), value instanceof Node ? wrap(value) : el('dd', '', value));
  add('id', row.id);
  add('source', row.source);
  add('time', row.time);
  add('version', row.version);
  if (row.traceId) add('trace', traceLink(row.traceId, info.traceUrl));
  const data = el('pre', 'data', JSON.stringify(row.data, null, 2));
  details.append(summary, fields, data);
  item.append(details);
  return item;
}

function wrap(node) {
  const dd = el('dd');
  dd.append(node);
  return dd;
}

function traceLink(traceId, template) {
  if (!template) return el('code', '', traceId);
  const a = el('a', '', traceId);
  a.href = template.replace('{traceId}', encodeURIComponent(traceId));
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

function typeClass(type) {
  if (/(^|\.)(error|failed)(\.|$)/.test(type)) return 'bad';
  if (/(^|\.)(completed|complete|up)$/.test(type)) return 'good';
  return '';
}

/** A short text of the data for the summary line. */
function brief(row) {
  const text = JSON.stringify(row.data) ?? '';
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}
