import { invalidParameter, invalidValue } from '../api-error';
import {
  CAPABILITY_FIELDS,
  COMMAND_TABLE,
  DISK_OFFERING_FIELDS,
  DOMAIN_FIELDS,
  NETWORK_FIELDS,
  SERVICE_OFFERING_FIELDS,
  TEMPLATE_FIELDS,
  ZONE_FIELDS,
} from '../command-table';
import { pick } from '../render';
import { bool, commonFilter, listResponse, long, str, type Handler, type HandlerContext } from '../sim-context';
import type { ApiObject } from '../sim-types';

const TEMPLATE_FILTERS = ['featured', 'self', 'selfexecutable', 'sharedexecutable', 'executable', 'community', 'all'];

function listCatalogue(ctx: HandlerContext, key: string, items: ApiObject[], fields: readonly string[]): ApiObject {
  const zoneid = str(ctx, 'zoneid');
  const filtered = commonFilter(ctx, items, (item) => item).filter(
    (item) => zoneid === undefined || item.zoneid === undefined || item.zoneid === zoneid,
  );
  return listResponse(
    ctx,
    key,
    filtered.map((item) => pick(item, fields)),
  );
}

export const listZones: Handler = (ctx) => {
  const networktype = str(ctx, 'networktype');
  const zones = ctx.state.zones.filter((z) => networktype === undefined || z.networktype === networktype);
  return listCatalogue(ctx, 'zone', zones, ZONE_FIELDS);
};

export const listDomains: Handler = (ctx) => {
  const level = long(ctx, 'level');
  const domains = ctx.state.domains.filter((d) => level === undefined || d.level === level);
  return listCatalogue(ctx, 'domain', domains, DOMAIN_FIELDS);
};

export const listTemplates: Handler = (ctx) => {
  const filter = str(ctx, 'templatefilter') ?? '';
  if (!TEMPLATE_FILTERS.includes(filter)) throw invalidValue(ctx.command, 'templatefilter', filter);
  const hypervisor = str(ctx, 'hypervisor')?.toLowerCase();
  const templates = ctx.state.templates.filter(
    (t) => hypervisor === undefined || String(t.hypervisor).toLowerCase() === hypervisor,
  );
  return listCatalogue(ctx, 'template', templates, TEMPLATE_FIELDS);
};

export const listServiceOfferings: Handler = (ctx) => {
  const offerings = bool(ctx, 'issystem') ? [] : ctx.state.serviceOfferings;
  return listCatalogue(ctx, 'serviceoffering', offerings, SERVICE_OFFERING_FIELDS);
};

export const listDiskOfferings: Handler = (ctx) =>
  listCatalogue(ctx, 'diskoffering', ctx.state.diskOfferings, DISK_OFFERING_FIELDS);

export const listNetworks: Handler = (ctx) => {
  const type = str(ctx, 'type')?.toLowerCase();
  const traffictype = str(ctx, 'traffictype')?.toLowerCase();
  const canusefordeploy = bool(ctx, 'canusefordeploy');
  const issystem = bool(ctx, 'issystem');
  if (type !== undefined && !['isolated', 'shared', 'l2', 'all'].includes(type))
    throw invalidParameter(`Unsupported network type ${str(ctx, 'type')}`);
  const networks = ctx.state.networks.filter(
    (n) =>
      (type === undefined || type === 'all' || String(n.type).toLowerCase() === type) &&
      (traffictype === undefined || String(n.traffictype).toLowerCase() === traffictype) &&
      (canusefordeploy === undefined || n.canusefordeploy === canusefordeploy) &&
      (issystem === undefined || (n.issystem ?? false) === issystem),
  );
  return listCatalogue(ctx, 'network', networks, NETWORK_FIELDS);
};

export const listCapabilities: Handler = () => ({
  capability: pick(
    {
      cloudstackversion: '4.19.1.0',
      kvmsnapshotenabled: true,
      securitygroupsenabled: false,
      userpublictemplateenabled: true,
      allowusercreateprojects: true,
      allowuserviewdestroyedvm: true,
      allowuserexpungerecovervm: true,
      projectinviterequired: false,
      dynamicrolesenabled: true,
      customdiskofferingminsize: 1,
      customdiskofferingmaxsize: 1024,
      regionsecondaryenabled: false,
      supportELB: 'false',
      apilimitinterval: 1,
      apilimitmax: 0,
    },
    CAPABILITY_FIELDS,
  ),
});

/** listApis describes what this simulator implements (a subset of a real CloudStack). */
export const listApis: Handler = (ctx) => {
  const name = str(ctx, 'name');
  const apis = Object.entries(COMMAND_TABLE)
    .filter(([command]) => name === undefined || command === name)
    .map(([command, spec]) => ({
      name: command,
      description: `${command} (simulated)`,
      isasync: spec.isasync,
      params: Object.entries(spec.params).map(([param, p]) => ({ name: param, type: p.type, required: p.required })),
      response: spec.responseFields.filter((f) => !f.includes('.')).map((field) => ({ name: field })),
    }));
  if (name !== undefined && apis.length === 0)
    throw invalidParameter(`The API [${name}] does not exist or is not available for this account.`);
  return apis.length === 0 ? {} : { count: apis.length, api: apis };
};
