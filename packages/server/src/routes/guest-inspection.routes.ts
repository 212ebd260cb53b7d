// A VM's guest inspection (docs/conversion.md): what virt-inspector found on its synced disks (OS, distribution,
// kernel, whether a conversion can work), stored per VM and read by the failover pre-flight.
import { MigrateKitError } from '@migratekit/core';
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { IdParams } from '../http/schemas';

const GuestInspection = Type.Object(
  {
    vm_context_id: Type.String(),
    os_family: Type.String({ description: 'linux | windows | other | unknown (no operating system found)' }),
    distribution: Type.Union([Type.String(), Type.Null()]),
    version: Type.Union([Type.String(), Type.Null()]),
    kernel: Type.Union([Type.String(), Type.Null()]),
    convertible: Type.Boolean(),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'why a conversion cannot work' }),
    devices: Type.Array(Type.String(), { description: 'the inspected devices, root disk first' }),
    inspected_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'GuestInspection' },
);

export const guestInspectionRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['vm-contexts'];

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/vm-contexts/:id/guest-inspection',
    {
      schema: {
        tags,
        summary: "The VM's latest guest inspection (404 before the first)",
        params: IdParams,
        response: { 200: GuestInspection },
      },
    },
    async (request) => {
      const found = await services.guestConversion.latestInspection(request.params.id);
      if (found === undefined)
        throw new MigrateKitError('MKE_NOT_FOUND', { message: `VM context ${request.params.id} was never inspected` });
      return found;
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/vm-contexts/:id/guest-inspection',
    {
      schema: {
        tags,
        summary: "Inspect the VM's synced disks now (read-only; takes a minute or more) and store the result",
        params: IdParams,
        response: { 200: GuestInspection },
      },
    },
    async (request, reply) => {
      // A caller that goes away stops the inspection instead of leaving the tool running (the response closing
      // before it was written is the caller leaving; the request's own 'close' fires once its body is read).
      const abort = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort(new MigrateKitError('MKE_CANCELLED'));
      });
      return services.guestConversion.inspectContext(request.params.id, abort.signal);
    },
  );
};
