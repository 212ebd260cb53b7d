// Turns typed request objects into CloudStack's flat string parameters.

type Scalar = string | number | boolean;

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function mapEntries(value: object, prefix: string, out: Record<string, string>): void {
  for (const [key, item] of Object.entries(value)) {
    if (isScalar(item)) out[`${prefix}.${key}`] = String(item);
  }
}

/**
 * - undefined/null are left out; numbers and booleans become their decimal/`true`/`false` text;
 * - string arrays become CSV (`networkids=a,b`);
 * - arrays of objects become indexed maps (`iptonetworklist[0].networkid=...`);
 * - a plain object becomes one map entry (`details[0].rootdisksize=20`).
 * Names pass through unchanged: callers use lowercase names, which is what the server looks up.
 */
export function flattenParams(params: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params) as [string, unknown][]) {
    if (value === undefined || value === null) continue;
    if (isScalar(value)) out[name] = String(value);
    else if (Array.isArray(value)) {
      const items = value as unknown[];
      if (items.length === 0) continue;
      if (items.every(isScalar)) out[name] = items.map(String).join(',');
      else
        items.forEach((entry, index) => {
          if (typeof entry === 'object' && entry !== null) mapEntries(entry, `${name}[${index}]`, out);
        });
    } else if (typeof value === 'object') mapEntries(value, `${name}[0]`, out);
  }
  return out;
}
