// ParamUnpackWorker: after the signature is checked on the names as received, CloudStack lower-cases every
// parameter name before the command reads it, so `zoneId` and `zoneid` are the same parameter. In a map
// parameter (`details[0].cpuNumber`) only the map name is lower-cased; the field keeps the case it was sent in.

import { SimApiError } from './api-error';

/** One `[index]` followed by `.field`, as ParamUnpackWorker accepts it. */
const MAP_NAME = /^[^[\]]+\[[+-]?\d+\]\.[^[\]]+$/;

export function dispatchName(name: string): string {
  const bracket = name.indexOf('[');
  // A name that starts with `[` is not a map for CloudStack either: it is taken as a plain name.
  if (bracket <= 0) return name.toLowerCase();
  if (!MAP_NAME.test(name))
    throw new SimApiError(
      430,
      `Unable to decode parameter ${name}; if specifying an object array, please use parameter[index].field=XXX, e.g. userGroupList[0].group=httpGroup`,
      9999,
    );
  return `${name.slice(0, bracket).toLowerCase()}${name.slice(bracket)}`;
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
