import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  type AuthenticatedRequest,
  IS_PUBLIC,
  type RoleName,
  ROLES,
} from '../common/auth/auth.decorators';
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { Authenticator, bearerToken } from './authenticator';

/**
 * Deny by default: every route needs a valid access token unless marked @Public(), and @Roles()
 * narrows it further.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const { caller } = await this.authenticator.authenticate(
      bearerToken(request.headers.authorization),
    );
    request.caller = caller;

    const allowed = this.reflector.getAllAndOverride<RoleName[] | undefined>(ROLES, targets);
    if (allowed && !allowed.includes(caller.role as RoleName)) {
      throw new DomainError(
        DomainErrorCode.Forbidden,
        `This action is for ${allowed.join(' or ')} accounts`,
      );
    }
    return true;
  }
}
