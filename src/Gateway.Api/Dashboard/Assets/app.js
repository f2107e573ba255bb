// The MSA Gateway dashboard: polls /dashboard/data every second, follows /events/stream, and acts through the admin
// API with a key kept in this tab's sessionStorage only. No framework and no build step: the gateway serves this file
// as it is. Everything shown is escaped: service names, causes and reasons come from configuration and operators.
'use strict';

(() => {
  const PollMs = 1000;
  // Rows drawn at most: with thousands of services, the filter narrows what is on screen.
  const MaxRows = 100;
  const MaxChipsPerRow = 24;
  const MaxEvents = 200;
  const KeyStorage = 'msa-gateway-admin-key';
  const EventKinds = [
    'ejected', 'recovered', 'circuit_opened', 'circuit_half_open', 'circuit_closed', 'registered', 'removed',
    'drain_started', 'drained', 'override', 'override_ended', 'config_applied', 'config_refused',
  ];
  const BadKinds = new Set(['ejected', 'circuit_opened', 'config_refused', 'removed']);
  const GoodKinds = new Set(['recovered', 'circuit_closed', 'registered', 'config_applied', 'override_ended']);

  const $ = (id) => document.getElementById(id);
  const rows = new Map();
  let data = null;
  let visible = [];
  let charted = '';
  let selected = null;
  let pollTimer = 0;
  let polling = false;
  let pollAgain = false;

  const escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => escapes[c]);
  const time = (iso) => new Date(iso).toLocaleTimeString([], { hour12: false });
  const fixed = (value, digits) => (value == null ? '–' : Number(value).toFixed(digits));

  function instanceState(instance) {
    if (instance.override) return 'out';
    if (instance.draining) return 'draining';
    if (!instance.healthy) return 'unhealthy';
    if (instance.circuit === 'open') return 'circuit-open';
    if (instance.circuit === 'half-open') return 'half-open';
    return 'healthy';
  }

  // 2: nothing can serve it; 1: part of it is out or it answers with errors; 0: fine.
  function problem(service) {
    const out = service.instances.filter((i) => !i.available).length;
    if (service.instances.length === 0 || out === service.instances.length) return 2;
    return out > 0 || service.errorRate > 0 ? 1 : 0;
  }

  function matches(service, needle) {
    if (!needle || service.name.toLowerCase().includes(needle)) return true;
    return service.instances.some((i) => i.id.toLowerCase().includes(needle));
  }

  function spark(series, classes, label) {
    const width = 120;
    const height = 28;
    let max = 0;
    for (const values of series) for (const v of values) if (v != null && v > max) max = v;
    const scale = max > 0 ? max : 1;
    const paths = series.map((values, k) => {
      const step = values.length > 1 ? width / (values.length - 1) : width;
      let d = '';
      let pen = false;
      values.forEach((v, i) => {
        if (v == null) { pen = false; return; }
        const x = (i * step).toFixed(1);
        const y = (height - 2 - (v / scale) * (height - 4)).toFixed(1);
        d += `${pen ? 'L' : 'M'}${x} ${y}`;
        pen = true;
      });
      return d ? `<path class="${classes[k]}" d="${d}"/>` : '';
    }).join('');
    return `<svg class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}"><title>${esc(label)}, highest ${esc(max.toFixed(2))}</title>${paths}</svg>`;
  }

  function chip(service, instance) {
    const state = instanceState(instance);
    let detail = `${instance.activeRequests} in flight · ${fixed(instance.rate, 1)}/s`;
    if (instance.errorRate) detail += ` · ${fixed(instance.errorRate * 100, 1)}% errors`;
    let why = instance.ejectionCause ?? '';
    if (instance.override) {
      const until = instance.override.until ? `until ${time(instance.override.until)}` : 'until restored';
      why = `out ${until} by ${instance.override.by}: ${instance.override.reason}`;
    }
    const isSelected = selected && selected.service === service.name && selected.instance === instance.id;
    return `<button type="button" class="chip${isSelected ? ' selected' : ''}" data-instance="${esc(instance.id)}" data-state="${state}" title="${esc(why)}">`
      + `<span class="dot"></span><span>${esc(instance.id)}</span> <span class="state-word">${state}</span> <small>${esc(detail)}</small>`
      + (why ? ` <small class="why">${esc(why)}</small>` : '')
      + '</button>';
  }

  function rowHtml(service) {
    const shown = service.instances.slice(0, MaxChipsPerRow).map((i) => chip(service, i)).join('');
    const hidden = service.instances.length - MaxChipsPerRow;
    const s = service.series;
    return `<td><span class="svc-name">${esc(service.name)}</span><span class="lb">${esc(service.loadBalancer)}</span></td>`
      + `<td><div class="chips">${shown}${hidden > 0 ? `<small>and ${hidden} more</small>` : ''}</div></td>`
      + `<td class="num"><span class="value">${fixed(service.rate, 1)}</span>${s ? spark([s.rate], ['rate'], 'requests per second') : ''}</td>`
      + `<td class="num"><span class="value">${service.errorRate == null ? '–' : `${fixed(service.errorRate * 100, 1)}%`}</span>${s ? spark([s.errorRate.map((v) => (v == null ? null : v * 100))], ['errors'], 'errors, percent') : ''}</td>`
      + `<td class="num"><span class="value">${fixed(service.p50, 1)} / ${fixed(service.p99, 1)}</span>${s ? spark([s.p50, s.p99], ['p50', 'p99'], 'latency p50 and p99, ms') : ''}</td>`;
  }

  function render() {
    if (!data) return;
    const needle = $('filter').value.trim().toLowerCase();
    const listed = data.services.filter((s) => matches(s, needle));
    const scores = new Map(listed.map((s) => [s.name, problem(s)]));
    listed.sort((a, b) => scores.get(b.name) - scores.get(a.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const shown = listed.slice(0, MaxRows);

    const body = $('rows');
    const keep = new Set();
    const trs = shown.map((service) => {
      keep.add(service.name);
      let row = rows.get(service.name);
      if (!row) {
        row = { tr: document.createElement('tr'), html: '' };
        row.tr.dataset.service = service.name;
        rows.set(service.name, row);
      }
      const html = rowHtml(service);
      if (html !== row.html) {
        row.tr.innerHTML = html;
        row.html = html;
      }
      const score = scores.get(service.name);
      row.tr.className = score === 2 ? 'problem' : score === 1 ? 'degraded' : '';
      return row.tr;
    });
    for (const name of rows.keys()) if (!keep.has(name)) rows.delete(name);
    const names = shown.map((s) => s.name);
    if (names.length !== visible.length || names.some((n, i) => n !== visible[i])) body.replaceChildren(...trs);
    visible = names;

    const more = $('more');
    more.hidden = listed.length <= shown.length;
    more.textContent = `Showing ${shown.length} of ${listed.length} services: type in the filter to narrow them.`;
    renderSummary();
    renderAction();
  }

  function renderSummary() {
    const services = data.services;
    let instances = 0;
    let out = 0;
    let rate = 0;
    for (const s of services) {
      instances += s.instances.length;
      out += s.instances.filter((i) => !i.available).length;
      rate += s.rate;
    }
    $('summary').textContent = `${services.length} services · ${instances} instances · ${out} out of rotation · `
      + `${rate.toFixed(1)} requests/s over the last ${data.recentSeconds} s · updated ${time(data.at)}`;
    const config = $('config');
    config.textContent = `Configuration version ${data.config.version}, loaded ${time(data.config.loadedAt)} · registry store ${data.registryStore.kind}`
      + `${data.registryStore.connected ? '' : ' (disconnected)'}`;
    if (data.config.lastError) {
      const error = document.createElement('span');
      error.className = 'error';
      error.textContent = ` · last edit refused: ${data.config.lastError}`;
      config.append(error);
    }
  }

  function findSelected() {
    if (!selected || !data) return null;
    const service = data.services.find((s) => s.name === selected.service);
    return service && service.instances.find((i) => i.id === selected.instance);
  }

  function renderAction() {
    const panel = $('action');
    const instance = findSelected();
    panel.hidden = !selected;
    if (!selected) return;
    $('action-target').textContent = `${selected.instance} of ${selected.service}`;
    $('action-state').textContent = instance
      ? `${instanceState(instance)}${instance.ejectionCause ? `: ${instance.ejectionCause}` : ''}`
      : 'no longer registered';
    const off = !data.adminApi;
    $('admin-off').hidden = !off;
    for (const id of ['take-out', 'restore', 'drain']) $(id).disabled = off || !instance;
  }

  // Sorted, so that rows changing places on screen do not count as new rows to chart.
  function seriesNames() {
    return [...visible].sort().join(',');
  }

  async function poll() {
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    clearTimeout(pollTimer);
    const asked = seriesNames();
    try {
      const response = await fetch(`/dashboard/data?series=${encodeURIComponent(asked)}`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      data = await response.json();
      charted = asked;
      setStatus(`live · ${time(data.at)}`, false);
      render();
    } catch (error) {
      setStatus(`gateway unreachable (${error.message}); retrying`, true);
    }
    polling = false;
    // An action just done, or other rows on screen (first load, a filter): fetch now rather than a second later.
    const soon = pollAgain || seriesNames() !== charted;
    pollAgain = false;
    pollTimer = setTimeout(poll, soon ? 50 : PollMs);
  }

  function setStatus(text, down) {
    const status = $('status');
    status.textContent = text;
    status.classList.toggle('down', down);
  }

  function showMessage(text, isError) {
    const message = $('message');
    message.textContent = text;
    message.classList.toggle('error', isError);
    message.hidden = false;
  }

  function followEvents() {
    const stream = new EventSource('/events/stream');
    const list = $('events');
    const add = (message) => {
      const event = JSON.parse(message.data);
      const item = document.createElement('li');
      item.dataset.kind = event.kind;
      const at = document.createElement('time');
      at.dateTime = event.at;
      at.textContent = time(event.at);
      const kind = document.createElement('span');
      kind.className = `kind${BadKinds.has(event.kind) ? ' bad' : GoodKinds.has(event.kind) ? ' good' : event.kind === 'override' ? ' out' : ''}`;
      kind.textContent = event.kind.replaceAll('_', ' ');
      const where = document.createElement('span');
      where.textContent = [event.service, event.instance].filter(Boolean).join(' / ');
      const cause = document.createElement('div');
      cause.textContent = event.cause;
      item.append(at, kind, where, cause);
      list.prepend(item);
      while (list.childElementCount > MaxEvents) list.lastElementChild.remove();
    };
    for (const kind of EventKinds) stream.addEventListener(kind, add);
  }

  async function act(action) {
    const key = sessionStorage.getItem(KeyStorage);
    if (!key) {
      showMessage('Enter the admin key first: actions go through the admin API.', true);
      return;
    }
    const { service, instance } = selected;
    const path = `/admin/services/${encodeURIComponent(service)}/instances/${encodeURIComponent(instance)}`;
    const headers = { Authorization: `Bearer ${key}` };
    let request;
    if (action === 'take-out') {
      headers['Content-Type'] = 'application/json';
      const body = JSON.stringify({ out: true, minutes: Number($('minutes').value), reason: $('reason').value.trim() });
      request = fetch(`${path}/override`, { method: 'POST', headers, body });
    } else if (action === 'restore') {
      request = fetch(`${path}/override`, { method: 'DELETE', headers });
    } else {
      request = fetch(`${path}/drain`, { method: 'POST', headers });
    }

    let response;
    try {
      response = await request;
    } catch (error) {
      showMessage(`The gateway did not answer: ${error.message}`, true);
      return;
    }
    if (response.ok) {
      const done = { 'take-out': 'taken out', restore: 'restored', drain: 'draining' }[action];
      showMessage(`${instance} of ${service}: ${done}.`, false);
      poll();
      return;
    }
    let detail = `${response.status} ${response.statusText}`;
    try {
      const problemDetails = await response.json();
      detail = `${response.status} ${problemDetails.title ?? ''}: ${problemDetails.detail ?? ''}`;
    } catch {
      // Not a problem document: the status line says enough.
    }
    if (response.status === 401 || response.status === 403) detail += ' (check the admin key)';
    showMessage(`${instance} of ${service}: ${detail}`, true);
  }

  function showKeyState() {
    const has = Boolean(sessionStorage.getItem(KeyStorage));
    $('forget-key').hidden = !has;
    $('admin-key').placeholder = has ? 'Admin key in use (this tab only)' : 'Admin key, for actions';
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('filter').addEventListener('input', () => {
      render();
      if (seriesNames() !== charted) poll();
    });
    $('rows').addEventListener('click', (event) => {
      const button = event.target.closest('button.chip');
      if (!button) return;
      selected = { service: button.closest('tr').dataset.service, instance: button.dataset.instance };
      for (const row of rows.values()) row.html = '';
      render();
    });
    $('close-action').addEventListener('click', () => {
      selected = null;
      for (const row of rows.values()) row.html = '';
      render();
    });
    $('override-form').addEventListener('submit', (event) => {
      event.preventDefault();
      act('take-out');
    });
    $('restore').addEventListener('click', () => act('restore'));
    $('drain').addEventListener('click', () => act('drain'));
    $('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const key = $('admin-key').value.trim();
      if (key) sessionStorage.setItem(KeyStorage, key);
      $('admin-key').value = '';
      showKeyState();
    });
    $('forget-key').addEventListener('click', () => {
      sessionStorage.removeItem(KeyStorage);
      showKeyState();
    });
    showKeyState();
    followEvents();
    poll();
  });
})();
