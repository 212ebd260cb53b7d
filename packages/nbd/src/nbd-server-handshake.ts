import type { Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { DataCursor, encodeOptionReply, u16, u32, writeU64 } from './nbd-codec';
import {
  BASE_ALLOCATION,
  CLIENT_FIXED_NEWSTYLE,
  CLIENT_NO_ZEROES,
  FLAG_FIXED_NEWSTYLE,
  FLAG_NO_ZEROES,
  IHAVEOPT,
  INFO,
  MAX_STRING,
  NBD_MAGIC,
  OPT,
  REP,
} from './nbd-constants';
import { NbdError } from './nbd-error';
import type { NbdExport, ServerContext } from './nbd-server-types';
import { transmissionFlags } from './nbd-server-flags';
import type { StreamReader } from './stream-reader';

/** The negotiated state a transmission phase starts from. */
export interface Negotiated {
  export: NbdExport;
  structured: boolean;
  /** Context id for base:allocation, or null when block status was not negotiated for this export. */
  allocationContext: number | null;
  stream: Duplex;
  tlsIdentity: string | undefined;
  /**
   * The reply that ends the handshake (GO's INFO/ACK or EXPORT_NAME's size and flags), not yet sent: the
   * client sends nothing before it arrives, so the connection can still move to another process here.
   */
  finalReply: Buffer;
}

const MAX_OPTION_DATA = 64 * 1024;
const ALLOCATION_CONTEXT_ID = 1;

/** Thrown to end the handshake without a protocol error (ABORT, unknown EXPORT_NAME). */
export class HandshakeClosed extends Error {}

export class ServerHandshake {
  private stream: Duplex;
  private tls = false;
  private tlsIdentity: string | undefined;
  private structured = false;
  private noZeroes = false;
  private metaExport: string | null = null;
  private metaAllocation = false;
  /** Replies held back instead of written (the final reply, see Negotiated.finalReply). */
  private held: Buffer[] | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly reader: StreamReader,
    private readonly ctx: ServerContext,
    private readonly peer: string,
    secured?: { identity: string },
  ) {
    this.stream = socket;
    // Carried inside a TLS session the caller authenticated: that session is this connection's TLS.
    if (secured) {
      this.tls = true;
      this.tlsIdentity = secured.identity;
    }
  }

  get currentStream(): Duplex {
    return this.stream;
  }

  private send(buf: Buffer): void {
    if (this.held) this.held.push(buf);
    else this.stream.write(buf);
  }

  private reply(option: number, type: number, data?: Buffer): void {
    this.send(encodeOptionReply(option, type, data));
  }

  private replyError(option: number, type: number, message: string): void {
    this.reply(option, type, Buffer.from(message, 'utf8'));
  }

  async run(): Promise<Negotiated> {
    const hello = Buffer.allocUnsafe(18);
    hello.writeBigUInt64BE(NBD_MAGIC, 0);
    hello.writeBigUInt64BE(IHAVEOPT, 8);
    hello.writeUInt16BE(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES, 16);
    this.send(hello);
    const clientFlags = (await this.reader.read(4)).readUInt32BE(0);
    if (clientFlags & ~(CLIENT_FIXED_NEWSTYLE | CLIENT_NO_ZEROES))
      throw new NbdError('protocol', 'client set unknown handshake flags');
    this.noZeroes = (clientFlags & CLIENT_NO_ZEROES) !== 0;
    const fixed = (clientFlags & CLIENT_FIXED_NEWSTYLE) !== 0;

    for (;;) {
      const header = await this.reader.read(16);
      if (header.readBigUInt64BE(0) !== IHAVEOPT) throw new NbdError('protocol', 'bad option magic');
      const option = header.readUInt32BE(8);
      const length = header.readUInt32BE(12);
      if (length > MAX_OPTION_DATA) {
        if (length > 16 * MAX_OPTION_DATA) throw new NbdError('protocol', 'option data too large');
        await this.discard(length);
        this.replyError(option, REP.ERR_TOO_BIG, 'option data too large');
        continue;
      }
      const data = await this.reader.read(length);
      const done = await this.handleOption(option, data, fixed);
      if (done) return done;
    }
  }

  private async discard(length: number): Promise<void> {
    for (let left = length; left > 0;) {
      const n = Math.min(left, 64 * 1024);
      await this.reader.read(n);
      left -= n;
    }
  }

  private async handleOption(option: number, data: Buffer, fixed: boolean): Promise<Negotiated | null> {
    if (this.ctx.tlsMode === 'require' && !this.tls && option !== OPT.STARTTLS && option !== OPT.ABORT) {
      if (option === OPT.EXPORT_NAME) throw new NbdError('tls', 'EXPORT_NAME before STARTTLS on a TLS-only server');
      this.replyError(option, REP.ERR_TLS_REQD, 'TLS is required');
      return null;
    }
    switch (option) {
      case OPT.EXPORT_NAME:
        return this.exportName(data);
      case OPT.ABORT:
        this.reply(option, REP.ACK);
        throw new HandshakeClosed('client aborted the handshake');
      case OPT.LIST:
        this.list(data);
        return null;
      case OPT.STARTTLS:
        await this.startTls(data, fixed);
        return null;
      case OPT.INFO:
      case OPT.GO:
        return this.infoOrGo(option, data);
      case OPT.STRUCTURED_REPLY:
        if (data.length !== 0) this.replyError(option, REP.ERR_INVALID, 'STRUCTURED_REPLY takes no data');
        else if (this.structured) this.replyError(option, REP.ERR_INVALID, 'structured replies already negotiated');
        else {
          this.structured = true;
          this.reply(option, REP.ACK);
        }
        return null;
      case OPT.LIST_META_CONTEXT:
      case OPT.SET_META_CONTEXT:
        this.metaContext(option, data);
        return null;
      default:
        this.replyError(option, REP.ERR_UNSUP, 'option not supported');
        return null;
    }
  }

  private exportName(data: Buffer): Negotiated {
    const name = data.toString('utf8');
    const exp = this.ctx.findExport(name, this.peer, this.tlsIdentity);
    if (!exp || data.length > MAX_STRING) throw new HandshakeClosed(`unknown export ${JSON.stringify(name)}`);
    this.held = [];
    const reply = Buffer.alloc(this.noZeroes ? 10 : 134);
    writeU64(reply, exp.backend.size, 0);
    reply.writeUInt16BE(transmissionFlags(exp, this.structured), 8);
    this.send(reply);
    return this.negotiated(exp);
  }

  private negotiated(exp: NbdExport): Negotiated {
    const allocation = this.structured && this.metaAllocation && this.metaExport === exp.name;
    const finalReply = Buffer.concat(this.held ?? []);
    this.held = null;
    return {
      export: exp,
      structured: this.structured,
      allocationContext: allocation ? ALLOCATION_CONTEXT_ID : null,
      stream: this.stream,
      tlsIdentity: this.tlsIdentity,
      finalReply,
    };
  }

  private list(data: Buffer): void {
    if (data.length !== 0) {
      this.replyError(OPT.LIST, REP.ERR_INVALID, 'LIST takes no data');
      return;
    }
    for (const exp of this.ctx.listExports(this.peer, this.tlsIdentity)) {
      const name = Buffer.from(exp.name, 'utf8');
      const description = Buffer.from(exp.description ?? '', 'utf8');
      this.reply(OPT.LIST, REP.SERVER, Buffer.concat([u32(name.length), name, description]));
    }
    this.reply(OPT.LIST, REP.ACK);
  }

  private infoOrGo(option: number, data: Buffer): Negotiated | null {
    const cursor = new DataCursor(data);
    const nameLength = cursor.u32();
    const name = nameLength === null || nameLength > MAX_STRING ? null : cursor.string(nameLength);
    const count = cursor.u16();
    if (name === null || count === null || cursor.remaining !== count * 2) {
      this.replyError(option, REP.ERR_INVALID, 'malformed INFO/GO request');
      return null;
    }
    const requested = new Set<number>();
    for (let i = 0; i < count; i++) requested.add(cursor.u16() ?? 0);
    const exp = this.ctx.findExport(name, this.peer, this.tlsIdentity);
    if (!exp) {
      this.replyError(option, REP.ERR_UNKNOWN, 'unknown export');
      return null;
    }
    if (option === OPT.GO) this.held = [];
    const info = Buffer.alloc(10);
    writeU64(info, exp.backend.size, 0);
    info.writeUInt16BE(transmissionFlags(exp, this.structured), 8);
    this.reply(option, REP.INFO, Buffer.concat([u16(INFO.EXPORT), info]));
    if (requested.has(INFO.NAME)) this.reply(option, REP.INFO, Buffer.concat([u16(INFO.NAME), Buffer.from(exp.name)]));
    if (requested.has(INFO.DESCRIPTION) && exp.description)
      this.reply(option, REP.INFO, Buffer.concat([u16(INFO.DESCRIPTION), Buffer.from(exp.description)]));
    // Block sizes are sent even when not requested: clients must ignore what they did not ask for.
    this.reply(option, REP.INFO, Buffer.concat([u16(INFO.BLOCK_SIZE), u32(1), u32(4096), u32(this.ctx.maxPayload)]));
    this.reply(option, REP.ACK);
    return option === OPT.GO ? this.negotiated(exp) : null;
  }

  private metaContext(option: number, data: Buffer): void {
    const cursor = new DataCursor(data);
    const nameLength = cursor.u32();
    const name = nameLength === null || nameLength > MAX_STRING ? null : cursor.string(nameLength);
    const count = cursor.u32();
    const queries: string[] = [];
    for (let i = 0; name !== null && count !== null && i < count; i++) {
      const qLength = cursor.u32();
      const q = qLength === null || qLength > MAX_STRING ? null : cursor.string(qLength);
      if (q === null) break;
      queries.push(q);
    }
    const set = option === OPT.SET_META_CONTEXT;
    if (set) {
      // A SET replaces the previous selection even when it fails.
      this.metaExport = null;
      this.metaAllocation = false;
    }
    if (name === null || count === null || queries.length !== count || cursor.remaining !== 0) {
      this.replyError(option, REP.ERR_INVALID, 'malformed meta context request');
      return;
    }
    if (set && !this.structured) {
      this.replyError(option, REP.ERR_INVALID, 'SET_META_CONTEXT needs structured replies');
      return;
    }
    const exp = this.ctx.findExport(name, this.peer, this.tlsIdentity);
    if (!exp) {
      this.replyError(option, REP.ERR_UNKNOWN, 'unknown export');
      return;
    }
    const matches = (q: string): boolean => q === BASE_ALLOCATION || (!set && q === 'base:');
    const selected = set ? queries.some(matches) : queries.length === 0 || queries.some(matches);
    if (selected) {
      const id = set ? ALLOCATION_CONTEXT_ID : 0;
      this.reply(option, REP.META_CONTEXT, Buffer.concat([u32(id), Buffer.from(BASE_ALLOCATION)]));
    }
    if (set) {
      this.metaExport = exp.name;
      this.metaAllocation = selected;
    }
    this.reply(option, REP.ACK);
  }

  private async startTls(data: Buffer, fixed: boolean): Promise<void> {
    const option = OPT.STARTTLS;
    if (this.ctx.tlsMode === 'off' || !this.ctx.tlsContextOptions || !fixed) {
      this.replyError(option, REP.ERR_POLICY, 'TLS is not enabled');
      return;
    }
    if (this.tls) {
      this.replyError(option, REP.ERR_INVALID, 'TLS already negotiated');
      return;
    }
    if (data.length !== 0) {
      this.replyError(option, REP.ERR_INVALID, 'STARTTLS takes no data');
      return;
    }
    this.reply(option, REP.ACK);
    this.reader.detach();
    const tlsOptions = this.ctx.tlsOptions;
    let pskIdentity: string | undefined;
    const psk = tlsOptions?.psk;
    const verifyPeer = tlsOptions?.verifyPeer ?? false;
    // A throwaway tls.Server does the server-side handshake on the socket we hand it: unlike a bare
    // TLSSocket it also checks the client certificate and sets `authorized`.
    const tlsServer = createTlsServer({
      ...this.ctx.tlsContextOptions,
      requestCert: verifyPeer,
      rejectUnauthorized: verifyPeer,
      ...(psk
        ? {
            pskCallback: (_socket: TLSSocket, identity: string): Buffer | null => {
              const key = psk.get(identity);
              if (key) pskIdentity = identity;
              return key ?? null;
            },
          }
        : {}),
    });
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const onClose = (): void => reject(new NbdError('tls', 'TLS handshake failed'));
      this.socket.once('close', onClose);
      tlsServer.once('secureConnection', (s: TLSSocket) => {
        this.socket.off('close', onClose);
        resolve(s);
      });
      tlsServer.once('tlsClientError', (error: Error) => {
        this.socket.off('close', onClose);
        reject(new NbdError('tls', `TLS handshake failed: ${error.message}`));
      });
      tlsServer.emit('connection', this.socket);
    });
    if (verifyPeer && !secure.authorized && !pskIdentity) {
      secure.destroy();
      throw new NbdError('tls', 'client certificate rejected');
    }
    const peerCert = secure.getPeerCertificate();
    const cn = peerCert && typeof peerCert.subject?.CN === 'string' ? peerCert.subject.CN : undefined;
    this.tlsIdentity = pskIdentity ?? cn;
    this.stream = secure;
    this.tls = true;
    // Success wipes the negotiation state, as the spec requires.
    this.structured = false;
    this.metaExport = null;
    this.metaAllocation = false;
    this.reader.attach(secure);
  }
}
