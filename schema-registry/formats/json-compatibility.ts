/**
 * JSON Schema compatibility: does every document the writer schema accepts also pass the reader
 * schema? Judged by comparing the two schemas keyword by keyword, after Confluent Schema Registry's
 * rules (open/closed content models, `required`, types, bounds, `enum`, combined schemas…); the
 * full list, with what is compatible in which direction, is in `JSON-COMPATIBILITY.md`.
 *
 * Every issue is `KIND: explanation`, where KIND is Confluent's difference name where it has one.
 * Paths are JSON pointers (`#/properties/age/maximum`) into the schema; `$ref`s are followed, and the
 * path stays that of the referring schema.
 */
import { TributaryError } from '../../src/errors.ts';
import type { CompatibilityIssue } from './types.ts';
import { isObject, type Json, type JsonObject, type Located, SchemaIndex } from './json-index.ts';

/** Writer and reader, each with its index of `$ref` targets and dialect. */
export interface JsonSide {
  readonly root: Located;
  /** 2019-09 and later: keywords next to `$ref` apply too (draft-07 ignores them). */
  readonly refSiblings: boolean;
}

/** Every reason `reader` may reject a document that `writer` accepts; empty when none. */
export function jsonCompatibility(reader: JsonSide, writer: JsonSide): CompatibilityIssue[] {
  const issues: CompatibilityIssue[] = [];
  try {
    new Comparison(issues, writer.refSiblings, reader.refSiblings, new SeenPairs(), newContext()).located(
      writer.root,
      reader.root,
      [],
    );
  } catch (err) {
    // Recursive unions can lead the search deeper than the stack: refused as too intricate.
    if (!(err instanceof RangeError)) throw err;
    throw new TributaryError(
      'REGISTRY_OPERATION_TIMEOUT',
      'The compatibility check went deeper than the stack allows; the schemas are too intricate to compare',
      { schemaType: 'JSON', cause: err },
    );
  }
  return issues;
}

type Path = readonly string[];

type Shape =
  | { readonly kind: 'any' }
  | { readonly kind: 'never' }
  | { readonly kind: 'typed'; readonly loc: Located; readonly node: JsonObject }
  | { readonly kind: 'sum'; readonly op: 'anyOf' | 'oneOf'; readonly parts: readonly Part[] }
  | { readonly kind: 'product'; readonly parts: readonly Part[] }
  | { readonly kind: 'not'; readonly inner: Located };

/** A piece of a combined schema and where it sits relative to the combining node. */
interface Part {
  readonly shape: Shape;
  readonly path: Path;
}

type JsonType = 'null' | 'boolean' | 'object' | 'array' | 'number' | 'integer' | 'string';

const ANY: Shape = { kind: 'any' };
const NEVER: Shape = { kind: 'never' };
const TRUE_SCHEMA = (index: SchemaIndex): Located => ({ node: true, base: '', index });

/** Keywords that never constrain a value. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$anchor',
  '$comment',
  '$defs',
  '$vocabulary',
  '$dynamicAnchor',
  '$recursiveAnchor',
  'definitions',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
]);
const COMBINATORS = new Set(['allOf', 'anyOf', 'oneOf', 'not', '$ref']);

const OBJECT_KEYWORDS = [
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'dependencies',
  'dependentRequired',
  'dependentSchemas',
  'propertyNames',
  'unevaluatedProperties',
];
const ARRAY_KEYWORDS = [
  'items',
  'prefixItems',
  'additionalItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'contains',
  'unevaluatedItems',
];
const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern', 'format'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];

/**
 * What every comparison of one check shares. Recursive schemas with `oneOf`/`anyOf` (a type whose
 * branches refer back to the union) make the branch-by-branch search exponential unless its answers
 * are remembered: `verdicts` keeps whether one shape accepts another, across branches and probes.
 * A verdict of "compatible" may rest on a recursive pair assumed compatible while still being
 * compared; when such a pair turns out not to be, the verdicts reached since it started are dropped
 * (failures never rest on assumptions and are kept).
 */
interface Context {
  readonly shapes: [WeakMap<object, Shape>, WeakMap<object, Shape>];
  readonly verdicts: Map<Shape, Map<Shape, { readonly ok: boolean; readonly at: number }>>;
  clock: number;
  /** Shape pairs compared so far; a check that needs more than {@link MAX_STEPS} is refused. */
  steps: number;
}

/**
 * How many shape pairs one check may compare. The check runs on the registry's only thread, so a
 * schema built to make it explode (unions nested in products nested in unions…) must not block
 * every other request: such a check fails with REGISTRY_OPERATION_TIMEOUT (Confluent's 50002, what
 * it answers when its request timeout interrupts the same check). Ordinary schemas, even recursive
 * ones of dozens of union branches, stay far below it.
 */
export const MAX_STEPS = 100_000;

function newContext(): Context {
  return { shapes: [new WeakMap(), new WeakMap()], verdicts: new Map(), clock: 0, steps: 0 };
}

/** Thrown by the issue list of a search that only needs to know whether there is any issue. */
const FIRST_ISSUE = Symbol('first issue');

/**
 * Pairs of schema nodes compared or being compared. A probe sees its parent's pairs and adds its own
 * on top, which vanish with it (no copy of the parent's: probes are many).
 */
class SeenPairs {
  private readonly own = new Map<object, Set<object>>();

  constructor(private readonly parent?: SeenPairs) {}

  private has(w: object, r: object): boolean {
    for (let at: SeenPairs | undefined = this; at !== undefined; at = at.parent) {
      if (at.own.get(w)?.has(r) === true) return true;
    }
    return false;
  }

