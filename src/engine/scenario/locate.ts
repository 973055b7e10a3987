// Positions of keys and values in a parsed YAML document, by path (`['targets', 0, 'auth']`).
// Problems point at the most precise node that exists: the value, its key, or the nearest ancestor.

import { isMap, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import { shorten } from './errors';

export type PathSegment = string | number;

export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** `targets[0].auth.type`; a very long key is cut (it is shown in messages). */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${shorten(seg)}` : shorten(seg);
  return out;
}

export class YamlLocator {
  /** Each mapping's pairs by key, built on first use: a problem per key of a mapping with
   *  thousands of keys must not search the mapping each time. */
  private readonly pairsByKey = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    /** The text's length: the parser reports some errors just past the end. */
    private readonly textLength = Infinity,
    /** The source text, for positions inside a scalar's value (textAt). */
    private readonly text = '',
  ) {}

  /** Where character `offset` of the string value at `path` is in the file: inside a block scalar
   *  (`body: |`) each value line is a source line after the indicator, at the block's indentation;
   *  in a one-line scalar it is the start (after an opening quote) plus the offset. Used for errors
   *  inside templates; falls back to the value's start. */
  textAt(path: readonly PathSegment[], offset: number): Span {
    const node = this.node(path);
    if (!isScalar(node) || !node.range || typeof node.value !== 'string') return this.value(path);
    const start = node.range[0];
    const before = node.value.slice(0, offset);
    const lineIndex = before.split('\n').length - 1;
    const column = offset - (before.lastIndexOf('\n') + 1);
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      const firstContent = this.text.indexOf('\n', start) + 1;
      if (firstContent === 0) return this.value(path);
      const indent = /^ */.exec(this.text.slice(firstContent))![0].length;
      const lineStart = this.nthLineStart(firstContent, lineIndex);
      return this.span(lineStart + indent + column, lineStart + indent + column + 1);
    }
    if (lineIndex > 0) return this.value(path);
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
    return this.span(start + quoted + column, start + quoted + column + 1);
  }

  /** Offset of the start of the n-th line (0-based) counted from the line starting at `from`. */
  private nthLineStart(from: number, n: number): number {
    let at = from;
    for (let i = 0; i < n; i++) {
      const next = this.text.indexOf('\n', at);
      if (next === -1) return at;
      at = next + 1;
    }
    return at;
  }

  /** A span for an offset range [start, end), within the text. */
  span(start: number, end: number): Span {
    const from = Math.max(0, Math.min(start, this.textLength));
    const a = this.lines.linePos(from);
    const b = this.lines.linePos(Math.max(from, Math.min(end, this.textLength)));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  }

  /** The value at `path` (or, when it is empty or missing, its key or nearest ancestor). */
  value(path: readonly PathSegment[]): Span {
    const node = this.node(path);
    if (node?.range && node.range[1] > node.range[0]) return this.span(node.range[0], node.range[1]);
    return this.key(path);
  }

  /** The key of the property at `path`; for a list item, the item; for a missing path, the nearest ancestor. */
  key(path: readonly PathSegment[]): Span {
    for (let n = path.length; n > 0; n--) {
      const parent = this.node(path.slice(0, n - 1));
      const seg = path[n - 1];
      if (isMap(parent)) {
        const pair = this.pair(parent, seg);
        const key = pair?.key as Node | undefined;
        if (key?.range) return this.span(key.range[0], key.range[1]);
      } else if (isSeq(parent) && typeof seg === 'number') {
        const item = parent.items[seg] as Node | undefined;
        if (item?.range) return this.firstLineOf(item);
      }
    }
    return this.documentStart();
  }

  /** Where the document's content starts (1:1 for an empty file). */
  documentStart(): Span {
    const contents = this.doc.contents as Node | null;
    const start = contents?.range ? contents.range[0] : 0;
    return this.span(start, start);
  }

  /** The node at `path`; undefined when missing or behind an alias (whose target is elsewhere). */
  node(path: readonly PathSegment[]): Node | undefined {
    let node = (this.doc.contents as Node | null) ?? undefined;
    for (const seg of path) {
      if (isMap(node)) node = this.pair(node, seg)?.value as Node | undefined;
      else if (isSeq(node) && typeof seg === 'number') node = node.items[seg] as Node | undefined;
      else return undefined;
    }
    return node && typeof node === 'object' && 'range' in node ? node : undefined;
  }

  /** The first pair with this key (as the YAML library's own lookup does). */
  private pair(map: YAMLMap, seg: PathSegment): Pair | undefined {
    let index = this.pairsByKey.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) {
        const key = String(isScalar(p.key) ? p.key.value : p.key);
        if (!index.has(key)) index.set(key, p);
      }
      this.pairsByKey.set(map, index);
    }
    return index.get(String(seg));
  }

  /** A map or list item spans many lines; underline its first key (or its first line). */
  private firstLineOf(node: Node): Span {
    if (isMap(node) && node.items.length > 0) {
      const key = node.items[0].key as Node | undefined;
      if (key?.range) return this.span(key.range[0], key.range[1]);
    }
    const [start, end] = node.range!;
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(end);
    return b.line === a.line ? this.span(start, end) : { line: a.line, column: a.col, endLine: a.line, endColumn: a.col + 1 };
  }
}
