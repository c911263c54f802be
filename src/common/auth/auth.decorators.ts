import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RoleName } from '../built-ins';

export type { RoleName };

export const IS_PUBLIC = 'swiftride:public';
export const ROLES = 'swiftride:roles';

/** The authenticated caller, as loaded from the database on this request. */
export interface Caller {
  id: number;
  roleId: number;
  role: string;
}

export type AuthenticatedRequest = FastifyRequest & { caller?: Caller };

/** Opens a route to callers without a token (everything else needs one). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Narrows a route (or controller) to callers whose role is one of these. */
export const Roles = (...roles: RoleName[]) => SetMetadata(ROLES, roles);

export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Caller =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().caller!,
);
