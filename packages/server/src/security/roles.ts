// Three roles, each including the rights of the ones below: viewer reads, operator runs migrations and
// failovers, admin manages users, credentials and the CloudStack configuration.
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleAllows(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}

/** Who is calling: set on the request by the auth hook. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  via: 'session' | 'token';
  /** The hashed session id or the API token id, to end exactly this credential. */
  credentialId: string;
}
