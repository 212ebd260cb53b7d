// Two Ajv instances: query strings, path params and headers arrive as text and are coerced to the declared
// types; JSON bodies are not coerced, so `{"name": 5}` for a string field is a 400, not a silent "5".
// Unknown body properties are rejected (additionalProperties: false in the schemas) rather than dropped, so
// a typo in a field name is reported instead of ignored.
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; under ESM its callable is the default export's default.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

function createAjv(options: Options): Ajv {
  // strict: false lets OpenAPI annotations such as `example` sit in route schemas.
  const ajv = new Ajv({ useDefaults: true, removeAdditional: false, allErrors: false, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv({ coerceTypes: false });
  const coercing = createAjv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object);
  };
}
