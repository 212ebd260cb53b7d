// ParamUnpackWorker: after the signature is checked on the names as received, CloudStack lower-cases every
// parameter name before the command reads it, so `zoneId` and `zoneid` are the same parameter. In a map
// parameter (`details[0].cpuNumber`) only the map name is lower-cased; the field keeps the case it was sent in.

export function dispatchName(name: string): string {
  const bracket = name.indexOf('[');
  return bracket > 0 ? `${name.slice(0, bracket).toLowerCase()}${name.slice(bracket)}` : name.toLowerCase();
}

/** The parameters a command handler sees; when two names differ only in case, the first one sent wins. */
export function dispatchParams(received: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(received)) {
    const key = dispatchName(name);
    if (!Object.hasOwn(out, key)) out[key] = value;
  }
  return out;
}
