// One sweep: progress by task state, a heatmap of any recorded metric over two axes (median over the rest,
// e.g. seeds; click a cell to compare its runs) and the task list.
'use strict';
(() => {
  const { el, api, num, int, seconds, badge } = SE;
  SE.nav('sweeps');
  const name = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1]);
  const STATE_COLORS = { done: '#2ca02c', running: '#1f77b4', pending: '#c7ccd1', failed: '#d62728', cancelled: '#ff9f1c' };
  // viridis, sampled at 9 stops
  const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];
  const sel = id => document.getElementById(id);
  let info = null;

  function color(t) {
    const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
    const i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
    const a = VIRIDIS[i], b = VIRIDIS[i + 1];
    const mix = k => Math.round(parseInt(a.substr(k, 2), 16) * (1 - f) + parseInt(b.substr(k, 2), 16) * f);
    return `rgb(${mix(1)},${mix(3)},${mix(5)})`;
  }

  function header(s) {
    const total = Object.values(s.states).reduce((a, b) => a + b, 0) || 1;
    sel('title').textContent = `Sweep ${s.name}`;
    sel('progress').replaceChildren(...Object.entries(STATE_COLORS).filter(([k]) => s.states[k]).map(([k, c]) =>
      el('div', { style: `width:${(100 * s.states[k] / total).toFixed(2)}%;background:${c}`, dataset: { state: k, count: s.states[k] } })));
    sel('states').replaceChildren(...Object.entries(STATE_COLORS).map(([k, c]) =>
      el('span', {}, el('span', { class: 'swatch', style: `background:${c}` }), `${k} ${int(s.states[k] || 0)}`)));
    sel('summary').replaceChildren(el('dt', {}, 'command'), el('dd', {}, s.command), el('dt', {}, 'backend'), el('dd', {}, s.backend),
      el('dt', {}, 'runs'), el('dd', {}, el('a', { href: `/?sweep=${encodeURIComponent(s.name)}` }, 'in the runs table')));
  }

  function tasks(list) {
    sel('tasks').replaceChildren(
      el('thead', {}, el('tr', {}, ['#', 'task', 'state', 'attempts', 'run', 'time', 'error'].map(h => el('th', {}, h)))),
      el('tbody', {}, list.map(t => el('tr', {}, el('td', { class: 'num' }, t.position), el('td', {}, t.label), el('td', {}, badge(t.state)),
        el('td', { class: 'num' }, t.attempts), el('td', {}, t.run_id ? el('a', { href: `/runs/${t.run_id}` }, `#${t.run_id}`) : '–'),
        el('td', { class: 'num' }, seconds(t.seconds)), el('td', { class: 'error' }, t.error || '')))));
  }

  function fill(select, values, preferred) {
    select.replaceChildren(...values.map(v => el('option', { value: v }, v)));
    const pick = preferred.find(p => values.includes(p));
    if (pick !== undefined) select.value = pick;
  }

  async function heatmap() {
    const box = sel('heatmap');
    const x = sel('x').value, y = sel('y').value, obs = sel('observable').value;
    if (!x || !y || !obs) { box.textContent = 'The heatmap needs two axes and a recorded metric.'; SE.ready(); return; }
    const p = new URLSearchParams({ x, y, observable: obs });
    history.replaceState(null, '', `?${p}`);
    const h = await api(`/api/sweeps/${encodeURIComponent(name)}/heatmap?${p}`);
    const log = sel('logcolor').checked;
    const values = h.cells.map(c => c.median).filter(v => v !== null && (!log || v > 0));
    const tf = v => log ? Math.log10(v) : v;
    const lo = values.length ? Math.min(...values.map(tf)) : 0, hi = values.length ? Math.max(...values.map(tf)) : 1;
    const byPos = new Map(h.cells.map(c => [`${c.x},${c.y}`, c]));
    const rows = [];
    for (let j = h.y.length - 1; j >= 0; j--) {   // largest y on top, as in the paper's figures
      rows.push(el('tr', {}, el('th', {}, h.y[j]), h.x.map((xv, i) => {
        const c = byPos.get(`${i},${j}`);
        const has = c.median !== null && (!log || c.median > 0);
        const t = has ? (hi > lo ? (tf(c.median) - lo) / (hi - lo) : 0.5) : 0;
        return el('td', {
          class: has ? 'cell' : 'cell empty',
          style: has ? `background:${color(t)};color:${t > 0.6 ? '#111' : '#fff'}` : undefined,
          title: `${h.x_axis}=${xv}, ${h.y_axis}=${h.y[j]}: ${has ? `median ${num(c.median)} over ${c.values} run(s)` : 'no value'}; ${c.done}/${c.tasks} tasks done`,
          dataset: { x: i, y: j, median: c.median ?? '', runs: c.runs.join(','), count: c.values },
          onclick: c.runs.length ? () => { location.href = `/compare?ids=${c.runs.join(',')}`; } : undefined,
        }, has ? num(c.median, 3) : '–');
      })));
    }
    rows.push(el('tr', {}, el('th', {}, `${h.y_axis} ↑ / ${h.x_axis} →`), h.x.map(v => el('th', {}, v))));
    const table = el('table', { class: 'heatmap', id: 'heatmap-table', dataset: { cells: h.cells.length, columns: h.x.length, rows: h.y.length } },
      el('tbody', {}, rows));
    const bar = el('div', { class: 'colorbar' }, el('span', {}, log ? `10^${num(lo, 3)}` : num(lo, 3)),
      el('div', { class: 'bar', style: `background:linear-gradient(to right, ${VIRIDIS.join(',')})` }),
      el('span', {}, log ? `10^${num(hi, 3)}` : num(hi, 3)),
      el('span', { class: 'muted' }, ` median over seeds of each run's plateau (mean of the last third) of ${h.observable}`));
    box.replaceChildren(table, bar);
    SE.ready();
  }

  async function load() {
    try {
      info = await api(`/api/sweeps/${encodeURIComponent(name)}`);
      header(info.sweep);
      tasks(info.tasks);
      const axes = Object.keys(info.axes).filter(a => info.axes[a].length > 1);
      const q = SE.query();
      fill(sel('x'), axes, [q.get('x'), 'lr', axes[0]]);
      fill(sel('y'), axes, [q.get('y'), 'eps', axes.find(a => a !== sel('x').value), axes[0]]);
      fill(sel('observable'), info.observables, [q.get('observable'), 'lambda_max', 'loss', info.observables[0]]);
      for (const id of ['x', 'y', 'observable', 'logcolor']) sel(id).onchange = () => heatmap().catch(SE.fail);
      await heatmap();
    } catch (e) {
      SE.fail(e);
    }
  }

  load();
})();
