// One error shape for every response: { error: { code, message, field?, request_id, details? } }.
// Validation errors name the offending field (`body.name`, `query.limit`, `params.id`); anything unexpected
// becomes a 500 that carries only the request id, while the real error goes to the server log.
import { isMigrateKitError, type ErrorCode } from '@migratekit/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A vCenter or CloudStack refusing the caller's credentials: a 422, logged at warn. */
const REMOTE_REFUSED_CREDENTIALS = new Set<ErrorCode>(['MKE_VCENTER_AUTH', 'MKE_CLOUDSTACK_AUTH']);

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    field?: string;
    request_id?: string;
    details?: Record<string, unknown>;
  };
}

interface AjvErrorLike {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const CONTEXT_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('');
}

/** The field an Ajv error is about, prefixed with the request part: `body.vcenter_host`, `query.limit`. */
export function validationField(context: string | undefined, error: AjvErrorLike | undefined): string {
  const root = CONTEXT_NAMES[context ?? 'body'] ?? 'body';
  if (error === undefined) return root;
  let path = pointerToPath(error.instancePath ?? '');
  const params = error.params ?? {};
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') path += `.${params.missingProperty}`;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    path += `.${params.additionalProperty}`;
  }
  return `${root}${path}`;
}

function validationMessage(field: string, error: AjvErrorLike | undefined): string {
  if (error?.keyword === 'additionalProperties') return `${field} is not a known field`;
  if (error?.keyword === 'required') return `${field} is required`;
  return `${field} ${error?.message ?? 'is invalid'}`;
}

export function errorBody(
  code: ErrorCode,
  message: string,
  request: FastifyRequest,
  extra: { field?: string; details?: Record<string, unknown> } = {},
): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(extra.field === undefined ? {} : { field: extra.field }),
      request_id: request.id,
      ...(extra.details === undefined ? {} : { details: extra.details }),
    },
  };
}

function fastifyClientError(error: FastifyError, request: FastifyRequest): { status: number; body: ErrorBody } | null {
  const status = error.statusCode ?? 500;
  if (status === 413) return { status, body: errorBody('MKE_PAYLOAD_TOO_LARGE', 'Request body too large', request) };
  if (status === 415) {
    return {
      status,
      body: errorBody('MKE_UNSUPPORTED_MEDIA', 'Unsupported content type: send application/json', request, {
        field: 'headers.content-type',
      }),
    };
  }
  if (status === 429) return { status, body: errorBody('MKE_RATE_LIMITED', error.message, request) };
  if (
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error instanceof SyntaxError
  ) {
    const reason = error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'is empty' : 'is not valid JSON';
    return { status: 400, body: errorBody('MKE_VALIDATION', `body ${reason}`, request, { field: 'body' }) };
  }
  if (status >= 400 && status < 500) return { status, body: errorBody('MKE_VALIDATION', error.message, request) };
  return null;
}

export function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation !== undefined) {
      const first = error.validation[0] as AjvErrorLike | undefined;
      const field = validationField(error.validationContext, first);
      return sendError(reply, 400, errorBody('MKE_VALIDATION', validationMessage(field, first), request, { field }));
    }
    if (isMigrateKitError(error)) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      // Worth an operator's eye but not a fault of ours: no stack trace.
      else if (REMOTE_REFUSED_CREDENTIALS.has(error.code))
        request.log.warn(
          { code: error.code, reason: error.message, details: error.details },
          'remote refused credentials',
        );
      const retryAfter = error.details?.retry_after_seconds;
      if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
      const extra = {
        ...(error.field === undefined ? {} : { field: error.field }),
        ...(error.details === undefined ? {} : { details: error.details }),
      };
      return sendError(reply, error.status, errorBody(error.code, error.message, request, extra));
    }
    const client = fastifyClientError(error, request);
    if (client !== null) return sendError(reply, client.status, client.body);
    request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, 500, errorBody('MKE_INTERNAL', 'Internal error', request));
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      404,
      errorBody('MKE_ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0] ?? ''}`, request),
    ),
  );
}