  /** Adds the pair; false when it was there already. */
  add(w: object, r: object): boolean {
    if (this.has(w, r)) return false;
    let readers = this.own.get(w);
    if (readers === undefined) this.own.set(w, (readers = new Set()));
    readers.add(r);
    return true;
  }
}

class Comparison {
  constructor(
    private readonly issues: CompatibilityIssue[],
    private readonly writerRefSiblings: boolean,
    private readonly readerRefSiblings: boolean,
    /** Pairs compared or being compared (recursive schemas terminate). */
    private readonly seen: SeenPairs,
    private readonly context: Context,
    /** Only whether there is an issue matters: look at what is cheap to compare first. */
    private readonly firstOnly = false,
  ) {}

  located(writer: Located, reader: Located, path: Path): void {
    if (isObject(writer.node) && isObject(reader.node) && !hasRef(writer.node) && sameJson(writer.node, reader.node))
      return;
    this.shapes(this.shape(writer, this.writerRefSiblings), this.shape(reader, this.readerRefSiblings), path);
  }

  private shapes(w: Shape, r: Shape, path: Path): void {
    if (++this.context.steps > MAX_STEPS) {
      throw new TributaryError(
        'REGISTRY_OPERATION_TIMEOUT',
        `The compatibility check compared over ${MAX_STEPS} pairs of subschemas without finishing; the schemas are too intricate to compare`,
        { schemaType: 'JSON' },
      );
    }
    if (r.kind === 'any' || w.kind === 'never') return;
    if (r.kind === 'never') {
      this.add(path, 'TYPE_NARROWED', 'the reader schema is false and accepts nothing');
      return;
    }
    if (r.kind === 'product') {
      for (const part of r.parts) this.shapes(w, part.shape, [...path, ...part.path]);
      return;
    }
    if (w.kind === 'sum') {
      if (r.kind === 'sum' && w.op === 'anyOf' && r.op === 'oneOf' && w.parts.length > 1 && r.parts.length > 1) {
        this.add(
          [...path, 'oneOf'],
          'COMBINED_TYPE_CHANGED',
          'anyOf became oneOf: a document may match several branches',
        );
      }
      if (r.kind !== 'sum') {
        for (const part of w.parts) this.shapes(part.shape, r, path);
        return;
      }
      // As Confluent: each writer branch needs a reader branch of its own that accepts it (a
      // maximum matching between the two lists of branches), not merely some branch.
      const accepting = w.parts.map((part) =>
        r.parts.flatMap((rp, j) => (this.accepts(part.shape, rp.shape) ? [j] : [])),
      );
      maximumMatching(accepting, r.parts.length).forEach((j, i) => {
        if (j >= 0) return;
        const why = accepting[i]!.length === 0 ? 'no branch' : 'no branch left unmatched';
        this.add(
          [...path, r.op],
          'SUM_TYPE_NARROWED',
          `${why} of the reader's ${r.op} accepts the writer's ${w.op} branch ${i}`,
        );
      });
      return;
    }
    if (w.kind === 'product') {
      // Some part of the writer's allOf must be enough for the reader (remembered, first issue only).
      if (w.parts.some((part) => this.accepts(part.shape, r))) return;
      if (this.firstOnly) {
        this.add(path, 'TYPE_CHANGED', "no part of the writer's allOf is accepted by the reader");
        return;
      }
      let best: CompatibilityIssue[] | undefined;
      for (const part of w.parts) {
        const found = this.probe(part.shape, r, path);
        if (found.length === 0) return;
        if (best === undefined || found.length < best.length) best = found;
      }
      this.issues.push(...(best ?? []));
      return;
    }
    if (r.kind === 'sum') {
      if (r.parts.some((rp) => this.accepts(w, rp.shape))) return;
      if (r.parts.length === 1) this.issues.push(...this.probe(w, r.parts[0]!.shape, [...path, ...r.parts[0]!.path]));
      else this.add([...path, r.op], 'TYPE_CHANGED', `no branch of the reader's ${r.op} accepts the writer's schema`);
      return;
    }
    if (r.kind === 'not') {
      if (w.kind === 'not') {
        // The reader's `not` must exclude no more than the writer's: its schema must accept no value
        // the writer's does not. Named as Confluent names it, at the `not`.
        if (this.probeLocated(r.inner, w.inner, [...path, 'not']).length > 0) {
          this.add(
            [...path, 'not'],
            'NOT_TYPE_EXTENDED',
            'the reader excludes values with "not" that the writer allows',
          );
        }
      } else
        this.add([...path, 'not'], 'NOT_TYPE_ADDED', 'the reader excludes values with "not" that the writer allows');
      return;
    }
    if (w.kind === 'any') {
      this.add(path, 'TYPE_NARROWED', 'the reader constrains values the writer left unconstrained');
      return;
    }
    if (w.kind === 'not') {
      this.add(path, 'TYPE_CHANGED', 'the writer only excludes values ("not"); the reader constrains them');
      return;
    }
    this.typed(w.loc, w.node, r.loc, r.node, path);
  }

  /** The issues comparing a pair would raise, without raising them. */
  private probe(w: Shape, r: Shape, path: Path = []): CompatibilityIssue[] {
    const found: CompatibilityIssue[] = [];
    const seen = new SeenPairs(this.seen);
    new Comparison(found, this.writerRefSiblings, this.readerRefSiblings, seen, this.context).shapes(w, r, path);
    return found;
  }

