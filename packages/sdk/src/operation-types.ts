// Helper types that turn an openapi-typescript operation into the argument and result of a client function.

type JsonOf<C> = C extends { content: { 'application/json': infer T } } ? T : undefined;

export type PathParams<O> = O extends { parameters: { path?: infer P } }
  ? [P] extends [undefined]
    ? never
    : P
  : never;
export type QueryParams<O> = O extends { parameters: { query?: infer Q } }
  ? [Q] extends [undefined]
    ? never
    : Q
  : never;
export type BodyOf<O> = O extends { requestBody?: infer B } ? ([B] extends [undefined] ? never : JsonOf<B>) : never;

export interface OpArgs<O> {
  path?: PathParams<O>;
  query?: QueryParams<O>;
  body?: BodyOf<O>;
  signal?: AbortSignal;
}

export type OpResult<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonOf<R[200]>
    : 201 extends keyof R
      ? JsonOf<R[201]>
      : 202 extends keyof R
        ? JsonOf<R[202]>
        : undefined
  : undefined;
