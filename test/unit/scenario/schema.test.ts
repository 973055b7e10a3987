import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { perfSchema, schemaJsonText } from '../../../src/engine/scenario/schema';

type Node = Record<string, unknown>;

/** Every sub-schema with the JSON path that leads to it. */
function walk(node: Node, at: string, visit: (node: Node, at: string) => void): void {
  visit(node, at);
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) walk(child, `${at}.${key}`, visit);
  if (node.items) walk(node.items as Node, `${at}[]`, visit);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties as Node, `${at}.*`, visit);
  ((node.anyOf ?? []) as Node[]).forEach((b, i) => walk(b, `${at}|${i}`, visit));
}

describe('scenario schema', () => {
  it('schemas/perf.schema.json is in sync (regenerate: npx tsx src/engine/scenario/write-schema.ts > schemas/perf.schema.json)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'schemas', 'perf.schema.json'), 'utf8');
    assert.equal(committed, schemaJsonText());
  });

  it('describes every property, closes every object and documents every enum value', () => {
    walk(perfSchema as Node, '$', (node, at) => {
      assert.equal(typeof node.description, 'string', `${at} has no description`);
      // Open maps by design: extra body fields, prices keyed by model name (each price closed), and an
      // HTTP target's headers (any header name, each value a string).
      if (node.type === 'object' && at !== '$.request.extra_body' && at !== '$.pricing' && at !== '$.targets[].request.headers') {
        assert.equal(node.additionalProperties, false, `${at} must have additionalProperties: false`);
      }
      if (Array.isArray(node.enum)) {
        assert.equal((node.markdownEnumDescriptions as unknown[])?.length, node.enum.length, `${at} enum descriptions`);
      }
    });
  });

  it('states defaults in descriptions and `default` alike', () => {
    walk(perfSchema as Node, '$', (node, at) => {
      if (node.default !== undefined) {
        assert.match(String(node.description), /default/i, `${at} has a default but its description does not say so`);
      }
    });
  });
});
