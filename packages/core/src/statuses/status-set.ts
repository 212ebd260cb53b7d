// One shape for every status set of the product (docs/statuses.md): the statuses, where each may go next, and
// what kind of state each is (the dashboard colours a badge by kind, services ask whether a status is final).
// Pure data and functions, no I/O: the dashboard imports it too.

/** What a status means to someone reading a list: waiting, working, done, needs a look, failed, failed over. */
export type StatusKind = 'waiting' | 'active' | 'succeeded' | 'attention' | 'failed' | 'failed_over';

export interface StatusSpec<S extends string> {
  /** The statuses this one may change to. */
  readonly next: readonly S[];
  readonly kind: StatusKind;
}

export interface StatusSet<S extends string> {
  readonly name: string;
  /** Every status, in the order the spec lists them (OpenAPI enums, filter menus). */
  readonly values: readonly S[];
  readonly transitions: Readonly<Record<S, readonly S[]>>;
  readonly kinds: Readonly<Record<S, StatusKind>>;
  /** Statuses a new row may start in. */
  readonly initial: readonly S[];
  /** Statuses nothing leaves: a row in one of them never changes status again. */
  readonly final: readonly S[];
  is(value: string): value is S;
  canTransition(from: S, to: S): boolean;
  /** The statuses from which `to` may be reached: what a conditional `UPDATE ... WHERE status IN (...)` uses. */
  allowedSources(to: S): S[];
  isFinal(status: S): boolean;
}

export function defineStatusSet<S extends string>(
  name: string,
  spec: { readonly [K in S]: StatusSpec<NoInfer<S>> },
  options: { initial?: readonly NoInfer<S>[] } = {},
): StatusSet<S> {
  const values = Object.keys(spec) as S[];
  const transitions = Object.fromEntries(values.map((s) => [s, spec[s].next])) as Record<S, readonly S[]>;
  const kinds = Object.fromEntries(values.map((s) => [s, spec[s].kind])) as Record<S, StatusKind>;
  const canTransition = (from: S, to: S): boolean => transitions[from].includes(to);
  const final = values.filter((s) => transitions[s].length === 0);
  return {
    name,
    values,
    transitions,
    kinds,
    initial: options.initial ?? values.slice(0, 1),
    final,
    is: (value: string): value is S => (values as readonly string[]).includes(value),
    canTransition,
    allowedSources: (to) => values.filter((from) => canTransition(from, to)),
    isFinal: (status) => final.includes(status),
  };
}
