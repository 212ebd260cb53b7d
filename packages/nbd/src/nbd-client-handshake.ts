import type { Socket } from 'node:net';
import { DEFAULT_CIPHERS, checkServerIdentity, connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { DataCursor, encodeGoData, encodeMetaContextData, encodeOption, readU64 } from './nbd-codec';
import {
  BASE_ALLOCATION,
  CLIENT_FIXED_NEWSTYLE,
  CLIENT_NO_ZEROES,
  DEFAULT_MAX_PAYLOAD,
  FLAG_FIXED_NEWSTYLE,
  FLAG_NO_ZEROES,
  IHAVEOPT,
  INFO,
  NBD_MAGIC,
  OPT,
  OPTION_REPLY_MAGIC,
  REP,
  isErrorReply,
} from './nbd-constants';
import type { NbdClientOptions, NbdExportInfo, NegotiatedExport } from './nbd-client-types';
import { NbdError } from './nbd-error';
import { PSK_CIPHERS, TLS13_CIPHERSUITES } from './nbd-tls';
import type { StreamReader } from './stream-reader';

interface OptionReply {
  type: number;
  data: Buffer;
}

const REPLY_NAMES: Record<number, string> = {
  [REP.ERR_UNSUP]: 'ERR_UNSUP',
  [REP.ERR_POLICY]: 'ERR_POLICY',
  [REP.ERR_INVALID]: 'ERR_INVALID',
  [REP.ERR_PLATFORM]: 'ERR_PLATFORM',
  [REP.ERR_TLS_REQD]: 'ERR_TLS_REQD',
  [REP.ERR_UNKNOWN]: 'ERR_UNKNOWN',
  [REP.ERR_SHUTDOWN]: 'ERR_SHUTDOWN',
  [REP.ERR_BLOCK_SIZE_REQD]: 'ERR_BLOCK_SIZE_REQD',
  [REP.ERR_TOO_BIG]: 'ERR_TOO_BIG',
};

function describe(option: number, reply: OptionReply): string {
  const name = REPLY_NAMES[reply.type] ?? `reply ${reply.type}`;
  const text = reply.data.length ? `: ${reply.data.toString('utf8')}` : '';
  return `option ${option} failed with ${name}${text}`;
}

/** Client side of the fixed-newstyle handshake, up to transmission (or a LIST). */
export class ClientHandshake {
  private stream: Duplex;
  private noZeroes = false;
  private tls = false;

  constructor(
    private readonly socket: Socket,
    private readonly reader: StreamReader,
    private readonly options: NbdClientOptions,
  ) {
    this.stream = socket;
  }

  get currentStream(): Duplex {
    return this.stream;
  }

  private async readReply(option: number): Promise<OptionReply> {
    const header = await this.reader.read(20);
    if (header.readBigUInt64BE(0) !== OPTION_REPLY_MAGIC) throw new NbdError('protocol', 'bad option reply magic');
    if (header.readUInt32BE(8) !== option) throw new NbdError('protocol', 'option reply for another option');
    const length = header.readUInt32BE(16);
    if (length > 16 * 1024 * 1024) throw new NbdError('protocol', 'option reply too large');
    return { type: header.readUInt32BE(12), data: await this.reader.read(length) };
  }

  private sendOption(option: number, data?: Buffer): void {
    this.stream.write(encodeOption(option, data));
  }

  private async start(): Promise<void> {
    const hello = await this.reader.read(18);
    if (hello.readBigUInt64BE(0) !== NBD_MAGIC) throw new NbdError('protocol', 'not an NBD server');
    if (hello.readBigUInt64BE(8) !== IHAVEOPT) throw new NbdError('negotiation', 'server is not newstyle');
    const flags = hello.readUInt16BE(16);
    if (!(flags & FLAG_FIXED_NEWSTYLE)) throw new NbdError('negotiation', 'server is not fixed newstyle');
    this.noZeroes = (flags & FLAG_NO_ZEROES) !== 0;
    const reply = Buffer.alloc(4);
    reply.writeUInt32BE(CLIENT_FIXED_NEWSTYLE | (this.noZeroes ? CLIENT_NO_ZEROES : 0), 0);
    this.stream.write(reply);
    // A secured transport already is the TLS session; NBD's own STARTTLS would encrypt twice.
    if (this.options.securedTransport) this.tls = true;
    else if (this.options.tls) await this.startTls();
  }

  private async startTls(): Promise<void> {
    const tls = this.options.tls;
    if (!tls) return;
    this.sendOption(OPT.STARTTLS);
    const reply = await this.readReply(OPT.STARTTLS);
    if (reply.type !== REP.ACK) {
      if (tls.mode === 'require')
        throw new NbdError('tls', `server refused STARTTLS (${describe(OPT.STARTTLS, reply)})`);
      return;
    }
    this.reader.detach();
    const psk = tls.psk;
    const verify = psk ? false : (tls.verifyPeer ?? true);
    const servername = tls.servername ?? this.options.host ?? 'localhost';
    const secure: TLSSocket = tlsConnect({
      socket: this.socket,
      minVersion: 'TLSv1.2',
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      // SNI must not be an IP address; the identity check below still covers IPs via the SAN list.
      ...(/^[\d.]+$|:/.test(servername) ? {} : { servername }),
      rejectUnauthorized: verify,
      checkServerIdentity: verify ? (_host, cert) => checkServerIdentity(servername, cert) : () => undefined,
      // AES-128-GCM first: hardware-accelerated and cheaper than the AES-256 servers otherwise pick.
      ...(psk
        ? {
            ciphers: `${TLS13_CIPHERSUITES}:${PSK_CIPHERS}`,
            pskCallback: () => ({ psk: psk.key, identity: psk.identity }),
          }
        : { ciphers: `${TLS13_CIPHERSUITES}:${DEFAULT_CIPHERS}` }),
    });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', (error: Error) => reject(new NbdError('tls', `TLS handshake failed: ${error.message}`)));
      secure.once('close', () => reject(new NbdError('tls', 'connection closed during the TLS handshake')));
    });
    secure.removeAllListeners('close');
    secure.removeAllListeners('error');
    this.stream = secure;
    this.tls = true;
    this.reader.attach(secure);
  }

  async list(): Promise<NbdExportInfo[]> {
    await this.start();
    this.sendOption(OPT.LIST);
    const out: NbdExportInfo[] = [];
    for (;;) {
      const reply = await this.readReply(OPT.LIST);
      if (reply.type === REP.ACK) break;
      if (isErrorReply(reply.type)) throw new NbdError('negotiation', describe(OPT.LIST, reply));
      const cursor = new DataCursor(reply.data);
      const length = cursor.u32() ?? 0;
      const name = cursor.string(length);
      if (name === null) throw new NbdError('protocol', 'malformed LIST reply');
      out.push({ name, description: cursor.rest().toString('utf8') });
    }
    this.sendOption(OPT.ABORT);
    return out;
  }

  async go(exportName: string): Promise<NegotiatedExport> {
    await this.start();
    let structured = false;
    if (this.options.structuredReplies ?? true) {
      this.sendOption(OPT.STRUCTURED_REPLY);
      const reply = await this.readReply(OPT.STRUCTURED_REPLY);
      structured = reply.type === REP.ACK;
      if (reply.type === REP.ERR_TLS_REQD) throw new NbdError('tls', 'server requires TLS');
    }
    let allocationContext: number | null = null;
    if (structured && (this.options.blockStatus ?? true)) {
      this.sendOption(OPT.SET_META_CONTEXT, encodeMetaContextData(exportName, [BASE_ALLOCATION]));
      for (;;) {
        const reply = await this.readReply(OPT.SET_META_CONTEXT);
        if (reply.type === REP.META_CONTEXT && reply.data.length >= 4) {
          if (reply.data.subarray(4).toString('utf8') === BASE_ALLOCATION)
            allocationContext = reply.data.readUInt32BE(0);
        } else if (reply.type === REP.ACK || isErrorReply(reply.type)) break;
      }
    }
    const result: NegotiatedExport = {
      size: 0,
      flags: 0,
      structured,
      allocationContext,
      blockSizes: { minimum: 1, preferred: 4096, maximum: DEFAULT_MAX_PAYLOAD },
      tls: this.tls,
    };
    this.sendOption(OPT.GO, encodeGoData(exportName, [INFO.BLOCK_SIZE]));
    let gotExport = false;
    for (;;) {
      const reply = await this.readReply(OPT.GO);
      if (reply.type === REP.INFO && reply.data.length >= 2) {
        const info = reply.data.readUInt16BE(0);
        if (info === INFO.EXPORT && reply.data.length >= 12) {
          result.size = readU64(reply.data, 2);
          result.flags = reply.data.readUInt16BE(10);
          gotExport = true;
        } else if (info === INFO.BLOCK_SIZE && reply.data.length >= 14) {
          result.blockSizes = {
            minimum: reply.data.readUInt32BE(2),
            preferred: reply.data.readUInt32BE(6),
            maximum: reply.data.readUInt32BE(10),
          };
        }
        continue;
      }
      if (reply.type === REP.ACK) break;
      if (reply.type === REP.ERR_UNSUP) return this.exportNameFallback(exportName, result);
      if (reply.type === REP.ERR_TLS_REQD) throw new NbdError('tls', 'server requires TLS');
      if (reply.type === REP.ERR_UNKNOWN)
        throw new NbdError('negotiation', `export ${JSON.stringify(exportName)} not found`);
      if (isErrorReply(reply.type)) throw new NbdError('negotiation', describe(OPT.GO, reply));
    }
    if (!gotExport) throw new NbdError('protocol', 'GO succeeded without INFO_EXPORT');
    if (!Number.isFinite(result.size)) throw new NbdError('protocol', 'export size beyond 2^53');
    return result;
  }

  private async exportNameFallback(exportName: string, result: NegotiatedExport): Promise<NegotiatedExport> {
    if (this.options.tls?.mode === 'require')
      throw new NbdError('tls', 'refusing the EXPORT_NAME fallback on a TLS connection');
    this.stream.write(encodeOption(OPT.EXPORT_NAME, Buffer.from(exportName, 'utf8')));
    const reply = await this.reader.read(this.noZeroes ? 10 : 134);
    result.size = readU64(reply, 0);
    result.flags = reply.readUInt16BE(8);
    return result;
  }
}
