import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimVmInfo } from './sim-vcenter';

// /_sim control routes (HTTP Basic with the simulator's credentials):
//   GET  /_sim/vms
//   POST /_sim/vms/{vm}/disks/{key}/write?offset=N   body: the bytes the guest writes
//   GET  /_sim/vms/{vm}/disks/{key}/read?offset=N&length=M
//   POST /_sim/guest-writes/tick                      one round of random guest writes

export interface ControlApi {
  listVms(): SimVmInfo[];
  writeGuest(vm: string, diskKey: number, offset: number, data: Buffer): Promise<void>;
  readDisk(vm: string, diskKey: number, offset: number, length: number): Promise<Buffer>;
}

export interface ControlRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  username: string;
  password: string;
  api: ControlApi & { guestTick?: () => Promise<number> };
  readBody: () => Promise<Buffer>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function authorized(req: IncomingMessage, username: string, password: string): boolean {
  const h = req.headers.authorization ?? '';
  if (!h.startsWith('Basic ')) return false;
  return Buffer.from(h.slice(6), 'base64').toString('utf8') === `${username}:${password}`;
}

export async function handleControl(c: ControlRequest): Promise<void> {
  const { req, res, url } = c;
  if (!authorized(req, c.username, c.password)) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="sim-vcenter"' }).end();
    return;
  }
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent); // ['_sim', 'vms', id, 'disks', key, op]
  try {
    if (req.method === 'GET' && parts.length === 2 && parts[1] === 'vms') {
      json(res, 200, c.api.listVms());
      return;
    }
    if (
      req.method === 'POST' &&
      parts.length === 3 &&
      parts[1] === 'guest-writes' &&
      parts[2] === 'tick' &&
      c.api.guestTick
    ) {
      json(res, 200, { written: await c.api.guestTick() });
      return;
    }
    if (parts.length === 6 && parts[1] === 'vms' && parts[3] === 'disks') {
      const vm = parts[2] ?? '';
      const key = Number(parts[4]);
      const offset = Number(url.searchParams.get('offset') ?? '0');
      if (req.method === 'POST' && parts[5] === 'write') {
        const data = await c.readBody();
        await c.api.writeGuest(vm, key, offset, data);
        json(res, 200, { written: data.length, offset });
        return;
      }
      if (req.method === 'GET' && parts[5] === 'read') {
        const length = Number(url.searchParams.get('length') ?? '0');
        const data = await c.api.readDisk(vm, key, offset, length);
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(data);
        return;
      }
    }
    json(res, 404, { error: 'no such control route' });
  } catch (err) {
    json(res, 400, { error: err instanceof Error ? err.message : String(err) });
  }
}
