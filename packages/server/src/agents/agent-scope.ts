// Which vCenters an agent serves (docs/scale-out.md#agents-and-scope): its stored scope lists vCenter hosts; an
// empty scope serves any vCenter. Hosts compare case-insensitively; `*.example.com` covers that domain's hosts.

function normalized(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

export function scopeCovers(scope: readonly string[], vcenterHost: string): boolean {
  if (scope.length === 0) return true;
  const host = normalized(vcenterHost);
  return scope.some((entry) => {
    const pattern = normalized(entry);
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
    return pattern === host;
  });
}
