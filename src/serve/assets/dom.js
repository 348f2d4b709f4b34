// Every piece of data reaches the page through these helpers, as text: never as HTML.

/** An element with `className` and text content. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/** GET or POST to the API; rejects with the server's error message. */
export async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { 'x-dotbus-request': '1', ...(init.headers ?? {}) } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}
