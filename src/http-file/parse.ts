// A REST Client file (`.http` / `.rest`) → its requests as written, with positions. Nothing is
// substituted here (resolve.ts does that): the editor's CodeLens needs only where each request is, and
// a file whose variables do not resolve still lists its requests.
//
// The format, as the REST Client extension reads it:
//   - requests are separated by lines starting with `###` (text after it may title the request);
//   - `@name = value` defines a file variable (anywhere in the file; values may use `{{other}}`);
//   - `# @name foo` or `// @name foo` names the request it belongs to;
//   - every other line starting with `#` or `//` is a comment, wherever it is (the body included);
//   - the request line is `METHOD URL [HTTP/1.1]` (no method: GET), continued by lines starting
//     with `?` or `&`; then `Name: value` headers up to a blank line; then the body up to the next
//     `###` (trailing blank lines dropped). A body line `< path` (or `<@ path`: with variables) is
//     the content of that file.
// No 'vscode' here: the CLI and the editor read files the same way.

/** A piece of text and where it starts in the file (1-based line and column). */
export interface Located {
  text: string;
  line: number;
  col: number;
}

export interface FileVariable {
  name: string;
  /** The value as written (trimmed), with where it starts. */
  value: Located;
}

export interface HttpHeaderLine {
  name: string;
  /** The value as written (trimmed), with where it starts. */
  value: Located;
  line: number;
  col: number;
}

export interface HttpRequestBlock {
  /** 1-based, in file order, counting only blocks that hold a request. */
  index: number;
  /** From `# @name foo`. */
  name?: string;
  /** The text after the `###` line that opens the block, if any. */
  title?: string;
  /** The block's first line: its `###` line (1 for the file's first block). */
  blockLine: number;
  /** Upper case; GET when the request line names none. */
  method: string;
  /** Where the request line starts (its first non-space character). */
  line: number;
  col: number;
  /** The request line's URL, then each `?` / `&` continuation line, trimmed. */
  url: Located[];
  headers: HttpHeaderLine[];
  /** Body lines as written (comment lines removed, trailing blank lines dropped); absent: no body. */
  body?: Located[];
  /** Problems of this block's structure (a header line without a colon). */
  problems: HttpFileProblem[];
}

export interface HttpFileProblem {
  line: number;
  col: number;
  message: string;
}

export interface ParsedHttpFile {
  variables: Map<string, FileVariable>;
  requests: HttpRequestBlock[];
  /** Problems outside any one request (a variable defined twice). */
  problems: HttpFileProblem[];
}

