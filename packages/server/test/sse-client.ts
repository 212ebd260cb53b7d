// A minimal SSE reader over node:http for tests: collects raw frames from a real listening server.
import { request } from 'node:http';

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

export interface SseConnection {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  frames: SseFrame[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves with the first frame (already received or future) that matches. */
  waitFor(match: (frame: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  close(): void;
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else {
      const [key, ...rest] = line.split(':');
      const value = rest.join(':').replace(/^ /, '');
      if (key === 'id' || key === 'event' || key === 'data') frame[key] = value;
    }
  }
  return frame;
}

export function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const frames: SseFrame[] = [];
      const waiters: { match: (f: SseFrame) => boolean; resolve: (f: SseFrame) => void }[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const frame = parseFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          frames.push(frame);
          for (const waiter of [...waiters]) {
            if (waiter.match(frame)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(frame);
            }
          }
          end = buffer.indexOf('\n\n');
        }
      });
      res.on('error', () => undefined);
      const ended = new Promise<void>((resolveEnd) => {
        res.on('end', resolveEnd);
        res.on('close', resolveEnd);
      });
      resolve({
        ended,
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames,
        waitFor: (match, timeoutMs = 5_000) => {
          const existing = frames.find(match);
          if (existing !== undefined) return Promise.resolve(existing);
          return new Promise((resolveFrame, rejectFrame) => {
            // A bound on a wait for data that should already be in flight, not a sleep for a timeout.
            const timer = setTimeout(
              () => rejectFrame(new Error(`no matching SSE frame within ${timeoutMs} ms`)),
              timeoutMs,
            );
            waiters.push({
              match,
              resolve: (f) => {
                clearTimeout(timer);
                resolveFrame(f);
              },
            });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
