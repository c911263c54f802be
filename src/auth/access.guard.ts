import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  type AuthenticatedRequest,
  type Caller,
  IS_PUBLIC,
  type RoleName,
  ROLES,
} from '../common/auth/auth.decorators';
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { Authenticator, bearerToken } from './authenticator';

/** Who may call a route, as its decorators say (the handler's over its controller's). */
interface RouteAccess {
  isPublic: boolean;
  roles: RoleName[] | undefined;
}

/**
 * Deny by default: every route needs a valid access token unless marked @Public(), and @Roles()
 * narrows it further.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  /**
   * Each route's access, read from its metadata on its first request: decorators do not change
   * after start, and four reflect-metadata lookups walked prototype chains on every request. By
   * handler, then by controller: a method inherited by two controllers is one function.
   */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAccess>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const access = this.accessOf(context);
    if (access.isPublic) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    // Answered at once, without awaiting anything, for a known token and account.
    const known = this.authenticator.authenticateNow(token);
    if (known) return admit(request, known.caller, access.roles);
    return this.authenticator
      .authenticate(token)
      .then(({ caller }) => admit(request, caller, access.roles));
  }

  private accessOf(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.routes.get(handler);
    if (!byController) {
      byController = new WeakMap();
      this.routes.set(handler, byController);
    }
    let access = byController.get(controller);
    if (!access) {
      const targets = [handler, controller];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        roles: this.reflector.getAllAndOverride<RoleName[] | undefined>(ROLES, targets),
      };
      byController.set(controller, access);
    }
    return access;
  }
}

/** Lets the caller through, as `request.caller`, if its role is among `roles` (any, if none). */
function admit(
  request: AuthenticatedRequest,
  caller: Caller,
  roles: RoleName[] | undefined,
): boolean {
  request.caller = caller;
  if (roles && !roles.includes(caller.role as RoleName)) {
    throw new DomainError(
      DomainErrorCode.Forbidden,
      `This action is for ${roles.join(' or ')} accounts`,
    );
  }
  return true;
}
