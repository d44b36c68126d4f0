// The Pando console: polls this PD's /api/cluster and /api/heatmap and draws them. Read-only.
'use strict';

const CLUSTER_EVERY_MS = 2000;
const HEATMAP_EVERY_MS = 5000;
const RATE_POINTS_KEPT = 300; // ten minutes at one point per poll
const TWO_TO_64 = 2 ** 64;

const $ = (id) => document.getElementById(id);
const num = (v) => Number(v || 0);
const fmt = (v, digits = 0) => num(v).toLocaleString('en', { maximumFractionDigits: digits });

function bytes(v) {
  let n = num(v);
  for (const unit of ['B', 'KiB', 'MiB', 'GiB', 'TiB']) {
    if (n < 1024 || unit === 'TiB') return (unit === 'B' ? n : n.toFixed(1)) + ' ' + unit;
    n /= 1024;
  }
}

function hex(fixed64) {
  return BigInt(fixed64 || 0).toString(16).padStart(16, '0');
}

// A key as text if it is printable ASCII, else as hex.
function keyText(base64) {
  const raw = atob(base64 || '');
  if (/^[\x20-\x7e]*$/.test(raw)) return raw;
  return '0x' + Array.from(raw, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

function cell(text, opts = {}) {
  const td = document.createElement('td');
  td.textContent = text;
  if (opts.num) td.className = 'num';
  if (opts.cls) td.classList.add(opts.cls);
  return td;
}

function fill(tableId, rows, key) {
  const body = $(tableId).querySelector('tbody');
  body.replaceChildren(...rows.map(({ id, cells }) => {
    const tr = document.createElement('tr');
    tr.dataset[key] = id;
    tr.append(...cells);
    return tr;
  }));
}

function showError(message) {
  const box = $('error');
  box.hidden = !message;
  box.textContent = message || '';
}

async function getJson(path) {
  const answer = await fetch(path, { cache: 'no-store' });
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.error || answer.statusText);
  return body;
}

// ---- cluster tables and the per-node rate chart ----

const rateHistory = { times: [], byNode: new Map() };
let rateChart = null;

function drawCluster(c) {
  const s = c.status;
  $('status').textContent = `PD leader ${s.pd_leader_id || 'unknown'} · nodes ${s.nodes_up} up, ${s.nodes_suspect}`
      + ` suspect, ${s.nodes_down} down · ${s.ranges} ranges (${s.under_replicated} under-replicated)`
      + ` · ${s.operators} operators running`;
  const nodes = c.nodes.nodes || [];
  fill('nodes', nodes.map((n) => ({ id: n.node_id, cells: [
    cell(n.node_id), cell(n.state + (n.draining ? ' draining' : ''), { cls: n.state }), cell(n.api_address),
    cell(num(n.last_heartbeat_age_ms) < 0 ? 'never' : fmt(n.last_heartbeat_age_ms) + ' ms ago', { num: true }),
    cell(fmt(n.replicas), { num: true }), cell(fmt(n.leaders), { num: true }), cell(fmt(n.keys), { num: true }),
    cell(bytes(n.bytes), { num: true }), cell(fmt(n.requests_per_second, 1), { num: true }),
    cell(fmt(n.p99_latency_ms, 2), { num: true })] })), 'node');

  const ranges = (c.ranges.ranges || []).slice().sort((a, b) => num(a.range.range_id) - num(b.range.range_id));
  fill('ranges', ranges.map((r) => {
    const leader = r.replicas.find((x) => x.leader) || {};
    return { id: r.range.range_id, cells: [
      cell(r.range.range_id, { num: true }), cell(hex(r.range.start)),
      cell(num(r.range.end) === 0 ? 'end' : hex(r.range.end)),
      cell(`${r.range.epoch.version}.${r.range.epoch.conf_version}`), cell(r.range.leader || '?'),
      cell(r.replicas.map((x) => x.node_id + (x.node_state === 'UP' ? '' : ' ' + x.node_state)).join(', ')),
      cell(fmt(leader.keys), { num: true }), cell(bytes(leader.bytes), { num: true }),
      cell(fmt(leader.reads_per_second, 1), { num: true }), cell(fmt(leader.writes_per_second, 1), { num: true })] };
  }), 'range');

  fill('operators', (c.operators.operators || []).map((o) => ({ id: o.operator_id, cells: [
    cell(o.operator_id, { num: true }), cell(o.kind), cell(o.range_id, { num: true }), cell(o.from_node),
    cell(o.to_node), cell(o.reason), cell(o.step), cell(fmt(num(o.age_ms) / 1000, 1) + ' s', { num: true })] })),
    'operator');

  fill('hot-keys', (c.hot_keys.hot_keys || []).map((h) => {
    const load = h.load || {};
    const key = keyText(h.hot_key.key);
    return { id: key, cells: [
      cell(key), cell(h.in_table ? 'yes' : 'no'), cell(h.in_table ? h.hot_key.state : '-'),
      cell(h.hot_key.mode === 'MODE_UNSPECIFIED' ? '-' : h.hot_key.mode), cell(fmt(h.hot_key.salts), { num: true }),
      cell(fmt(load.reads_per_second, 1), { num: true }), cell(fmt(load.writes_per_second, 1), { num: true }),
      cell(fmt(load.increments_per_second, 1), { num: true })] };
  }), 'key');

  recordRates(nodes);
}

function recordRates(nodes) {
  const t = Date.now() / 1000;
  rateHistory.times.push(t);
  for (const n of nodes) {
    if (!rateHistory.byNode.has(n.node_id)) {
      rateHistory.byNode.set(n.node_id, new Array(rateHistory.times.length - 1).fill(null));
    }
  }
  for (const [id, values] of rateHistory.byNode) {
    const n = nodes.find((x) => x.node_id === id);
    values.push(n ? num(n.requests_per_second) : null);
  }
  if (rateHistory.times.length > RATE_POINTS_KEPT) {
    rateHistory.times.shift();
    rateHistory.byNode.forEach((values) => values.shift());
  }
  const ids = [...rateHistory.byNode.keys()];
  const data = [rateHistory.times, ...ids.map((id) => rateHistory.byNode.get(id))];
  if (!rateChart || rateChart.series.length !== ids.length + 1) {
    if (rateChart) rateChart.destroy();
    const palette = ['#3d7dd8', '#e0703b', '#3aa35b', '#a04bc2', '#c9a227', '#cc3e5c', '#3bb3b0', '#6b6b6b'];
    rateChart = new uPlot({
      width: Math.min(960, $('rates').clientWidth || 960), height: 220,
      series: [{}, ...ids.map((id, i) => ({ label: id, stroke: palette[i % palette.length], width: 2 }))],
      axes: [{}, { label: 'requests/s' }],
    }, data, $('rates'));
  } else {
    rateChart.setData(data);
  }
}

// ---- the key heatmap ----

let heat = null;
let heatLayout = null;

// Dark blue through green and yellow to white: a dark background makes quiet slices recede.
const RAMP = [[8, 12, 40], [28, 80, 160], [40, 170, 110], [240, 220, 60], [255, 255, 255]];

function colour(t) {
  const x = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  return RAMP[i].map((a, k) => Math.round(a + (RAMP[i + 1][k] - a) * f));
}

function heatValue(sample, bucket, kind) {
  const r = num(sample.reads_per_second[bucket]);
  const w = num(sample.writes_per_second[bucket]);
  return kind === 'reads' ? r : kind === 'writes' ? w : r + w;
}

function drawHeatmap() {
  const canvas = $('heatmap');
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const samples = heat ? heat.samples || [] : [];
  const buckets = heat ? heat.buckets : 0;
  const kind = $('heat-kind').value;
  canvas.dataset.samples = samples.length;
  if (!samples.length || !buckets) {
    canvas.dataset.nonzeroCells = 0;
    $('heat-legend').textContent = 'No samples yet: the PD samples the load every few seconds while it leads.';
    return;
  }
  const colWidth = Math.max(1, Math.min(24, Math.floor(canvas.width / samples.length)));
  const shown = samples.slice(-Math.floor(canvas.width / colWidth));
  const x0 = canvas.width - shown.length * colWidth;
  const rowHeight = canvas.height / buckets;
  let max = 0;
  for (const s of shown) for (let b = 0; b < buckets; b++) max = Math.max(max, heatValue(s, b, kind));
  let nonzero = 0;
  shown.forEach((s, col) => {
    for (let b = 0; b < buckets; b++) {
      const v = heatValue(s, b, kind);
      if (v <= 0) continue;
      nonzero++;
      const [r, g, bl] = colour(Math.log1p(v) / Math.log1p(max));
      ctx.fillStyle = `rgb(${r},${g},${bl})`;
      ctx.fillRect(x0 + col * colWidth, Math.floor(b * rowHeight), colWidth, Math.ceil(rowHeight));
    }
    ctx.fillStyle = 'rgba(255,255,255,0.55)';
    for (const start of s.range_starts || []) {
      const y = Math.floor(Number(BigInt(start)) / TWO_TO_64 * canvas.height);
      if (y > 0) ctx.fillRect(x0 + col * colWidth, y, Math.max(1, Math.floor(colWidth / 2)), 1);
    }
  });
  canvas.dataset.nonzeroCells = nonzero;
  heatLayout = { shown, colWidth, x0, rowHeight, buckets };
  drawLegend(max, kind, shown);
}

function drawLegend(max, kind, shown) {
  const legend = $('heat-legend');
  const bar = document.createElement('canvas');
  bar.width = 160;
  bar.height = 12;
  const ctx = bar.getContext('2d');
  for (let x = 0; x < bar.width; x++) {
    const [r, g, b] = colour(x / (bar.width - 1));
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x, 0, 1, bar.height);
  }
  const span = (shown[shown.length - 1].at_ms - shown[0].at_ms) / 60000;
  const what = kind === 'both' ? 'reads + writes' : kind;
  legend.replaceChildren('0', bar, `${fmt(max, 1)} ${what}/s per slice (log scale) · ${shown.length} samples,`
      + ` ${fmt(span, 1)} min, ${heat.buckets} slices of the hash space`);
}

