import { connect, type Socket } from 'node:net';
import { StreamReader } from '../src/stream-reader';

// A deliberately minimal, hand-rolled NBD peer for robustness tests: it speaks exactly the bytes a test
// wants, including ones our real client would never send.

const IHAVEOPT = Buffer.from('49484156454f5054', 'hex');

export function option(type: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(16);
  IHAVEOPT.copy(head, 0);
  head.writeUInt32BE(type, 8);
  head.writeUInt32BE(data.length, 12);
  return Buffer.concat([head, data]);
}

function goData(name: string): Buffer {
  const n = Buffer.from(name);
  const b = Buffer.alloc(4 + n.length + 2);
  b.writeUInt32BE(n.length, 0);
  n.copy(b, 4);
  return b;
}

export function request(type: number, flags: number, cookie: number, offset: number, length: number): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32BE(0x25609513, 0);
  b.writeUInt16BE(flags, 4);
  b.writeUInt16BE(type, 6);
  b.writeUInt32BE(cookie, 12);
  b.writeUInt32BE(Math.floor(offset / 2 ** 32), 16);
  b.writeUInt32BE(offset >>> 0, 20);
  b.writeUInt32BE(length, 24);
  return b;
}

/** Client bytes for a full handshake to `name` with structured replies: flags, STRUCTURED_REPLY, GO. */
export function handshakeBytes(name: string): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0, 3]), option(8), option(7, goData(name))]);
}

export interface RawConnection {
  socket: Socket;
  reader: StreamReader;
}

export async function rawConnect(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const reader = new StreamReader(256 * 1024 * 1024);
  reader.attach(socket);
  return { socket, reader };
}

/** Completes the handshake (structured replies on) and returns once transmission starts. */
export async function rawHandshake(conn: RawConnection, name: string): Promise<void> {
  await conn.reader.read(18);
  conn.socket.write(handshakeBytes(name));
  for (let acks = 0; acks < 2;) {
    const head = await conn.reader.read(20);
    const type = head.readUInt32BE(12);
    await conn.reader.read(head.readUInt32BE(16));
    if (type === 1) acks += 1;
    else if (type >= 0x80000000) throw new Error(`option error ${type.toString(16)}`);
  }
}

/** Reads one reply: simple (16 bytes, plus `readLength` data on success) or one structured chunk. */
export async function readReply(
  conn: RawConnection,
  readLength = 0,
): Promise<{ error: number; cookie: number; type?: number; payload?: Buffer }> {
  const head = await conn.reader.read(16);
  const magic = head.readUInt32BE(0);
  if (magic === 0x67446698) {
    const error = head.readUInt32BE(4);
    const cookie = head.readUInt32BE(12);
    if (error === 0 && readLength) await conn.reader.read(readLength);
    return { error, cookie };
  }
  const type = head.readUInt16BE(6);
  const cookie = head.readUInt32BE(12);
  const length = (await conn.reader.read(4)).readUInt32BE(0);
  const payload = await conn.reader.read(length);
  const error = type & 0x8000 ? payload.readUInt32BE(0) : 0;
  return { error, cookie, type, payload };
}
