// Response and request ids. Random (not seeded): ids must stay unique across simulator instances and
// runs, because clients and the engine's records key on them.
import { randomFillSync, randomUUID } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_CHARS = 29; // chatcmpl-<29 chars>, like OpenAI's
// One crypto call per ~140 ids instead of one per id.
const pool = Buffer.alloc(ID_CHARS * 141);
let poolPos = pool.length;

/** `chatcmpl-` + 29 random letters and digits. */
export function completionId(): string {
  if (poolPos + ID_CHARS > pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  let id = 'chatcmpl-';
  for (let i = 0; i < ID_CHARS; i++) id += ALPHABET[pool[poolPos++] % ALPHABET.length];
  return id;
}

export function requestId(): string {
  return randomUUID();
}

/** Responses API ids: `resp_` / `rs_` / `msg_` + 48 hex digits, like OpenAI's. */
export function itemId(prefix: 'resp' | 'rs' | 'msg'): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}
