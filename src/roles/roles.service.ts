import { Injectable } from '@nestjs/common';
import { BUILT_IN_ROLE_IDS } from '../common/built-ins';
import { isStillReferenced } from '../common/errors/database-errors';
import { conflict, notFound } from '../common/errors/domain-error';
import { pageOf, type Page, type PaginationQueryDto } from '../common/pagination/pagination.dto';
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

@Injectable()
export class RolesService {
  constructor(
    private readonly roles: RoleStore,
    private readonly users: UsersService,
  ) {}

  async list(query: PaginationQueryDto): Promise<Page<RoleDto>> {
    const { rows, total } = await this.roles.page(query);
    return pageOf(rows.map(toRoleDto), total, query);
  }

  async findById(id: number, usersPage: PaginationQueryDto): Promise<RoleDetailDto> {
    const role = await this.findWithCount(id);
    return { ...role, users: await this.users.listWithRole(id, usersPage) };
  }

  async create(dto: SaveRoleDto): Promise<RoleDto> {
    return this.findWithCount(await this.roles.insert(dto.name));
  }

  async rename(id: number, dto: SaveRoleDto): Promise<RoleDto> {
    this.refuseBuiltIn(id, 'renamed');
    if (!(await this.roles.rename(id, dto.name))) throw notFound('Role', id);
    this.users.forgetCallers();
    return this.findWithCount(id);
  }

  /** The foreign key (ON DELETE RESTRICT) decides, so a user added meanwhile still blocks it. */
  async remove(id: number): Promise<void> {
    this.refuseBuiltIn(id, 'deleted');
    try {
      if (!(await this.roles.delete(id))) throw notFound('Role', id);
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
