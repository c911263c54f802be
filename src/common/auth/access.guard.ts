import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectConnection } from '@nestjs/sequelize';
import { QueryTypes } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { TokenService } from '../../auth/token.service';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import {
  type AuthenticatedRequest,
  type Caller,
  IS_PUBLIC,
  type RoleName,
  ROLES,
} from './auth.decorators';

const unauthorized = (message: string) => new DomainError(DomainErrorCode.Unauthorized, message);

/**
 * Deny by default: every route needs a valid access token unless marked @Public(), and @Roles()
 * narrows it further. The caller is re-read from the database on each request, so a deleted user's
 * token stops working at once and a changed role takes effect at once.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @InjectConnection() private readonly sequelize: Sequelize,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token)
      throw unauthorized('Authentication required: send Authorization: Bearer <accessToken>');
    const payload = await this.tokens.verifyAccessToken(token);
    if (!payload) throw unauthorized('The access token is invalid or has expired');

    const caller = await this.findCaller(payload.userId);
    if (!caller) throw unauthorized('The account of this token no longer exists');
    request.caller = caller;

    const allowed = this.reflector.getAllAndOverride<RoleName[] | undefined>(ROLES, targets);
    if (allowed && !allowed.includes(request.caller.role as RoleName)) {
      throw new DomainError(
        DomainErrorCode.Forbidden,
        `This action is for ${allowed.join(' or ')} accounts`,
      );
    }
    return true;
  }

  /** On every authenticated request, so a plain indexed query without model instances. */
  private async findCaller(userId: number): Promise<Caller | undefined> {
    const [caller] = await this.sequelize.query<Caller>(
      `SELECT u.id, u."roleId", r.name AS role
       FROM "Users" u JOIN "Roles" r ON r.id = u."roleId" WHERE u.id = :userId`,
      { replacements: { userId }, type: QueryTypes.SELECT },
    );
    return caller;
  }
}
