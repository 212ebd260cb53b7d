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

/** The JSON body of any 2xx answer: an operation answering 200 or 201 resolves to either shape. */
export type OpResult<O> = O extends { responses: infer R }
  ? [Extract<keyof R, 200 | 201 | 202 | 204>] extends [never]
    ? undefined
    : { [C in Extract<keyof R, 200 | 201 | 202 | 204>]: JsonOf<R[C]> }[Extract<keyof R, 200 | 201 | 202 | 204>]
  : undefined;
