// Mover placement (docs/scale-out.md#data-movers): a replication runs on the server holding its agent's link, and
// that server's VM (its data mover) holds the volumes. When agents on several servers serve the vCenter, the
// server is chosen: first the one whose mover already holds this VM's volumes (one VM's disks stay on one mover:
// one NBD export set, and failover finds them together), then the most free attachment slots, then this server
// on a tie, then the lowest server id. Short agent requests keep AgentRouter.route() (local first).
import type { Repositories, ServerRecord } from '@migratekit/db';
import type { Logger } from 'pino';
import { agentOffline, type AgentRoute, type AgentRouter } from '../agents/agent-router';

export interface MoverCandidate extends AgentRoute {
  /** The CloudStack VM the candidate's server attaches to; null when it records none. */
  moverVmId: string | null;
  slots: number;
  /** Volumes attached to that VM now, of any VM context. */
  attached: number;
  /** Of this context's volumes, how many that VM holds. */
  holdsOwn: number;
}

export type PlacementReason = 'together' | 'free_slots' | 'local' | 'server_id' | 'only_candidate';

export interface ReplicationPlacement extends MoverCandidate {
  freeSlots: number;
  /** Disks the VM is expected to have (see expectedDisks). */
  disks: number;
  reason: PlacementReason;
}

export interface MoverPlacementDeps {
  router: Pick<AgentRouter, 'candidates'>;
  repositories: Pick<Repositories, 'servers' | 'cloudstackVolumes' | 'vmDisks'>;
  serverId: string;
  logger: Pick<Logger, 'info' | 'warn'>;
}

type MoverSeat = Pick<ServerRecord, 'data_mover_vm_id' | 'attachment_slots'>;

const freeSlots = (c: MoverCandidate) => c.slots - c.attached;

/** Orders two candidates by the placement rule; negative when `a` is the better one. */
export function compareMovers(a: MoverCandidate, b: MoverCandidate): number {
  return (
    b.holdsOwn - a.holdsOwn ||
    freeSlots(b) - freeSlots(a) ||
    Number(b.local) - Number(a.local) ||
    a.serverId.localeCompare(b.serverId) ||
    a.agentId.localeCompare(b.agentId)
  );
}

/** Which rule separated the best candidate from the runner-up. */
function reasonFor(best: MoverCandidate, next: MoverCandidate | undefined): PlacementReason {
  if (next === undefined || next.serverId === best.serverId) return 'only_candidate';
  if (best.holdsOwn !== next.holdsOwn) return 'together';
  if (freeSlots(best) !== freeSlots(next)) return 'free_slots';
  return best.local !== next.local ? 'local' : 'server_id';
}

export class MoverPlacement {
  constructor(private readonly deps: MoverPlacementDeps) {}

  /** The agent (and so the server and data mover) a replication of `contextId` runs on; MKE_AGENT_OFFLINE if none. */
  async placeReplication(vcenterHost: string, contextId: string): Promise<ReplicationPlacement> {
    const routes = await this.deps.router.candidates(vcenterHost);
    if (routes.length === 0) throw agentOffline(vcenterHost);
    const candidates = (await this.describe(routes, contextId)).sort(compareMovers);
    const [best, ...rest] = candidates;
    if (best === undefined) throw agentOffline(vcenterHost);
    const next = rest.find((c) => c.serverId !== best.serverId);
    const disks = await this.expectedDisks(contextId);
    const placement = { ...best, freeSlots: freeSlots(best), disks, reason: reasonFor(best, next) };
    const fields = {
      context_id: contextId,
      server_id: best.serverId,
      agent_id: best.agentId,
      data_mover_vm_id: best.moverVmId,
      free_slots: placement.freeSlots,
      disks,
      reason: placement.reason,
      candidates: candidates.length,
    };
    // The executing server refuses it when MIGRATEKIT_ATTACHMENT_SLOTS is set (data-mover-slots.ts).
    if (best.attached + Math.max(0, disks - best.holdsOwn) > best.slots)
      this.deps.logger.warn(fields, 'the chosen data mover lacks the free attachment slots this VM needs');
    else this.deps.logger.info(fields, 'replication placed on a data mover');
    return placement;
  }

  /**
   * The disk count known before the job runs: the disks the context's copies recorded in vm_disks, or 1 for a
   * VM never copied. The job itself reads the VM's disks from vCenter and checks the slots again.
   */
  private async expectedDisks(contextId: string): Promise<number> {
    return Math.max(1, (await this.deps.repositories.vmDisks.listLatestByContext(contextId)).length);
  }

  /** Adds each route's mover VM, its slots and attached volumes; routes whose server died meanwhile drop out. */
  private async describe(routes: AgentRoute[], contextId: string): Promise<MoverCandidate[]> {
    const { servers, cloudstackVolumes } = this.deps.repositories;
    const live = new Map((await servers.listLive()).map((server) => [server.id, server]));
    // This server registers before it serves, so its row exists; without one it has no mover to offer slots on.
    const here: MoverSeat = live.get(this.deps.serverId) ??
      (await servers.get(this.deps.serverId)) ?? { data_mover_vm_id: null, attachment_slots: 0 };
    const serverOf = (route: AgentRoute): MoverSeat | undefined => (route.local ? here : live.get(route.serverId));
    const moverVmIds = [...new Set(routes.map((r) => serverOf(r)?.data_mover_vm_id ?? null))].filter(
      (id): id is string => id !== null,
    );
    const attached = await cloudstackVolumes.countAttachedByVm(moverVmIds);
    const own = new Map<string, number>();
    for (const volume of await cloudstackVolumes.listByContext(contextId))
      if (volume.attached_vm_id !== null) own.set(volume.attached_vm_id, (own.get(volume.attached_vm_id) ?? 0) + 1);
    return routes.flatMap((route) => {
      const server = serverOf(route);
      if (server === undefined) return [];
      const moverVmId = server.data_mover_vm_id;
      return [
        {
          ...route,
          moverVmId,
          slots: server.attachment_slots,
          attached: moverVmId === null ? 0 : (attached.get(moverVmId) ?? 0),
          holdsOwn: moverVmId === null ? 0 : (own.get(moverVmId) ?? 0),
        },
      ];
    });
  }
}
