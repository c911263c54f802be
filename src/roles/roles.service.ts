import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/sequelize';
import { literal } from 'sequelize';
import { BUILT_IN_ROLE_IDS } from '../common/built-ins';
import { isStillReferenced } from '../common/errors/database-errors';
import { conflict, notFound } from '../common/errors/domain-error';
import {
  offsetOf,
  pageOf,
  type Page,
  type PaginationQueryDto,
} from '../common/pagination/pagination.dto';
import { User } from '../users/user.model';
import { toUserDto } from '../users/users.mapper';
import type { RoleDetailDto, RoleDto, SaveRoleDto } from './dto/role.dto';
import { Role } from './role.model';

const USER_COUNT = literal(`(SELECT count(*) FROM "Users" u WHERE u."roleId" = "Role"."id")::int`);

type RoleWithCount = Role & { get(key: 'userCount'): number };

function toRoleDto(role: Role): RoleDto {
  return {
    id: role.id,
    name: role.name,
    userCount: (role as RoleWithCount).get('userCount'),
    createdAt: role.createdAt,
    updatedAt: role.updatedAt,
  };
}

@Injectable()
export class RolesService {
  constructor(
    @InjectModel(Role) private readonly roles: typeof Role,
    @InjectModel(User) private readonly users: typeof User,
  ) {}

  async list(query: PaginationQueryDto): Promise<Page<RoleDto>> {
    const { rows, count } = await this.roles.findAndCountAll({
      attributes: { include: [[USER_COUNT, 'userCount']] },
      order: [['id', 'ASC']],
      limit: query.limit,
      offset: offsetOf(query),
    });
    return pageOf(rows.map(toRoleDto), count, query);
  }

  async findById(id: number, usersPage: PaginationQueryDto): Promise<RoleDetailDto> {
    const role = await this.findWithCount(id);
    const { rows, count } = await this.users.findAndCountAll({
      where: { roleId: id },
      include: [{ model: Role, as: 'role', attributes: ['id', 'name'] }],
      order: [['id', 'ASC']],
      limit: usersPage.limit,
      offset: offsetOf(usersPage),
    });
    return { ...role, users: pageOf(rows.map(toUserDto), count, usersPage) };
  }

  async create(dto: SaveRoleDto): Promise<RoleDto> {
    const role = await this.roles.create({ name: dto.name });
    return this.findWithCount(role.id);
  }

  async rename(id: number, dto: SaveRoleDto): Promise<RoleDto> {
    this.refuseBuiltIn(id, 'renamed');
    const [updated] = await this.roles.update({ name: dto.name }, { where: { id } });
    if (updated === 0) throw notFound('Role', id);
    return this.findWithCount(id);
  }

  /** The foreign key (ON DELETE RESTRICT) decides, so a user added meanwhile still blocks it. */
  async remove(id: number): Promise<void> {
    this.refuseBuiltIn(id, 'deleted');
    try {
      const removed = await this.roles.destroy({ where: { id } });
      if (removed === 0) throw notFound('Role', id);
    } catch (error) {
      if (!isStillReferenced(error)) throw error;
      const holders = await this.users.count({ where: { roleId: id } });
      throw conflict(`Role ${id} is still assigned to ${holders} user(s); reassign them first`);
    }
  }

  private async findWithCount(id: number): Promise<RoleDto> {
    const role = await this.roles.findByPk(id, {
      attributes: { include: [[USER_COUNT, 'userCount']] },
    });
    if (!role) throw notFound('Role', id);
    return toRoleDto(role);
  }

  private refuseBuiltIn(id: number, action: string): void {
    if (BUILT_IN_ROLE_IDS.has(id)) throw conflict(`Built-in role ${id} cannot be ${action}`);
  }
}
