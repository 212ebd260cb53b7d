// Route hooks for a POST whose JSON body is optional (e.g. "test this credential"): no body at all, or a
// zero-length one sent with a JSON content-type (what many clients do for a bodiless POST), reads as {}.
// A non-empty body is still parsed and validated as usual.
import type { onRequestHookHandler, preValidationHookHandler } from 'fastify';

const emptyBodyIsNoBody: onRequestHookHandler = (request, _reply, done) => {
  // Fastify's JSON parser refuses an empty body; without a content-type nothing is parsed. No length and no
  // chunked encoding means no body in HTTP/1.1.
  const length = request.headers['content-length'];
  if (length === '0' || (length === undefined && request.headers['transfer-encoding'] === undefined))
    delete request.headers['content-type'];
  done();
};

const missingBodyIsEmptyObject: preValidationHookHandler = (request, _reply, done) => {
  request.body ??= {};
  done();
};

export const optionalJsonBody = { onRequest: emptyBodyIsNoBody, preValidation: missingBodyIsEmptyObject };
