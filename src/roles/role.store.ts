import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/sequelize';
import { literal } from 'sequelize';
import { offsetOf, type PaginationQueryDto } from '../common/pagination/pagination.dto';
import { Role } from './role.model';

export interface RoleWithCount {
  id: number;
  name: string;
  userCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A correlated count, served by the index on Users."roleId": one statement for a page of roles. */
const USER_COUNT = literal(`(SELECT count(*) FROM "Users" u WHERE u."roleId" = "Role"."id")::int`);
const WITH_USER_COUNT = { include: [[USER_COUNT, 'userCount']] as [typeof USER_COUNT, string][] };

/** Every statement on the Roles table. */
@Injectable()
export class RoleStore {
  constructor(@InjectModel(Role) private readonly roles: typeof Role) {}

  async page(page: PaginationQueryDto): Promise<{ rows: RoleWithCount[]; total: number }> {
    const { rows, count } = await this.roles.findAndCountAll({
      attributes: WITH_USER_COUNT,
      order: [['id', 'ASC']],
      limit: page.limit,
      offset: offsetOf(page),
      raw: true,
    });
    return { rows: rows as unknown as RoleWithCount[], total: count };
  }

  async findWithCount(id: number): Promise<RoleWithCount | undefined> {
    const role = await this.roles.findByPk(id, { attributes: WITH_USER_COUNT, raw: true });
    return (role as unknown as RoleWithCount | null) ?? undefined;
  }

  async insert(name: string): Promise<number> {
    return (await this.roles.create({ name })).id;
  }

  /** Whether the role existed. */
  async rename(id: number, name: string): Promise<boolean> {
    const [updated] = await this.roles.update({ name }, { where: { id } });
    return updated > 0;
  }

  /** Whether the role existed. Throws the foreign-key error while users still have it. */
  async delete(id: number): Promise<boolean> {
    return (await this.roles.destroy({ where: { id } })) > 0;
  }
}
