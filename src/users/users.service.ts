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
import { type NewUser, type UserChanges, UserStore, type UserWithRole } from './user.store';
import { toUserDto } from './users.mapper';

/** Accounts kept in memory at most; each is a couple of hundred bytes. */
const MAX_CACHED_ACCOUNTS = 50_000;

const lastAdmin = (id: number) =>
  conflict(`User ${id} is the last admin; make another user an admin first`);

const callerOf = (account: UserWithRole): Caller => ({
  id: account.id,
  roleId: account.roleId,
  role: account.role.name,
});

/**
 * Accounts: who they are, their role and their password. A change that could take away an admin
 * (a role change, a deletion) locks the admins' rows first, and one that leaves none is refused.
 */
@Injectable()
export class UsersService {
  /**
   * Accounts with their roles: who an access token speaks for, read on every authenticated
   * request, and what /auth/me and /users/me show. Kept in memory while the database's change
   * feed is live; any change to an account is dropped here before it is answered, and on every
   * other process when the database announces it.
   */
  private readonly accounts: ReadThroughCache<number, UserWithRole>;

  constructor(
    private readonly users: UserStore,
    private readonly drivers: DriversService,
    private readonly sessions: LoginSessions,
    private readonly hasher: PasswordHasher,
    @InjectConnection() private readonly sequelize: Sequelize,
    private readonly feed: ChangeFeed,
  ) {
    this.accounts = new ReadThroughCache(feed, MAX_CACHED_ACCOUNTS);
    feed.subscribe((change) => {
      if (change === 'reset' || change.table === 'Roles') this.accounts.forget();
      // `Users` with no id: accounts were added, and none of them can be in memory yet.
      else if (change.table === 'Users' && change.id !== undefined) this.accounts.forget(change.id);
    });
  }

  /** After a role is renamed or deleted: its holders' accounts name it. */
  forgetCallers(): void {
    this.accounts.forget();
  }

  private findAccount(id: number): Promise<UserWithRole | undefined> {
    return this.accounts.get(id, () => this.users.findWithRole(id));
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
    const user = await this.findAccount(id);
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

  /** The caller behind an access token. */
  async findCaller(id: number): Promise<Caller | undefined> {
    const account = await this.findAccount(id);
    return account && callerOf(account);
  }

  /** The caller, when this process keeps the account in memory; undefined when it must be read. */
  knownCaller(id: number): Caller | undefined {
    const account = this.accounts.peek(id);
    return account && callerOf(account);
  }

  findRoleId(id: number): Promise<number | undefined> {
    return this.users.findRoleId(id);
  }

  /** A new account with an already hashed password, in the caller's transaction. */
  insert(user: NewUser, transaction: Transaction): Promise<number> {
    transaction.afterCommit(() => this.announce());
    return this.users.insert(user, transaction);
  }

  /**
   * An account added (no id), changed or removed, once committed: heard here at once (this
   * process's accounts, and the role list's counts), and by the other processes from the database.
   */
  private announce(id?: number): void {
    this.feed.announce(id === undefined ? { table: 'Users' } : { table: 'Users', id });
  }

  /** Replaces a hash from the original server once its password has proved right. */
  async replacePasswordHash(id: number, password: string): Promise<void> {
    await this.users.update(id, { password: await this.hasher.hash(password) });
    // Its updatedAt moved.
    this.announce(id);
  }

  /** Uniqueness of the username (any letter case) is settled by the database's unique index. */
  async create(dto: CreateUserDto): Promise<UserDto> {
    const id = await this.users.insert({
      username: dto.username,
      password: await this.hasher.hash(dto.password),
      roleId: dto.roleId,
    });
    this.announce();
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
      // Once committed: an account read before then must not outlive the change.
      this.announce(id);
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
      this.announce(id);
    } catch (error) {
      if (!isStillReferenced(error)) throw error;
      throw conflict(`User ${id} has rides on record and cannot be deleted`);
    }
  }
}