  /**
   * Does `r` accept everything `w` does? Remembered per pair of shapes for the whole check, and
   * decided at the first issue found (the search stops there: recursive unions go deep).
   */
  private accepts(w: Shape, r: Shape): boolean {
    const verdicts = this.context.verdicts;
    let byReader = verdicts.get(w);
    if (byReader === undefined) verdicts.set(w, (byReader = new Map()));
    const known = byReader.get(r);
    if (known !== undefined) return known.ok;
    const found: CompatibilityIssue[] = [];
    found.push = (...items: CompatibilityIssue[]) => {
      if (items.length > 0) throw FIRST_ISSUE;
      return 0;
    };
    let ok = true;
    try {
      new Comparison(
        found,
        this.writerRefSiblings,
        this.readerRefSiblings,
        new SeenPairs(this.seen),
        this.context,
        true,
      ).shapes(w, r, []);
    } catch (err) {
      if (err !== FIRST_ISSUE) throw err;
      ok = false;
    }
    byReader.set(r, { ok, at: ++this.context.clock });
    return ok;
  }

  private probeLocated(w: Located, r: Located, path: Path): CompatibilityIssue[] {
    const found: CompatibilityIssue[] = [];
    const seen = new SeenPairs(this.seen);
    new Comparison(found, this.writerRefSiblings, this.readerRefSiblings, seen, this.context).located(w, r, path);
    return found;
  }

  /** A schema node seen as any/never/typed/sum/product/not, `$ref`s followed. */
  private shape(loc: Located, refSiblings: boolean, depth = 0): Shape {
    const node = loc.node;
    if (node === true) return ANY;
    if (node === false) return NEVER;
    if (!isObject(node)) return ANY;
    // One shape per node, so that verdicts about shapes are found again.
    const cache = this.context.shapes[refSiblings ? 1 : 0];
    const cached = cache.get(node);
    if (cached !== undefined) return cached;
    const shape = this.shapeOf(loc, node, refSiblings, depth);
    cache.set(node, shape);
    return shape;
  }

  private shapeOf(loc: Located, node: JsonObject, refSiblings: boolean, depth: number): Shape {
    const base = SchemaIndex.baseOf(node, loc.base);
    const here: Located = { node, base, index: loc.index };
    const parts: Part[] = [];
    const ref = node['$ref'];
    if (typeof ref === 'string' && depth < 64) {
      const target = loc.index.resolve(ref, base);
      const targetShape = target === undefined ? ANY : this.shape(target, refSiblings, depth + 1);
      if (!refSiblings) return targetShape;
      parts.push({ shape: targetShape, path: [] });
    }
    if (Object.keys(node).some((k) => !ANNOTATIONS.has(k) && !COMBINATORS.has(k))) {
      parts.push({ shape: { kind: 'typed', loc: here, node }, path: [] });
    }
    for (const op of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = node[op];
      if (!Array.isArray(list)) continue;
      const branches = list.map((b, i) => ({
        shape: this.shape({ node: b, base, index: loc.index }, refSiblings, depth + 1),
        path: [op, String(i)],
      }));
      if (branches.length === 1) parts.push(branches[0]!);
      else if (op === 'allOf') parts.push({ shape: { kind: 'product', parts: branches }, path: [] });
      else parts.push({ shape: { kind: 'sum', op, parts: branches }, path: [] });
    }
    const not = node['not'];
    if (not !== undefined) {
      const inner: Located = { node: not, base, index: loc.index };
      // `not` of a schema that accepts everything (`true`, `{}`): the node accepts nothing.
      if (this.shape(inner, refSiblings, depth + 1).kind === 'any') return NEVER;
      parts.push({ shape: { kind: 'not', inner }, path: [] });
    }
    if (parts.length === 0) return ANY;
    if (parts.length === 1) {
      const only = parts[0]!;
      return only.path.length === 0 ? only.shape : { kind: 'product', parts };
    }
    return { kind: 'product', parts };
  }

  private typed(wl: Located, w: JsonObject, rl: Located, r: JsonObject, path: Path): void {
    // Each pair of schema nodes is compared once: recursive schemas end, and an issue is reported
    // at the shallowest path that reaches it.
    if (!this.seen.add(w, r)) return;
    const started = this.context.clock;
    const before = this.issues.length;
    try {
      this.compareTyped(wl, w, rl, r, path);
    } catch (err) {
      // A search stopped at its first issue: the pair failed.
      if (err === FIRST_ISSUE) this.forgetVerdictsSince(started);
      throw err;
    }
    if (this.issues.length > before) this.forgetVerdictsSince(started);
  }

  /** Drops the "compatible" verdicts reached after `started`: they may rest on a pair that failed. */
  private forgetVerdictsSince(started: number): void {
    if (this.context.clock === started) return;
    for (const byReader of this.context.verdicts.values()) {
      for (const [r, verdict] of byReader) if (verdict.ok && verdict.at > started) byReader.delete(r);
    }
  }

  private compareTyped(wl: Located, w: JsonObject, rl: Located, r: JsonObject, path: Path): void {
    this.types(w, r, path);
    this.enums(w, r, path);
    this.strings(w, r, path);
    this.numbers(w, r, path);
    if (OBJECT_KEYWORDS.some((k) => k in w || k in r)) this.objects(wl, w, rl, r, path);
    if (ARRAY_KEYWORDS.some((k) => k in w || k in r)) this.arrays(wl, w, rl, r, path);
    if (['if', 'then', 'else'].some((k) => k in r)) {
      if (!sameJson(pick(w, ['if', 'then', 'else']), pick(r, ['if', 'then', 'else']))) {
        this.add([...path, 'if'], 'CONDITIONAL_CHANGED', 'the reader adds or changes if/then/else');
      }
    }
  }

