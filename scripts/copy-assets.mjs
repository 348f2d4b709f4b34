// Copies the dashboard's page files (HTML, CSS, plain ES modules: no build step) next to the
// compiled server, where dotbus/serve reads them. Part of `npm run build`.
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
cpSync(`${root}src/serve/assets`, `${root}dist/serve/assets`, { recursive: true });
