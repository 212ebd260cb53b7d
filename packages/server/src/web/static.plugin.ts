// Serves the built dashboard (packages/web/dist) at `/`. Hashed assets are cached for a year; index.html is
// revalidated on every load so a new build shows up at once. Any non-API path that is not a file answers
// index.html, so the dashboard's client-side routes (/vms, /jobs/...) survive a reload.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The source tree's build, or in a compiled release (scripts/release/) the `web` directory next to the bundle. */
export const DEFAULT_WEB_DIST =
  [resolve(import.meta.dirname, 'web'), resolve(import.meta.dirname, '..', '..', '..', 'web', 'dist')].find((dir) =>
    existsSync(join(dir, 'index.html')),
  ) ?? resolve(import.meta.dirname, '..', '..', '..', 'web', 'dist');

export interface WebStaticOptions {
  /** Directory holding index.html and assets/; defaults to packages/web/dist. */
  root?: string;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

export async function webStaticPlugin(app: FastifyInstance, options: WebStaticOptions = {}): Promise<void> {
  const root = options.root ?? DEFAULT_WEB_DIST;
  const hasBuild = existsSync(join(root, 'index.html'));
  if (!hasBuild) {
    app.log.warn({ root }, 'dashboard not built; run npm run build -w @migratekit/web');
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built. Run: npm run build -w @migratekit/web'),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // Routes for the files present at start; everything else falls through to the SPA route below.
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader('cache-control', path.includes(`${join('/', 'assets', '/')}`) ? IMMUTABLE : 'no-cache');
    },
  });

  const sendIndex = async (_request: unknown, reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });

  app.get('/', { schema: { hide: true } }, sendIndex);
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    if (isApiPath(request.url)) return reply.callNotFound();
    return sendIndex(request, reply);
  });
}
