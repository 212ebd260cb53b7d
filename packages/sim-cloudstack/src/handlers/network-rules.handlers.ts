import { invalidValue } from '../api-error';
import { findCatalogue, findVm, listResponse, str, type Handler, type HandlerContext } from '../sim-context';

// The estate models guest networks only: no public IP ranges, so no public IPs and no NAT or port forwarding
// rules. The commands still answer as CloudStack does (libcloud's list_nodes calls all three): an empty list
// is `{}`, and an id that names nothing is the usual invalid-value error of a uuid parameter.

function noPublicIp(ctx: HandlerContext, name: string): void {
  const value = str(ctx, name);
  if (value !== undefined) throw invalidValue(ctx.command, name, value);
}

export const listPublicIpAddresses: Handler = (ctx) => {
  noPublicIp(ctx, 'id');
  findCatalogue(ctx, 'zoneid', ctx.state.zones);
  findCatalogue(ctx, 'associatednetworkid', ctx.state.networks);
  return listResponse(ctx, 'publicipaddress', []);
};

export const listPortForwardingRules: Handler = (ctx) => {
  noPublicIp(ctx, 'id');
  noPublicIp(ctx, 'ipaddressid');
  findCatalogue(ctx, 'networkid', ctx.state.networks);
  return listResponse(ctx, 'portforwardingrule', []);
};

export const listIpForwardingRules: Handler = (ctx) => {
  noPublicIp(ctx, 'id');
  noPublicIp(ctx, 'ipaddressid');
  findVm(ctx, 'virtualmachineid');
  return listResponse(ctx, 'ipforwardingrule', []);
};
