// The figures (PNG) and tables (cells.csv as a table, the rest as downloads) of `phase analyze`.
'use strict';
(() => {
  const { el, api } = SE;
  SE.nav('phase');

  function csvTable(text) {
    const lines = text.trim().split(/\r?\n/).map(l => l.split(','));
    const [head, ...rows] = lines;
    return el('div', { class: 'scroll' }, el('table', { class: 'grid', dataset: { rows: rows.length } },
      el('thead', {}, el('tr', {}, head.map(h => el('th', {}, h)))),
      el('tbody', {}, rows.map(r => el('tr', {}, r.map(v => el('td', { class: 'num', title: v }, v !== '' && !isNaN(+v) ? SE.num(+v) : v)))))));
  }

  async function load() {
    try {
      const body = await api('/api/phase');
      const box = document.getElementById('folders');
      if (!body.folders.length) box.append(el('p', { class: 'card muted' }, 'No phase folders: the store has no phase runs, and none was given with --phase.'));
      for (const f of body.folders) {
        const card = el('div', { class: 'card', dataset: { folder: f.index } }, el('h2', { style: 'margin-top:0', title: f.path }, f.display));
        box.append(card);
        if (!f.served) { card.append(el('p', { class: 'muted' }, 'Outside the results folder: start serve with --phase for this folder to see it.')); continue; }
        if (!f.figures.length && !f.tables.length) card.append(el('p', { class: 'muted' }, 'No analysis yet: run `sharpedge phase analyze` on this folder.'));
        const base = `/files/phase/${f.index}`;
        if (f.tables.length)
          card.append(el('p', {}, 'tables: ', f.tables.map(t => [el('a', { href: `${base}/analysis/${encodeURIComponent(t)}` }, t), ' '])));
        if (f.tables.includes('cells.csv')) {
          const text = await (await fetch(`${base}/analysis/cells.csv`)).text();
          card.append(el('h2', {}, 'cells.csv'), csvTable(text));
        }
        if (f.figures.length)
          card.append(el('div', { class: 'figures' }, f.figures.map(n => el('figure', {},
            el('a', { href: `${base}/figures/${encodeURIComponent(n)}` }, el('img', { src: `${base}/figures/${encodeURIComponent(n)}`, alt: n, loading: 'lazy' })),
            el('figcaption', {}, n)))));
      }
      SE.ready();
    } catch (e) {
      SE.fail(e);
    }
  }

  load();
})();
