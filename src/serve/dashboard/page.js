'use strict';
// optctl dashboard: reads this server's JSON routes and draws them. No library, no
// build step. Every text from the data goes in with textContent (never innerHTML), and
// the page's Content-Security-Policy allows only this script.
(() => {
  const root = document.documentElement;
  const REFRESH_SECS = Math.max(1, Number(root.dataset.refreshSecs) || 15);
  const STALE_SECS = Math.max(1, Number(root.dataset.staleAfterSecs) || 1800);
  const NEEDS_TOKEN = root.dataset.auth === 'bearer';
  const TOKEN_KEY = 'optctl.token';
  const ALERTS_URL = '/alerts?limit=1000';
  const SMILE_EXPIRIES = 6;
  // Expiries closer than this are left out of the smile by default: a 0-day expiry's
  // IV runs to several hundred percent and flattens every other curve.
  const SMILE_MIN_DAYS = 3;
  const SCANS_PAGE = 20;
  const HISTORY_PAGE = 50;
  const TZ_KEY = 'optctl.tz';
  // The zones times are shown in, and the short name written after each time.
  const ZONES = { UTC: 'UTC', 'America/New_York': 'New York', 'Asia/Kolkata': 'Kolkata' };
  const ZONE_ABBR = { UTC: 'UTC', 'America/New_York': 'ET', 'Asia/Kolkata': 'IST' };
  // No request waits longer than this: a server that does not answer shows as an error
  // (a banner, "Last try" in the header) and the next refresh tries again, instead of a
  // page that stays as it was with no sign of trouble.
  const FETCH_TIMEOUT_SECS = Math.max(10, REFRESH_SECS);
  const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];
  const $ = (id) => document.getElementById(id);

  // A link such as an alert's or a notification's:
  // `#ticker=AMD&expiry=2026-12-25&contract=AMD261225C00150000` (expiry and contract optional).
  function fromLink() {
    const p = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    const t = p.get('ticker');
    const e = p.get('expiry');
    const c = p.get('contract');
    return {
      ticker: t && /^[A-Za-z0-9._^-]{1,20}$/.test(t) ? t.toUpperCase() : null,
      expiry: e && /^\d{4}-\d\d-\d\d$/.test(e) ? e : null,
      contract: c && /^[A-Za-z0-9. ]{1,40}$/.test(c) ? c.toUpperCase() : null,
    };
  }
  // The expiry in an OCC symbol (`AMD261225C00150000` -> 2026-12-25), or null.
  function occExpiry(symbol) {
    const m = /(\d\d)(\d\d)(\d\d)[CP]\d{8}$/.exec(String(symbol || ''));
    return m ? `20${m[1]}-${m[2]}-${m[3]}` : null;
  }
  function alertLink(a) {
    const p = new URLSearchParams({ ticker: a.ticker });
    const e = a.contract ? occExpiry(a.contract) : null;
    if (e) p.set('expiry', e);
    if (a.contract) p.set('contract', a.contract);
    return '#' + p.toString();
  }
  const link0 = fromLink();
  function storedZone() {
    try {
      const z = localStorage.getItem(TZ_KEY);
      return z && ZONES[z] ? z : 'UTC';
    } catch (e) {
      return 'UTC';
    }
  }

  const state = {
    alerts: null, alertsError: null,
    sort: { key: 'score', dir: 'descending' },
    expanded: new Set(),
    filter: { detector: '', ticker: '', minScore: 0 },
    tickers: null, tickersError: null,
    // A link such as a notification's (`/#ticker=SYMBOL`) names the ticker to open.
    ticker: link0.ticker, expiry: link0.expiry, contract: link0.contract,
    // The chain is scrolled to the money (or the linked contract) once per ticker/expiry.
    centred: null,
    showShort: false, greeks: false,
    // Alerts: the export ('export') or a page of the store's last seven days ('7d').
    window: 'export', historyOffset: 0,
    scansPage: 0,
    zone: storedZone(),
    shown: null, chain: null, chainError: null, features: null,
    scans: null, scansError: null,
    health: null, netError: null,
    excelStatus: null, stocks: null, buildup: '',
    refreshes: 0,
  };

  // ---- DOM helpers --------------------------------------------------------------

  function h(tag, attrs, ...kids) {
    return build(document.createElement(tag), attrs, kids);
  }
  function svg(tag, attrs, ...kids) {
    return build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, kids);
  }
  function build(el, attrs, kids) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.setAttribute('class', v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  }
  // Re-renders a container and puts the keyboard focus back on the same control.
  function keepFocus(container, render) {
    const a = document.activeElement;
    const key = a && container.contains(a) ? a.getAttribute('data-focus') : null;
    render();
    if (key) {
      const el = container.querySelector(`[data-focus="${CSS.escape(key)}"]`);
      if (el) el.focus({ preventScroll: true });
    }
  }
  function setOptions(select, options, keep) {
    // Rebuilt only when the list changes, so an open select is not disturbed.
    const sig = JSON.stringify(options);
    if (select.dataset.sig !== sig) {
      select.dataset.sig = sig;
      select.replaceChildren(...options.map(([value, text]) => h('option', { value }, text)));
    }
    select.value = keep;
    if (select.value !== keep && options.length) select.value = options[0][0];
    return select.value;
  }

  // ---- formatting ---------------------------------------------------------------

  const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  function int(n) { return Number.isFinite(n) ? intFmt.format(n) : '—'; }
  function fixed(n, d) { return Number.isFinite(n) ? n.toFixed(d) : '—'; }
  function pct(x, d = 1) { return Number.isFinite(x) ? (x * 100).toFixed(d) + '%' : '—'; }
  function num(x) {
    if (!Number.isFinite(x)) return '—';
    if (Number.isInteger(x)) return int(x);
    return Math.abs(x) >= 100 ? x.toFixed(2) : String(Number(x.toPrecision(4)));
  }
  const zoneFmts = new Map();
  // A date's parts (year .. second) in the chosen zone.
  function zoned(d) {
    if (!zoneFmts.has(state.zone)) {
      zoneFmts.set(state.zone, new Intl.DateTimeFormat('en-CA', {
        timeZone: state.zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit',
      }));
    }
    const o = {};
    for (const p of zoneFmts.get(state.zone).formatToParts(d)) o[p.type] = p.value;
    return o;
  }
  function fmtTime(iso) {
    const d = new Date(iso);
    if (typeof iso !== 'string' || Number.isNaN(d.getTime())) return String(iso ?? '—');
    const p = zoned(d);
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${ZONE_ABBR[state.zone]}`;
  }
  function timeEl(iso) {
    return h('time', { datetime: iso }, fmtTime(iso));
  }
  function clock(d) {
    const p = zoned(d);
    return `${p.hour}:${p.minute}:${p.second} ${ZONE_ABBR[state.zone]}`;
  }
  function dur(secs) {
    const s = Math.round(secs);
    if (s < 90) return s + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 172800) return (s / 3600).toFixed(1) + ' h';
    return (s / 86400).toFixed(1) + ' days';
  }
  function ms(n) { return Number.isFinite(n) ? (n < 1000 ? Math.round(n) + ' ms' : (n / 1000).toFixed(1) + ' s') : '—'; }
  function label(key) {
    const s = String(key).replace(/_/g, ' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
  }
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
  function scalar(v) {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (typeof v === 'number') return num(v);
    if (typeof v === 'string' && ISO.test(v)) return fmtTime(v);
    if (typeof v === 'object') {
      const s = summary(v, 0);
      return s.length > 160 ? s.slice(0, 159) + '…' : s;
    }
    return String(v);
  }
  // An object or array as people write it (`a: 1, b: yes`; nested in parentheses),
  // never as JSON.
  function summary(v, depth) {
    if (v === null || typeof v !== 'object') return scalar(v);
    if (depth > 2) return '…';
    if (Array.isArray(v)) return v.length ? v.map((x) => summary(x, depth + 1)).join(', ') : 'none';
    const parts = Object.entries(v).map(([k, x]) =>
      `${label(k).toLowerCase()}: ${x !== null && typeof x === 'object' ? '(' + summary(x, depth + 1) + ')' : scalar(x)}`);
    return parts.length ? parts.join(', ') : 'none';
  }
  // A table cell's content: an object as a small key: value list, anything else as text.
  function cell(v) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
      return kv(Object.entries(v).map(([k, x]) => [label(k), scalar(x)]));
    }
    return scalar(v);
  }
  function statusEl(s) {
    return h('span', { class: 'status ' + String(s).toLowerCase().replace(/[^a-z_]/g, '') }, String(s));
  }
  // 0 -> pale yellow, 100 -> red; dark text stays readable on every step.
  function scoreColour(score) {
    const t = Math.min(1, Math.max(0, (Number(score) || 0) / 100));
    return `hsl(${Math.round(55 - 55 * t)} 90% ${Math.round(86 - 22 * t)}%)`;
  }
  function kv(pairs) {
    return h('dl', { class: 'kv' }, pairs.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))));
  }

  // ---- fetching -----------------------------------------------------------------

  class AuthError extends Error {}
  let token = sessionStorage.getItem(TOKEN_KEY) || '';
  const cache = new Map(); // url -> { etag, data }

  // GET with If-None-Match: an unchanged document costs a 304 and is not re-rendered.
  // cache: 'no-store' keeps the browser's own cache out, so a 304 reaches us as such.
  // Rejects (never hangs) when the server cannot be reached or does not answer, body
  // included, within FETCH_TIMEOUT_SECS.
  async function getJSON(url) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_SECS * 1000);
    try {
      return await fetchJSON(url, ctl.signal);
    } catch (e) {
      if (ctl.signal.aborted) throw new Error(`GET ${url}: no answer in ${FETCH_TIMEOUT_SECS} s`);
      if (e instanceof AuthError) throw e;
      throw new Error(`GET ${url}: ${e && e.message ? e.message : e}`);
    } finally {
      clearTimeout(timer);
    }
  }
  async function fetchJSON(url, signal) {
    const headers = { Accept: 'application/json' };
    const prev = cache.get(url);
    if (prev && prev.etag) headers['If-None-Match'] = prev.etag;
    if (token) headers.Authorization = 'Bearer ' + token;
    const r = await fetch(url, { headers, cache: 'no-store', credentials: 'omit', signal });
    if (r.status === 304 && prev) return { status: 200, data: prev.data, changed: false };
    if (r.status === 401) throw new AuthError('unauthorized');
    let data = null;
    try {
      data = await r.json();
    } catch (e) {
      if (signal.aborted) throw e; // cut off mid-body: not a document to keep
      data = null;
    }
    if (r.ok) {
      cache.set(url, { etag: r.headers.get('ETag'), data });
      return { status: r.status, data, changed: true };
    }
    const error = data && data.error && data.error.message ? data.error.message : `${r.status} ${r.statusText}`;
    const same = prev && prev.error === error;
    cache.set(url, { etag: null, data: null, error });
    return { status: r.status, data: null, error, changed: !same };
  }

  // ---- alerts -------------------------------------------------------------------

  function alertsUrl() {
    return state.window === '7d'
      ? `/alerts/history?since=7d&limit=${HISTORY_PAGE}&offset=${state.historyOffset}`
      : ALERTS_URL;
  }
  async function loadAlerts() {
    const url = alertsUrl();
    const r = await getJSON(url);
    if (!r.changed && state.alertsUrl === url) return false;
    if (url !== alertsUrl()) return false; // the user paged on meanwhile
    state.alertsUrl = url;
    state.alerts = r.data;
    state.alertsError = r.error || null;
    const list = alertList();
    const detectors = [...new Set(list.map((a) => a.detector_name))].sort();
    if (state.filter.detector && !detectors.includes(state.filter.detector)) detectors.push(state.filter.detector);
    setOptions($('f-detector'), [['', 'All detectors'], ...detectors.map((d) => [d, d])], state.filter.detector);
    renderAlerts();
    return true;
  }
  function alertList() {
    return (state.alerts && Array.isArray(state.alerts.alerts)) ? state.alerts.alerts : [];
  }
  function visibleAlerts() {
    const f = state.filter;
    const t = f.ticker.trim().toUpperCase();
    const rows = alertList().filter((a) =>
      (!f.detector || a.detector_name === f.detector) &&
      (!t || String(a.ticker).toUpperCase().startsWith(t)) &&
      (Number(a.score) >= f.minScore));
    const { key, dir } = state.sort;
    const sign = dir === 'ascending' ? 1 : -1;
    rows.sort((a, b) => {
      const x = a[key], y = b[key];
      let c;
      if (x === null || x === undefined) c = (y === null || y === undefined) ? 0 : 1;
      else if (y === null || y === undefined) c = -1;
      else c = sign * (typeof x === 'number' ? x - y : String(x).localeCompare(String(y)));
      return c || (b.id - a.id);
    });
    return rows;
  }
  function alertRow(a) {
    const open = state.expanded.has(a.id);
    const data = a.alert_data && typeof a.alert_data === 'object' ? a.alert_data : {};
    const summary = Object.entries(data).map(([k, v]) => `${k}: ${scalar(v)}`).join(', ');
    const pill = h('span', { class: 'score' }, fixed(Number(a.score), 1));
    pill.style.backgroundColor = scoreColour(a.score);
    const tr = h('tr', {
      'data-id': a.id, 'data-ticker': a.ticker, 'data-detector': a.detector_name, 'data-score': a.score,
      title: summary || null,
    },
    h('td', { class: 'num' }, pill),
    h('th', { scope: 'row' }, h('a', {
      href: alertLink(a), class: 'link', 'data-focus': 'ticker-' + a.id,
      'aria-label': `Show ${a.ticker} chain` + (a.contract ? ` at ${a.contract}` : ''),
      // The same link again does not change the fragment: apply it anyway.
      onclick: (e) => { if (window.location.hash === e.currentTarget.getAttribute('href')) applyLink(); },
    }, a.ticker)),
    h('td', null, a.detector_name),
    h('td', { class: 'opt' }, a.contract || '—'),
    h('td', null, timeEl(a.created_at)),
    h('td', null, h('button', {
      type: 'button', class: 'expand', 'data-focus': 'exp-' + a.id,
      'aria-expanded': open ? 'true' : 'false', 'aria-controls': 'alert-' + a.id,
      'aria-label': `${open ? 'Hide' : 'Show'} the numbers of alert ${a.id}`,
      onclick: () => { open ? state.expanded.delete(a.id) : state.expanded.add(a.id); renderAlerts(); },
    }, open ? 'Hide' : 'Details')));
    if (!open) return [tr];
    const pairs = Object.entries(data).map(([k, v]) => [label(k), scalar(v)]);
    pairs.push(['Scan', '#' + a.scan_id], ['Alert id', String(a.id)]);
    return [tr, h('tr', { class: 'details', id: 'alert-' + a.id },
      h('td', { colspan: 6 }, kv(pairs)))];
  }
  function renderAlerts() {
    const table = $('alerts-table');
    for (const th of table.tHead.rows[0].cells) {
      if (!th.dataset.sort) continue;
      th.setAttribute('aria-sort', th.dataset.sort === state.sort.key ? state.sort.dir : 'none');
    }
    const tbody = table.tBodies[0];
    const total = alertList().length;
    const rows = visibleAlerts();
    keepFocus(tbody, () => {
      if (state.alertsError) {
        tbody.replaceChildren(h('tr', null, h('td', { colspan: 6, class: 'empty error' }, state.alertsError)));
      } else if (!rows.length) {
        tbody.replaceChildren(h('tr', null, h('td', { colspan: 6, class: 'empty' },
          total ? 'No alert matches the filters.' : 'No alerts in the export.')));
      } else {
        tbody.replaceChildren(...rows.flatMap(alertRow));
      }
    });
    const at = state.alerts && state.alerts.export_timestamp;
    const hist = state.window === '7d';
    const off = state.historyOffset;
    $('alerts-count').textContent = state.alertsError ? '' : hist
      ? `${rows.length} of ${total} alerts on this page` + (rows.length !== total ? ' match the filters' : '') +
        ` · alerts ${total ? off + 1 : 0}–${off + total} of the last 7 days, from the store`
      : `${rows.length} of ${total} alerts` + (rows.length !== total ? ' match the filters' : '') +
        (at ? ` · exported ${fmtTime(at)}` : '');
    $('alerts-pager').hidden = !hist;
    $('alerts-prev').disabled = !hist || off === 0;
    $('alerts-next').disabled = !hist || !(state.alerts && state.alerts.has_more);
    $('alerts-page').textContent = hist ? `Page ${Math.floor(off / HISTORY_PAGE) + 1}` : '';
  }
  function pageAlerts(offset) {
    state.historyOffset = Math.max(0, offset);
    loadAlerts().then(() => renderAlerts()).catch(fail);
  }
  function readFilters() {
    const n = Number($('f-min-score').value);
    state.filter = {
      detector: $('f-detector').value,
      ticker: $('f-ticker').value,
      minScore: Number.isFinite(n) ? n : 0,
    };
    renderAlerts();
  }

  // ---- ticker view --------------------------------------------------------------

  async function loadTickers() {
    const r = await getJSON('/tickers');
    if (!r.changed) return false;
    state.tickers = r.data;
    state.tickersError = r.error || null;
    const names = tickerNames();
    $('ticker-list').replaceChildren(...names.map((t) => h('option', { value: t })));
    return true;
  }
  function tickerNames() {
    return (state.tickers && Array.isArray(state.tickers.tickers)) ? state.tickers.tickers.map((t) => t.ticker) : [];
  }
  // The user's pick; before one, the ticker of the highest-scoring alert.
  function currentTicker() {
    const names = tickerNames();
    if (state.ticker && names.includes(state.ticker)) return state.ticker;
    const top = alertList().filter((a) => names.includes(a.ticker))
      .sort((a, b) => b.score - a.score)[0];
    return top ? top.ticker : (names[0] || null);
  }
  // Each load of the ticker view gets a number; only the latest one draws, so a refresh
  // that was under way when the user picked another ticker cannot draw the old one.
  let tickerLoads = 0;
  async function loadTickerView(force) {
    const seq = ++tickerLoads;
    const t = currentTicker();
    setOptions($('t-ticker'), tickerNames().map((n) => [n, n]), t || '');
    if (!t) {
      state.shown = null;
      $('ticker-name').textContent = '';
      $('ticker-meta').textContent = state.tickersError || 'No chains in the export yet.';
      return;
    }
    const enc = encodeURIComponent(t);
    let snap, feat;
    try {
      [snap, feat] = await Promise.all([
        getJSON(`/options/${enc}/snapshot`), getJSON(`/features/${enc}/latest`),
      ]);
    } catch (e) {
      if (seq === tickerLoads && !(e instanceof AuthError)) $('ticker-meta').textContent = String(e.message || e);
      throw e;
    }
    if (seq !== tickerLoads) return;
    if (!force && !snap.changed && !feat.changed && state.shown === t) return;
    state.shown = t;
    state.chain = snap.data;
    state.chainError = snap.error || null;
    state.features = feat.data && feat.data.features;
    renderTicker();
  }
  function showTicker(t, expiry, contract) {
    state.ticker = t;
    state.expiry = expiry || null;
    state.contract = contract || null;
    state.centred = null;
    loadTickerView(true).catch(fail);
    const heading = $('ticker-h');
    heading.setAttribute('tabindex', '-1');
    heading.scrollIntoView({ block: 'start' });
    heading.focus({ preventScroll: true });
  }
  function daysTo(expiry, asOf) {
    return (Date.parse(expiry + 'T20:00:00Z') - Date.parse(asOf)) / 86400000;
  }
  // expiry -> sorted [{ strike, call, put }]
  function byExpiry(contracts) {
    const map = new Map();
    for (const c of contracts) {
      if (!map.has(c.expiry)) map.set(c.expiry, new Map());
      const strikes = map.get(c.expiry);
      if (!strikes.has(c.strike)) strikes.set(c.strike, { strike: c.strike, call: null, put: null });
      strikes.get(c.strike)[c.right === 'put' ? 'put' : 'call'] = c;
    }
    const out = new Map();
    for (const e of [...map.keys()].sort()) {
      out.set(e, [...map.get(e).values()].sort((a, b) => a.strike - b.strike));
    }
    return out;
  }
  const finiteIv = (c) => (c && Number.isFinite(c.iv) && c.iv > 0 ? c.iv : null);
  // The smile uses the out-of-the-money side: puts below spot, calls at and above it
  // (the other side where that one has no IV).
  function smilePoints(rows, spot) {
    const pts = [];
    for (const r of rows) {
      const [first, second] = r.strike < spot ? [r.put, r.call] : [r.call, r.put];
      const iv = finiteIv(first) ?? finiteIv(second);
      if (iv !== null) pts.push({ strike: r.strike, iv });
    }
    return pts;
  }
  function atmIv(rows, spot) {
    let best = null;
    for (const r of rows) {
      const ivs = [finiteIv(r.call), finiteIv(r.put)].filter((x) => x !== null);
      if (!ivs.length) continue;
      const d = Math.abs(r.strike - spot);
      if (!best || d < best.d) best = { d, strike: r.strike, iv: ivs.reduce((s, x) => s + x, 0) / ivs.length };
    }
    return best;
  }
  // The default expiry: the nearest with SMILE_MIN_DAYS or more left (the nearest of
  // all when none has).
  function defaultExpiry(names, asOf) {
    return names.find((e) => daysTo(e, asOf) >= SMILE_MIN_DAYS) || names[0] || '';
  }
  function renderTicker() {
    const t = state.shown;
    $('ticker-name').textContent = t || '';
    const chain = state.chain;
    const tbody = $('chain-table').tBodies[0];
    if (!chain || !Array.isArray(chain.contracts)) {
      $('ticker-meta').textContent = state.chainError || 'No chain for this ticker.';
      for (const id of ['smile', 'term', 'smile-legend', 'features']) $(id).replaceChildren();
      tbody.replaceChildren();
      return;
    }
    const spot = Number(chain.spot);
    const expiries = byExpiry(chain.contracts);
    const names = [...expiries.keys()];
    const options = names.map((e) => [e, `${e} (${Math.max(0, Math.round(daysTo(e, chain.as_of)))} d)`]);
    state.expiry = setOptions($('t-expiry'), options,
      state.expiry && names.includes(state.expiry) ? state.expiry : defaultExpiry(names, chain.as_of));
    $('ticker-meta').textContent = `Spot ${fixed(spot, 2)} · as of ${fmtTime(chain.as_of)} · scan #${chain.scan_id} · ` +
      `${int(chain.contract_count ?? chain.contracts.length)} contracts in ${names.length} expiries`;

    // Smile: the nearest expiries (those under SMILE_MIN_DAYS only when asked for),
    // plus the selected one wherever it is.
    const short = names.filter((e) => daysTo(e, chain.as_of) < SMILE_MIN_DAYS);
    $('smile-short-label').hidden = !short.length;
    $('smile-short-label').lastChild.textContent =
      ` Show ${short.length} expir${short.length === 1 ? 'y' : 'ies'} under ${SMILE_MIN_DAYS} days`;
    const shown = names.filter((e) => state.showShort || !short.includes(e)).slice(0, SMILE_EXPIRIES);
    if (state.expiry && !shown.includes(state.expiry)) shown.push(state.expiry);
    const series = shown.map((e, i) => ({
      key: e, colour: PALETTE[i % PALETTE.length], selected: e === state.expiry,
      points: smilePoints(expiries.get(e), spot).map((p) => ({
        x: p.strike, y: p.iv, title: `${e} · strike ${p.strike} · IV ${pct(p.iv)}`,
        attrs: { 'data-strike': p.strike, 'data-iv': p.iv },
      })),
    }));
    $('smile').replaceChildren(lineChart({
      id: 'smile-svg', labelledby: 'smile-cap', series, vline: spot, vlabel: 'spot',
      xfmt: (x) => num(x), yfmt: (y) => pct(y, 0), xname: 'strike', yname: 'IV',
    }));
    $('smile-legend').replaceChildren(...series.map((s) => {
      const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      sw.style.backgroundColor = s.colour;
      return h('li', { class: s.selected ? 'selected' : null }, sw, s.key, s.selected ? ' (table below)' : '');
    }));

    const term = [];
    for (const e of names) {
      const a = atmIv(expiries.get(e), spot);
      if (a) term.push({ e, days: daysTo(e, chain.as_of), ...a });
    }
    $('term').replaceChildren(lineChart({
      id: 'term-svg', labelledby: 'term-cap', xfmt: (x) => String(Math.round(x)), yfmt: (y) => pct(y, 0),
      xname: 'days to expiry', yname: 'ATM IV',
      series: [{
        key: 'atm', colour: '#0b5cad', selected: true,
        points: term.map((p) => ({
          x: p.days, y: p.iv, title: `${p.e} · ${Math.round(p.days)} d · strike ${p.strike} · IV ${pct(p.iv)}`,
          attrs: { 'data-expiry': p.e, 'data-days': p.days.toFixed(2), 'data-iv': p.iv },
        })),
      }],
    }));

    renderFeatures();
    const rows = expiries.get(state.expiry) || [];
    renderChain(rows, spot);
    renderOi(rows, spot, chain.gex);
  }
  function renderFeatures() {
    const f = state.features;
    if (!f) { $('features').replaceChildren(h('p', { class: 'meta' }, 'No features for this ticker.')); return; }
    const pairs = [
      ['Spot', fixed(f.spot, 2)], ['ATM IV (front)', pct(f.atm_iv_front)], ['ATM IV (30 d)', pct(f.atm_iv_30d)],
      ['Term slope', pct(f.term_slope, 2)], ['25Δ risk reversal', pct(f.rr25, 2)],
      ['IV rank', pct(f.iv_rank, 0)], ['IV percentile', pct(f.iv_percentile, 0)],
      ['Expected move', fixed(f.expected_move, 2)], ['Max pain', num(f.max_pain)],
      ['Call volume', int(f.call_volume)], ['Put volume', int(f.put_volume)], ['P/C volume', fixed(f.pcr_volume, 2)],
      ['Call OI', int(f.call_oi)], ['Put OI', int(f.put_oi)], ['P/C OI', fixed(f.pcr_oi, 2)],
      ['IV history', `${int(f.iv_history_n)} daily obs.`], ['Contracts', int(f.contracts)],
    ];
    const known = new Set(['ticker', 'as_of', 'spot', 'atm_iv_front', 'atm_iv_30d', 'term_slope', 'rr25', 'iv_rank',
      'iv_percentile', 'expected_move', 'max_pain', 'call_volume', 'put_volume', 'pcr_volume', 'call_oi', 'put_oi', 'pcr_oi',
      'iv_history_n', 'contracts']);
    for (const [k, v] of Object.entries(f)) if (!known.has(k)) pairs.push([label(k), scalar(v)]);
    $('features').replaceChildren(...kv(pairs).childNodes);
  }
  // The chain's columns, calls side (the puts side is the mirror image); the greeks
  // beyond delta only with the toggle.
  const CHAIN_COLS = [
    ['oi', 'OI', ''], ['vol', 'Volume', ''], ['iv', 'IV', ''], ['delta', 'Delta', ''],
    ['gamma', 'Gamma', 'greek'], ['theta', 'Theta', 'greek'], ['vega', 'Vega', 'greek'],
    ['bid', 'Bid', 'opt'], ['ask', 'Ask', 'opt'],
  ];
  function chainCols() {
    return CHAIN_COLS.filter(([, , kind]) => kind !== 'greek' || state.greeks);
  }
  function renderChainHead() {
    const cols = chainCols();
    const th = ([key, name, kind]) => h('th', { scope: 'col', class: 'num' + (kind === 'opt' ? ' opt' : ''), 'data-col': key }, name);
    $('chain-table').tHead.replaceChildren(
      h('tr', null,
        h('th', { scope: 'colgroup', colspan: cols.length, class: 'side' }, 'Calls'),
        h('td', { class: 'strike-gap' }),
        h('th', { scope: 'colgroup', colspan: cols.length, class: 'side' }, 'Puts')),
      h('tr', null, cols.map(th), h('th', { scope: 'col', class: 'num strike' }, 'Strike'), [...cols].reverse().map(th)));
  }
  function renderChain(rows, spot) {
    $('chain-h').textContent = `Chain ${state.shown} ${state.expiry || ''}`;
    renderChainHead();
    const cols = chainCols().map(([k]) => k);
    const flagged = new Map(); // contract symbol -> alerts
    for (const a of alertList()) {
      if (a.ticker === state.shown && a.contract) {
        if (!flagged.has(a.contract)) flagged.set(a.contract, []);
        flagged.get(a.contract).push(a);
      }
    }
    const atIdx = rows.findIndex((r) => r.strike >= spot);
    const greek = (x) => (Number.isFinite(x) ? (Math.abs(x) < 0.01 ? x.toFixed(4) : x.toFixed(3)) : '—');
    const side = (c, itm, order) => {
      const alerts = c ? flagged.get(c.symbol) : null;
      const cls = (extra) => [extra, itm ? 'itm' : '', alerts ? 'unusual' : ''].filter(Boolean).join(' ');
      const cells = {
        oi: h('td', { class: cls('num') }, c ? int(c.open_interest) : ''),
        vol: h('td', { class: cls('num') }, c ? int(c.volume) : ''),
        iv: h('td', { class: cls('num') }, c ? pct(c.iv) : ''),
        delta: h('td', { class: cls('num') }, c ? fixed(c.delta, 2) : ''),
        gamma: h('td', { class: cls('num greek'), 'data-col': 'gamma' }, c ? greek(c.gamma) : ''),
        theta: h('td', { class: cls('num greek'), 'data-col': 'theta' }, c ? greek(c.theta) : ''),
        vega: h('td', { class: cls('num greek'), 'data-col': 'vega' }, c ? greek(c.vega) : ''),
        bid: h('td', { class: cls('num opt') }, c ? fixed(c.bid, 2) : ''),
        ask: h('td', { class: cls('num opt') }, c ? fixed(c.ask, 2) : ''),
      };
      if (alerts) {
        const why = alerts.map((a) => `${a.detector_name} ${fixed(a.score, 1)}`).join(', ');
        cells.oi.title = why;
        cells.oi.prepend(h('span', { class: 'flag', title: why }, '⚑'), h('span', { class: 'sr-only' }, `alert (${why}) `));
      }
      return order.map((k) => cells[k]);
    };
    const tbody = $('chain-table').tBodies[0];
    if (!rows.length) {
      tbody.replaceChildren(h('tr', null, h('td', { colspan: 2 * cols.length + 1, class: 'empty' }, 'No contracts for this expiry.')));
      return;
    }
    const linked = state.contract;
    tbody.replaceChildren(...rows.map((r, i) => {
      const marked = [r.call, r.put].filter((c) => c && flagged.has(c.symbol)).map((c) => c.symbol);
      const isLinked = linked && [r.call, r.put].some((c) => c && c.symbol.replace(/ /g, '') === linked.replace(/ /g, ''));
      return h('tr', {
        'data-strike': r.strike,
        class: [i === atIdx ? 'at-spot' : '', isLinked ? 'linked' : ''].filter(Boolean).join(' ') || null,
        'data-unusual': marked.length ? marked.join(' ') : null,
        'data-linked': isLinked ? linked : null,
      },
      side(r.call, r.strike < spot, cols),
      h('th', { scope: 'row', class: 'num strike' }, num(r.strike)),
      side(r.put, r.strike > spot, [...cols].reverse()));
    }));
    // Once per ticker and expiry (not on every refresh, which would undo the user's
    // scrolling): the linked contract, or else the money, in the middle of the table.
    const key = `${state.shown} ${state.expiry} ${linked || ''}`;
    if (state.centred !== key) {
      state.centred = key;
      centreChain();
    }
  }
  function centreChain() {
    const box = $('chain-scroll');
    const row = box.querySelector('tr.linked') || box.querySelector('tr.at-spot');
    if (!row) return;
    const head = $('chain-table').tHead.offsetHeight;
    box.scrollTop = Math.max(0, row.offsetTop - head - (box.clientHeight - head - row.offsetHeight) / 2);
    box.scrollLeft = Math.max(0, (box.scrollWidth - box.clientWidth) / 2);
    if (row.classList.contains('linked')) row.scrollIntoView({ block: 'nearest' });
  }

  // Open interest by strike for the selected expiry: calls up, puts down, with max pain
  // (the strike where expiring option holders collect least), the call wall and the put
  // wall (the strikes with the most call and put OI), and gamma exposure by strike when
  // the snapshot has it (a `gex` number per contract, or a snapshot-level `gex` list of
  // {strike, gex} or map of strike -> gex for the expiry).
  function maxPain(rows) {
    let best = null;
    for (const at of rows) {
      let pay = 0;
      for (const r of rows) {
        if (r.call) pay += Math.max(0, at.strike - r.strike) * (r.call.open_interest || 0);
        if (r.put) pay += Math.max(0, r.strike - at.strike) * (r.put.open_interest || 0);
      }
      if (!best || pay < best.pay) best = { strike: at.strike, pay };
    }
    return best ? best.strike : null;
  }
  function gexByStrike(rows, gex) {
    const out = new Map();
    for (const r of rows) {
      for (const c of [r.call, r.put]) {
        if (c && Number.isFinite(c.gex)) out.set(r.strike, (out.get(r.strike) || 0) + c.gex);
      }
    }
    if (!out.size && gex && typeof gex === 'object') {
      const list = Array.isArray(gex) ? gex : (gex[state.expiry] && typeof gex[state.expiry] === 'object' ? gex[state.expiry] : gex);
      const entries = Array.isArray(list)
        ? list.filter((g) => g && (!g.expiry || g.expiry === state.expiry)).map((g) => [Number(g.strike), Number(g.gex)])
        : Object.entries(list).map(([k, v]) => [Number(k), Number(v)]);
      const strikes = new Set(rows.map((r) => r.strike));
      for (const [k, v] of entries) if (strikes.has(k) && Number.isFinite(v)) out.set(k, (out.get(k) || 0) + v);
    }
    return out;
  }
  function renderOi(rows, spot, gex) {
    const box = $('oi');
    const pts = rows.map((r) => ({ strike: r.strike, call: r.call ? r.call.open_interest || 0 : 0, put: r.put ? r.put.open_interest || 0 : 0 }));
    if (!pts.length || !pts.some((p) => p.call || p.put)) {
      box.replaceChildren(h('p', { class: 'meta' }, 'No open interest for this expiry.'));
      $('oi-meta').textContent = '';
      return;
    }
    const pain = maxPain(rows);
    const callWall = pts.reduce((a, b) => (b.call > a.call ? b : a)).strike;
    const putWall = pts.reduce((a, b) => (b.put > a.put ? b : a)).strike;
    const g = gexByStrike(rows, gex);
    const W = 600, H = g.size ? 300 : 240, L = 60, R = 14, T = 16, B = 34;
    const gH = g.size ? 60 : 0;
    const x0 = pts[0].strike, x1 = pts[pts.length - 1].strike;
    const sx = (x) => L + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (W - L - R);
    const maxOi = Math.max(1, ...pts.map((p) => Math.max(p.call, p.put)));
    const mid = T + (H - T - B - gH) / 2;
    const half = (H - T - B - gH) / 2 - 4;
    const bw = Math.max(1.5, Math.min(14, (W - L - R) / pts.length * 0.7));
    const chart = svg('svg', { id: 'oi-svg', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'oi-cap' });
    chart.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: mid, y2: mid }),
      svg('text', { x: L - 6, y: T + 8, 'text-anchor': 'end' }, 'calls'),
      svg('text', { x: L - 6, y: mid + half, 'text-anchor': 'end' }, 'puts'),
      svg('text', { x: L - 6, y: mid - half + 20, 'text-anchor': 'end' }, int(maxOi)));
    for (const v of ticks(x0, x1, 6)) {
      if (v < x0 || v > x1) continue;
      chart.append(svg('text', { x: sx(v), y: H - B + 16, 'text-anchor': 'middle' }, num(v)));
    }
    chart.append(svg('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle' }, 'strike'));
    for (const p of pts) {
      const hc = p.call / maxOi * half, hp = p.put / maxOi * half;
      chart.append(
        svg('rect', { class: 'oi-call', x: (sx(p.strike) - bw / 2).toFixed(1), y: (mid - hc).toFixed(1), width: bw.toFixed(1), height: hc.toFixed(1), 'data-strike': p.strike, 'data-oi': p.call },
          svg('title', null, `strike ${num(p.strike)} · call OI ${int(p.call)}`)),
        svg('rect', { class: 'oi-put', x: (sx(p.strike) - bw / 2).toFixed(1), y: mid.toFixed(1), width: bw.toFixed(1), height: hp.toFixed(1), 'data-strike': p.strike, 'data-oi': p.put },
          svg('title', null, `strike ${num(p.strike)} · put OI ${int(p.put)}`)));
    }
    const mark = (x, cls, text, dy) => {
      if (!Number.isFinite(x) || x < x0 || x > x1) return;
      chart.append(svg('line', { class: 'mark ' + cls, x1: sx(x), x2: sx(x), y1: T, y2: H - B - gH, 'data-strike': x }),
        svg('text', { class: 'mark-label', x: sx(x) + 3, y: T + 8 + dy }, text));
    };
    mark(spot, 'spot', 'spot', 0);
    mark(pain, 'pain', 'max pain', 12);
    mark(callWall, 'call-wall', 'call wall', 24);
    mark(putWall, 'put-wall', 'put wall', 36);
    if (g.size) {
      const gy = H - B - gH / 2;
      const gm = Math.max(...[...g.values()].map(Math.abs)) || 1;
      chart.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: gy, y2: gy }),
        svg('text', { x: L - 6, y: gy + 4, 'text-anchor': 'end' }, 'GEX'));
      for (const [k, v] of [...g.entries()].sort((a, b) => a[0] - b[0])) {
        const hh = Math.abs(v) / gm * (gH / 2 - 4);
        chart.append(svg('rect', {
          class: v >= 0 ? 'gex-pos' : 'gex-neg', x: (sx(k) - bw / 2).toFixed(1), y: (v >= 0 ? gy - hh : gy).toFixed(1),
          width: bw.toFixed(1), height: hh.toFixed(1), 'data-strike': k, 'data-gex': v,
        }, svg('title', null, `strike ${num(k)} · GEX ${num(v)}`)));
      }
    }
    box.replaceChildren(chart);
    box.dataset.maxPain = pain;
    box.dataset.callWall = callWall;
    box.dataset.putWall = putWall;
    $('oi-meta').textContent = `Max pain ${num(pain)} · call wall ${num(callWall)} · put wall ${num(putWall)}` +
      (g.size ? ' · GEX by strike below' : '');
  }

  // A line chart as inline SVG: one polyline per series, a circle per point (with its
  // numbers as data- attributes and a <title> tooltip), axes with round ticks.
  function ticks(lo, hi, n) {
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    const raw = (hi - lo) / n;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
    return out;
  }
  function lineChart(o) {
    const W = 600, H = 300, L = 52, R = 14, T = 14, B = 40;
    const all = o.series.flatMap((s) => s.points);
    const chart = svg('svg', { id: o.id, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': o.labelledby });
    if (!all.length) {
      chart.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'nodata' }, 'no IV data'));
      return chart;
    }
    let [x0, x1] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
    let [y0, y1] = [Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y))];
    if (x1 === x0) { x0 -= 1; x1 += 1; }
    const pad = (y1 - y0) * 0.08 || 0.01;
    y0 = Math.max(0, y0 - pad); y1 += pad;
    const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
    const sy = (y) => H - B - (y - y0) / (y1 - y0) * (H - T - B);
    const g = svg('g', { class: 'axes' });
    for (const v of ticks(y0, y1, 5)) {
      g.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: sy(v), y2: sy(v) }),
        svg('text', { x: L - 6, y: sy(v) + 4, 'text-anchor': 'end' }, o.yfmt(v)));
    }
    for (const v of ticks(x0, x1, 6)) {
      g.append(svg('line', { class: 'axis', x1: sx(v), x2: sx(v), y1: H - B, y2: H - B + 4 }),
        svg('text', { x: sx(v), y: H - B + 16, 'text-anchor': 'middle' }, o.xfmt(v)));
    }
    g.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }),
      svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }),
      svg('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle' }, o.xname),
      svg('text', { x: 12, y: (T + H - B) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(T + H - B) / 2})` }, o.yname));
    chart.append(g);
    if (Number.isFinite(o.vline) && o.vline >= x0 && o.vline <= x1) {
      chart.append(svg('line', { class: 'spot', x1: sx(o.vline), x2: sx(o.vline), y1: T, y2: H - B }),
        svg('text', { x: sx(o.vline) + 4, y: T + 10 }, o.vlabel));
    }
    // The selected series last, so it is drawn on top.
    const order = [...o.series].sort((a, b) => Number(a.selected) - Number(b.selected));
    for (const s of order) {
      const grp = svg('g', { 'data-series': s.key, class: s.selected ? 'selected' : null });
      if (s.points.length > 1) {
        grp.append(svg('polyline', {
          class: 'series' + (s.selected ? ' selected' : ''), stroke: s.colour,
          points: s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' '),
        }));
      }
      for (const p of s.points) {
        grp.append(svg('circle', { cx: sx(p.x).toFixed(1), cy: sy(p.y).toFixed(1), r: s.selected ? 3.5 : 2.2, fill: s.colour, ...p.attrs },
          svg('title', null, p.title)));
      }
      chart.append(grp);
    }
    return chart;
  }

  // ---- scans, health, banners -----------------------------------------------------

  async function loadScans() {
    const r = await getJSON('/scans');
    if (!r.changed) return false;
    state.scans = r.data;
    state.scansError = r.error || null;
    renderScans();
    renderBadge();
    return true;
  }
  // The data source's badge: the newest scan's provider, when it is the simulator.
  function renderBadge() {
    const scans = (state.scans && Array.isArray(state.scans.scans)) ? state.scans.scans : [];
    const sim = scans.length > 0 && scans[0].provider === 'sim';
    $('sim-badge').hidden = !sim;
  }
  function renderScans() {
    const tbody = $('scans-table').tBodies[0];
    const scans = (state.scans && Array.isArray(state.scans.scans)) ? state.scans.scans : [];
    const pages = Math.max(1, Math.ceil(scans.length / SCANS_PAGE));
    state.scansPage = Math.min(state.scansPage, pages - 1);
    const first = state.scansPage * SCANS_PAGE;
    $('scans-pager').hidden = scans.length <= SCANS_PAGE;
    $('scans-prev').disabled = state.scansPage === 0;
    $('scans-next').disabled = state.scansPage >= pages - 1;
    $('scans-page').textContent = scans.length
      ? `Scans ${first + 1}–${Math.min(first + SCANS_PAGE, scans.length)} of ${scans.length} · page ${state.scansPage + 1} of ${pages}`
      : '';
    if (!scans.length) {
      tbody.replaceChildren(h('tr', null, h('td', { colspan: 9, class: 'empty' + (state.scansError ? ' error' : '') }, state.scansError || 'No scans exported yet.')));
      return;
    }
    tbody.replaceChildren(...scans.slice(first, first + SCANS_PAGE).map((s) => {
      const errs = Array.isArray(s.errors) ? s.errors.map((e) => `${e.ticker}: ${e.error}`).join('\n') : '';
      return h('tr', { 'data-scan': s.id, 'data-status': s.status },
        h('th', { scope: 'row', class: 'num' }, '#' + s.id),
        h('td', null, timeEl(s.as_of)),
        h('td', null, statusEl(s.status)),
        h('td', { class: 'num' }, `${int(s.tickers_ok)} / ${int(s.tickers_requested)}`),
        h('td', { class: 'num', title: errs || null }, int(s.tickers_failed)),
        h('td', { class: 'num' }, int(s.contracts)),
        h('td', { class: 'num' }, int(s.alerts)),
        h('td', { class: 'num' }, ms(s.duration_ms)),
        h('td', { class: 'opt' }, s.provider || '—'));
    }));
  }
  async function loadHealth() {
    const r = await getJSON('/health');
    state.health = r.data;
  }
  function banners() {
    const out = [];
    if (state.netError) {
      out.push(['bad', 'Cannot reach optctl serve.', `${state.netError}; trying again every ${REFRESH_SECS} s.`]);
    }
    const hl = state.health;
    if (hl && hl.exports && hl.exports.files) {
      const files = Object.entries(hl.exports.files);
      for (const [name, f] of files) {
        if (f.error) out.push([f.loaded ? 'warn' : 'bad', `${name}:`, f.error + (f.loaded ? ' (serving the last good version)' : '')]);
      }
      const ages = files.map(([, f]) => f.age_seconds).filter(Number.isFinite);
      if (ages.length) {
        const newest = Math.min(...ages);
        if (newest > STALE_SECS) {
          out.push(['warn', 'Exports are stale:', `the newest export is ${dur(newest)} old (over ${dur(STALE_SECS)}). Is the optctl export job running?`]);
        }
      }
      if (hl.store && hl.store.reachable === false) out.push(['warn', 'Store unreachable:', String(hl.store.error || '')]);
    }
    const scans = state.scans && Array.isArray(state.scans.scans) ? state.scans.scans : [];
    const last = scans[0];
    if (last && (last.status === 'failed' || last.status === 'interrupted')) {
      const errs = (last.errors || []).slice(0, 3).map((e) => `${e.ticker}: ${e.error}`).join('; ');
      out.push(['bad', `The last scan ${last.status}:`, `scan #${last.id} as of ${fmtTime(last.as_of)}` + (errs ? ` — ${errs}` : '') + '.']);
    } else if (last && last.status === 'partial') {
      out.push(['warn', 'The last scan was partial:', `${last.tickers_failed} of ${last.tickers_requested} tickers failed in scan #${last.id}.`]);
    }
    return out;
  }
  function renderBanners() {
    const list = banners();
    const box = $('banners');
    const sig = JSON.stringify(list);
    if (box.dataset.sig === sig) return; // unchanged: do not announce it again
    box.dataset.sig = sig;
    box.replaceChildren(...list.map(([cls, title, text]) =>
      h('p', { class: 'banner ' + cls, 'data-kind': cls }, h('strong', null, title), text)));
  }

  // ---- excel processor ------------------------------------------------------------

  async function loadExcel() {
    const st = await getJSON('/api/v1/background/status');
    const on = st.status === 200 && st.data && st.data.runs_total > 0;
    $('excel').hidden = !on;
    document.querySelector('[data-nav=excel]').hidden = !on;
    if (!on) return;
    const stocks = await getJSON('/api/v1/stocks');
    if (!st.changed && !stocks.changed) return;
    state.excelStatus = st.data;
    state.stocks = stocks.data;
    renderExcel();
  }
  function renderExcel() {
    const s = state.excelStatus;
    const m = s.market || {};
    const run = (r) => r ? [statusEl(r.status), ` ${fmtTime(r.run_at)} · ${ms(r.duration_ms)}`] : '—';
    const pairs = [
      ['Market', [statusEl(m.open ? 'open' : 'closed'), ' ', m.local_time ? String(m.local_time).slice(0, 16).replace('T', ' ') : '']],
      ['Runs today', int(s.runs_today)], ['Runs in all', int(s.runs_total)], ['Stocks', int(s.stocks)],
      ['Last run', run(s.last_run)], ['Last processed', run(s.last_processed)],
      ['Last error', s.last_error ? [fmtTime(s.last_error.run_at), ': ', String(s.last_error.error || '')] : 'none'],
    ];
    if (m.next_open && !m.open) pairs.splice(1, 0, ['Next open', fmtTime(m.next_open)]);
    $('excel-status').replaceChildren(...kv(pairs).childNodes);
    const all = (state.stocks && Array.isArray(state.stocks.stocks)) ? state.stocks.stocks : [];
    const counts = new Map();
    for (const x of all) counts.set(x.buildup || 'unknown', (counts.get(x.buildup || 'unknown') || 0) + 1);
    const classes = [...counts.keys()].sort();
    state.buildup = setOptions($('x-buildup'),
      [['', `All classes (${all.length})`], ...classes.map((c) => [c, `${label(c)} (${counts.get(c)})`])], state.buildup);
    const rows = all.filter((x) => !state.buildup || (x.buildup || 'unknown') === state.buildup)
      .sort((a, b) => Math.abs(b.oi_change_pct ?? 0) - Math.abs(a.oi_change_pct ?? 0));
    const shown = rows.slice(0, 100);
    $('excel-count').textContent = `${shown.length} of ${rows.length} stocks, largest OI change first`;
    $('excel-table').tBodies[0].replaceChildren(...shown.map((x) => h('tr', { 'data-symbol': x.symbol },
      h('th', { scope: 'row' }, x.symbol),
      h('td', null, x.buildup ? statusEl(x.buildup) : '—'),
      h('td', { class: 'num' }, fixed(x.ltp, 2)),
      h('td', { class: 'num' }, fixed(x.change_pct, 2)),
      h('td', { class: 'num' }, int(x.oi)),
      h('td', { class: 'num' }, fixed(x.oi_change_pct, 2)),
      h('td', { class: 'num opt' }, fixed(x.volume_ratio, 2)))));
  }

  // ---- panels whose routes may not exist yet (enrichment, scheduler) --------------

  // Shown when a route answers 200 with JSON, hidden while every route is a 404. The
  // shapes are not fixed, so the JSON is drawn generically: scalars as a list of
  // fields, arrays of objects as tables, nested objects as sub-sections.
  async function loadPanel(section) {
    const routes = section.dataset.routes.split('|').map((p) => {
      const i = p.indexOf('=');
      return { label: p.slice(0, i), url: p.slice(i + 1) };
    });
    const res = await Promise.all(routes.map((r) => getJSON(r.url).then((x) => ({ ...r, x }))));
    const live = res.filter((r) => r.x.status !== 404);
    // Hidden until the job has run: the route named by data-ran answers with runs.
    const ranRoute = res.find((r) => r.url === section.dataset.ran);
    const ran = ranRoute ? hasRuns(ranRoute.x.data) : live.length > 0;
    const show = live.length > 0 && ran;
    section.hidden = !show;
    section.dataset.ranJob = ran ? 'yes' : 'no';
    document.querySelector(`[data-nav=${section.dataset.panel}]`).hidden = !show;
    if (!res.some((r) => r.x.changed) && section.dataset.zone === state.zone) return;
    section.dataset.zone = state.zone;
    section.querySelector('.panel-body').replaceChildren(...live.map((r) =>
      h('div', { class: 'block', 'data-route': r.url },
        h('h3', null, r.label),
        r.x.error ? h('p', { class: 'error' }, r.x.error) : generic(r.x.data, 0))));
  }
  // Whether a job's answer records a run: a non-empty list of runs, jobs or
  // comparisons, or a run count above zero.
  function hasRuns(v) {
    if (!v || typeof v !== 'object') return false;
    if (Array.isArray(v)) return v.length > 0;
    for (const [k, x] of Object.entries(v)) {
      if (Array.isArray(x) && /(runs|jobs|history|comparisons|items|entries)$/.test(k) && x.length) return true;
      if (typeof x === 'number' && /^(runs|jobs|total_runs|runs_total|total_jobs|jobs_total|comparisons|count|total)$/.test(k) && x > 0) return true;
    }
    return false;
  }
  function generic(v, depth) {
    if (v === null || typeof v !== 'object') return h('p', null, scalar(v));
    if (Array.isArray(v)) {
      if (!v.length) return h('p', { class: 'meta' }, 'none');
      if (v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) return objectTable(v);
      return h('p', null, v.map(scalar).join(', '));
    }
    const flat = [], nested = [];
    for (const [k, x] of Object.entries(v)) (x !== null && typeof x === 'object' && depth < 2 ? nested : flat).push([k, x]);
    const statusy = /(^|_)(status|state|health|phase)$/;
    return h('div', null,
      flat.length ? kv(flat.map(([k, x]) => [label(k), statusy.test(k) && typeof x === 'string' ? statusEl(x) : scalar(x)])) : null,
      nested.map(([k, x]) => [h(depth ? 'h5' : 'h4', null, label(k)), generic(x, depth + 1)]));
  }
  function objectTable(rows) {
    const cols = [];
    for (const r of rows.slice(0, 100)) for (const k of Object.keys(r)) if (!cols.includes(k) && cols.length < 10) cols.push(k);
    const shown = rows.slice(0, 50);
    return h('div', null,
      h('div', { class: 'scroll' }, h('table', { class: 'data' },
        h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, label(c))))),
        h('tbody', null, shown.map((r) => h('tr', null, cols.map((c) =>
          h('td', { class: typeof r[c] === 'number' ? 'num' : null },
            /(^|_)(status|state)$/.test(c) && typeof r[c] === 'string' ? statusEl(r[c]) : cell(r[c])))))))),
      rows.length > shown.length ? h('p', { class: 'meta' }, `${shown.length} of ${rows.length} rows`) : null);
  }

  // ---- refresh loop and token -----------------------------------------------------

  let timer = null;
  let running = false;
  // Asked for while one was running (Refresh now, a token): run once more after it.
  let again = false;
  let waitingForToken = false;
  function fail(e) {
    if (e instanceof AuthError) askToken(token ? 'The server refused this token.' : '');
    else console.error(e);
  }
  // One refresh at a time: a call while one runs only asks for another after it.
  async function refresh() {
    if (waitingForToken) return;
    if (running) { again = true; return; }
    running = true;
    again = false;
    clearTimeout(timer);
    try {
      const first = await Promise.allSettled([
        loadHealth(), loadAlerts(), loadScans(), loadTickers(), loadExcel(),
        ...[...document.querySelectorAll('section[data-panel]')].map(loadPanel),
      ]);
      // New alerts change the chain's marked rows even when the chain is the same.
      const alertsChanged = first[1].status === 'fulfilled' && first[1].value === true;
      const second = await Promise.allSettled([loadTickerView(alertsChanged)]);
      const failed = [...first, ...second].filter((r) => r.status === 'rejected').map((r) => r.reason);
      if (failed.some((e) => e instanceof AuthError)) {
        askToken(token ? 'The server refused this token.' : '');
        return;
      }
      state.netError = failed.length ? String(failed[0].message || failed[0]) : null;
      if (failed.length) console.error(...failed);
      // Nothing shown yet: say why in the table rather than "No alerts".
      if (first[1].status === 'rejected' && !state.alerts) {
        const why = first[1].reason;
        state.alertsError = String((why && why.message) || why);
        renderAlerts();
      }
      renderBanners();
      state.refreshes += 1;
      root.dataset.refreshes = String(state.refreshes);
      $('updated').textContent = (state.netError ? 'Last try ' : 'Updated ') + clock(new Date()) + ` · every ${REFRESH_SECS} s`;
    } finally {
      running = false;
      clearTimeout(timer);
      if (!waitingForToken) timer = setTimeout(refresh, again ? 0 : REFRESH_SECS * 1000);
    }
  }
  function askToken(message) {
    waitingForToken = true;
    clearTimeout(timer);
    root.dataset.auth = 'needed';
    $('token-form').hidden = false;
    $('token-error').textContent = message || '';
    $('updated').textContent = 'Waiting for the API token';
    $('token-input').focus();
  }
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('token-input').value.trim();
    if (!v) return;
    token = v;
    sessionStorage.setItem(TOKEN_KEY, v);
    $('token-input').value = '';
    $('token-form').hidden = true;
    $('forget-token').hidden = false;
    root.dataset.auth = 'given';
    cache.clear();
    waitingForToken = false;
    refresh();
  });
  $('forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    token = '';
    cache.clear();
    $('forget-token').hidden = true;
    askToken('');
  });
  $('refresh-now').addEventListener('click', () => refresh());

  // ---- controls (POST/PUT, with the control token) ---------------------------------

  const CONTROL_KEY = 'optctl.control';
  let controlToken = sessionStorage.getItem(CONTROL_KEY) || '';
  function showControls(message) {
    $('control-buttons').hidden = !controlToken;
    $('control-token-form').hidden = !!controlToken;
    root.dataset.controls = controlToken ? 'unlocked' : 'locked';
    if (message !== undefined) $('control-result').textContent = message;
  }
  // The body each button sends, from the fields beside it.
  function controlBody(path) {
    if (path === '/api/v1/enrichment/pause') {
      const reason = $('c-reason').value.trim();
      return reason ? { reason } : {};
    }
    if (path === '/api/v1/enrichment/trigger') {
      const symbols = $('c-symbols').value.split(',').map((s) => s.trim()).filter(Boolean);
      return symbols.length ? { symbols } : {};
    }
    return {};
  }
  async function runControl(button) {
    const [method, base] = button.dataset.control.split(' ');
    const path = base.endsWith('/') ? base + String(Number($('c-interval').value) || 0) : base;
    const label = button.textContent;
    $('control-result').textContent = `${label}…`;
    root.dataset.control = 'running';
    let status = 0;
    let data = null;
    try {
      const r = await fetch(path, {
        method,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: 'Bearer ' + controlToken },
        body: JSON.stringify(controlBody(base)),
        cache: 'no-store',
        credentials: 'omit',
      });
      status = r.status;
      try { data = await r.json(); } catch (e) { data = null; }
    } catch (e) {
      $('control-result').textContent = `${label}: ${e && e.message ? e.message : e}`;
      root.dataset.control = 'failed';
      return;
    }
    if (status === 401 || status === 403) {
      sessionStorage.removeItem(CONTROL_KEY);
      controlToken = '';
      showControls(`${label}: ${data && data.error ? data.error.message : status}`);
      root.dataset.control = 'refused';
      return;
    }
    const what = data && data.error ? data.error.message
      : data && data.status ? data.status + (data.run_id ? ` (run ${data.run_id})` : '')
      : 'done';
    $('control-result').textContent = `${label}: ${status} ${what}`;
    root.dataset.control = status < 300 ? 'done' : 'failed';
    // Show the effect: re-read every route.
    cache.clear();
    refresh();
  }
  $('control-token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('control-token').value.trim();
    if (!v) return;
    controlToken = v;
    sessionStorage.setItem(CONTROL_KEY, v);
    $('control-token').value = '';
    showControls('');
  });
  $('forget-control').addEventListener('click', () => {
    sessionStorage.removeItem(CONTROL_KEY);
    controlToken = '';
    showControls('');
  });
  for (const b of document.querySelectorAll('#control-buttons button[data-control]')) {
    b.addEventListener('click', () => runControl(b));
  }
  showControls();

  const filters = $('alert-filters');
  filters.addEventListener('input', readFilters);
  filters.addEventListener('change', readFilters);
  filters.addEventListener('submit', (e) => e.preventDefault());
  // The reset event comes before the fields are cleared.
  filters.addEventListener('reset', () => setTimeout(readFilters, 0));
  for (const th of $('alerts-table').tHead.rows[0].cells) {
    const key = th.dataset.sort;
    if (!key) continue;
    th.querySelector('button').addEventListener('click', () => {
      const same = state.sort.key === key;
      const dir = same ? (state.sort.dir === 'descending' ? 'ascending' : 'descending')
        : (key === 'score' || key === 'created_at' ? 'descending' : 'ascending');
      state.sort = { key, dir };
      renderAlerts();
    });
  }
  $('t-ticker').addEventListener('change', (e) => showTicker(e.target.value));
  function applyLink() {
    const l = fromLink();
    if (l.ticker) showTicker(l.ticker, l.expiry || occExpiry(l.contract), l.contract);
  }
  window.addEventListener('hashchange', applyLink);
  $('smile-short').addEventListener('change', (e) => { state.showShort = e.target.checked; renderTicker(); });
  $('chain-greeks').addEventListener('change', (e) => {
    state.greeks = e.target.checked;
    root.dataset.greeks = state.greeks ? 'on' : 'off';
    renderTicker();
  });
  $('scans-prev').addEventListener('click', () => { state.scansPage -= 1; renderScans(); });
  $('scans-next').addEventListener('click', () => { state.scansPage += 1; renderScans(); });
  $('alerts-window').addEventListener('change', (e) => {
    state.window = e.target.value === '7d' ? '7d' : 'export';
    state.historyOffset = 0;
    state.expanded.clear();
    loadAlerts().then(() => renderAlerts()).catch(fail);
  });
  $('alerts-prev').addEventListener('click', () => pageAlerts(state.historyOffset - HISTORY_PAGE));
  $('alerts-next').addEventListener('click', () => pageAlerts(state.historyOffset + HISTORY_PAGE));
  const tzSelect = $('tz');
  tzSelect.replaceChildren(...Object.entries(ZONES).map(([z, name]) => h('option', { value: z }, name)));
  tzSelect.value = state.zone;
  root.dataset.tz = state.zone;
  tzSelect.addEventListener('change', (e) => {
    state.zone = ZONES[e.target.value] ? e.target.value : 'UTC';
    root.dataset.tz = state.zone;
    try { localStorage.setItem(TZ_KEY, state.zone); } catch (err) { /* private mode: this tab only */ }
    // Redraw everything in the new zone: forget the ETags so every route is re-read.
    cache.clear();
    state.alertsUrl = null;
    renderAlerts();
    renderScans();
    if (state.shown) renderTicker();
    if (state.excelStatus) renderExcel();
    refresh();
  });
  $('t-expiry').addEventListener('change', (e) => { state.expiry = e.target.value; renderTicker(); });
  $('ticker-form').addEventListener('submit', (e) => e.preventDefault());
  $('x-buildup').addEventListener('change', (e) => { state.buildup = e.target.value; renderExcel(); });
  $('excel-filters').addEventListener('submit', (e) => e.preventDefault());

  root.dataset.greeks = 'off';
  renderAlerts();
  if (token) $('forget-token').hidden = false;
  if (NEEDS_TOKEN && !token) askToken('');
  else refresh();
})();