  private types(w: JsonObject, r: JsonObject, path: Path): void {
    const rt = typesOf(r);
    if (rt === undefined) return;
    let wt = typesOf(w);
    if (wt === undefined) {
      const values = enumValues(w);
      if (values === undefined) {
        this.add(
          [...path, 'type'],
          'TYPE_NARROWED',
          `the reader requires type ${[...rt].join(' or ')}; the writer allows any type`,
        );
        return;
      }
      wt = new Set(values.map(typeOfValue));
    }
    const uncovered = [...wt].filter((t) => !rt.has(t) && !(t === 'integer' && rt.has('number')));
    if (uncovered.length === 0) return;
    const overlaps = uncovered.length < wt.size || (uncovered.includes('number') && rt.has('integer'));
    const kind = overlaps ? 'TYPE_NARROWED' : 'TYPE_CHANGED';
    this.add([...path, 'type'], kind, `the reader does not accept writer type ${uncovered.join(', ')}`);
  }

  private enums(w: JsonObject, r: JsonObject, path: Path): void {
    const rv = enumValues(r);
    if (rv === undefined) return;
    const key = 'enum' in r ? 'enum' : 'const';
    const wv = enumValues(w);
    if (wv === undefined) {
      this.add([...path, key], 'ENUM_ADDED', `the reader restricts values to ${JSON.stringify(rv)}`);
      return;
    }
    const missing = wv.filter((v) => !rv.some((x) => sameJson(x, v)));
    if (missing.length === 0) return;
    const narrowed = rv.every((v) => wv.some((x) => sameJson(x, v)));
    this.add(
      [...path, key],
      narrowed ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED',
      `the reader does not accept ${JSON.stringify(missing)}`,
    );
  }

  private strings(w: JsonObject, r: JsonObject, path: Path): void {
    this.upper(w, r, path, 'maxLength');
    this.lower(w, r, path, 'minLength');
    for (const key of ['pattern', 'format'] as const) {
      const rp = r[key];
      if (rp === undefined) continue;
      const wp = w[key];
      if (wp === undefined)
        this.add([...path, key], `${screaming(key)}_ADDED`, `the reader adds ${key} ${JSON.stringify(rp)}`);
      else if (wp !== rp)
        this.add(
          [...path, key],
          `${screaming(key)}_CHANGED`,
          `${key} changed from ${JSON.stringify(wp)} to ${JSON.stringify(rp)}`,
        );
    }
  }

  private numbers(w: JsonObject, r: JsonObject, path: Path): void {
    const rUp = bound(r, 'maximum', 'exclusiveMaximum', Math.min);
    if (rUp !== undefined) {
      const wUp = bound(w, 'maximum', 'exclusiveMaximum', Math.min);
      if (wUp === undefined) {
        this.add([...path, rUp.key], `${screaming(rUp.key)}_ADDED`, `the reader adds ${rUp.key} ${rUp.value}`);
      } else if (wUp.value > rUp.value || (wUp.value === rUp.value && rUp.exclusive && !wUp.exclusive)) {
        this.add(
          [...path, rUp.key],
          `${screaming(rUp.key)}_DECREASED`,
          `upper bound tightened from ${wUp.value} to ${rUp.value}`,
        );
      }
    }
    const rLow = bound(r, 'minimum', 'exclusiveMinimum', Math.max);
    if (rLow !== undefined) {
      const wLow = bound(w, 'minimum', 'exclusiveMinimum', Math.max);
      if (wLow === undefined) {
        this.add([...path, rLow.key], `${screaming(rLow.key)}_ADDED`, `the reader adds ${rLow.key} ${rLow.value}`);
      } else if (wLow.value < rLow.value || (wLow.value === rLow.value && rLow.exclusive && !wLow.exclusive)) {
        this.add(
          [...path, rLow.key],
          `${screaming(rLow.key)}_INCREASED`,
          `lower bound tightened from ${wLow.value} to ${rLow.value}`,
        );
      }
    }
    const rm = r['multipleOf'];
    if (typeof rm === 'number') {
      const wm = w['multipleOf'];
      if (typeof wm !== 'number') {
        const integersOnly = rm === 1 && typesOf(w)?.has('integer') === true && typesOf(w)?.size === 1;
        if (!integersOnly) this.add([...path, 'multipleOf'], 'MULTIPLE_OF_ADDED', `the reader adds multipleOf ${rm}`);
      } else if (!isWhole(wm / rm)) {
        this.add([...path, 'multipleOf'], 'MULTIPLE_OF_CHANGED', `multiples of ${wm} are not all multiples of ${rm}`);
      }
    }
  }