const DELIMITER = /^#{3,}/;
const COMMENT = /^\s*(#|\/\/)/;
const REQUEST_NAME = /^\s*(?:#+|\/{2,})\s*@name\s+([\w.-]+)\s*$/;
const FILE_VARIABLE = /^\s*@([^\s=]+)\s*=\s*(.*?)\s*$/;
const QUERY_CONTINUATION = /^\s*[&?]/;
const METHOD = /^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|CONNECT|TRACE)\s+/i;
const HTTP_VERSION = /\s+HTTP\/\S*$/i;

interface Line {
  text: string;
  /** 1-based. */
  line: number;
}

export function parseHttpFile(text: string): ParsedHttpFile {
  const lines: Line[] = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((t, i) => ({ text: t, line: i + 1 }));
  const variables = new Map<string, FileVariable>();
  const problems: HttpFileProblem[] = [];
  // File variables count wherever they are (outside a request's headers and body).
  const blocks: { title?: string; line: number; lines: Line[] }[] = [{ line: 1, lines: [] }];
  for (const l of lines) {
    if (DELIMITER.test(l.text)) blocks.push({ title: l.text.replace(DELIMITER, '').trim() || undefined, line: l.line, lines: [] });
    else blocks[blocks.length - 1].lines.push(l);
  }
  const requests: HttpRequestBlock[] = [];
  for (const block of blocks) {
    const request = parseBlock(block.lines, block.title, block.line, requests.length + 1, (v) => {
      if (variables.has(v.name))
        problems.push({ line: v.value.line, col: 1, message: `file variable @${v.name} is defined twice (also on line ${variables.get(v.name)!.value.line})` });
      else variables.set(v.name, v);
    });
    if (request) requests.push(request);
  }
  return { variables, requests, problems };
}

/** One block between `###` lines → its request, or undefined when it holds none (only variables or comments). */
function parseBlock(
  all: Line[],
  title: string | undefined,
  blockLine: number,
  index: number,
  defineVariable: (v: FileVariable) => void,
): HttpRequestBlock | undefined {
  let name: string | undefined;
  for (const l of all) {
    const m = REQUEST_NAME.exec(l.text);
    if (m) name ??= m[1];
  }
  // Comment lines are not part of the request anywhere, as REST Client reads it.
  const lines = all.filter((l) => !COMMENT.test(l.text));
  let i = 0;
  // Before the request line: blank lines and file variables.
  for (; i < lines.length; i++) {
    const v = FILE_VARIABLE.exec(lines[i].text);
    if (v) {
      defineVariable({ name: v[1], value: { text: v[2], line: lines[i].line, col: lines[i].text.indexOf(v[2], lines[i].text.indexOf('=') + 1) + 1 } });
      continue;
    }
    if (lines[i].text.trim() !== '') break;
  }
  if (i >= lines.length) return undefined;

  const requestLine = lines[i++];
  const start = requestLine.text.length - requestLine.text.trimStart().length;
  let rest = requestLine.text.trim();
  let method = 'GET';
  let urlCol = start + 1;
  const m = METHOD.exec(rest);
  if (m) {
    method = m[1].toUpperCase();
    urlCol += m[0].length;
    rest = rest.slice(m[0].length);
  }
  rest = rest.replace(HTTP_VERSION, '').trimEnd();
  const url: Located[] = [{ text: rest, line: requestLine.line, col: urlCol }];
  for (; i < lines.length && QUERY_CONTINUATION.test(lines[i].text); i++) {
    const t = lines[i].text;
    url.push({ text: t.trim(), line: lines[i].line, col: t.length - t.trimStart().length + 1 });
  }

  const problems: HttpFileProblem[] = [];
  const headers: HttpHeaderLine[] = [];
  for (; i < lines.length && lines[i].text.trim() !== ''; i++) {
    const t = lines[i].text;
    const colon = t.indexOf(':');
    const col = t.length - t.trimStart().length + 1;
    if (colon <= 0 || t.slice(0, colon).trim() === '') {
      problems.push({ line: lines[i].line, col, message: `expected a header "Name: value" (a blank line must separate the headers from the body)` });
      continue;
    }
    const after = t.slice(colon + 1);
    const valueText = after.trim();
    headers.push({
      name: t.slice(0, colon).trim(),
      value: { text: valueText, line: lines[i].line, col: colon + 2 + (after.length - after.trimStart().length) },
      line: lines[i].line,
      col,
    });
  }
  // The blank line, then the body; trailing blank lines are not part of it.
  const bodyLines = lines.slice(i + 1);
  while (bodyLines.length > 0 && bodyLines[bodyLines.length - 1].text.trim() === '') bodyLines.pop();
  return {
    index,
    name,
    title,
    blockLine,
    method,
    line: requestLine.line,
    col: start + 1,
    url,
    headers,
    body: bodyLines.length > 0 ? bodyLines.map((l) => ({ text: l.text, line: l.line, col: 1 })) : undefined,
    problems,
  };
}

/** How a request is called in messages, file names and `--request`: its `@name`, else its `###`
 *  title, else its number. */
export function requestLabel(r: HttpRequestBlock): string {
  return r.name ?? r.title ?? String(r.index);
}

/** `--request NAME|N`: the request named so (`@name`, or the `###` title; case-insensitive), or the
 *  N-th (1-based). */
export function findRequest(parsed: ParsedHttpFile, selector: string): HttpRequestBlock | undefined {
  const s = selector.trim();
  const byName =
    parsed.requests.find((r) => r.name === s) ??
    parsed.requests.find((r) => r.name?.toLowerCase() === s.toLowerCase() || r.title?.toLowerCase() === s.toLowerCase());
  if (byName) return byName;
  if (/^\d+$/.test(s)) return parsed.requests[Number(s) - 1];
  return undefined;
}

/** `1: chat, POST line 3; 2: GET line 9` — the requests of a file, for a message that asks to pick one. */
export function listRequests(parsed: ParsedHttpFile): string {
  return parsed.requests.map((r) => `${r.index}: ${[r.name ?? r.title, `${r.method} line ${r.line}`].filter(Boolean).join(', ')}`).join('; ');
}
