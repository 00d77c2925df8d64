// The sweeps of the store with their progress; the store has none until `sweep run` registered one.
'use strict';
(() => {
  const { el, api, int, time } = SE;
  SE.nav('sweeps');
  const STATE_COLORS = { done: '#2ca02c', running: '#1f77b4', pending: '#c7ccd1', failed: '#d62728', cancelled: '#ff9f1c' };

  function progress(states) {
    const total = Object.values(states).reduce((a, b) => a + b, 0) || 1;
    return el('div', { class: 'progress', title: Object.entries(states).map(([k, v]) => `${k}: ${v}`).join(', ') },
      ...Object.entries(STATE_COLORS).filter(([k]) => states[k]).map(([k, c]) =>
        el('div', { style: `width:${(100 * states[k] / total).toFixed(2)}%;background:${c}`, dataset: { state: k, count: states[k] } })));
  }

  async function load() {
    try {
      const body = await api('/api/sweeps');
      const table = document.getElementById('sweeps');
      if (!body.sweeps.length) {
        table.replaceChildren(el('tbody', {}, el('tr', {}, el('td', { class: 'muted' },
          body.present ? 'No sweeps registered.' : 'This store has no sweeps (run one with `sharpedge sweep run SPEC`).'))));
      } else {
        table.replaceChildren(
          el('thead', {}, el('tr', {}, ['sweep', 'command', 'backend', 'created', 'progress', 'done', 'running', 'pending', 'failed'].map(h => el('th', {}, h)))),
          el('tbody', {}, body.sweeps.map(s => el('tr', { dataset: { sweep: s.name } },
            el('td', {}, el('a', { href: `/sweeps/${encodeURIComponent(s.name)}` }, s.name)), el('td', {}, s.command), el('td', {}, s.backend),
            el('td', {}, time(s.created)), el('td', {}, progress(s.states)),
            ...['done', 'running', 'pending', 'failed'].map(k => el('td', { class: 'num' }, int(s.states[k])))))));
      }
      SE.ready();
    } catch (e) {
      SE.fail(e);
    }
  }

  window.SweepProgress = { progress, STATE_COLORS };
  load();
})();
