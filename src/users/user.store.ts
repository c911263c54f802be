import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/sequelize';
import { col, fn, Op, QueryTypes, type Transaction, where, type WhereOptions } from 'sequelize';
import { ADMIN_ROLE_NAME } from '../common/built-ins';
import { escapeLike } from '../common/http/like';
import { offsetOf, type PaginationQueryDto } from '../common/pagination/pagination.dto';
import { User } from './user.model';

export interface UserFilters {
  /** Part of the username, any case. */
  search?: string;
  /** The role's name, any case. */
  roleName?: string;
  roleId?: number;
}

export type NewUser = Pick<User, 'username' | 'password' | 'roleId'>;
export type UserChanges = Partial<NewUser>;

/** A user with their role, as every user view shows them. */
export type UserWithRole = Pick<User, 'id' | 'username' | 'roleId' | 'createdAt' | 'updatedAt'> & {
  role: { id: number; name: string };
};

const WITH_ROLE = { association: 'role', attributes: ['id', 'name'] };

/** Every statement on the Users table. The password hash is read only by the methods named for it. */
@Injectable()
export class UserStore {
  constructor(@InjectModel(User) private readonly users: typeof User) {}

  /**
   * A page of users with their roles and the total: exactly two statements side by side, any page
   * size. Rows come back raw: building model instances costs more than the query.
   */
  async page(
    filters: UserFilters,
    page: PaginationQueryDto,
  ): Promise<{ rows: UserWithRole[]; total: number }> {
    const conditions: WhereOptions<User> = {
      ...(filters.search && { username: { [Op.iLike]: `%${escapeLike(filters.search)}%` } }),
      ...(filters.roleId !== undefined && { roleId: filters.roleId }),
    };
    const roleFilter = filters.roleName
      ? {
          where: where(fn('lower', col('role.name')), filters.roleName.trim().toLowerCase()),
          required: true,
        }
      : {};
    const include = [{ ...WITH_ROLE, ...roleFilter }];
    const [rows, total] = await Promise.all([
      this.users.findAll({
        where: conditions,
        include,
        order: [['id', 'ASC']],
        limit: page.limit,
        offset: offsetOf(page),
        raw: true,
        nest: true,
      }),
      this.users.count({ where: conditions, include: filters.roleName ? include : [] }),
    ]);
    return { rows: rows as unknown as UserWithRole[], total };
  }

  /**
   * A user with their role: read on every authenticated request (through UsersService's cache),
   * so one indexed statement on raw rows, no model instances.
   */
  async findWithRole(id: number): Promise<UserWithRole | undefined> {
    const [user] = await this.users.sequelize!.query<UserWithRole>(
      `SELECT u.id, u.username, u."roleId", u."createdAt", u."updatedAt",
         r.id AS "role.id", r.name AS "role.name"
       FROM "Users" u JOIN "Roles" r ON r.id = u."roleId" WHERE u.id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT, nest: true },
    );
    return user;
  }

  /** The account a login names (usernames are unique regardless of case), with its hash. */
  async findCredentialsByUsername(
    username: string,
  ): Promise<Pick<User, 'id' | 'roleId' | 'password'> | undefined> {
    // Written out: every login runs it, and findOne built it anew each time from the scope.
    const [user] = await this.users.sequelize!.query<Pick<User, 'id' | 'roleId' | 'password'>>(
      `SELECT id, "roleId", password FROM "Users" WHERE lower(username) = :username LIMIT 1`,
      { replacements: { username: username.toLowerCase() }, type: QueryTypes.SELECT },
    );
    return user;
  }

  async findPasswordHash(id: number): Promise<string | undefined> {
    const user = await this.users
      .scope('withPassword')
      .findByPk(id, { attributes: ['id', 'password'], raw: true });
    return user?.password;
  }

  async findRoleId(id: number): Promise<number | undefined> {
    const user = await this.users.findByPk(id, { attributes: ['id', 'roleId'], raw: true });
    return user?.roleId;
  }

  /** The username's uniqueness (any letter case) is settled by the database's unique index. */
  async insert(user: NewUser, transaction?: Transaction): Promise<number> {
    const created = await this.users.create({ ...user }, { transaction });
    return created.id;
  }

  /** Whether the user existed. */
  async update(id: number, changes: UserChanges, transaction?: Transaction): Promise<boolean> {
    const [updated] = await this.users.update(changes, { where: { id }, transaction });
    return updated > 0;
  }

  /** Whether the user existed. Throws the foreign-key error while rides still refer to them. */
  async delete(id: number, transaction?: Transaction): Promise<boolean> {
    return (await this.users.destroy({ where: { id }, transaction })) > 0;
  }

  /**
   * The admins' ids, their rows locked until the transaction ends: changes that could remove an
   * admin queue here, so two admins demoting each other at once are settled one after the other
   * (the second sees the first's change). Admins are known by the role's name, whatever its id.
   */
  async lockAdmins(transaction: Transaction): Promise<number[]> {
    const rows = await this.users.sequelize!.query<{ id: number }>(
      `SELECT u.id FROM "Users" u JOIN "Roles" r ON r.id = u."roleId"
       WHERE lower(r.name) = :admin ORDER BY u.id FOR UPDATE OF u`,
      { replacements: { admin: ADMIN_ROLE_NAME }, type: QueryTypes.SELECT, transaction },
    );
    return rows.map((row) => row.id);
  }

  async countAdmins(transaction: Transaction): Promise<number> {
    const [row] = await this.users.sequelize!.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM "Users" u JOIN "Roles" r ON r.id = u."roleId"
       WHERE lower(r.name) = :admin`,
      { replacements: { admin: ADMIN_ROLE_NAME }, type: QueryTypes.SELECT, transaction },
    );
    return row.count;
  }

  countWithRole(roleId: number): Promise<number> {
    return this.users.count({ where: { roleId } });
  }
}
