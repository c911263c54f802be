import { Injectable } from '@nestjs/common';
import { BUILT_IN_ROLE_IDS } from '../common/built-ins';
import { isStillReferenced } from '../common/errors/database-errors';
import { conflict, notFound } from '../common/errors/domain-error';
import { pageOf, type PaginationQueryDto } from '../common/pagination/pagination.dto';
import { ChangeFeed } from '../database/change-feed';
import { ReadThroughCache } from '../database/read-through-cache';
import { UsersService } from '../users/users.service';
import type { RoleDetailDto, RoleDto, SaveRoleDto } from './dto/role.dto';
import { RoleStore, type RoleWithCount } from './role.store';

function toRoleDto(role: RoleWithCount): RoleDto {
  return {
    id: role.id,
    name: role.name,
    userCount: role.userCount,
    createdAt: role.createdAt,
    updatedAt: role.updatedAt,
  };
}

/** Pages of the role list kept at most (by page and size; clients ask for a few). */
const MAX_CACHED_PAGES = 64;

/**
 * Roles and how many users each has. Pages of the list are kept in memory while the database's
 * change feed is live, dropped when any role changes or any user is added, changed or removed:
 * here at once (a role by this service, a user as UsersService announces it), on other processes
 * when the database announces it.
 */
@Injectable()
export class RolesService {
  /** Pages as they are sent: serialised once per change, not once per request. */
  private readonly pages: ReadThroughCache<string, string>;

  constructor(
    private readonly roles: RoleStore,
    private readonly users: UsersService,
    feed: ChangeFeed,
  ) {
    this.pages = new ReadThroughCache(feed, MAX_CACHED_PAGES);
    feed.subscribe((change) => {
      if (change === 'reset' || change.table === 'Roles' || change.table === 'Users') {
        this.pages.forget();
      }
    });
  }

  /** A page of roles as JSON, the same bytes as the page itself would be serialised to. */
  async listJson(query: PaginationQueryDto): Promise<string> {
    const page = await this.pages.get(`${query.page}:${query.limit}`, async () => {
      const { rows, total } = await this.roles.page(query);
      return JSON.stringify(pageOf(rows.map(toRoleDto), total, query));
    });
    return page!;
  }

  async findById(id: number, usersPage: PaginationQueryDto): Promise<RoleDetailDto> {
    const role = await this.findWithCount(id);
    return { ...role, users: await this.users.listWithRole(id, usersPage) };
  }

  async create(dto: SaveRoleDto): Promise<RoleDto> {
    const id = await this.roles.insert(dto.name);
    this.pages.forget();
    return this.findWithCount(id);
  }

  async rename(id: number, dto: SaveRoleDto): Promise<RoleDto> {
    this.refuseBuiltIn(id, 'renamed');
    if (!(await this.roles.rename(id, dto.name))) throw notFound('Role', id);
    this.pages.forget();
    this.users.forgetCallers();
    return this.findWithCount(id);
  }

  /** The foreign key (ON DELETE RESTRICT) decides, so a user added meanwhile still blocks it. */
  async remove(id: number): Promise<void> {
    this.refuseBuiltIn(id, 'deleted');
    try {
      const deleted = await this.roles.delete(id);
      this.pages.forget();
      if (!deleted) throw notFound('Role', id);
    } catch (error) {
      if (!isStillReferenced(error)) throw error;
      const holders = await this.users.countWithRole(id);
      throw conflict(`Role ${id} is still assigned to ${holders} user(s); reassign them first`);
    }
  }

  private async findWithCount(id: number): Promise<RoleDto> {
    const role = await this.roles.findWithCount(id);
    if (!role) throw notFound('Role', id);
    return toRoleDto(role);
  }

  private refuseBuiltIn(id: number, action: string): void {
    if (BUILT_IN_ROLE_IDS.has(id)) throw conflict(`Built-in role ${id} cannot be ${action}`);
  }
}
