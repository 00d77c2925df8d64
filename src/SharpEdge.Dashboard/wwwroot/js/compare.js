// Several runs overlaid: one colour per run, one dash per metric of a panel, one 2/η line per learning rate.
'use strict';
(() => {
  const { el, api, num, badge } = SE;
  SE.nav('compare');
  const input = document.getElementById('ids');
  const chartsBox = document.getElementById('charts');
  const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  function parseIds(text) {
    const ids = (text || '').split(/[\s,]+/).filter(Boolean);
    const bad = ids.filter(i => !/^\d{1,18}$/.test(i));
    if (bad.length) throw new Error(`not run ids: ${bad.join(', ')}`);
    return [...new Set(ids.map(Number))];
  }

  async function show() {
    try {
      const ids = parseIds(input.value);
      history.replaceState(null, '', ids.length ? `/compare?ids=${ids.join(',')}` : '/compare');
      chartsBox.replaceChildren();
      if (!ids.length) { SE.ready(); return; }
      // fewer points per run when many are overlaid, so the page stays light
      const points = Math.max(500, Math.floor(4000 / ids.length));
      const runs = await Promise.all(ids.map(async id => {
        const r = await api(`/api/runs/${id}`);
        return { id, name: r.name, lr: r.lr, status: r.status, series: await Charts.fetchSeries(id, points) };
      }));
      document.getElementById('legend').replaceChildren(...runs.map((r, i) => el('div', { dataset: { runId: r.id } },
        el('span', { class: 'swatch', style: `background:${COLORS[i % COLORS.length]}` }),
        el('a', { href: `/runs/${r.id}` }, `#${r.id} ${r.name}`), ' ', badge(r.status), el('span', { class: 'muted' }, `  η = ${num(r.lr)}`))));
      const names = [...new Set(runs.flatMap(r => Object.keys(r.series)))];
      const charts = Charts.panelsFor(names).map(p => new Charts.Chart(chartsBox, p, runs));
      chartsBox.dataset.charts = charts.length;
      SE.ready();
    } catch (e) {
      SE.fail(e);
    }
  }

  input.value = SE.query().get('ids') || '';
  document.getElementById('go').onclick = show;
  input.addEventListener('keydown', e => { if (e.key === 'Enter') show(); });
  show();
})();
