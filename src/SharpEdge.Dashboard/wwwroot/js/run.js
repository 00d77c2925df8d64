// One run: its record, a chart per panel, and live rows pushed by the server (server-sent events).
'use strict';
(() => {
  const { el, api, num, int, seconds, time, badge } = SE;
  SE.nav('runs');
  const POINTS = 2000;
  const id = Number(location.pathname.split('/').filter(Boolean)[1]);
  const chartsBox = document.getElementById('charts');
  const live = document.getElementById('live');
  let run = null, charts = [], source = null, liveRows = 0;

  function summary(r) {
    const kv = [
      ['status', badge(r.status)], ['kind', r.kind], ['created', time(r.created)], ['finished', time(r.finished)],
      ['run time', seconds(r.seconds)], ['learning rate η', num(r.lr)], ['2/η', num(r.threshold)],
      ['parent', r.parent_id ? el('a', { href: `/runs/${r.parent_id}` }, `#${r.parent_id}${r.fork_step !== null ? ` at step ${r.fork_step}` : ''}`) : null],
      ['tags', r.tags.length ? r.tags.map(t => el('span', { class: 'tag' }, t)) : null],
      ['host', r.host ? `${r.host}${r.pid ? ` (pid ${r.pid})` : ''}` : null], ['code', r.code_version], ['folder', r.folder],
      ['error', r.error ? el('span', { class: 'error' }, r.error) : null],
    ];
    document.getElementById('summary').replaceChildren(...kv.filter(([, v]) => v !== null && v !== undefined)
      .flatMap(([k, v]) => [el('dt', {}, k), el('dd', { id: k === 'status' ? 'status' : undefined }, v)]));
  }

  function metricsTable(list) {
    document.getElementById('metrics').replaceChildren(
      el('thead', {}, el('tr', {}, ['metric', 'points', 'steps', 'last', '± se'].map(h => el('th', {}, h)))),
      el('tbody', {}, list.map(m => el('tr', {}, el('td', {}, m.name), el('td', { class: 'num' }, int(m.points)),
        el('td', { class: 'num' }, `${int(m.first_step)}–${int(m.last_step)}`), el('td', { class: 'num' }, num(m.last)),
        el('td', { class: 'num' }, m.last_se === null ? '' : num(m.last_se, 2))))));
  }

  function drawCharts(series) {
    charts.forEach(c => c.destroy());
    const runs = [{ id, name: run.name, lr: run.lr, series }];
    charts = Charts.panelsFor(Object.keys(series)).map(p => new Charts.Chart(chartsBox, p, runs));
    chartsBox.dataset.charts = charts.length;
    if (!charts.length) chartsBox.replaceChildren(el('p', { class: 'muted' }, 'No metrics recorded yet.'));
  }

  function openStream(series) {
    if (source) source.close();
    const cursor = Object.entries(series).filter(([, s]) => s.last !== null).map(([n, s]) => `${n}:${s.last}`).join(',');
    source = new EventSource(`/api/runs/${id}/events?cursor=${encodeURIComponent(cursor)}`);
    source.onopen = () => { live.classList.add('on'); live.textContent = 'live'; };
    source.onerror = () => { live.classList.remove('on'); live.textContent = 'reconnecting…'; };
    source.addEventListener('status', e => {
      const s = JSON.parse(e.data);
      const cell = document.getElementById('status');
      if (cell) cell.replaceChildren(badge(s.status));
      document.body.dataset.status = s.status;
    });
    source.addEventListener('reset', () => { source.close(); refresh(); });
    source.addEventListener('metrics', e => {
      const rows = JSON.parse(e.data);
      let missing = false;
      for (const [metric, r] of Object.entries(rows)) {
        liveRows += r.steps.length;
        if (!series[metric]) { missing = true; continue; }
        for (const c of charts) if (c.append(id, metric, r)) c.redraw();
        series[metric].last = series[metric].steps[series[metric].steps.length - 1];
      }
      document.body.dataset.liveRows = liveRows;
      // a metric the page has no chart for, or far more points than it asked for: start again from the server
      if (missing || Object.values(series).some(s => s.steps.length > 4 * POINTS)) { source.close(); refresh(); }
    });
  }

  async function refresh() {
    try {
      // the record and the series in parallel: on a long run each costs a pass over its rows
      const [record, series] = await Promise.all([api(`/api/runs/${id}`), Charts.fetchSeries(id, POINTS)]);
      run = record;
      document.title = `#${run.id} ${run.name} · SharpEdge`;
      document.getElementById('title').replaceChildren(`#${run.id} ${run.name} `, badge(run.status));
      summary(run);
      metricsTable(run.metrics);
      document.getElementById('config').textContent = JSON.stringify(run.config, null, 2);
      document.getElementById('files').replaceChildren(...(run.files.length ? run.files.map(f =>
        el('li', {}, el('a', { href: `/files/runs/${id}/${encodeURIComponent(f)}` }, f))) : [el('li', { class: 'muted' }, 'none')]));
      document.getElementById('compare-link').href = `/compare?ids=${id}`;
      drawCharts(series);
      SE.ready();
      openStream(series);
    } catch (e) {
      SE.fail(e);
    }
  }

  refresh();
})();
