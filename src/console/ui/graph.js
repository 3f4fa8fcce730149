// The topology graph: each sub-topology's nodes in columns by their depth from the sources, drawn
// as SVG boxes with arrows to their successors. Names are SVG text nodes, never markup.
import { html } from '/vendor/preact.js';

const BOX_W = 220;
const BOX_H = 44;
const GAP_X = 60;
const GAP_Y = 18;

/** Column (depth) and row of each node of a sub-topology. */
export function layout(nodes) {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const depth = new Map();
  const depthOf = (name, seen = new Set()) => {
    if (depth.has(name)) return depth.get(name);
    if (seen.has(name)) return 0;
    seen.add(name);
    const node = byName.get(name);
    const preds = (node?.predecessors ?? []).filter((p) => byName.has(p));
    const d = preds.length === 0 ? 0 : 1 + Math.max(...preds.map((p) => depthOf(p, seen)));
    depth.set(name, d);
    return d;
  };
  const columns = [];
  for (const n of nodes) {
    const d = depthOf(n.name);
    columns[d] ??= [];
    columns[d].push(n.name);
  }
  const place = new Map();
  columns.forEach((names, col) => {
    names.forEach((name, row) => {
      place.set(name, { x: col * (BOX_W + GAP_X), y: row * (BOX_H + GAP_Y) });
    });
  });
  const width = columns.length * (BOX_W + GAP_X);
  const height = Math.max(...columns.map((c) => c.length)) * (BOX_H + GAP_Y);
  return { place, width, height };
}

function detail(node) {
  if (node.type === 'Source') return node.topicPattern ?? (node.topics ?? []).join(', ');
  if (node.type === 'Sink') return node.topic ?? node.extractor ?? '';
  return (node.stores ?? []).length > 0 ? `stores: ${node.stores.join(', ')}` : '';
}

export function TopologyGraph({ subtopologies }) {
  return html`<div class="graphs">
    ${subtopologies.map((sub) => {
      const { place, width, height } = layout(sub.nodes);
      return html`<figure class="subtopology">
        <figcaption>Sub-topology ${sub.id}${sub.global ? ' (global store)' : ''}</figcaption>
        <svg width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} role="img">
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
              <path d="M 0 0 L 10 5 L 0 10 z" />
            </marker>
          </defs>
          ${sub.nodes.flatMap((n) =>
            n.successors
              .filter((s) => place.has(s))
              .map((s) => {
                const a = place.get(n.name);
                const b = place.get(s);
                return html`<line class="edge" x1=${a.x + BOX_W} y1=${a.y + BOX_H / 2} x2=${b.x} y2=${b.y + BOX_H / 2} marker-end="url(#arrow)" />`;
              }),
          )}
          ${sub.nodes.map((n) => {
            const p = place.get(n.name);
            return html`<g class=${`node ${n.type.toLowerCase()}`} transform=${`translate(${p.x},${p.y})`}>
              <rect width=${BOX_W} height=${BOX_H} rx="6" />
              <text x="8" y="18">${n.name}</text>
              <text x="8" y="35" class="detail">${detail(n)}</text>
            </g>`;
          })}
        </svg>
      </figure>`;
    })}
  </div>`;
}
