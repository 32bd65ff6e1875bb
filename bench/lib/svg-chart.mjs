// A hand-written SVG of one run: a bar per figure that has a baseline (its ratio to the baseline,
// with the design target as a tick), and a line per time series (visibility lag over time, consumer
// RSS under overload). No chart library: rectangles, polylines and text.
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Room for a label of `chars` characters at font-size 12 (about 6.7 px a character in sans-serif). */
const labelWidth = (chars) => Math.ceil(chars * 6.7) + 20;

function bars(summary, y0) {
  const rows = summary.filter((r) => r.ratio !== undefined);
  const scaleMax = Math.max(1.2, ...rows.map((r) => r.ratio), ...rows.map((r) => r.target?.startsWith('>=') ? Number(r.target.split(' ')[1].replace('x', '')) : 0));
  // The labels are right-aligned against the bars: the bars start after the longest one.
  const left = Math.max(330, labelWidth(Math.max(0, ...rows.map((r) => String(r.label).length))));
  const plot = 480;
  const width = left + plot + 90;
  const x = (v) => left + (v / scaleMax) * plot;
  const out = [`<text x="20" y="${y0}" class="h">Ratio to the baseline, same run (median of repetitions; tick = target)</text>`];
  rows.forEach((r, i) => {
    const y = y0 + 18 + i * 24;
    const colour = r.met === false ? '#d9534f' : r.met ? '#5cb85c' : '#5b8def';
    out.push(`<text x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(r.label)}</text>`);
    out.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(r.ratio) - left).toFixed(1)}" height="17" fill="${colour}"/>`);
    out.push(`<text x="${(x(r.ratio) + 5).toFixed(1)}" y="${y + 13}">${r.ratio.toFixed(2)}x</text>`);
    const t = /^>= ([\d.]+)x/.exec(r.target ?? '');
    if (t) out.push(`<line x1="${x(Number(t[1])).toFixed(1)}" x2="${x(Number(t[1])).toFixed(1)}" y1="${y - 2}" y2="${y + 19}" stroke="#000" stroke-width="2"/>`);
  });
  out.push(`<line x1="${x(1).toFixed(1)}" x2="${x(1).toFixed(1)}" y1="${y0 + 12}" y2="${y0 + 18 + rows.length * 24}" stroke="#888" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${x(1).toFixed(1)}" y="${y0 + 30 + rows.length * 24}" text-anchor="middle" class="s">1.0x = baseline</text>`);
  return { svg: out.join('\n'), height: 50 + rows.length * 24, width };
}

function lineChart(series, y0, width, height = 170) {
  const left = 70;
  const right = width - 30;
  const top = y0 + 20;
  const bottom = y0 + height - 25;
  const xs = series.points.map((p) => p.t);
  const ys = series.points.flatMap((p) => Object.entries(p).filter(([k]) => k !== 't').map(([, v]) => v)).filter(Number.isFinite);
  const tMax = Math.max(1, ...xs);
  const yMax = Math.max(1e-9, ...ys) * 1.1;
  const px = (t) => left + (t / tMax) * (right - left);
  const py = (v) => bottom - (v / yMax) * (bottom - top);
  const keys = Object.keys(series.points[0] ?? {}).filter((k) => k !== 't');
  const colours = ['#5b8def', '#d9534f', '#5cb85c', '#f0ad4e'];
  const out = [`<text x="20" y="${y0}" class="h">${esc(series.name)} (${esc(series.unit)}) over seconds</text>`];
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#000"/><line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#000"/>`);
  out.push(`<text x="${left - 5}" y="${top + 4}" text-anchor="end" class="s">${yMax.toPrecision(3)}</text><text x="${left - 5}" y="${bottom}" text-anchor="end" class="s">0</text>`);
  out.push(`<text x="${right}" y="${bottom + 14}" text-anchor="end" class="s">${tMax.toFixed(0)} s</text>`);
  keys.forEach((k, i) => {
    const pts = series.points.filter((p) => Number.isFinite(p[k])).map((p) => `${px(p.t).toFixed(1)},${py(p[k]).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${colours[i % colours.length]}" stroke-width="2" points="${pts}"/>`);
    out.push(`<text x="${right - 150 + i * 60}" y="${top}" fill="${colours[i % colours.length]}" class="s">${esc(k)}</text>`);
  });
  return { svg: out.join('\n'), height };
}

export function renderSvg({ title, summary, series }) {
  const parts = [];
  let y = 30;
  parts.push(`<text x="20" y="${y}" class="t">${esc(title)}</text>`);
  y += 30;
  const b = bars(summary, y);
  const width = Math.max(900, b.width);
  parts.push(b.svg);
  y += b.height + 20;
  for (const s of series) {
    const l = lineChart(s, y, width);
    parts.push(l.svg);
    y += l.height + 15;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif" font-size="12">
<style>.t{font-size:16px;font-weight:bold}.h{font-size:13px;font-weight:bold}.s{font-size:10px;fill:#444}</style>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
</svg>
`;
}
