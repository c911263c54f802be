import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectModel } from '@nestjs/sequelize';
import { TokenService } from '../../auth/token.service';
import { Role } from '../../roles/role.model';
import { User } from '../../users/user.model';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { type AuthenticatedRequest, IS_PUBLIC, type RoleName, ROLES } from './auth.decorators';

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
    @InjectModel(User) private readonly users: typeof User,
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

    const user = await this.users.findByPk(payload.userId, {
      attributes: ['id', 'roleId'],
      include: [{ model: Role, as: 'role', attributes: ['name'] }],
    });
    if (!user) throw unauthorized('The account of this token no longer exists');
    request.caller = { id: user.id, roleId: user.roleId, role: user.role!.name };

    const allowed = this.reflector.getAllAndOverride<RoleName[] | undefined>(ROLES, targets);
    if (allowed && !allowed.includes(request.caller.role as RoleName)) {
      throw new DomainError(
        DomainErrorCode.Forbidden,
        `This action is for ${allowed.join(' or ')} accounts`,
      );
    }
    return true;
  }
}
