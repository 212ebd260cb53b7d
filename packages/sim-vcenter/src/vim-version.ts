import { FIELD_SINCE, TYPE_SINCE } from './vim-since';

// vim25 API versions. Each request names the version its client was built for (SOAPAction "urn:vim25/6.7");
// like vCenter, the simulator then serialises only the types and properties that version defines, because
// older SDKs (pyVmomi 6.7) refuse properties they do not know. See docs/simulators/vcenter.md.

export const API_VERSION = '8.0.2.0';

/** Every version the simulator answers in, newest first (what /sdk/vimServiceVersions.xml lists). */
export const SUPPORTED_VERSIONS = [
  API_VERSION,
  '8.0.1.0',
  '8.0.0.2',
  '8.0.0.1',
  '8.0.0.0',
  '7.0.3.2',
  '7.0.3.1',
  '7.0.3.0',
  '7.0.2.1',
  '7.0.2.0',
  '7.0.1.1',
  '7.0.1.0',
  '7.0.0.2',
  '7.0.0.0',
  '6.7.3',
  '6.7.2',
  '6.7.1',
  '6.7',
  '6.5',
  '6.0',
] as const;

const OLDEST = '6.0';

function parts(version: string): number[] {
  return version.split('.').map((p) => Number(p));
}

/** Orders versions numerically ("7.0" equals "7.0.0.0", "6.7.3" comes before "7.0"). */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function isVersion(v: string): boolean {
  return /^\d+(\.\d+){1,3}$/.test(v);
}

/**
 * The version a request is served in, from its SOAPAction ("urn:vim25/6.7"). No version, or one newer than
 * the simulator's: the newest; between two supported ones (a client built for 6.8): the older of the two;
 * older than the oldest supported: the oldest.
 */
export function negotiatedVersion(soapAction: string | undefined): string {
  const m = /urn:vim25\/([\w.]+)/.exec(soapAction ?? '');
  const asked = m?.[1];
  if (!asked || !isVersion(asked)) return API_VERSION;
  return SUPPORTED_VERSIONS.find((v) => compareVersions(v, asked) <= 0) ?? OLDEST;
}

/** Whether `type` exists in `version` (types without an entry exist in every supported version). */
export function typeKnownIn(type: string, version: string): boolean {
  const since = TYPE_SINCE[type];
  return since === undefined || compareVersions(since, version) <= 0;
}

/** Whether property `field` of data object type `type` (the concrete type) exists in `version`. */
export function fieldKnownIn(type: string, field: string, version: string): boolean {
  const since = FIELD_SINCE[`${type}.${field}`];
  return since === undefined || compareVersions(since, version) <= 0;
}

export function vimServiceVersionsXml(): string {
  const prior = SUPPORTED_VERSIONS.slice(1)
    .map((v) => `   <version>${v}</version>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<namespaces version="1.0">
 <namespace>
  <name>urn:vim25</name>
  <version>${API_VERSION}</version>
  <priorVersions>
${prior}  </priorVersions>
 </namespace>
</namespaces>
`;
}
