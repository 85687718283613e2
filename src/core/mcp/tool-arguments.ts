/**
 * Arguments for an MCP tool call from the tool's own `inputSchema` (JSON Schema, MCP spec 2025-11-25
 * "Tools"): a prefilled object a person can edit, and validation before anything is sent. Validation is
 * Ajv's (JSON Schema draft-07/2019-09 keywords the SDK's zod schemas produce); the schema comes from the
 * server, so it is size-bounded, compiled without loading any remote `$ref`, and its patterns run on a
 * linear-time engine (schema-regexp.ts) — validation runs on every keystroke.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { linearRegExp } from './schema-regexp';

/** The part of a tool's JSON Schema used to prefill arguments. */
export interface ToolInputSchema {
  type?: unknown;
  properties?: Record<string, unknown>;
  required?: unknown;
  [key: string]: unknown;
}

/** What the client knows about the person, to fill fields that name them. */
export interface ArgumentHints {
  /** The caller's own directory id, e.g. from the server's `whoami` (`user_001`). */
  userId?: string;
}

/** A schema larger than this is not compiled: validation is skipped with a reason instead. */
const MAX_SCHEMA_CHARS = 64 * 1024;
/**
 * Arguments longer than this (as typed) are not validated as the person types: they are sent unchecked
 * and the server validates. Linear-time patterns keep each check proportional to the text; this bounds it.
 */
export const MAX_ARGUMENT_CHARS = 256 * 1024;
/** Property names taken to mean "which user": filled with the caller's own id. */
const USER_ID_NAMES = /^(user_?id|userid|user|oid|upn)$/i;

interface PropertySchema {
  type?: unknown;
  default?: unknown;
  examples?: unknown;
  enum?: unknown;
  const?: unknown;
  description?: unknown;
}

/** The first `e.g. value` in a description ("Directory id, e.g. user_001" → user_001). */
function exampleFromDescription(description: unknown): string | undefined {
  if (typeof description !== 'string') return undefined;
  return /\be\.g\.?,?\s+["'`]?([\w.@:/-]+?)["'`]?(?:[\s,;)]|$)/i.exec(description)?.[1];
}

function placeholderFor(name: string, p: PropertySchema, hints: ArgumentHints): unknown {
  if (p.const !== undefined) return p.const;
  if (p.default !== undefined) return p.default;
  const type = Array.isArray(p.type) ? p.type[0] : p.type;
  if (hints.userId && USER_ID_NAMES.test(name) && (type === undefined || type === 'string'))
    return hints.userId;
  if (Array.isArray(p.examples) && p.examples.length) return p.examples[0];
  if (Array.isArray(p.enum) && p.enum.length) return p.enum[0];
  const example = exampleFromDescription(p.description);
  switch (type) {
    case 'integer':
    case 'number':
      return example !== undefined && Number.isFinite(Number(example)) ? Number(example) : 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return example ?? '';
  }
}

/**
 * A starting point for the arguments: every property of the schema (required ones first) with its
 * `default`, the caller's own id for a user-id field, an example from the schema or its description, or
 * an empty value of its type.
 * @see https://modelcontextprotocol.io/specification/2025-11-25/server/tools (inputSchema)
 */
export function prefillArguments(
  schema: ToolInputSchema | undefined,
  hints: ArgumentHints = {},
): Record<string, unknown> {
  const properties = schema?.properties && typeof schema.properties === 'object' ? schema.properties : {};
  const required = new Set(Array.isArray(schema?.required) ? schema.required.map(String) : []);
  const names = Object.keys(properties).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  return Object.fromEntries(
    names.map((name) => [name, placeholderFor(name, (properties[name] ?? {}) as PropertySchema, hints)]),
  );
}

export type ArgumentCheck =
  | { ok: true; args: Record<string, unknown> }
  | { ok: false; message: string }
  /** The schema itself could not be used; the arguments are sent as typed (the server validates too). */
  | { ok: true; args: Record<string, unknown>; unchecked: string };

/** Compiles a tool's schema once; `check` parses the person's JSON text and validates it. */
export function createArgumentChecker(schema: ToolInputSchema | undefined): (text: string) => ArgumentCheck {
  let validate: ValidateFunction | undefined;
  let unchecked: string | undefined;
  const source = JSON.stringify(schema ?? { type: 'object' });
  if (source.length > MAX_SCHEMA_CHARS) {
    unchecked = `the server's input schema is larger than ${MAX_SCHEMA_CHARS / 1024} KiB`;
  } else {
    try {
      // strict: false — servers emit keywords Ajv does not know (e.g. `$schema` variants); loadSchema is
      // not set, so a `$ref` to another document fails to compile instead of being fetched. Every
      // `pattern`/`patternProperties` regex goes through linearRegExp (ReDoS); `$data` stays off so no
      // pattern is built from the instance; `format` is not validated (Ajv would need ajv-formats, whose
      // regexes are its own, not the server's) and an unknown one is not logged.
      validate = new Ajv({
        strict: false,
        allErrors: true,
        code: { regExp: linearRegExp },
        validateFormats: false,
        logger: false,
      }).compile(JSON.parse(source) as object);
    } catch (err) {
      unchecked = `the server's input schema is not usable (${(err as Error).message.slice(0, 120)})`;
    }
  }
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, message: 'Not valid JSON: enter an object such as {"name": "value"}.' };
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, message: 'The arguments must be a JSON object ({…}).' };
    }
    const args = value as Record<string, unknown>;
    if (!validate) return { ok: true, args, unchecked: unchecked ?? 'no schema' };
    if (text.length > MAX_ARGUMENT_CHARS) {
      return { ok: true, args, unchecked: `the arguments are longer than ${MAX_ARGUMENT_CHARS / 1024} KiB` };
    }
    if (validate(args)) return { ok: true, args };
    return { ok: false, message: describeErrors(validate.errors ?? []) };
  };
}

/** Ajv errors as one line a person can act on: `user_id: must be string; name: is required`. */
function describeErrors(errors: ErrorObject[]): string {
  const parts = errors.slice(0, 3).map((e) => {
    if (e.keyword === 'required') return `${String(e.params.missingProperty)}: is required`;
    if (e.keyword === 'additionalProperties')
      return `${String(e.params.additionalProperty)}: is not an argument of this tool`;
    const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'arguments';
    return `${where}: ${e.message ?? 'is invalid'}`;
  });
  return parts.join('; ') + (errors.length > 3 ? ` (+${errors.length - 3} more)` : '');
}
