// Reads the user messages out of a model's answer to "return a JSON array of N strings".
//
// Models answer in many ways: a bare JSON array, one inside a ```json fence or after a sentence, an
// array of objects ({"question": "…"}), an array cut off at the token limit, or a numbered list.
// In that order of preference:
//   1. the outermost JSON array in the text, parsed whole;
//   2. if it does not parse (cut off, a stray comma): every COMPLETE string element of it, and the
//      text field of every complete object element (a truncated last element is dropped);
//   3. numbered or bulleted lines ("1. …", "2) …", "- …", "* …").
// Each message is trimmed and loses quotes wrapped around it; empty ones are dropped.

/** Object fields that hold the message when elements are objects. */
const TEXT_FIELDS = ['question', 'message', 'content', 'text', 'prompt', 'query', 'user'];

export function parseAnswer(answer: string): string[] {
  const start = answer.indexOf('[');
  if (start >= 0) {
    const end = answer.lastIndexOf(']');
    if (end > start) {
      try {
        const value: unknown = JSON.parse(answer.slice(start, end + 1));
        if (Array.isArray(value)) {
          const items = value.map(elementText).filter((s): s is string => s !== null);
          if (items.length > 0 || value.length === 0) return clean(items);
        }
      } catch {
        // fall through to salvaging
      }
    }
    const salvaged = salvageArray(answer.slice(start));
    if (salvaged.length > 0) return clean(salvaged);
  }
  return clean(listLines(answer));
}

function elementText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const f of TEXT_FIELDS) if (typeof o[f] === 'string') return o[f] as string;
    const strings = Object.values(o).filter((x): x is string => typeof x === 'string');
    if (strings.length === 1) return strings[0];
  }
  return null;
}

/** Complete elements of a JSON array that may be cut off or slightly invalid: strings directly in the
 *  array, and objects that parse on their own. */
function salvageArray(text: string): string[] {
  const out: string[] = [];
  let i = 1; // after '['
  while (i < text.length) {
    const c = text[i];
    if (c === ']') break;
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) break; // cut off inside the string
      try {
        out.push(JSON.parse(text.slice(i, end + 1)) as string);
      } catch {
        // an invalid escape: skip the element
      }
      i = end + 1;
    } else if (c === '{') {
      const end = objectEnd(text, i);
      if (end < 0) break;
      try {
        const t = elementText(JSON.parse(text.slice(i, end + 1)));
        if (t !== null) out.push(t);
      } catch {
        // skip
      }
      i = end + 1;
    } else i++;
  }
  return out;
}

/** Index of the quote closing the string that opens at `from`, or -1. */
function stringEnd(text: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** Index of the brace closing the object that opens at `from`, or -1. */
function objectEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
      if (i < 0) return -1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function listLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:\d{1,4}[.):]|[-*•])\s+(.+)$/.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

function clean(items: string[]): string[] {
  const out: string[] = [];
  for (const raw of items) {
    let s = raw.trim();
    const quoted = /^(["“])([\s\S]*)(["”])$/.exec(s);
    if (quoted && (quoted[1] === quoted[3] || (quoted[1] === '“' && quoted[3] === '”'))) s = quoted[2].trim();
    if (s !== '') out.push(s);
  }
  return out;
}
