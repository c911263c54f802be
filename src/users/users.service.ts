import { Injectable } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { DRIVER_ROLE_ID } from '../common/built-ins';
import { DriverProfile } from '../drivers/driver-profile.model';
import { fn, col, Op, where, type WhereOptions } from 'sequelize';
import { hashPassword, verifyPassword } from '../auth/password-hasher';
import { SessionsService } from '../auth/sessions.service';
import { isStillReferenced } from '../common/errors/database-errors';
import { conflict, DomainError, DomainErrorCode, notFound } from '../common/errors/domain-error';
import { escapeLike } from '../common/http/like';
import { offsetOf, pageOf, type Page } from '../common/pagination/pagination.dto';
import { Role } from '../roles/role.model';
import type { UpdateMeDto } from './dto/me.dto';
import type { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { User } from './user.model';
import { toUserDto } from './users.mapper';

const WITH_ROLE = { model: Role, as: 'role', attributes: ['id', 'name'] };

@Injectable()
export class UsersService {
  constructor(
    @InjectModel(User) private readonly users: typeof User,
    @InjectModel(DriverProfile) private readonly profiles: typeof DriverProfile,
    @InjectConnection() private readonly sequelize: Sequelize,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * One page of users with their roles: exactly two statements (rows + count), any page size. They
   * run side by side, and rows come back raw: building model instances costs more than the query.
   */
  async list(query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const conditions: WhereOptions<User> = query.search
      ? { username: { [Op.iLike]: `%${escapeLike(query.search)}%` } }
      : {};
    const roleFilter = query.role
      ? {
          where: where(fn('lower', col('role.name')), query.role.trim().toLowerCase()),
          required: true,
        }
      : {};
    const include = [{ ...WITH_ROLE, ...roleFilter }];
    const [rows, count] = await Promise.all([
      this.users.findAll({
        where: conditions,
        include,
        order: [['id', 'ASC']],
        limit: query.limit,
        offset: offsetOf(query),
        raw: true,
        nest: true,
      }),
      this.users.count({ where: conditions, include: query.role ? include : [] }),
    ]);
    return pageOf(rows.map(toUserDto), count, query);
  }

  async findById(id: number): Promise<UserDto> {
    const user = await this.users.findByPk(id, { include: [WITH_ROLE] });
    if (!user) throw notFound('User', id);
    return toUserDto(user);
  }

  /** Uniqueness of the username (any letter case) is settled by the database's unique index. */
  async create(dto: CreateUserDto): Promise<UserDto> {
    const user = await this.users.create({
      username: dto.username,
      password: await hashPassword(dto.password),
      roleId: dto.roleId,
    });
    return this.findById(user.id);
  }

  /** A new password ends every login of the user (their refresh tokens are revoked). */
  async update(id: number, dto: UpdateUserDto): Promise<UserDto> {
    const changes: Partial<Pick<User, 'username' | 'password' | 'roleId'>> = {
      ...(dto.username !== undefined && { username: dto.username }),
      ...(dto.roleId !== undefined && { roleId: dto.roleId }),
      ...(dto.password !== undefined && { password: await hashPassword(dto.password) }),
    };
    if (Object.keys(changes).length > 0) {
      await this.sequelize.transaction(async (transaction) => {
        const [updated] = await this.users.update(changes, { where: { id }, transaction });
        if (updated === 0) throw notFound('User', id);
        if (changes.password) await this.sessions.endAllFor(id, 'password_changed', transaction);
        // Someone who is no longer a driver must not count as a driver online.
        if (changes.roleId !== undefined && changes.roleId !== DRIVER_ROLE_ID) {
          await this.profiles.update({ isOnline: false }, { where: { userId: id }, transaction });
        }
      });
    }
    return this.findById(id);
  }

  /** The caller's own account: the current password is checked before a new one is set. */
  async updateSelf(id: number, dto: UpdateMeDto): Promise<UserDto> {
    if (dto.password !== undefined) {
      const user = await this.users
        .scope('withPassword')
        .findByPk(id, { attributes: ['id', 'password'] });
      if (!user || !(await verifyPassword(user.password, dto.currentPassword ?? ''))) {
        const message = 'currentPassword is not right';
        throw new DomainError(DomainErrorCode.InvalidInput, message, [
          { field: 'currentPassword', message },
        ]);
      }
    }
    return this.update(id, { username: dto.username, password: dto.password });
  }

  /** Users who have taken or driven rides are kept: the rides' history needs them. */
  async remove(id: number): Promise<void> {
    try {
      const removed = await this.users.destroy({ where: { id } });
      if (removed === 0) throw notFound('User', id);
    } catch (error) {
      if (!isStillReferenced(error)) throw error;
      throw conflict(`User ${id} has rides on record and cannot be deleted`);
    }
  }
}