function heatTip(event) {
  const tip = $('heat-tip');
  if (!heatLayout) return;
  const canvas = $('heatmap');
  const x = event.offsetX * canvas.width / canvas.clientWidth;
  const y = event.offsetY * canvas.height / canvas.clientHeight;
  const col = Math.floor((x - heatLayout.x0) / heatLayout.colWidth);
  const bucket = Math.floor(y / heatLayout.rowHeight);
  const s = heatLayout.shown[col];
  if (!s || bucket < 0 || bucket >= heatLayout.buckets) {
    tip.hidden = true;
    return;
  }
  const from = (BigInt(bucket) << 64n) / BigInt(heatLayout.buckets);
  const to = (BigInt(bucket + 1) << 64n) / BigInt(heatLayout.buckets);
  tip.textContent = `${new Date(num(s.at_ms)).toLocaleTimeString()}\n`
      + `hashes ${from.toString(16).padStart(16, '0')} .. ${(to - 1n).toString(16).padStart(16, '0')}\n`
      + `reads ${fmt(s.reads_per_second[bucket], 1)}/s, writes ${fmt(s.writes_per_second[bucket], 1)}/s`;
  tip.style.left = (event.offsetX + 12) + 'px';
  tip.style.top = (event.offsetY + 12) + 'px';
  tip.hidden = false;
}

// ---- polling ----

async function pollCluster() {
  try {
    drawCluster(await getJson('api/cluster'));
    showError(null);
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    document.body.dataset.loaded = 'true';
  } catch (e) {
    showError('Could not read the cluster: ' + e.message);
  }
}

async function pollHeatmap() {
  try {
    heat = await getJson('api/heatmap');
    drawHeatmap();
  } catch (e) {
    showError('Could not read the heatmap: ' + e.message);
  }
}

// console#heatmap shows the heatmap alone (for a screenshot or a wall display).
if (location.hash === '#heatmap') document.body.classList.add('only-heatmap');
$('heat-kind').addEventListener('change', drawHeatmap);
$('heatmap').addEventListener('mousemove', heatTip);
$('heatmap').addEventListener('mouseleave', () => { $('heat-tip').hidden = true; });
pollCluster();
pollHeatmap();
setInterval(pollCluster, CLUSTER_EVERY_MS);
setInterval(pollHeatmap, HEATMAP_EVERY_MS);
