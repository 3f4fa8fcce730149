// The console's page: a hash router over the views in views.js. Every URL is a page of its own
// (`#/topics/orders/messages?partition=0&from=beginning`), so a link can be shared.
import { html, render, useEffect, useState } from '/vendor/preact.js';
import {
  GroupPage,
  GroupsPage,
  MessagesPage,
  OverviewPage,
  SchemaPage,
  SchemasPage,
  StreamsAppPage,
  StreamsPage,
  TopicPage,
  TopicsPage,
} from '/views.js';

/** The route of a hash: its path segments (decoded) and its query. */
export function parseHash(hash) {
  const text = hash.replace(/^#/, '') || '/';
  const [path, query = ''] = text.split('?');
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  return { segments, query: new URLSearchParams(query) };
}

function page(route, info) {
  const [first, second, third] = route.segments;
  const props = { query: route.query, info };
  if (first === undefined) return html`<${OverviewPage} ...${props} />`;
  if (first === 'topics' && second === undefined) return html`<${TopicsPage} ...${props} />`;
  if (first === 'topics' && third === 'messages') return html`<${MessagesPage} topic=${second} ...${props} />`;
  if (first === 'topics') return html`<${TopicPage} topic=${second} ...${props} />`;
  if (first === 'groups' && second === undefined) return html`<${GroupsPage} ...${props} />`;
  if (first === 'groups') return html`<${GroupPage} group=${second} ...${props} />`;
  if (first === 'schemas' && second === undefined) return html`<${SchemasPage} ...${props} />`;
  if (first === 'schemas') return html`<${SchemaPage} subject=${second} ...${props} />`;
  if (first === 'streams' && second === undefined) return html`<${StreamsPage} ...${props} />`;
  if (first === 'streams') return html`<${StreamsAppPage} app=${second} ...${props} />`;
  return html`<p class="error">No page here.</p>`;
}

const NAV = [
  ['#/', 'Overview'],
  ['#/topics', 'Topics'],
  ['#/groups', 'Consumer groups'],
  ['#/schemas', 'Schemas'],
  ['#/streams', 'Streams'],
];

function App() {
  const [route, setRoute] = useState(parseHash(location.hash));
  const [info, setInfo] = useState({ readOnly: true, registry: false });
  useEffect(() => {
    const onHash = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onHash);
    fetch('/api/overview')
      .then((r) => r.json())
      .then((o) => setInfo({ readOnly: o.readOnly, registry: o.registry }))
      .catch(() => undefined);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const here = `#/${route.segments[0] ?? ''}`;
  return html`
    <header>
      <a class="brand" href="#/">Tributary</a>
      <nav>
        ${NAV.map(([href, label]) => html`<a href=${href} class=${here === href ? 'active' : ''}>${label}</a>`)}
      </nav>
      ${info.readOnly ? html`<span class="badge">read-only</span>` : null}
    </header>
    <main>${page(route, info)}</main>
  `;
}

render(html`<${App} />`, document.getElementById('app'));
