// Validate a value against a JSON Schema and turn ajv's errors into readable findings with a path.
// Nothing here knows about scenarios: messages come from the error keyword and the schema itself
// (known keys, enum values, `patternErrorMessage`), so the same code serves any schema.

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { didYouMean, shorten } from './errors';
import { MAX_SHOWN_CHARS } from './limits';
import type { PathSegment } from './locate';

export interface SchemaFinding {
  path: PathSegment[];
  /** Point at the property's key (unknown or missing properties) or at its value. */
  at: 'key' | 'value';
  message: string;
  allowed?: string[];
}

type SchemaNode = Record<string, unknown>;

/** Compile a schema once; annotation-only keywords (editor hints) are accepted and ignored. */
export function compileSchema(schema: object, annotationKeywords: readonly string[]): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
  ajv.addVocabulary([...annotationKeywords]);
  return ajv.compile(schema);
}

export function checkAgainstSchema(validate: ValidateFunction, data: unknown): SchemaFinding[] {
  if (validate(data)) return [];
  return reduceCombinators(validate.errors ?? []).map(toFinding);
}

/** JSON pointer (`/targets/0/auth`) → path segments; numeric segments become list indices. */
export function pointerToPath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * For `anyOf` (e.g. `retry: exponential` or `retry: { policy, ... }`) ajv reports every branch's
 * errors. Keep only the branch whose type matches the value; when none (or several) match, keep
 * the `anyOf` error itself, which is described as a type error listing the alternatives.
 * `if` errors only repeat what the `then`/`else` errors say, so they are dropped.
 */
function reduceCombinators(errors: ErrorObject[]): ErrorObject[] {
  let result = errors.filter((e) => e.keyword !== 'if');
  const combinators = result.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').sort((a, b) => b.schemaPath.length - a.schemaPath.length); // innermost first
  for (const c of combinators) {
    const prefix = `${c.schemaPath}/`;
    const branchCount = Array.isArray(c.schema) ? c.schema.length : 0;
    const branches: ErrorObject[][] = Array.from({ length: branchCount }, () => []);
    const rest: ErrorObject[] = [];
    for (const e of result) {
      if (e === c) continue;
      if (e.schemaPath.startsWith(prefix)) branches[Number(e.schemaPath.slice(prefix.length).split('/')[0])]?.push(e);
      else rest.push(e);
    }
    const typeMatches = branches.filter((errs) => !errs.some((e) => e.keyword === 'type' && e.instancePath === c.instancePath));
    result = typeMatches.length === 1 ? [...rest, ...typeMatches[0]] : [...rest, c];
  }
  return result;
}

function toFinding(e: ErrorObject): SchemaFinding {
  const path = pointerToPath(e.instancePath);
  const parentSchema = (e.parentSchema ?? {}) as SchemaNode;
  // Where a wrong value may be a key pasted into the wrong field, the message must not repeat it.
  const got = parentSchema.hideValueInErrors === true ? 'a value not shown here, as it may be a key' : describeValue(e.data);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((parentSchema.properties ?? {}) as SchemaNode);
      // Suggest only keys not already set: `arival` next to `arrival` is not a typo of it. Looked up
      // per known key (a handful), not per present key: a mapping may hold thousands of unknown keys.
      const data = e.data !== null && typeof e.data === 'object' ? (e.data as object) : {};
      const unset = known.filter((k) => !Object.prototype.hasOwnProperty.call(data, k));
      // No known key is long; comparing a very long one would only cost time.
      const suggestion = key.length <= MAX_SHOWN_CHARS ? didYouMean(key, unset) : '';
      const secret = /(^|_)(key|apikey|token|secret|password)$/i.test(key)
        ? '; keys never go in a scenario file: use auth: { type: api-key, env: VARIABLE_NAME }'
        : '';
      return {
        path: [...path, key],
        at: 'key',
        message: `unknown property ${shorten(JSON.stringify(key))}${suggestion ? ` (${suggestion})` : ''}${secret}`,
        allowed: known,
      };
    }
    case 'required':
      return { path: [...path, String(e.params.missingProperty)], at: 'key', message: 'is required' };
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return {
        path,
        at: 'value',
        message: `must be one of ${allowed.join(', ')} (got ${got}${suggestion ? `; ${suggestion}` : ''})`,
        allowed,
      };
    }
    case 'const':
      return { path, at: 'value', message: `must be ${JSON.stringify(e.params.allowedValue)} (got ${got})` };
    case 'type':
      return { path, at: 'value', message: `must be ${describeTypes(e.params.type)} (got ${got})` };
    case 'anyOf':
    case 'oneOf': {
      const branches = (Array.isArray(e.schema) ? e.schema : []) as SchemaNode[];
      const allowed = branches.flatMap((b) => (Array.isArray(b.enum) ? b.enum.map(String) : []));
      return {
        path,
        at: 'value',
        message: `must be ${branches.map(describeBranch).join(' or ')} (got ${got})`,
        ...(allowed.length ? { allowed } : {}),
      };
    }
    case 'pattern': {
      const custom = parentSchema.patternErrorMessage;
      const text = typeof custom === 'string' ? custom : `must match the pattern ${e.params.pattern}`;
      return { path, at: 'value', message: `${text} (got ${got})` };
    }
    case 'minimum':
    case 'maximum': {
      // A limit's reason (schema.ts, limits.ts) says why, e.g. "each client holds an open connection".
      const custom = parentSchema[`${e.keyword}ErrorMessage`];
      const text = typeof custom === 'string' ? custom : `must be ${e.params.comparison} ${e.params.limit}`;
      return { path, at: 'value', message: `${text} (got ${got})` };
    }
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, at: 'value', message: `must be ${e.params.comparison} ${e.params.limit} (got ${got})` };
    case 'minLength':
      return { path, at: 'value', message: e.params.limit === 1 ? 'must not be empty' : `must be at least ${e.params.limit} characters long` };
    case 'maxLength':
      return { path, at: 'value', message: `must be at most ${e.params.limit} characters long` };
    case 'minItems':
      return { path, at: 'value', message: `must have at least ${plural(e.params.limit, 'item')}` };
    case 'maxItems':
      return { path, at: 'value', message: `must have at most ${plural(e.params.limit, 'item')}` };
    default:
      return { path, at: 'value', message: e.message ?? `fails the "${e.keyword}" rule` };
  }
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  null: 'empty',
};

function describeTypes(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => TYPE_NAMES[t] ?? t).join(' or ');
}

function describeBranch(branch: SchemaNode): string {
  if (Array.isArray(branch.enum)) return `one of ${branch.enum.join(', ')}`;
  return describeTypes(branch.type);
}

/** How a value is shown after "got": strings quoted (long ones cut, URL passwords hidden), containers by kind. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? shorten(JSON.stringify(hideUrlCredentials(value))) : String(value);
}

/** `https://user:secret@host` → `https://***@host`: a message must never repeat a credential. */
export function hideUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1***@');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
