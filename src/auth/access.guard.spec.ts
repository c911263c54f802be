import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Caller, Public, Roles } from '../common/auth/auth.decorators';
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { AccessGuard } from './access.guard';
import type { Authenticated, Authenticator } from './authenticator';

/** Which routes let which callers through, answered at once or after the token and account load. */

class ListsThings {
  list(): void {}
}
@Roles('admin')
class AdminThings extends ListsThings {}
@Roles('rider', 'driver')
class MemberThings extends ListsThings {}
class OpenThings {
  @Public()
  list(): void {}
}

const admin: Caller = { id: 1, roleId: 3, role: 'admin' };
const rider: Caller = { id: 2, roleId: 1, role: 'rider' };

function contextOf(controller: object, handler: () => void, authorization?: string) {
  const request: { headers: { authorization?: string }; caller?: Caller } = {
    headers: { authorization },
  };
  const context = {
    getHandler: () => handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

/** An authenticator that knows `known` at once and loads `loaded` (both by token). */
function authenticator(
  known: Record<string, Caller>,
  loaded: Record<string, Caller> = {},
): Authenticator & { loads: number } {
  const answer = (caller: Caller): Authenticated => ({ caller, expiresAt: 0 });
  const fake = {
    loads: 0,
    authenticateNow(token: string | undefined) {
      if (!token) throw new DomainError(DomainErrorCode.Unauthorized, 'no token');
      return known[token] && answer(known[token]);
    },
    authenticate(token: string | undefined) {
      fake.loads += 1;
      const caller = token ? loaded[token] : undefined;
      return caller
        ? Promise.resolve(answer(caller))
        : Promise.reject(new DomainError(DomainErrorCode.Unauthorized, 'unknown token'));
    },
  };
  return fake as unknown as Authenticator & { loads: number };
}

const forbidden = expect.objectContaining({ code: DomainErrorCode.Forbidden });

describe('AccessGuard', () => {
  it('tells apart one inherited handler on two controllers with different roles', () => {
    const guard = new AccessGuard(new Reflector(), authenticator({ a: admin, r: rider }));
    const handler = ListsThings.prototype.list;
    for (let round = 0; round < 2; round += 1) {
      expect(guard.canActivate(contextOf(AdminThings, handler, 'Bearer a').context)).toBe(true);
      expect(() => guard.canActivate(contextOf(AdminThings, handler, 'Bearer r').context)).toThrow(
        forbidden,
      );
      expect(guard.canActivate(contextOf(MemberThings, handler, 'Bearer r').context)).toBe(true);
      expect(() => guard.canActivate(contextOf(MemberThings, handler, 'Bearer a').context)).toThrow(
        forbidden,
      );
    }
  });

  it('admits a known caller at once, and sets it on the request', () => {
    const guard = new AccessGuard(new Reflector(), authenticator({ a: admin }));
    const { context, request } = contextOf(AdminThings, ListsThings.prototype.list, 'Bearer a');
    expect(guard.canActivate(context)).toBe(true);
    expect(request.caller).toBe(admin);
  });

  it('waits for a caller it has to load, and checks its role then', async () => {
    const auth = authenticator({}, { r: rider });
    const guard = new AccessGuard(new Reflector(), auth);
    const handler = ListsThings.prototype.list;
    const member = contextOf(MemberThings, handler, 'Bearer r');
    await expect(guard.canActivate(member.context)).resolves.toBe(true);
    expect(member.request.caller).toBe(rider);
    await expect(
      guard.canActivate(contextOf(AdminThings, handler, 'Bearer r').context),
    ).rejects.toEqual(forbidden);
    await expect(
      guard.canActivate(contextOf(AdminThings, handler, 'Bearer nobody').context),
    ).rejects.toEqual(expect.objectContaining({ code: DomainErrorCode.Unauthorized }));
    expect(auth.loads).toBe(3);
  });

  it('lets anyone through a public route without looking at the token', () => {
    const auth = authenticator({});
    const guard = new AccessGuard(new Reflector(), auth);
    expect(guard.canActivate(contextOf(OpenThings, OpenThings.prototype.list).context)).toBe(true);
    expect(auth.loads).toBe(0);
  });

  it('refuses a request without a token on any other route', () => {
    const guard = new AccessGuard(new Reflector(), authenticator({ a: admin }));
    expect(() =>
      guard.canActivate(contextOf(MemberThings, ListsThings.prototype.list).context),
    ).toThrow(expect.objectContaining({ code: DomainErrorCode.Unauthorized }));
  });
});
