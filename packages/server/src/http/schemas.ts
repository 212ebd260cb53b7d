// Shared TypeBox schemas for route definitions.
import type { StatusSet } from '@migratekit/core';
import { Type, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable MKE_* code from the error catalogue' }),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'The offending input, e.g. body.name or query.limit' })),
      request_id: Type.Optional(Type.String()),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { title: 'ErrorResponse' },
);

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

export const PagingQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });
}

/** A status of a catalogue set (docs/statuses.md) as an OpenAPI enum, so the SDK types it as a literal union. */
export function StatusEnum<S extends string>(
  set: StatusSet<S>,
  options: { description?: string } = {},
): TUnion<TLiteral<S>[]> {
  return Type.Union(
    set.values.map((s) => Type.Literal(s)),
    { description: options.description ?? `A ${set.name} status` },
  );
}

export const NoContent = Type.Null({ description: 'No content' });

/** Dates leave the API as ISO-8601 UTC strings. */
export function iso(date: Date): string;
export function iso(date: Date | null): string | null;
export function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}
