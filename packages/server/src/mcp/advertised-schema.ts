/** A JSON schema as `z.toJSONSchema` writes it: plain JSON objects. */
export type JsonSchema = { [key: string]: unknown };

/** Keywords that describe a schema without constraining it: kept on the outside. */
const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'examples']);

/** What `{}` (any JSON value) is advertised as: the same set, named type by type. */
const ANY_JSON: JsonSchema[] = ['object', 'array', 'string', 'number', 'boolean', 'null'].map(
  (type) => ({ type }),
);

/**
 * A tool schema as `tools/list` advertises it: the same values, written so
 * that strict clients (`inspector --strict`) and models read it without
 * warnings (docs/product.md#common-input-rules):
 * - a type array (`"type": ["string", "null"]`) becomes an `anyOf` of one
 *   schema per type;
 * - a schema with no keyword (`{}`: any JSON value) names the JSON types in
 *   an `anyOf`; an empty `additionalProperties` (the default) and
 *   `propertyNames: {type: "string"}` (always true in JSON) are left out;
 * - an `anyOf` nested directly in an `anyOf` is flattened;
 * - `io: 'input'` only: an optional field is advertised without its `null`
 *   branch. The runtime (zod) still accepts `null` there, as today's clients
 *   send it; leaving the field out means the same, and is what a model should
 *   write.
 * - zod's bounds of the safe-integer range are left out (an integer's
 *   size is not a rule of these tools).
 * Output schemas keep every `null` (a client validates `structuredContent`
 * against them).
 */
export function advertisedSchema(schema: JsonSchema, io: 'input' | 'output'): JsonSchema {
  return rewrite(schema, io, false);
}

function rewrite(schema: JsonSchema, io: 'input' | 'output', optional: boolean): JsonSchema {
  let out: JsonSchema = { ...schema };
  if (Array.isArray(out.type)) out = splitTypes(out);
  if (isObject(out.properties)) {
    const required = new Set(Array.isArray(out.required) ? out.required : []);
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([key, value]) => [
        key,
        rewrite(value as JsonSchema, io, !required.has(key)),
      ]),
    );
  }
  if (isObject(out.items)) out.items = rewrite(out.items, io, false);
  if (isObject(out.additionalProperties)) {
    if (hasNoKeyword(out.additionalProperties)) delete out.additionalProperties;
    else out.additionalProperties = rewrite(out.additionalProperties, io, false);
  }
  if (isObject(out.propertyNames) && out.propertyNames.type === 'string') {
    if (Object.keys(out.propertyNames).length === 1) delete out.propertyNames;
  }
  if (Array.isArray(out.anyOf)) {
    let branches = (out.anyOf as JsonSchema[])
      .map((branch) => rewrite(branch, io, false))
      .flatMap((branch) =>
        Array.isArray(branch.anyOf) && Object.keys(branch).length === 1
          ? (branch.anyOf as JsonSchema[])
          : [branch],
      );
    if (io === 'input' && optional) branches = branches.filter((branch) => branch.type !== 'null');
    const [only] = branches;
    if (branches.length === 1 && only) {
      delete out.anyOf;
      out = { ...out, ...only };
    } else {
      out.anyOf = branches;
    }
  }
  // zod bounds every integer to the safe range: true of any JSON number Godot sends.
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (hasNoKeyword(out)) out.anyOf = ANY_JSON.map((branch) => ({ ...branch }));
  return out;
}

/** `{type: [a, b], …rest}` → `{anyOf: [{type: a, …rest}, {type: b, …rest}]}`, annotations outside. */
function splitTypes(schema: JsonSchema): JsonSchema {
  const outside: JsonSchema = {};
  const inside: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') continue;
    if (ANNOTATIONS.has(key)) outside[key] = value;
    else inside[key] = value;
  }
  return { ...outside, anyOf: (schema.type as string[]).map((type) => ({ type, ...inside })) };
}

function hasNoKeyword(schema: JsonSchema): boolean {
  return Object.keys(schema).every((key) => ANNOTATIONS.has(key));
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