  private objects(wl: Located, w: JsonObject, rl: Located, r: JsonObject, path: Path): void {
    const wProps = isObject(w['properties']) ? w['properties'] : {};
    const rProps = isObject(r['properties']) ? r['properties'] : {};
    const wModel = contentModel(w);
    const rModel = contentModel(r);
    const wRequired = stringList(w['required']);
    const rRequired = stringList(r['required']);
    const at = (l: Located, node: Json): Located => ({ node, base: l.base, index: l.index });

    let names = [...new Set([...Object.keys(wProps), ...Object.keys(rProps)])];
    // A search for any issue compares properties without `$ref` first: a recursive one may lead far.
    if (this.firstOnly) {
      names = [
        ...names.filter((n) => !refers(wProps[n], rProps[n])),
        ...names.filter((n) => refers(wProps[n], rProps[n])),
      ];
    }
    for (const name of names) {
      const propPath = [...path, 'properties', name];
      const wp = wProps[name];
      const rp = rProps[name];
      if (wp !== undefined && rp !== undefined) {
        this.located(at(wl, wp), at(rl, rp), propPath);
      } else if (rp === undefined) {
        // Removed: the writer's documents may still carry it; the reader's content model decides.
        if (rModel.kind === 'open') continue;
        const cover = schemaForKey(rModel, name);
        if (cover !== undefined) {
          const found = this.probeLocated(at(wl, wp!), at(rl, cover), propPath);
          if (found.length > 0) {
            this.issues.push(...found);
            this.add(
              propPath,
              'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
              `property '${name}' was removed and the reader's patternProperties/additionalProperties do not accept it`,
            );
          }
        } else if (wp !== false) {
          this.add(
            propPath,
            'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
            `property '${name}' was removed from a closed content model`,
          );
        }
      } else {
        // Added: the writer may have written it under its content model. Named as Confluent names it:
        // by the writer's content model, and whether the reader requires the property.
        const required = rRequired.has(name) && !wRequired.has(name);
        if (wModel.kind === 'open') {
          if (this.shape(at(rl, rp), this.readerRefSiblings).kind !== 'any') {
            const [kind, what] = !required
              ? ['OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'added']
              : hasDefault(rp)
                ? ['REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL', 'added as required']
                : ['REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'added as required without a default'];
            this.add(
              propPath,
              kind,
              `property '${name}' was ${what} to an open content model, where the writer may have written any value for it`,
            );
          }
        } else {
          const cover = schemaForKey(wModel, name);
          const found = cover === undefined ? [] : this.probeLocated(at(wl, cover), at(rl, rp), propPath);
          if (found.length > 0) {
            this.issues.push(...found);
            this.add(
              propPath,
              'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
              `property '${name}' was added and does not accept what the writer's patternProperties/additionalProperties allowed`,
            );
          }
          if (required && !hasDefault(rp)) {
            this.add(
              propPath,
              'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
              `property '${name}' was added as required without a default`,
            );
          }
        }
      }
    }

    for (const name of rRequired) {
      // A property added as required is judged above with the property. A name neither schema
      // declares is ignored, as Confluent ignores it (it compares `required` per declared property).
      if (wRequired.has(name) || (rProps[name] !== undefined && wProps[name] === undefined)) continue;
      if (rProps[name] === undefined && wProps[name] === undefined) continue;
      if (rProps[name] !== undefined && hasDefault(rProps[name])) continue;
      this.add([...path, 'required', name], 'REQUIRED_ATTRIBUTE_ADDED', `property '${name}' became required`);
    }

    this.additional(wl, w, rl, r, path, 'additionalProperties');
    this.patternProperties(wl, w, rl, r, wModel, rModel, path);
    this.dependencies(wl, w, rl, r, path);
    const rNames = r['propertyNames'];
    if (rNames !== undefined && rNames !== true) {
      const wNames = w['propertyNames'];
      if (wNames !== undefined) {
        this.located(at(wl, wNames), at(rl, rNames), [...path, 'propertyNames']);
      } else {
        // Confluent does not judge propertyNames, and Karapace accepts one the writer's names pass:
        // the names the writer declares must pass it; names an open writer may have written under
        // no declaration are not judged (as in both).
        const refused = Object.keys(wProps).filter((name) => wProps[name] !== false && !nameAccepted(rNames, name));
        if (refused.length > 0) {
          this.add(
            [...path, 'propertyNames'],
            'PROPERTY_NAMES_ADDED',
            `the reader's propertyNames refuse ${refused.map((name) => `'${name}'`).join(', ')}`,
          );
        }
      }
    }
    this.upper(w, r, path, 'maxProperties');
    this.lower(w, r, path, 'minProperties');
  }

  private additional(wl: Located, w: JsonObject, rl: Located, r: JsonObject, path: Path, key: string): void {
    const wa = w[key];
    const ra = r[key];
    const p = [...path, key];
    if (ra === undefined || ra === true || sameJson(ra, {})) return;
    if (wa === false) return;
    if (ra === false) {
      this.add(
        p,
        `${screaming(key)}_REMOVED`,
        `the reader no longer allows ${key === 'additionalProperties' ? 'additional properties' : 'additional items'}`,
      );
      return;
    }
    if (wa === undefined || wa === true || sameJson(wa, {})) {
      this.add(p, `${screaming(key)}_NARROWED`, `the reader constrains ${key} that the writer left open`);
      return;
    }
    this.located({ ...wl, node: wa }, { ...rl, node: ra }, p);
  }

  private patternProperties(
    wl: Located,
    w: JsonObject,
    rl: Located,
    r: JsonObject,
    wModel: ContentModel,
    rModel: ContentModel,
    path: Path,
  ): void {
    const wp = isObject(w['patternProperties']) ? w['patternProperties'] : {};
    const rp = isObject(r['patternProperties']) ? r['patternProperties'] : {};
    const at = (l: Located, node: Json): Located => ({ node, base: l.base, index: l.index });
    for (const pattern of new Set([...Object.keys(wp), ...Object.keys(rp)])) {
      const p = [...path, 'patternProperties', pattern];
      const ws = wp[pattern];
      const rs = rp[pattern];
      if (ws !== undefined && rs !== undefined) {
        this.located(at(wl, ws), at(rl, rs), p);
      } else if (rs !== undefined) {
        if (wModel.kind === 'closed') continue;
        const cover = wModel.kind === 'partial' ? wModel.additional : undefined;
        const found = this.probeLocated(cover === undefined ? TRUE_SCHEMA(wl.index) : at(wl, cover), at(rl, rs), p);
        if (found.length > 0)
          this.add(
            p,
            'PATTERN_PROPERTY_ADDED',
            `the reader constrains properties matching /${pattern}/ that the writer allowed`,
          );
      } else {
        if (rModel.kind === 'open') continue;
        const cover = rModel.kind === 'partial' ? rModel.additional : undefined;
        if (cover === undefined) {
          this.add(p, 'PATTERN_PROPERTY_REMOVED', `properties matching /${pattern}/ are no longer accepted`);
        } else if (this.probeLocated(at(wl, ws!), at(rl, cover), p).length > 0) {
          this.add(
            p,
            'PATTERN_PROPERTY_REMOVED',
            `properties matching /${pattern}/ are not accepted by the reader's additionalProperties`,
          );
        }
      }
    }
  }

  private dependencies(wl: Located, w: JsonObject, rl: Located, r: JsonObject, path: Path): void {
    const wd = dependencyForms(w);
    const rd = dependencyForms(r);
    for (const [name, { list, key }] of rd.required) {
      const have = wd.required.get(name)?.list ?? new Set<string>();
      const added = [...list].filter((x) => !have.has(x));
      if (added.length > 0) {
        this.add(
          [...path, key, name],
          have.size === 0 ? 'DEPENDENCY_ARRAY_ADDED' : 'DEPENDENCY_ARRAY_EXTENDED',
          `when '${name}' is present the reader also requires ${added.join(', ')}`,
        );
      }
    }
    const at = (l: Located, node: Json): Located => ({ node, base: l.base, index: l.index });
    for (const [name, { schema, key }] of rd.schemas) {
      const ws = wd.schemas.get(name);
      if (ws === undefined)
        this.add([...path, key, name], 'DEPENDENCY_SCHEMA_ADDED', `the reader adds a schema dependency on '${name}'`);
      else this.located(at(wl, ws.schema), at(rl, schema), [...path, key, name]);
    }
  }

  /**
   * `additionalItems` without tuple `items`: the validator ignores it, but Confluent compares it all
   * the same (closing it is ADDITIONAL_ITEMS_REMOVED, constraining it ADDITIONAL_ITEMS_NARROWED,
   * a changed schema is compared), and so does this check.
   */
  private untupledAdditionalItems(wl: Located, w: JsonObject, rl: Located, r: JsonObject, path: Path): void {
    const ws = w['additionalItems'];
    const rs = r['additionalItems'];
    if (ws === undefined && rs === undefined) return;
    const p = [...path, 'additionalItems'];
    if (rs === false && ws !== false) this.add(p, 'ADDITIONAL_ITEMS_REMOVED', 'the reader accepts no additional items');
    else if (ws === false) return;
    else if (isOpen(ws) && !isOpen(rs))
      this.add(p, 'ADDITIONAL_ITEMS_NARROWED', 'the reader constrains additional items the writer left open');
    else if (!isOpen(ws))
      this.located(
        { node: ws as Json, base: wl.base, index: wl.index },
        { node: (rs ?? true) as Json, base: rl.base, index: rl.index },
        p,
      );
  }

  private arrays(wl: Located, w: JsonObject, rl: Located, r: JsonObject, path: Path): void {
    const wa = arrayModel(w);
    const ra = arrayModel(r);
    const at = (l: Located, node: Json | undefined): Located => ({ node: node ?? true, base: l.base, index: l.index });
    const positions = Math.max(wa.prefix.length, ra.prefix.length);
    for (let i = 0; i < positions; i++) {
      if (i >= wa.prefix.length && wa.rest === false) break; // the writer never writes this position
      const ws = i < wa.prefix.length ? wa.prefix[i] : wa.rest;
      const rs = i < ra.prefix.length ? ra.prefix[i] : ra.rest;
      const p = i < ra.prefix.length ? [...path, ra.prefixKey, String(i)] : [...path, ra.restKey];
      // A writer that is no tuple counts as an open content model for tuple positions, whatever its
      // one `items` schema: Confluent and Karapace both judge an array that becomes a tuple so.
      if (i >= wa.prefix.length && (isOpen(ws) || wa.prefix.length === 0) && !isOpen(rs)) {
        const writer = wa.prefix.length === 0 ? 'an array that was not a tuple' : 'where the writer allowed any item';
        this.add(p, 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', `tuple item ${i} was added to ${writer}`);
      } else if (i >= ra.prefix.length && rs === false && ws !== false) {
        this.add(
          p,
          'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          `tuple item ${i} was removed and the reader accepts no further items`,
        );
      } else if (i >= wa.prefix.length || i >= ra.prefix.length) {
        // A position one side's tuple has and the other covers with its further-items schema (a
        // partially open content model): the item's own issues, then Confluent's summary of them.
        const found = this.probeLocated(at(wl, ws), at(rl, rs), p);
        if (found.length > 0) {
          this.issues.push(...found);
          const [kind, what] =
            i >= wa.prefix.length
              ? [
                  'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
                  "added and refuses what the writer's further items allowed",
                ]
              : [
                  'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
                  "removed and the reader's further items refuse it",
                ];
          this.add(p, kind, `tuple item ${i} was ${what}`);
        }
      } else {
        this.located(at(wl, ws), at(rl, rs), p);
      }
    }
    if (!(positions > wa.prefix.length && wa.rest === false)) {
      const p = [...path, ra.restKey];
      const tuple = wa.prefix.length + ra.prefix.length > 0;
      if (ra.rest === false && wa.rest !== false) {
        // From 2019-09 on Confluent reads a lone `items` as the further-items schema (additionalItems).
        const kind = tuple || this.readerRefSiblings ? 'ADDITIONAL_ITEMS_REMOVED' : 'ITEMS_REMOVED';
        this.add(p, kind, 'the reader accepts no further array items');
      } else if (tuple && isOpen(wa.rest) && !isOpen(ra.rest)) {
        this.add(p, 'ADDITIONAL_ITEMS_NARROWED', 'the reader constrains further items the writer left open');
      } else if (
        !tuple &&
        wa.rest === undefined &&
        this.shape(at(rl, ra.rest), this.readerRefSiblings).kind !== 'any'
      ) {
        // An items schema where the writer had none: Confluent's SCHEMA_ADDED.
        this.add(p, 'SCHEMA_ADDED', 'the reader constrains array items the writer left unconstrained');
      } else {
        this.located(at(wl, wa.rest), at(rl, ra.rest), p);
      }
    }
    if (wa.prefix.length === 0 && ra.prefix.length === 0) this.untupledAdditionalItems(wl, w, rl, r, path);
    this.upper(w, r, path, 'maxItems');
    this.lower(w, r, path, 'minItems');
    if (r['uniqueItems'] === true && w['uniqueItems'] !== true) {
      this.add([...path, 'uniqueItems'], 'UNIQUE_ITEMS_ADDED', 'the reader requires unique items');
    }
    const rc = r['contains'];
    if (rc !== undefined) {
      const wc = w['contains'];
      if (wc === undefined)
        this.add([...path, 'contains'], 'CONTAINS_ADDED', 'the reader requires an item matching "contains"');
      else this.located(at(wl, wc), at(rl, rc), [...path, 'contains']);
      this.upper(w, r, path, 'maxContains');
      this.lower(w, r, path, 'minContains');
    }
  }

  private upper(w: JsonObject, r: JsonObject, path: Path, key: string): void {
    const rv = r[key];
    if (typeof rv !== 'number') return;
    const wv = w[key];
    if (typeof wv !== 'number') this.add([...path, key], `${screaming(key)}_ADDED`, `the reader adds ${key} ${rv}`);
    else if (rv < wv) this.add([...path, key], `${screaming(key)}_DECREASED`, `${key} decreased from ${wv} to ${rv}`);
  }

  private lower(w: JsonObject, r: JsonObject, path: Path, key: string): void {
    const rv = r[key];
    if (typeof rv !== 'number' || (rv <= 0 && key !== 'minContains')) return;
    const wv = w[key];
    if (typeof wv !== 'number') this.add([...path, key], `${screaming(key)}_ADDED`, `the reader adds ${key} ${rv}`);
    else if (rv > wv) this.add([...path, key], `${screaming(key)}_INCREASED`, `${key} increased from ${wv} to ${rv}`);
  }

  private add(path: Path, kind: string, message: string): void {
    this.issues.push({ kind, path: pointer(path), message });
  }
}

type ContentModel =
  | { readonly kind: 'open' }
  | { readonly kind: 'closed' }
  | { readonly kind: 'partial'; readonly patterns: readonly [RegExp, Json][]; readonly additional: Json | undefined };

/** Open: any other property is accepted. Closed: none is. Partial: some are, under a schema. */
function contentModel(node: JsonObject): ContentModel {
  const patterns = isObject(node['patternProperties']) ? Object.entries(node['patternProperties']) : [];
  const extra = [node['additionalProperties'], node['unevaluatedProperties']];
  const isOpen = (v: Json | undefined) => v === undefined || v === true || sameJson(v, {});
  if (patterns.length === 0 && extra.every(isOpen)) return { kind: 'open' };
  const additional = extra.find((v) => v !== undefined && !isOpen(v));
  if (patterns.length === 0 && additional === false) return { kind: 'closed' };
  return {
    kind: 'partial',
    patterns: patterns.map(([p, s]) => [regex(p), s] as [RegExp, Json]),
    additional: additional === false ? undefined : (additional ?? true),
  };
}

function schemaForKey(model: ContentModel, key: string): Json | undefined {
  if (model.kind !== 'partial') return model.kind === 'open' ? true : undefined;
  for (const [pattern, schema] of model.patterns) if (pattern.test(key)) return schema;
  return model.additional;
}

interface ArrayModel {
  readonly prefix: readonly Json[];
  readonly prefixKey: string;
  /** Schema of the items after the prefix: absent means any. */
  readonly rest: Json | undefined;
  readonly restKey: string;
}

/** draft-07 `items: [...]` + `additionalItems`, or 2020-12 `prefixItems` + `items`. */
function arrayModel(node: JsonObject): ArrayModel {
  const prefixItems = node['prefixItems'];
  const items = node['items'];
  // Why `unevaluatedItems`: after the tuple it is what further items must match when nothing else
  // says (a partially open content model, as Confluent reads it).
  const unevaluated = node['unevaluatedItems'];
  if (Array.isArray(prefixItems)) {
    return items === undefined && unevaluated !== undefined
      ? { prefix: prefixItems, prefixKey: 'prefixItems', rest: unevaluated, restKey: 'unevaluatedItems' }
      : { prefix: prefixItems, prefixKey: 'prefixItems', rest: items, restKey: 'items' };
  }
  if (Array.isArray(items)) {
    const additional = node['additionalItems'];
    return additional === undefined && unevaluated !== undefined
      ? { prefix: items, prefixKey: 'items', rest: unevaluated, restKey: 'unevaluatedItems' }
      : { prefix: items, prefixKey: 'items', rest: additional, restKey: 'additionalItems' };
  }
  return { prefix: [], prefixKey: 'items', rest: items, restKey: 'items' };
}

function dependencyForms(node: JsonObject) {
  const required = new Map<string, { list: Set<string>; key: string }>();
  const schemas = new Map<string, { schema: Json; key: string }>();
  const take = (value: Json | undefined, key: string) => {
    if (!isObject(value)) return;
    for (const [name, dep] of Object.entries(value)) {
      if (Array.isArray(dep)) required.set(name, { list: stringList(dep), key });
      else schemas.set(name, { schema: dep, key });
    }
  };
  take(node['dependencies'], 'dependencies');
  take(node['dependentRequired'], 'dependentRequired');
  take(node['dependentSchemas'], 'dependentSchemas');
  return { required, schemas };
}

function typesOf(node: JsonObject): Set<JsonType> | undefined {
  const type = node['type'];
  if (typeof type === 'string') return new Set([type as JsonType]);
  if (Array.isArray(type)) return new Set(type.filter((t): t is JsonType => typeof t === 'string'));
  const inferred = new Set<JsonType>();
  const keys = Object.keys(node);
  if (keys.some((k) => OBJECT_KEYWORDS.includes(k))) inferred.add('object');
  if (keys.some((k) => ARRAY_KEYWORDS.includes(k))) inferred.add('array');
  if (keys.some((k) => STRING_KEYWORDS.includes(k))) inferred.add('string');
  if (keys.some((k) => NUMBER_KEYWORDS.includes(k))) inferred.add('number');
  return inferred.size === 0 ? undefined : inferred;
}

function enumValues(node: JsonObject): Json[] | undefined {
  if (Array.isArray(node['enum'])) return node['enum'];
  if ('const' in node) return [node['const'] ?? null];
  return undefined;
}

function typeOfValue(value: Json): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/** The tightest bound of an inclusive and an exclusive keyword. */
function bound(node: JsonObject, inclusive: string, exclusive: string, tighter: (a: number, b: number) => number) {
  const inc = node[inclusive];
  const exc = node[exclusive];
  const candidates: { value: number; exclusive: boolean; key: string }[] = [];
  if (typeof inc === 'number') candidates.push({ value: inc, exclusive: false, key: inclusive });
  if (typeof exc === 'number') candidates.push({ value: exc, exclusive: true, key: exclusive });
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return candidates[0]!;
  const [a, b] = candidates as [(typeof candidates)[0], (typeof candidates)[0]];
  if (a.value === b.value) return b; // equal values: the exclusive one is tighter
  return tighter(a.value, b.value) === a.value ? a : b;
}

/** Absent, `true` or `{}`: accepts anything. */
function isOpen(node: Json | undefined): boolean {
  return node === undefined || node === true || (isObject(node) && Object.keys(node).length === 0);
}

function hasDefault(node: Json | undefined): boolean {
  return isObject(node) && 'default' in node;
}

function hasRef(node: Json): boolean {
  if (Array.isArray(node)) return node.some(hasRef);
  if (!isObject(node)) return false;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' || key === '$dynamicRef' || key === '$recursiveRef') return true;
    if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples' && hasRef(value)) return true;
  }
  return false;
}

function stringList(value: Json | undefined): Set<string> {
  return new Set(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
}

function pick(node: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) if (key in node) out[key] = node[key] ?? null;
  return out;
}

/** Structural equality of JSON values (object key order ignored). */
export function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => k in bo && sameJson(ao[k], bo[k]));
}

