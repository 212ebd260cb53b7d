// A connection process of an NbdServer (docs/benchmarks.md, "Our server on every core"): it runs the
// transmission phase of plain-TCP connections the parent negotiated and handed over with their socket, so that
// the send and receive syscalls of different connections run on different cores. Each export's file is opened
// here with its own handle; writes land in the shared page cache and FLUSH's fdatasync covers the whole file,
// so connections in different processes stay consistent (multi-conn).
import type { Socket } from 'node:net';
import { systemClock } from '@migratekit/core';
import { BufferPool } from './buffer-pool';
import { FileBackend } from './file-backend';
import type { NbdLogger } from './nbd-logger';
import type { Negotiated } from './nbd-server-handshake';
import type { ChildLimits, FromChild, ServeConnection, ToChild } from './nbd-server-process-messages';
import {
  ServerTransmission,
  drainWithin,
  isExpectedClose,
  runTransmission,
  type TransmissionContext,
} from './nbd-server-transmission';
import { StreamReader } from './stream-reader';

interface ChildConnection {
  exportName: string;
  socket: Socket;
  transmission: ServerTransmission;
}

interface OpenFile {
  path: string;
  backend: Promise<FileBackend>;
}

function tell(message: FromChild): void {
  process.send?.(message);
}

const log = (level: 'debug' | 'info' | 'warn' | 'error') => (fields: object, message?: string) =>
  tell({ type: 'log', level, fields: { ...fields, pid: process.pid }, message: message ?? '' });
const logger: NbdLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };

class ConnectionProcess {
  private limits: ChildLimits | null = null;
  private ctx: TransmissionContext | null = null;
  private readonly files = new Map<string, OpenFile>();
  private readonly connections = new Map<number, ChildConnection>();

  init(limits: ChildLimits): void {
    this.limits = limits;
    this.ctx = { ...limits, bufferPool: new BufferPool() };
  }

  /** One backend per export, shared by this process's connections to it; opened by the first of them. */
  private backend(msg: ServeConnection): Promise<FileBackend> {
    let file = this.files.get(msg.exportName);
    if (file && file.path !== msg.path) {
      const replaced = file.path;
      // The export now names another file: close the old one; a failure is logged, the new file is served anyway.
      void file.backend
        .then((b) => b.close())
        .catch((error: unknown) =>
          logger.warn({ err: String(error), path: replaced }, 'closing a replaced export file failed'),
        );
      file = undefined;
    }
    if (!file) {
      file = { path: msg.path, backend: FileBackend.open(msg.path, { readOnly: msg.readOnly }) };
      this.files.set(msg.exportName, file);
    }
    return file.backend;
  }

  async serve(msg: ServeConnection, socket: Socket): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) throw new Error('connection process used before init');
    try {
      const backend = await this.backend(msg);
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      if (msg.leftover.length > 0) socket.unshift(Buffer.from(msg.leftover));
      const reader = new StreamReader();
      reader.attach(socket);
      const negotiated: Negotiated = {
        export: { name: msg.exportName, backend, description: msg.description, multiConn: msg.multiConn },
        structured: msg.structured,
        allocationContext: msg.allocationContext,
        stream: socket,
        tlsIdentity: undefined,
        finalReply: Buffer.from(msg.finalReply),
      };
      socket.write(negotiated.finalReply);
      const transmission = new ServerTransmission(socket, reader, negotiated, ctx);
      this.connections.set(msg.id, { exportName: msg.exportName, socket, transmission });
      await runTransmission(transmission, socket);
    } catch (error) {
      logger[isExpectedClose(error) ? 'debug' : 'warn'](
        { exportName: msg.exportName, err: (error as Error).message },
        'nbd connection closed',
      );
    } finally {
      socket.destroy();
      this.connections.delete(msg.id);
      tell({ type: 'connectionClosed', id: msg.id });
    }
  }

  private async closeConnections(which: (c: ChildConnection) => boolean): Promise<number> {
    const timeoutMs = this.limits?.drainTimeoutMs ?? 30_000;
    const closing = [...this.connections.values()].filter(which).map(async (c) => {
      await drainWithin(c.transmission, systemClock, timeoutMs);
      c.socket.destroy();
    });
    await Promise.all(closing);
    return closing.length;
  }

  async removeExport(exportName: string): Promise<void> {
    const closedConnections = await this.closeConnections((c) => c.exportName === exportName);
    const file = this.files.get(exportName);
    this.files.delete(exportName);
    if (file) await (await file.backend.catch(() => null))?.close();
    tell({ type: 'exportRemoved', exportName, closedConnections });
  }

  async close(): Promise<void> {
    await this.closeConnections(() => true);
    for (const file of this.files.values()) await (await file.backend.catch(() => null))?.close();
    this.files.clear();
    process.disconnect?.();
  }
}

const child = new ConnectionProcess();
process.on('message', (msg: ToChild, handle: unknown) => {
  const failed = (error: unknown): void => logger.error({ err: (error as Error).message }, `${msg.type} failed`);
  if (msg.type === 'init') child.init(msg.limits);
  else if (msg.type === 'serve') child.serve(msg, handle as Socket).catch(failed);
  else if (msg.type === 'removeExport') child.removeExport(msg.exportName).catch(failed);
  else child.close().catch(failed);
});
// The parent going away (crash or close) ends this process: its connections belong to the parent's server.
process.on('disconnect', () => process.exit(0));
tell({ type: 'ready' });
