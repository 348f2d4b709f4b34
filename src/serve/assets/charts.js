import uPlot from '/vendor/uPlot.esm.js';
import { api } from './dom.js';

const COLOURS = ['#2f6fde', '#d9480f', '#2b8a3e', '#ae3ec9', '#e67700', '#0b7285', '#c92a2a', '#5c940d', '#862e9c', '#1864ab', '#a61e4d', '#364fc7'];
const EVERY_MS = 5_000;

/** The rates and durations charts (uPlot), refreshed from /api/charts. */
export function startCharts() {
  const charts = { rates: undefined, durations: undefined };
  const refresh = async () => {
    try {
      const view = await api('/api/charts');
      for (const name of ['rates', 'durations']) charts[name] = draw(document.getElementById(name), charts[name], view[name]);
    } catch {
      // The next refresh tries again; the stats line shows whether the server is there.
    }
  };
  void refresh();
  setInterval(refresh, EVERY_MS);
}

/** Draws `data` in `box`, reusing `chart` while its series stay the same. */
function draw(box, chart, data) {
  const aligned = [data.times, ...data.series.map((s) => s.values)];
  const names = data.series.map((s) => s.name).join('\n');
  if (chart && chart.names === names) {
    chart.plot.setData(aligned);
    return chart;
  }
  chart?.plot.destroy();
  box.replaceChildren();
  const width = Math.max(300, box.clientWidth || 600);
  const plot = new uPlot(
    {
      width,
      height: 220,
      series: [{}, ...data.series.map((s, i) => ({ label: s.name, stroke: COLOURS[i % COLOURS.length], width: 1.5, spanGaps: true }))],
      axes: [{}, { size: 60 }],
      legend: { live: false },
    },
    aligned,
    box,
  );
  return { plot, names };
}