function isWhole(x: number): boolean {
  return Math.abs(x - Math.round(x)) < 1e-9;
}

function regex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    try {
      return new RegExp(pattern);
    } catch {
      return /$^/;
    }
  }
}

/** Does a propertyNames schema accept this name? Judged on its string keywords; anything else accepts. */
function nameAccepted(schema: Json, name: string): boolean {
  if (schema === false) return false;
  if (!isObject(schema)) return true;
  const length = [...name].length;
  if (typeof schema['pattern'] === 'string' && !regex(schema['pattern']).test(name)) return false;
  if (typeof schema['minLength'] === 'number' && length < schema['minLength']) return false;
  if (typeof schema['maxLength'] === 'number' && length > schema['maxLength']) return false;
  if ('const' in schema && schema['const'] !== name) return false;
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(name)) return false;
  return true;
}

/**
 * A maximum matching in a bipartite graph (augmenting paths): `edges[i]` lists the right-hand nodes
 * left-hand node `i` may be matched with. Returns, per left-hand node, its match or -1.
 */
function maximumMatching(edges: readonly (readonly number[])[], rightCount: number): number[] {
  const rightMatch = new Array<number>(rightCount).fill(-1);
  const augment = (i: number, visited: boolean[]): boolean => {
    for (const j of edges[i]!) {
      if (visited[j]) continue;
      visited[j] = true;
      if (rightMatch[j] === -1 || augment(rightMatch[j]!, visited)) {
        rightMatch[j] = i;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < edges.length; i++) augment(i, new Array<boolean>(rightCount).fill(false));
  const leftMatch = new Array<number>(edges.length).fill(-1);
  rightMatch.forEach((i, j) => {
    if (i >= 0) leftMatch[i] = j;
  });
  return leftMatch;
}

/** Does either of two property schemas refer elsewhere (`$ref`, here or in a direct combinator)? */
function refers(w: Json | undefined, r: Json | undefined): boolean {
  return JSON.stringify([w ?? null, r ?? null]).includes('"$ref"');
}

function screaming(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

function pointer(path: Path): string {
  return `#${path.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
}
