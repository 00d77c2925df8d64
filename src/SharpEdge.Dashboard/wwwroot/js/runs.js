// The runs table: filters, search, sort and pages all live in the URL and are answered by /api/runs.
'use strict';
(() => {
  const { el, api, num, int, seconds, time, badge } = SE;
  SE.nav('runs');
  const COLUMNS = [
    ['', null], ['id', 'id'], ['name', 'name'], ['status', 'status'], ['kind', 'kind'], ['model', 'model'], ['dataset', 'dataset'],
    ['lr', 'lr'], ['batch', 'batch'], ['steps', 'steps'], ['last loss', 'last_loss'], ['created', 'created'], ['time', 'seconds'], ['tags', null],
  ];
  const state = Object.fromEntries(SE.query());
  const selected = new Set();
  const table = document.getElementById('runs');
  let timer = null;

  function buildHead() {
    const row = table.tHead.rows[0];
    row.replaceChildren(...COLUMNS.map(([label, key]) => {
      const sorted = key && (state.sort || 'id') === key ? `sorted-${state.order || 'desc'}` : '';
      return el('th', {
        class: key ? `sortable ${sorted}` : '', dataset: key ? { sort: key } : {},
        onclick: key ? () => {
          state.order = (state.sort || 'id') === key && (state.order || 'desc') === 'desc' ? 'asc' : 'desc';
          state.sort = key; state.page = '1'; load();
        } : undefined,
      }, label);
    }));
  }

  function row(r) {
    const link = el('a', { href: `/runs/${r.id}` }, r.name);
    const box = el('input', { type: 'checkbox', onchange: e => { e.target.checked ? selected.add(r.id) : selected.delete(r.id); updateCompare(); } });
    box.checked = selected.has(r.id);
    return el('tr', { dataset: { runId: r.id } },
      el('td', {}, box), el('td', { class: 'num' }, el('a', { href: `/runs/${r.id}` }, r.id)), el('td', {}, link),
      el('td', {}, badge(r.status)), el('td', {}, r.kind), el('td', {}, r.model ?? '–'), el('td', {}, r.dataset ?? '–'),
      el('td', { class: 'num' }, num(r.lr)), el('td', { class: 'num' }, r.batch ?? '–'), el('td', { class: 'num' }, int(r.steps)),
      el('td', { class: 'num' }, num(r.last_loss)), el('td', {}, time(r.created)), el('td', { class: 'num' }, seconds(r.seconds)),
      el('td', {}, r.tags.map(t => el('span', { class: 'tag' }, t))));
  }

  function updateCompare() {
    const button = document.getElementById('compare');
    button.disabled = selected.size === 0;
    button.textContent = selected.size ? `compare ${selected.size} selected` : 'compare selected';
  }

  function params() {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(state)) if (v) p.set(k, v);
    return p;
  }

  async function load() {
    const p = params();
    history.replaceState(null, '', p.toString() ? `/?${p}` : '/');
    buildHead();
    try {
      const body = await api(`/api/runs?${p}`);
      const pages = Math.max(1, Math.ceil(body.total / body.size));
      table.tBodies[0].replaceChildren(...body.rows.map(row));
      if (!body.rows.length) table.tBodies[0].append(el('tr', {}, el('td', { colspan: COLUMNS.length, class: 'muted' }, 'no runs match')));
      table.dataset.total = body.total;
      table.dataset.rows = body.rows.length;
      document.getElementById('total').textContent = `${int(body.total)} run${body.total === 1 ? '' : 's'}`;
      document.getElementById('page').textContent = `page ${body.page} of ${int(pages)}`;
      document.getElementById('prev').disabled = body.page <= 1;
      document.getElementById('next').disabled = body.page >= pages;
      SE.ready();
    } catch (e) {
      SE.fail(e);
    }
  }

  async function facets() {
    const f = await api('/api/runs/facets');
    for (const select of document.querySelectorAll('#filters select')) {
      const key = select.dataset.key;
      const values = f[key] || [];
      select.replaceChildren(el('option', { value: '' }, 'all'), ...values.map(v => el('option', { value: v.value }, `${v.value} (${int(v.count)})`)));
      if (state[key] && !values.some(v => v.value === state[key])) select.append(el('option', { value: state[key] }, state[key]));
      select.value = state[key] || '';
      select.closest('label').style.display = values.length || state[key] ? '' : 'none';
      select.onchange = () => { state[key] = select.value; state.page = '1'; load(); };
    }
  }

  const search = document.getElementById('search');
  search.value = state.q || '';
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = search.value.trim(); state.page = '1'; load(); }, 250);
  });
  document.getElementById('prev').onclick = () => { state.page = String(Math.max(1, (+state.page || 1) - 1)); load(); };
  document.getElementById('next').onclick = () => { state.page = String((+state.page || 1) + 1); load(); };
  const size = document.getElementById('size');
  if (state.size) size.value = state.size;
  size.onchange = () => { state.size = size.value; state.page = '1'; load(); };
  document.getElementById('compare').onclick = () => { location.href = `/compare?ids=${[...selected].join(',')}`; };

  // statuses and new runs change while training goes on: refresh while the page is visible
  setInterval(() => { if (!document.hidden) load(); }, 5000);
  document.getElementById('live').textContent = 'refreshes every 5 s';
  Promise.all([facets(), load()]).catch(SE.fail);
})();
