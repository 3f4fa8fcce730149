// The console's pages. Everything shown from the data (names, keys, values, headers, schemas) goes
// through Preact's text nodes: none of it is ever parsed as HTML.
import { html, useEffect, useRef, useState } from '/vendor/preact.js';
import uPlot from '/vendor/uplot.js';
import { TopologyGraph } from '/graph.js';

// ---- helpers -------------------------------------------------------------------------------------

/** Calls the console's API; a non-2xx answer throws an Error with the server's message. */
export async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    data = text;
  }
  if (!res.ok) {
    const message = data && typeof data === 'object' ? (data.message ?? data.error) : String(data);
    const err = new Error(`${message} (${res.status}${data?.error ? ` ${data.error}` : ''})`);
    err.status = res.status;
    throw err;
  }
  return data;
}

/** Loads `path` (again when `deps` change or `reload()` is called): `{ data, error, reload }`. */
function useApi(path, deps = []) {
  const [state, setState] = useState({ data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    if (path === null) return undefined;
    api(path)
      .then((data) => live && setState({ data, error: null }))
      .catch((error) => live && setState({ data: null, error }));
    return () => {
      live = false;
    };
  }, [path, tick, ...deps]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

function ErrorBox({ error }) {
  return error ? html`<p class="error" role="alert">${error.message}</p>` : null;
}

function Loading({ state }) {
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  return html`<p class="muted">Loading…</p>`;
}

const enc = encodeURIComponent;

export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

const fmtNum = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en'));
const fmtTime = (ms) => (ms === null || ms === undefined || ms < 0 ? '—' : new Date(ms).toISOString());

/** A uPlot line chart of `series` ({ label, values }) over `times` (ms). */
function Chart({ times, series, title }) {
  const box = useRef(null);
  useEffect(() => {
    if (box.current === null || times.length === 0) return undefined;
    const plot = new uPlot(
      {
        title,
        width: Math.max(320, box.current.clientWidth || 640),
        height: 200,
        series: [
          {},
          ...series.map((s, i) => ({ label: s.label, stroke: ['#2563eb', '#16a34a', '#dc2626', '#9333ea'][i % 4] })),
        ],
        axes: [{}, { size: 70 }],
      },
      [times.map((t) => t / 1000), ...series.map((s) => s.values)],
      box.current,
    );
    return () => plot.destroy();
  }, [JSON.stringify(times), JSON.stringify(series)]);
  return html`<div class="chart" ref=${box}>${times.length === 0 ? html`<p class="muted">No samples yet.</p>` : null}</div>`;
}

function Field({ field }) {
  if (field.text === null) return html`<span class="null">null</span>`;
  let text = field.text;
  if (
    field.format === 'json' ||
    field.format === 'avro' ||
    field.format === 'protobuf' ||
    field.format === 'json-schema'
  ) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // shown as it came
    }
  }
  return html`<span class="field">
    <span class="format">${field.format}${field.schemaId === undefined ? '' : ` #${field.schemaId}`}</span>
    <pre>${text}${field.truncated ? '…' : ''}</pre>
  </span>`;
}

// ---- overview ------------------------------------------------------------------------------------

export function OverviewPage() {
  const state = useApi('/api/overview');
  useEffect(() => {
    const t = setInterval(state.reload, 5000);
    return () => clearInterval(t);
  }, []);
  const o = state.data;
  if (o === null) return html`<${Loading} state=${state} />`;
  const cards = [
    ['Topics', fmtNum(o.topics), '#/topics'],
    ['Partitions', fmtNum(o.partitions), '#/topics'],
    ['Records', fmtNum(o.records), '#/topics'],
    ['On disk', fmtBytes(o.sizeBytes), '#/topics'],
    ['Consumer groups', fmtNum(o.groups), '#/groups'],
    ['Schemas', o.subjects === null ? 'no registry' : fmtNum(o.subjects), '#/schemas'],
    ['Streams apps', fmtNum(o.streams), '#/streams'],
  ];
  return html`<h1>Overview</h1>
    <div class="cards">${cards.map(([label, value, href]) => html`<a class="card" href=${href}><b>${value}</b><span>${label}</span></a>`)}</div>
    <h2>Records per second</h2>
    <${Chart}
      title="produce and consume rates"
      times=${o.rates.map((r) => r.at)}
      series=${[{ label: 'in', values: o.rates.map((r) => r.in) }, { label: 'out', values: o.rates.map((r) => r.out) }]}
    />`;
}

// ---- topics --------------------------------------------------------------------------------------

export function TopicsPage({ query, info }) {
  const filter = query.get('filter') ?? '';
  const sort = query.get('sort') ?? 'name';
  const internal = query.get('internal') === 'true';
  const from = Number(query.get('from') ?? 0) || 0;
  const state = useApi(
    `/api/topics?filter=${enc(filter)}&sort=${enc(sort)}&internal=${internal}&limit=${PAGE}&offset=${from}`,
  );
  const setQuery = (changes) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) q.set(k, v);
    if (!('from' in changes)) q.delete('from');
    location.hash = `#/topics?${q}`;
  };
  const total = state.data?.total ?? 0;
  const go = (at) => (e) => {
    e.preventDefault();
    setQuery({ from: String(at) });
  };
  const pager =
    total > PAGE
      ? html`<p class="pager">
          ${from > 0 ? html`<a href="#" id="topics-prev" onClick=${go(Math.max(0, from - PAGE))}>← previous</a>` : null}
          <span>${fmtNum(from + 1)}–${fmtNum(Math.min(total, from + PAGE))} of ${fmtNum(total)}</span>
          ${from + PAGE < total ? html`<a href="#" id="topics-next" onClick=${go(from + PAGE)}>next →</a>` : null}
        </p>`
      : null;
  return html`<h1>Topics</h1>
    <div class="toolbar">
      <input type="search" placeholder="Filter topics" value=${filter} onChange=${(e) => setQuery({ filter: e.target.value })} />
      <label><input type="checkbox" checked=${internal} onChange=${(e) => setQuery({ internal: String(e.target.checked) })} /> internal</label>
      <select value=${sort} onChange=${(e) => setQuery({ sort: e.target.value })}>
        <option value="name">by name</option>
        <option value="partitions">by partitions</option>
        <option value="records">by records</option>
        <option value="sizeBytes">by size</option>
      </select>
    </div>
    ${info.readOnly ? null : html`<${CreateTopic} onCreated=${state.reload} />`}
    ${
      state.data === null
        ? html`<${Loading} state=${state} />`
        : html`<p class="muted">${fmtNum(state.data.total)} topics</p>
          ${pager}
          <table>
            <thead><tr><th>Topic</th><th>Partitions</th><th>Records</th><th>Size</th><th>Cleanup policy</th><th>Last write</th></tr></thead>
            <tbody>
              ${state.data.topics.map(
                (t) => html`<tr>
                  <td><a href=${`#/topics/${enc(t.name)}`}>${t.name}</a></td>
                  <td class="num">${fmtNum(t.partitions)}</td>
                  <td class="num">${fmtNum(t.records)}</td>
                  <td class="num">${fmtBytes(t.sizeBytes)}</td>
                  <td>${t.cleanupPolicy}</td>
                  <td>${fmtTime(t.lastWrite)}</td>
                </tr>`,
              )}
            </tbody>
          </table>
          ${pager}`
    }`;
}

/** Topics per page of the list. */
const PAGE = 500;

function CreateTopic({ onCreated }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const configs = {};
    for (const line of String(form.get('configs')).split('\n')) {
      const [name, ...rest] = line.split('=');
      if (name.trim() !== '') configs[name.trim()] = rest.join('=').trim();
    }
    try {
      await api('/api/topics', {
        method: 'POST',
        body: { topic: form.get('topic'), numPartitions: Number(form.get('partitions')), configs },
      });
      setError(null);
      e.target.reset();
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return html`<details class="panel"><summary>Create a topic</summary>
    <form onSubmit=${submit} id="create-topic">
      <label>Name <input name="topic" required /></label>
      <label>Partitions <input name="partitions" type="number" min="1" value="1" /></label>
      <label>Configs (name=value per line) <textarea name="configs" rows="3"></textarea></label>
      <button type="submit">Create</button>
      <${ErrorBox} error=${error} />
    </form>
  </details>`;
}

export function TopicPage({ topic, info }) {
  const state = useApi(`/api/topics/${enc(topic)}`);
  const [error, setError] = useState(null);
  const t = state.data;
  if (t === null) return html`<h1>${topic}</h1><${Loading} state=${state} />`;
  const editConfig = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const value = String(form.get('value'));
    try {
      await api(`/api/topics/${enc(topic)}/configs`, {
        method: 'PUT',
        body: { configs: { [form.get('name')]: value === '' ? null : value } },
      });
      setError(null);
      state.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    const typed = prompt(`Type the topic's name to delete it: ${topic}`);
    if (typed === null) return;
    try {
      await api(`/api/topics/${enc(topic)}`, { method: 'DELETE', body: { confirm: typed } });
      location.hash = '#/topics';
    } catch (err) {
      setError(err);
    }
  };
  return html`<h1>${topic}</h1>
    <p><a href=${`#/topics/${enc(topic)}/messages?from=end`}>Messages</a> · ${fmtNum(t.records)} records · ${fmtBytes(t.sizeBytes)} · ${t.cleanupPolicy}</p>
    <h2>Partitions</h2>
    <table>
      <thead><tr><th>Partition</th><th>Log start</th><th>High watermark</th><th>Last stable offset</th><th>Size</th></tr></thead>
      <tbody>${t.partitionList.map(
        (p) => html`<tr>
          <td><a href=${`#/topics/${enc(topic)}/messages?partition=${p.partition}&from=beginning`}>${p.partition}</a></td>
          <td class="num">${fmtNum(p.logStartOffset)}</td><td class="num">${fmtNum(p.highWatermark)}</td>
          <td class="num">${fmtNum(p.lastStableOffset)}</td><td class="num">${fmtBytes(p.sizeBytes)}</td>
        </tr>`,
      )}</tbody>
    </table>
    <h2>Configs</h2>
    <table class="configs">
      <thead><tr><th>Name</th><th>Value</th><th></th></tr></thead>
      <tbody>${t.configs.map(
        (c) =>
          html`<tr class=${c.override ? 'override' : ''}><td>${c.name}</td><td>${c.value}</td><td>${c.override ? 'set on topic' : 'default'}</td></tr>`,
      )}</tbody>
    </table>
    ${
      info.readOnly
        ? null
        : html`<form class="inline" onSubmit=${editConfig} id="edit-config">
            <select name="name">${t.configs.map((c) => html`<option value=${c.name}>${c.name}</option>`)}</select>
            <input name="value" placeholder="new value (empty: default)" />
            <button type="submit">Set</button>
          </form>
          <p><button class="danger" onClick=${remove}>Delete topic…</button></p>`
    }
    <${ErrorBox} error=${error} />`;
}

// ---- messages ------------------------------------------------------------------------------------

export function MessagesPage({ topic, query, info }) {
  const params = new URLSearchParams(query);
  if (!params.has('from')) params.set('from', 'end');
  params.set('limit', params.get('limit') ?? '50');
  const path = `/api/topics/${enc(topic)}/messages?${params}`;
  const state = useApi(path);
  const [extra, setExtra] = useState([]);
  const [next, setNext] = useState(null);
  const [tail, setTail] = useState(null);
  const [live, setLive] = useState([]);
  useEffect(() => {
    setExtra([]);
    setNext(null);
  }, [path]);
  useEffect(() => () => tail?.close(), [tail]);
  const go = (changes) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v === '' || v === null) q.delete(k);
      else q.set(k, v);
    }
    location.hash = `#/topics/${enc(topic)}/messages?${q}`;
  };
  const more = async () => {
    const cursor = next ?? state.data.next;
    const q = new URLSearchParams(params);
    q.set('next', cursor);
    const page = await api(`/api/topics/${enc(topic)}/messages?${q}`);
    setExtra((e) => [...e, ...page.records]);
    setNext(page.next);
  };
  const follow = () => {
    if (tail !== null) {
      tail.close();
      setTail(null);
      return;
    }
    const partition = query.get('partition');
    const source = new EventSource(
      `/api/topics/${enc(topic)}/tail${partition === null ? '' : `?partition=${enc(partition)}`}`,
    );
    source.addEventListener('record', (e) => setLive((l) => [...l.slice(-499), JSON.parse(e.data)]));
    setTail(source);
  };
  const submitSearch = (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    go({
      partition: form.get('partition'),
      from: form.get('from'),
      offset: form.get('from') === 'offset' ? form.get('at') : '',
      timestamp: form.get('from') === 'timestamp' ? form.get('at') : '',
      q: form.get('q'),
    });
  };
  const records = state.data === null ? [] : [...state.data.records, ...extra];
  return html`<h1>Messages of <a href=${`#/topics/${enc(topic)}`}>${topic}</a></h1>
    <form class="toolbar" onSubmit=${submitSearch} id="browse">
      <label>Partition <input name="partition" placeholder="all" value=${query.get('partition') ?? ''} size="4" /></label>
      <label>From <select name="from" value=${params.get('from')}>
        <option value="beginning">the beginning</option><option value="end">the end</option>
        <option value="offset">an offset</option><option value="timestamp">a timestamp</option>
      </select></label>
      <input name="at" placeholder="offset or time" value=${query.get('offset') ?? query.get('timestamp') ?? ''} size="14" />
      <input name="q" type="search" placeholder="Search keys and values" value=${query.get('q') ?? ''} />
      <button type="submit">Show</button>
      <button type="button" id="follow" onClick=${follow}>${tail === null ? 'Follow live' : 'Stop following'}</button>
    </form>
    ${info.readOnly ? null : html`<${ProduceForm} topic=${topic} onSent=${state.reload} />`}
    ${state.error ? html`<${ErrorBox} error=${state.error} />` : null}
    ${tail === null && live.length === 0 ? null : html`<h2>Live</h2><${RecordTable} records=${live} />`}
    <${RecordTable} records=${records} />
    ${state.data !== null && records.length > 0 ? html`<button onClick=${more}>More</button>` : null}`;
}

function RecordTable({ records }) {
  if (records.length === 0) return html`<p class="muted">No records.</p>`;
  return html`<table class="records">
    <thead><tr><th>Partition</th><th>Offset</th><th>Timestamp</th><th>Key</th><th>Value</th><th>Headers</th></tr></thead>
    <tbody>${records.map(
      (r) => html`<tr>
        <td class="num">${r.partition}</td><td class="num">${r.offset}</td><td>${fmtTime(r.timestamp)}</td>
        <td><${Field} field=${r.key} /></td><td><${Field} field=${r.value} /></td>
        <td>${r.headers.map((h) => html`<div><b>${h.key}</b>: <${Field} field=${h.value} /></div>`)}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function ProduceForm({ topic, onSent }) {
  const [result, setResult] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const headers = {};
    for (const line of String(form.get('headers')).split('\n')) {
      const [name, ...rest] = line.split('=');
      if (name.trim() !== '') headers[name.trim()] = rest.join('=');
    }
    try {
      const key = String(form.get('key'));
      const sent = await api(`/api/topics/${enc(topic)}/messages`, {
        method: 'POST',
        body: {
          key: key === '' ? null : key,
          value: String(form.get('value')),
          valueFormat: form.get('valueFormat'),
          headers,
          partition: form.get('partition'),
        },
      });
      setResult({ ok: `Sent to partition ${sent.partition} at offset ${sent.offset}` });
      onSent();
    } catch (err) {
      setResult({ error: err });
    }
  };
  return html`<details class="panel"><summary>Produce a record</summary>
    <form onSubmit=${submit} id="produce">
      <label>Key <input name="key" /></label>
      <label>Partition <input name="partition" placeholder="by key" size="4" /></label>
      <label>Value <textarea name="value" rows="3"></textarea></label>
      <label>Value as <select name="valueFormat">
        <option value="string">text, as typed</option>
        <option value="schema">JSON, written with the topic's value schema (registry)</option>
      </select></label>
      <label>Headers (name=value per line) <textarea name="headers" rows="2"></textarea></label>
      <button type="submit">Send</button>
      ${result?.ok ? html`<p class="ok">${result.ok}</p>` : null}
      <${ErrorBox} error=${result?.error} />
    </form>
  </details>`;
}

// ---- groups --------------------------------------------------------------------------------------

export function GroupsPage() {
  const state = useApi('/api/groups');
  if (state.data === null) return html`<h1>Consumer groups</h1><${Loading} state=${state} />`;
  return html`<h1>Consumer groups</h1>
    ${state.data.groups.length === 0 ? html`<p class="muted">No groups.</p>` : null}
    <table>
      <thead><tr><th>Group</th><th>State</th><th>Members</th><th>Topics</th><th>Lag</th></tr></thead>
      <tbody>${state.data.groups.map(
        (g) => html`<tr>
          <td><a href=${`#/groups/${enc(g.groupId)}`}>${g.groupId}</a></td><td>${g.state}</td>
          <td class="num">${g.members}</td><td>${g.topics.join(', ')}</td><td class="num">${fmtNum(g.lag)}</td>
        </tr>`,
      )}</tbody>
    </table>`;
}

export function GroupPage({ group, info }) {
  const state = useApi(`/api/groups/${enc(group)}`);
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const t = setInterval(state.reload, 2000);
    return () => clearInterval(t);
  }, []);
  const g = state.data;
  if (g === null) return html`<h1>${group}</h1><${Loading} state=${state} />`;
  const reset = async (e, apply) => {
    e.preventDefault();
    const form = new FormData(e.target.form ?? e.target);
    try {
      const answer = await api(`/api/groups/${enc(group)}/reset`, {
        method: 'POST',
        body: { topic: form.get('topic'), to: form.get('to'), value: form.get('value'), apply },
      });
      setPreview(answer);
      setError(null);
      if (apply) state.reload();
    } catch (err) {
      setError(err);
    }
  };
  const topics = [...new Set(g.partitions.map((p) => p.topic))];
  return html`<h1>${group}</h1>
    <p>State <b>${g.state}</b> · ${g.members.length} members · total lag <b id="total-lag">${fmtNum(g.totalLag)}</b></p>
    <h2>Members</h2>
    <table>
      <thead><tr><th>Member</th><th>Client</th><th>Host</th><th>Assignment</th></tr></thead>
      <tbody>${g.members.map(
        (m) => html`<tr><td>${m.memberId}</td><td>${m.clientId}</td><td>${m.clientHost}</td>
          <td>${Object.entries(m.assignment).map(([t, ps]) => html`<div>${t}: ${ps.join(', ')}</div>`)}</td></tr>`,
      )}</tbody>
    </table>
    <h2>Offsets and lag</h2>
    <table>
      <thead><tr><th>Topic</th><th>Partition</th><th>Committed</th><th>End</th><th>Lag</th><th>Member</th></tr></thead>
      <tbody>${g.partitions.map(
        (
          p,
        ) => html`<tr><td>${p.topic}</td><td class="num">${p.partition}</td><td class="num">${fmtNum(p.committed)}</td>
          <td class="num">${fmtNum(p.end)}</td><td class="num">${fmtNum(p.lag)}</td><td>${p.member ?? ''}</td></tr>`,
      )}</tbody>
    </table>
    <h2>Lag over time</h2>
    <${Chart}
      title="total lag"
      times=${g.lagHistory.filter((p) => p.lag !== null).map((p) => p.at)}
      series=${[{ label: 'lag', values: g.lagHistory.filter((p) => p.lag !== null).map((p) => p.lag) }]}
    />
    ${
      info.readOnly
        ? null
        : html`<h2>Reset offsets</h2>
          <form class="inline" id="reset" onSubmit=${(e) => reset(e, false)}>
            <select name="topic">${topics.map((t) => html`<option value=${t}>${t}</option>`)}</select>
            <select name="to"><option value="earliest">earliest</option><option value="latest">latest</option>
              <option value="timestamp">timestamp</option><option value="offset">offset</option></select>
            <input name="value" placeholder="offset or time" />
            <button type="submit">Preview</button>
            <button type="button" class="danger" id="apply-reset" onClick=${(e) => reset(e, true)}>Apply</button>
          </form>
          ${
            preview === null
              ? null
              : html`<table id="reset-preview"><thead><tr><th>Partition</th><th>From</th><th>To</th></tr></thead>
                <tbody>${preview.partitions.map((p) => html`<tr><td>${p.partition}</td><td>${fmtNum(p.from)}</td><td>${fmtNum(p.to)}</td></tr>`)}</tbody>
                <caption>${preview.applied ? 'Applied' : 'Preview: nothing changed yet'}</caption></table>`
          }`
    }
    <${ErrorBox} error=${error} />`;
}

// ---- schemas -------------------------------------------------------------------------------------

export function SchemasPage({ info }) {
  const state = useApi(info.registry ? '/api/registry/subjects' : null, [info.registry]);
  if (!info.registry) return html`<h1>Schemas</h1><p class="muted">This console runs without a schema registry.</p>`;
  if (state.data === null) return html`<h1>Schemas</h1><${Loading} state=${state} />`;
  return html`<h1>Schemas</h1>
    ${state.data.length === 0 ? html`<p class="muted">No subjects.</p>` : null}
    <ul class="subjects">${state.data.map((s) => html`<li><a href=${`#/schemas/${enc(s)}`}>${s}</a></li>`)}</ul>`;
}

export function SchemaPage({ subject, query, info }) {
  const versions = useApi(`/api/registry/subjects/${enc(subject)}/versions`);
  const config = useApi(`/api/registry/config/${enc(subject)}?defaultToGlobal=true`);
  const list = versions.data ?? [];
  const from = query.get('from') ?? String(list.length > 1 ? list[list.length - 2] : (list[0] ?? 1));
  const to = query.get('to') ?? String(list[list.length - 1] ?? 1);
  const diff = useApi(list.length === 0 ? null : `/api/schemas/${enc(subject)}/diff?from=${enc(from)}&to=${enc(to)}`, [
    list.length,
  ]);
  const [check, setCheck] = useState(null);
  const submit = async (e, register) => {
    e.preventDefault();
    const form = new FormData(e.target.form ?? e.target);
    const body = { schema: String(form.get('schema')), schemaType: String(form.get('type')) };
    try {
      const answer = register
        ? await api(`/api/registry/subjects/${enc(subject)}/versions`, { method: 'POST', body })
        : await api(`/api/registry/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`, {
            method: 'POST',
            body,
          });
      setCheck({ answer });
      if (register) versions.reload();
    } catch (err) {
      setCheck({ error: err });
    }
  };
  const pick = (name, value) => {
    const q = new URLSearchParams(query);
    q.set(name, value);
    location.hash = `#/schemas/${enc(subject)}?${q}`;
  };
  return html`<h1>${subject}</h1>
    ${versions.error ? html`<${ErrorBox} error=${versions.error} />` : null}
    <p>Versions: ${list.join(', ')} · compatibility <b>${config.data?.compatibilityLevel ?? '…'}</b></p>
    <h2>Diff</h2>
    <div class="toolbar">
      <label>from <select value=${from} onChange=${(e) => pick('from', e.target.value)}>${list.map((v) => html`<option value=${String(v)}>${v}</option>`)}</select></label>
      <label>to <select value=${to} onChange=${(e) => pick('to', e.target.value)}>${list.map((v) => html`<option value=${String(v)}>${v}</option>`)}</select></label>
    </div>
    ${diff.error ? html`<${ErrorBox} error=${diff.error} />` : null}
    <pre class="diff" id="diff">${(diff.data?.lines ?? []).map(
      (l) => html`<span class=${l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}>${l.op} ${l.text}\n</span>`,
    )}</pre>
    <h2>Check or register a schema</h2>
    <form id="schema-check" onSubmit=${(e) => submit(e, false)}>
      <select name="type"><option>AVRO</option><option>PROTOBUF</option><option>JSON</option></select>
      <textarea name="schema" rows="8" placeholder="Paste a schema"></textarea>
      <button type="submit">Check compatibility</button>
      ${info.readOnly ? null : html`<button type="button" id="register" onClick=${(e) => submit(e, true)}>Register new version</button>`}
    </form>
    ${check?.answer ? html`<pre class="ok" id="check-result">${JSON.stringify(check.answer, null, 2)}</pre>` : null}
    <${ErrorBox} error=${check?.error} />`;
}

// ---- streams -------------------------------------------------------------------------------------

export function StreamsPage() {
  const state = useApi('/api/streams');
  if (state.data === null) return html`<h1>Streams</h1><${Loading} state=${state} />`;
  return html`<h1>Streams applications</h1>
    ${state.data.apps.length === 0 ? html`<p class="muted">No Kafka Streams application runs in this process.</p>` : null}
    <table><thead><tr><th>Application</th><th>State</th><th>Tasks</th></tr></thead>
      <tbody>${state.data.apps.map(
        (a) =>
          html`<tr><td><a href=${`#/streams/${enc(a.applicationId)}`}>${a.applicationId}</a></td><td>${a.state}</td><td class="num">${a.tasks}</td></tr>`,
      )}</tbody></table>`;
}

export function StreamsAppPage({ app }) {
  const state = useApi(`/api/streams/${enc(app)}`);
  const [entries, setEntries] = useState(null);
  const a = state.data;
  if (a === null) return html`<h1>${app}</h1><${Loading} state=${state} />`;
  const query = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    try {
      const answer = await api(`/api/streams/${enc(app)}/stores/${enc(form.get('store'))}?key=${enc(form.get('key'))}`);
      setEntries({ rows: answer.entries });
    } catch (err) {
      setEntries({ error: err });
    }
  };
  return html`<h1>${app}</h1>
    <p>State <b>${a.state}</b> · tasks ${a.tasks.join(', ') || 'none'}</p>
    <h2>Topology</h2>
    <${TopologyGraph} subtopologies=${a.topology} />
    <details><summary>As Kafka Streams prints it</summary><pre>${a.description}</pre></details>
    <h2>Lag</h2>
    <table><thead><tr><th>Topic</th><th>Partition</th><th>Committed</th><th>End</th><th>Lag</th></tr></thead>
      <tbody>${a.lag.map(
        (p) =>
          html`<tr><td>${p.topic}</td><td class="num">${p.partition}</td><td class="num">${fmtNum(p.committed)}</td><td class="num">${fmtNum(p.end)}</td><td class="num">${fmtNum(p.lag)}</td></tr>`,
      )}</tbody></table>
    <h2>Query a store</h2>
    <form class="inline" id="store-query" onSubmit=${query}>
      <select name="store">${a.stores.map((s) => html`<option value=${s}>${s}</option>`)}</select>
      <input name="key" placeholder="key (empty: first entries)" />
      <button type="submit">Query</button>
    </form>
    ${entries?.error ? html`<${ErrorBox} error=${entries.error} />` : null}
    ${
      entries?.rows
        ? html`<table id="store-entries"><thead><tr><th>Key</th><th>Value</th></tr></thead>
          <tbody>${entries.rows.map((r) => html`<tr><td>${JSON.stringify(r.key)}</td><td>${JSON.stringify(r.value)}</td></tr>`)}</tbody></table>`
        : null
    }`;
}
