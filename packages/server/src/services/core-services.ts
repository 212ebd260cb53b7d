import type { AppDeps, CoreServices } from '../app-context';
import { ApiTokenService } from './api-token.service';
import { AuditService } from './audit.service';
import { AuthService } from './auth.service';
import { forgetFirstAdminPassword } from './bootstrap-admin';
import { CloudStackConfigService } from './cloudstack-config.service';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './login-throttle';
import { UserService } from './user.service';
import { VmwareCredentialService } from './vmware-credential.service';

export function createCoreServices(deps: AppDeps): CoreServices {
  const { repositories: repos, clock, secrets } = deps;
  const audit = new AuditService({ audit: repos.audit });
  return {
    audit,
    auth: new AuthService({
      users: repos.users,
      sessions: repos.sessions,
      apiTokens: repos.apiTokens,
      clock,
      throttle: new LoginThrottle(clock, deps.loginThrottle ?? DEFAULT_LOGIN_THROTTLE),
      sessionTtlMs: deps.config.sessionTtlMs,
    }),
    users: new UserService({
      users: repos.users,
      sessions: repos.sessions,
      ...(deps.config.dataDir === undefined
        ? {}
        : { onPasswordChanged: forgetFirstAdminPassword(deps.config.dataDir, deps.logger) }),
    }),
    apiTokens: new ApiTokenService({ apiTokens: repos.apiTokens, users: repos.users, clock }),
    vmwareCredentials: new VmwareCredentialService({
      credentials: repos.vmwareCredentials,
      contexts: repos.contexts,
      secrets,
      audit,
    }),
    cloudStackConfigs: new CloudStackConfigService({ configs: repos.cloudstackConfigs, secrets, audit }),
  };
}
