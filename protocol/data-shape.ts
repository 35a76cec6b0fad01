/**
 * Bounds on the shape of an event's `data`, checked on the JSON as parsed from the request, before anything is
 * stored. The size of a body is bounded by --max-payload; these bound what size alone does not:
 * - depth: JSON.parse builds any nesting, but JSON.stringify (socket.io's encoder, the Redis broker's) recurses, so
 *   data nested a few thousand deep is accepted and then cannot be sent: it crashed the relay on replay (issue 12);
 * - keys: object keys plus array items, so one event's parsed size stays proportionate (a 64 KiB body of `[{},{},…]`
 *   is 20 000 objects);
 * - `__proto__` keys: refused rather than carried. JSON.parse makes them own properties, but ordinary JavaScript
 *   assignment (zod's record copy, Object.assign, most browser code that copies or merges `data`) turns them into a
 *   prototype change instead: the key vanishes after the signature was checked, and in a receiving page it is the
 *   classic prototype-pollution gadget. No encoding of it survives every consumer, so it is refused with a 400.
 *   `constructor` and `prototype` are ordinary own properties on every path (assignment creates them like any other
 *   key), so they are kept exactly as signed: refusing field names that legitimate data uses would be overreach;
 * - strings (values and keys) must be well-formed Unicode: a lone surrogate written as `\ud800` is valid JSON but no
 *   text, and consumers disagree about it (PHP's json_decode refuses the whole document).
 */

export interface DataLimits {
  /** Nesting of objects and arrays; `data` itself is depth 1. */
  maxDepth: number;
  /** Object keys plus array items, counted over the whole of one event's `data`. */
  maxKeys: number;
}

export const DATA_LIMIT_DEFAULTS: DataLimits = { maxDepth: 32, maxKeys: 10_000 };

export type DataShapeFailure = 'data_too_deep' | 'data_too_many_keys' | 'forbidden_key' | 'invalid_unicode';

export interface DataShapeProblem {
  reason: DataShapeFailure;
  /** Where, relative to `data`: `.a[3].b`, or '' for `data` itself. */
  path: string;
  message: string;
}

/** The one key refused anywhere in `data` (see above). */
const FORBIDDEN_KEY = '__proto__';
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function segment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Checks parsed JSON `data` against the limits; null when it is fine, else the first problem found. */
export function checkDataShape(data: unknown, limits: DataLimits = DATA_LIMIT_DEFAULTS): DataShapeProblem | null {
  const path: (string | number)[] = [];
  let keys = 0;
  const problem = (reason: DataShapeFailure, message: string): DataShapeProblem => ({ reason, path: path.map(segment).join(''), message });

  // Recursion is bounded by maxDepth: a value is only descended into while its depth is within the limit.
  function visit(value: unknown, depth: number): DataShapeProblem | null {
    if (typeof value === 'string') {
      return LONE_SURROGATE.test(value) ? problem('invalid_unicode', 'string is not well-formed Unicode (a lone surrogate)') : null;
    }
    if (typeof value !== 'object' || value === null) return null;
    if (depth > limits.maxDepth) {
      return problem('data_too_deep', `nested deeper than the ${limits.maxDepth}-level limit (--max-data-depth)`);
    }
    if (Array.isArray(value)) {
      keys += value.length;
      if (keys > limits.maxKeys) return problem('data_too_many_keys', `more than the ${limits.maxKeys} keys and array items allowed in one event's data (--max-data-keys)`);
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const found = visit(value[i], depth + 1);
        if (found) return found;
        path.pop();
      }
      return null;
    }
    const names = Object.keys(value);
    keys += names.length;
    if (keys > limits.maxKeys) return problem('data_too_many_keys', `more than the ${limits.maxKeys} keys and array items allowed in one event's data (--max-data-keys)`);
    for (const name of names) {
      path.push(name);
      if (name === FORBIDDEN_KEY) return problem('forbidden_key', `the key "${FORBIDDEN_KEY}" is not accepted (JavaScript receivers cannot keep it as data)`);
      if (LONE_SURROGATE.test(name)) return problem('invalid_unicode', 'key is not well-formed Unicode (a lone surrogate)');
      const found = visit((value as Record<string, unknown>)[name], depth + 1);
      if (found) return found;
      path.pop();
    }
    return null;
  }

  return visit(data, 1);
}
