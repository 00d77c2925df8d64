// Training charts on uPlot: the panels of `sharpedge plot` (loss, accuracy, sharpness and GNI against 2/η),
// standard-error bands, log axes, hover values, live appends. One chart per panel; a line per (run, metric).
'use strict';

const Charts = (() => {
  // The standard panels, as SharpEdge.Plots' TrainingPanel draws them (colours of plot_results.py).
  const PANELS = [
    { id: 'loss', title: 'loss', log: true, curves: [
      { metric: 'loss', label: 'batch loss', color: '#7f7f7f' }, { metric: 'full_loss', label: 'full loss', color: '#111111' }] },
    { id: 'accuracy', title: 'accuracy', curves: [
      { metric: 'full_accuracy', label: 'full accuracy', color: '#111111' }, { metric: 'accuracy', label: 'accuracy', color: '#1f77b4' }] },
    { id: 'sharpness', title: 'sharpness', threshold: true, curves: [
      { metric: 'lambda_max', label: 'λ_max', color: '#1f77b4' }, { metric: 'batch_sharpness', label: 'batch sharpness', color: '#2ca02c' }] },
    { id: 'step_sharpness', title: 'step sharpness', threshold: true, curves: [
      { metric: 'step_sharpness', label: 'step sharpness', color: '#d62728' }] },
    { id: 'gni', title: 'GNI', threshold: true, curves: [{ metric: 'gni', label: 'GNI', color: '#9467bd' }] },
  ];
  const RUN_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const DASHES = [[], [6, 3], [2, 3], [8, 3, 2, 3]];

  // The panels for a set of metric names: standard panels that have any, then one panel per other metric.
  function panelsFor(names) {
    const set = new Set(names), used = new Set();
    const panels = [];
    for (const p of PANELS) {
      const curves = p.curves.filter(c => set.has(c.metric));
      curves.forEach(c => used.add(c.metric));
      if (curves.length) panels.push({ ...p, curves });
    }
    for (const name of [...set].sort())
      if (!used.has(name)) panels.push({ id: `m-${name}`, title: name, curves: [{ metric: name, label: name, color: '#1f77b4' }] });
    return panels;
  }

  // runs: [{id, name, lr, series: {metric: {steps, values, se, total}}}]
  class Chart {
    constructor(container, panel, runs) {
      this.panel = panel;
      this.runs = runs;
      this.log = !!panel.log;
      this.root = SE.el('div', { class: 'chart', dataset: { panel: panel.id } });
      this.plotArea = SE.el('div', { class: 'plot' });
      this.logButton = SE.el('button', { type: 'button', title: 'logarithmic y axis', onclick: () => { this.log = !this.log; this.draw(); } });
      this.counts = SE.el('div', { class: 'counts' });
      this.root.append(SE.el('div', { class: 'chart-head' }, SE.el('h3', {}, panel.title), this.logButton), this.plotArea, this.counts);
      container.append(this.root);
      this.draw();
    }

    lines() {
      const many = this.runs.length > 1;
      const lines = [];
      this.runs.forEach((run, r) => this.panel.curves.forEach((curve, c) => {
        const s = run.series[curve.metric];
        if (!s) return;
        lines.push({
          run, curve, s,
          label: many ? `#${run.id} ${curve.label}` : curve.label,
          color: many ? RUN_COLORS[r % RUN_COLORS.length] : curve.color,
          dash: many ? DASHES[c % DASHES.length] : [],
        });
      }));
      return lines;
    }

    // Aligns every line on the union of their steps (uPlot needs one x array), nulls where a line has no point.
    data(lines) {
      const stepSet = new Set();
      for (const l of lines) for (const x of l.s.steps) stepSet.add(x);
      const xs = Float64Array.from(stepSet).sort();
      const index = new Map();
      xs.forEach((x, i) => index.set(x, i));
      const positive = v => (v === null || (this.log && !(v > 0))) ? null : v;
      const columns = [xs];
      const extra = [];
      for (const l of lines) {
        const y = new Array(xs.length).fill(null);
        l.s.steps.forEach((x, i) => { y[index.get(x)] = positive(l.s.values[i]); });
        columns.push(y);
        if (l.s.se) {
          const hi = new Array(xs.length).fill(null), lo = new Array(xs.length).fill(null);
          l.s.steps.forEach((x, i) => {
            const v = l.s.values[i], e = l.s.se[i];
            if (v === null || e === null) return;
            hi[index.get(x)] = positive(v + e);
            lo[index.get(x)] = positive(v - e);
          });
          extra.push({ line: l, hi, lo });
        }
      }
      // one 2/η per learning rate of the runs drawn here, in the colour of the first such run when several are overlaid
      const thresholds = [];
      if (this.panel.threshold)
        for (const l of lines)
          if (l.run.lr > 0 && !thresholds.some(t => t.lr === l.run.lr))
            thresholds.push({ lr: l.run.lr, color: this.runs.length > 1 ? l.color : '#444', y: new Array(xs.length).fill(2 / l.run.lr) });
      return { xs, columns, extra, thresholds };
    }

    draw() {
      const lines = this.lines();
      const { columns, extra, thresholds } = this.data(lines);
      const series = [{ label: 'step' }];
      for (const l of lines) {
        const sparse = l.s.steps.length < 300;
        series.push({
          label: l.label, stroke: l.color, width: 1.5, dash: l.dash, spanGaps: true,
          points: { show: sparse, size: 4, fill: l.color },
          value: (u, v) => SE.num(v),
        });
      }
      const data = [...columns];
      const bands = [];
      const hidden = [];
      for (const e of extra) {
        data.push(e.hi, e.lo);
        series.push({ label: `${e.line.label} +se`, stroke: 'transparent', spanGaps: true, points: { show: false } },
                    { label: `${e.line.label} −se`, stroke: 'transparent', spanGaps: true, points: { show: false } });
        bands.push({ series: [data.length - 2, data.length - 1], fill: e.line.color + '30' });
        hidden.push(data.length - 2, data.length - 1);
      }
      for (const t of thresholds) {
        data.push(t.y);
        series.push({ label: thresholds.length > 1 ? `2/η (η=${t.lr})` : '2/η', stroke: t.color, dash: [5, 5], width: 1, points: { show: false },
                      value: (u, v) => SE.num(v) });
      }
      const width = Math.max(300, this.plotArea.clientWidth || this.root.clientWidth - 16 || 600);
      const opts = {
        width, height: 260, series, bands,
        scales: { x: { time: false }, y: { distr: this.log ? 3 : 1 } },
        axes: [{ label: 'step', size: 40 }, { size: 64, values: (u, ticks) => ticks.map(v => SE.num(v, 3)) }],
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
      };
      if (this.plot) this.plot.destroy();
      this.plot = new uPlot(opts, data, this.plotArea);
      const rows = this.plot.root.querySelectorAll('.u-legend .u-series');
      for (const i of hidden) if (rows[i]) rows[i].style.display = 'none';
      this.logButton.textContent = this.log ? 'log y ✓' : 'log y';
      this.showCounts(lines);
    }

    // The drawn and stored point counts of every line, in the DOM for people and for the browser tests.
    showCounts(lines) {
      this.counts.replaceChildren(...lines.map(l => SE.el('span', {
        class: 'count',
        dataset: { run: l.run.id, metric: l.curve.metric, points: l.s.steps.length, total: l.s.total },
      }, `${l.label}: ${SE.int(l.s.steps.length)}${l.s.total > l.s.steps.length ? ` of ${SE.int(l.s.total)}` : ''} points`)));
      this.root.dataset.points = lines.reduce((n, l) => n + l.s.steps.length, 0);
    }

    // New rows for one run's metric (live stream): appended after the last step the chart has.
    append(runId, metric, rows) {
      const run = this.runs.find(r => r.id === runId);
      const s = run && run.series[metric];
      if (!s || !this.panel.curves.some(c => c.metric === metric)) return false;
      const last = s.steps.length ? s.steps[s.steps.length - 1] : -Infinity;
      let added = 0;
      rows.steps.forEach((x, i) => {
        if (x <= last) return;
        s.steps.push(x);
        s.values.push(rows.values[i]);
        if (s.se) s.se.push(rows.se ? rows.se[i] : null);
        added++;
      });
      s.total += added;
      return added > 0;
    }

    redraw() {
      const lines = this.lines();
      const { columns, extra, thresholds } = this.data(lines);
      const data = [...columns];
      for (const e of extra) data.push(e.hi, e.lo);
      for (const t of thresholds) data.push(t.y);
      if (data.length !== this.plot.series.length) return this.draw();
      this.plot.setData(data);
      this.showCounts(lines);
    }

    destroy() { this.plot && this.plot.destroy(); this.root.remove(); }
  }

  // Fetches the series of a run (all metrics, thinned to `points` each) into {metric: series}.
  async function fetchSeries(runId, points) {
    const body = await SE.api(`/api/runs/${runId}/metrics?points=${points}`);
    const series = {};
    for (const s of body.series) series[s.name] = { steps: s.steps, values: s.values, se: s.se, total: s.total, last: s.last_step };
    return series;
  }

  return { panelsFor, Chart, fetchSeries };
})();
