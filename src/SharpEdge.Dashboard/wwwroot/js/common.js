// Shared helpers of every page: API calls, element building, number formats, the "ready" marker tests wait for.
'use strict';

const SE = (() => {
  async function api(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
    return body;
  }

  // el('a', {href: '/x', class: 'y'}, 'text', child...)
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function num(value, digits = 4) {
    if (value === null || value === undefined || Number.isNaN(value)) return '–';
    if (typeof value !== 'number') return String(value);
    if (value === 0) return '0';
    const a = Math.abs(value);
    if (a >= 1e5 || a < 1e-3) return value.toExponential(digits - 1);
    return Number(value.toPrecision(digits)).toString();
  }

  const int = value => value === null || value === undefined ? '–' : Number(value).toLocaleString('en-US');

  function seconds(s) {
    if (s === null || s === undefined) return '–';
    if (s < 120) return `${s.toFixed(1)} s`;
    if (s < 7200) return `${(s / 60).toFixed(1)} min`;
    return `${(s / 3600).toFixed(1)} h`;
  }

  const time = text => text ? text.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC') : '–';
  const badge = status => el('span', { class: `badge ${status}` }, status);
  const query = () => new URLSearchParams(location.search);

  // Tests and the benchmark wait for data-ready; sharpedgeRenderMs is the time since navigation start.
  function ready() {
    window.sharpedgeRenderMs = performance.now();
    document.body.dataset.ready = '1';
  }

  function fail(error) {
    const main = document.querySelector('main');
    main.prepend(el('p', { class: 'error card', id: 'error' }, String(error.message || error)));
    document.body.dataset.ready = 'error';
  }

  function nav(active) {
    for (const a of document.querySelectorAll('header.top a[data-nav]'))
      if (a.dataset.nav === active) a.classList.add('active');
  }

  return { api, el, num, int, seconds, time, badge, query, ready, fail, nav };
})();
