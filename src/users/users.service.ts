import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/sequelize';
import type { Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import type { Caller } from '../common/auth/auth.decorators';
import { DRIVER_ROLE_ID } from '../common/built-ins';
import { isStillReferenced } from '../common/errors/database-errors';
import { conflict, DomainError, DomainErrorCode, notFound } from '../common/errors/domain-error';
import { pageOf, type Page, type PaginationQueryDto } from '../common/pagination/pagination.dto';
import { ChangeFeed } from '../database/change-feed';
import { ReadThroughCache } from '../database/read-through-cache';
import { DriversService } from '../drivers/drivers.service';
import type { UpdateMeDto } from './dto/me.dto';
import type { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { LoginSessions } from './login-sessions';
import { PasswordHasher } from './password-hasher';
import { type NewUser, type UserChanges, UserStore } from './user.store';
import { toUserDto } from './users.mapper';

/** Callers kept in memory at most; each is a few dozen bytes. */
const MAX_CACHED_CALLERS = 50_000;

const lastAdmin = (id: number) =>
  conflict(`User ${id} is the last admin; make another user an admin first`);

/**
 * Accounts: who they are, their role and their password. A change that could take away an admin
 * (a role change, a deletion) locks the admins' rows first, and one that leaves none is refused.
 */
@Injectable()
export class UsersService {
  /**
   * Who an access token speaks for, read on every authenticated request, kept in memory while the
   * database's change feed is live. A deleted account or a changed role is dropped here before
   * the change is answered, and on every other process when the database announces it.
   */
  private readonly callers: ReadThroughCache<number, Caller>;

  constructor(
    private readonly users: UserStore,
    private readonly drivers: DriversService,
    private readonly sessions: LoginSessions,
    private readonly hasher: PasswordHasher,
    @InjectConnection() private readonly sequelize: Sequelize,
    feed: ChangeFeed,
  ) {
    this.callers = new ReadThroughCache(feed, MAX_CACHED_CALLERS);
    feed.subscribe((change) => {
      if (change === 'reset' || change.table === 'Roles') this.callers.forget();
      else if (change.table === 'Users') this.callers.forget(change.id);
    });
  }

  /** After a role is renamed or deleted: its holders' callers name it. */
  forgetCallers(): void {
    this.callers.forget();
  }

  async list(query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const { rows, total } = await this.users.page(
      { search: query.search, roleName: query.role },
      query,
    );
    return pageOf(rows.map(toUserDto), total, query);
  }

  async listWithRole(roleId: number, page: PaginationQueryDto): Promise<Page<UserDto>> {
    const { rows, total } = await this.users.page({ roleId }, page);
    return pageOf(rows.map(toUserDto), total, page);
  }

  countWithRole(roleId: number): Promise<number> {
    return this.users.countWithRole(roleId);
  }

  async find(id: number): Promise<UserDto | undefined> {
    const user = await this.users.findWithRole(id);
    return user ? toUserDto(user) : undefined;
  }

  async findById(id: number): Promise<UserDto> {
    const user = await this.find(id);
    if (!user) throw notFound('User', id);
    return user;
  }

  /** The account a login names, with its password hash: for the auth feature only. */
  findCredentials(username: string): ReturnType<UserStore['findCredentialsByUsername']> {
    return this.users.findCredentialsByUsername(username);
  }

  /** The caller behind an access token (see UserStore.findCaller). */
  findCaller(id: number): Promise<Caller | undefined> {
    return this.callers.get(id, () => this.users.findCaller(id));
  }

  findRoleId(id: number): Promise<number | undefined> {
    return this.users.findRoleId(id);
  }

  /** A new account with an already hashed password, in the caller's transaction. */
  insert(user: NewUser, transaction: Transaction): Promise<number> {
    return this.users.insert(user, transaction);
  }

  /** Replaces a hash from the original server once its password has proved right. */
  async replacePasswordHash(id: number, password: string): Promise<void> {
    await this.users.update(id, { password: await this.hasher.hash(password) });
  }

  /** Uniqueness of the username (any letter case) is settled by the database's unique index. */
  async create(dto: CreateUserDto): Promise<UserDto> {
    const id = await this.users.insert({
      username: dto.username,
      password: await this.hasher.hash(dto.password),
      roleId: dto.roleId,
    });
    return this.findById(id);
  }

  /** A new password ends every login of the user (their refresh tokens are revoked). */
  async update(id: number, dto: UpdateUserDto): Promise<UserDto> {
    const changes: UserChanges = {
      ...(dto.username !== undefined && { username: dto.username }),
      ...(dto.roleId !== undefined && { roleId: dto.roleId }),
      ...(dto.password !== undefined && { password: await this.hasher.hash(dto.password) }),
    };
    if (Object.keys(changes).length > 0) {
      await this.sequelize.transaction(async (transaction) => {
        const roleChange = changes.roleId !== undefined;
        const admins = roleChange ? await this.users.lockAdmins(transaction) : [];
        if (roleChange && changes.roleId !== DRIVER_ROLE_ID) {
          await this.drivers.standDown(id, transaction);
        }
        if (!(await this.users.update(id, changes, transaction))) throw notFound('User', id);
        if (admins.includes(id) && (await this.users.countAdmins(transaction)) === 0) {
          throw lastAdmin(id);
        }
        if (changes.password) await this.sessions.endAllFor(id, 'password_changed', transaction);
      });
      // Once committed: a caller read before then must not outlive the change.
      if (changes.roleId !== undefined) this.callers.forget(id);
    }
    return this.findById(id);
  }

  /** The caller's own account: the current password is checked before a new one is set. */
  async updateSelf(id: number, dto: UpdateMeDto): Promise<UserDto> {
    if (dto.password !== undefined) {
      const hash = await this.users.findPasswordHash(id);
      if (!hash || !(await this.hasher.verify(hash, dto.currentPassword ?? ''))) {
        const message = 'currentPassword is not right';
        throw new DomainError(DomainErrorCode.InvalidInput, message, [
          { field: 'currentPassword', message },
        ]);
      }
    }
    return this.update(id, { username: dto.username, password: dto.password });
  }

  /**
   * Users who have taken or driven rides are kept: the rides' history needs them. The last admin
   * and a driver on a ride are kept too (409), with the same locks as a role change.
   */
  async remove(id: number): Promise<void> {
    try {
      await this.sequelize.transaction(async (transaction) => {
        const admins = await this.users.lockAdmins(transaction);
        if (admins.length === 1 && admins[0] === id) throw lastAdmin(id);
        await this.drivers.standDown(id, transaction);
        if (!(await this.users.delete(id, transaction))) throw notFound('User', id);
      });
      this.callers.forget(id);
    } catch (error) {
      if (!isStillReferenced(error)) throw error;
      throw conflict(`User ${id} has rides on record and cannot be deleted`);
    }
  }
}
