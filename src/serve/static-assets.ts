import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A file the page loads, read once at start. */
export interface Asset {
  readonly type: string;
  readonly body: string;
}

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** Page files, shipped in the package next to this module. */
const PAGE = ['index.html', 'app.js', 'charts.js', 'panels.js', 'tail.js', 'dom.js', 'style.css'];

/**
 * The page's files by URL path: its own (`assets/` beside this module) and uPlot's from the
 * installed package, so the page needs no CDN and works offline.
 */
export function loadAssets(): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of PAGE) assets.set(`/${name}`, read(fileURLToPath(new URL(`./assets/${name}`, import.meta.url))));
  const require = createRequire(import.meta.url);
  const uplot = require.resolve('uplot');
  assets.set('/vendor/uPlot.esm.js', read(uplot.replace(/uPlot\.cjs\.js$/, 'uPlot.esm.js')));
  assets.set('/vendor/uPlot.min.css', read(uplot.replace(/uPlot\.cjs\.js$/, 'uPlot.min.css')));
  assets.set('/', assets.get('/index.html')!);
  return assets;
}

function read(path: string): Asset {
  return { type: TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream', body: readFileSync(path, 'utf8') };
}
