// Where each token of a line is, as [start, end) character offsets, for "Show Token Boundaries".
// A token can end inside a multi-byte character (emoji, CJK): such tokens are merged with the next
// ones until the decoded text is whole, so every span covers real characters.

import { decode, encode, type Encoding } from '../tokens';

export function tokenSpans(text: string, enc: Encoding): [number, number][] {
  const ids = encode(text, enc);
  const spans: [number, number][] = [];
  let offset = 0;
  let pending: number[] = [];
  for (const id of ids) {
    pending.push(id);
    const piece = decode(pending, enc);
    if (piece.includes('\uFFFD') && !text.slice(offset, offset + piece.length).includes('\uFFFD')) continue;
    spans.push([offset, offset + piece.length]);
    offset += piece.length;
    pending = [];
  }
  if (pending.length) spans.push([offset, text.length]);
  return spans;
}
