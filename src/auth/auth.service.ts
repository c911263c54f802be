import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectConnection, InjectModel } from '@nestjs/sequelize';
import { fn, col, where } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { DEFAULT_SERVICE_TYPE, DRIVER_ROLE_ID } from '../common/built-ins';
import type { AuthConfig } from '../config/configuration';
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { DriverProfile } from '../drivers/driver-profile.model';
import { driverRatingOf } from '../drivers/driver-rating';
import { toDriverProfileDto } from '../drivers/drivers.mapper';
import { Role } from '../roles/role.model';
import { ServiceType } from '../service-types/service-type.model';
import { ServiceTypesService } from '../service-types/service-types.service';
import { User } from '../users/user.model';
import { toUserDto } from '../users/users.mapper';
import {
  type LoginDto,
  type LoginResponseDto,
  type MeDto,
  type RefreshResponseDto,
  type RegisterDto,
} from './dto/auth.dto';
import {
  hashPassword,
  isLegacyHash,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from './password-hasher';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';

const badCredentials = () =>
  new DomainError(DomainErrorCode.Unauthorized, 'Invalid username or password');

@Injectable()
export class AuthService {
  private readonly keepLegacyHashes: boolean;

  constructor(
    @InjectModel(User) private readonly users: typeof User,
    @InjectModel(DriverProfile) private readonly profiles: typeof DriverProfile,
    @InjectConnection() private readonly sequelize: Sequelize,
    private readonly serviceTypes: ServiceTypesService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    config: ConfigService,
  ) {
    this.keepLegacyHashes = config.getOrThrow<AuthConfig>('auth').keepLegacyPasswordHashes;
  }

  /**
   * A rider, or a driver with their vehicle, in one transaction. Duplicate usernames (any case) and
   * licence plates are refused by unique indexes, so simultaneous sign-ups cannot both win.
   */
  async register(dto: RegisterDto): Promise<void> {
    const password = await hashPassword(dto.password);
    await this.sequelize.transaction(async (transaction) => {
      const user = await this.users.create(
        { username: dto.username, password, roleId: dto.roleId },
        { transaction },
      );
      if (dto.roleId !== DRIVER_ROLE_ID) return;
      const serviceTypeId = dto.serviceTypeId ?? DEFAULT_SERVICE_TYPE.id;
      await this.serviceTypes.assertActive(serviceTypeId, transaction);
      await this.profiles.create(
        {
          userId: user.id,
          make: dto.make!,
          model: dto.model!,
          licensePlate: dto.licensePlate!,
          serviceTypeId,
        },
        { transaction },
      );
    });
  }

  /**
   * Same answer and similar time for an unknown user and a wrong password. A hash from the
   * original server (bcrypt) is replaced with argon2id once the password has proved right,
   * unless LEGACY_PASSWORD_HASHES=keep (the original server can then still be rolled back to).
   */
  async login(dto: LoginDto): Promise<LoginResponseDto> {
    const user = await this.users.scope('withPassword').findOne({
      where: where(fn('lower', col('username')), dto.username.toLowerCase()),
      include: [{ model: DriverProfile, as: 'profile', attributes: ['isOnline'] }],
    });
    if (!user) {
      await verifyAgainstDummy(dto.password);
      throw badCredentials();
    }
    if (!(await verifyPassword(user.password, dto.password))) throw badCredentials();
    if (needsRehash(user.password) && !(this.keepLegacyHashes && isLegacyHash(user.password))) {
      await this.users.update(
        { password: await hashPassword(dto.password) },
        { where: { id: user.id } },
      );
    }
    const [accessToken, refreshToken] = await Promise.all([
      this.tokens.signAccessToken(user),
      this.sessions.start(user.id),
    ]);
    return {
      success: true,
      message: 'Login successful',
      accessToken,
      refreshToken,
      userId: user.id,
      roleId: user.roleId,
      isOnline: user.profile ? user.profile.isOnline : null,
    };
  }

  async refresh(refreshToken: string, rotate: boolean): Promise<RefreshResponseDto> {
    const session = await this.sessions.use(refreshToken, rotate);
    const user = await this.users.findByPk(session.userId, { attributes: ['id', 'roleId'] });
    if (!user) throw new DomainError(DomainErrorCode.Unauthorized, 'The account no longer exists');
    const accessToken = await this.tokens.signAccessToken(user);
    return {
      success: true,
      accessToken,
      ...(session.refreshToken && { refreshToken: session.refreshToken }),
    };
  }

  logout(refreshToken: string): Promise<void> {
    return this.sessions.end(refreshToken);
  }

  async me(userId: number): Promise<MeDto> {
    const user = await this.users.findByPk(userId, {
      include: [
        { model: Role, as: 'role', attributes: ['id', 'name'] },
        {
          model: DriverProfile,
          as: 'profile',
          include: [{ model: ServiceType, as: 'serviceType' }],
        },
      ],
    });
    if (!user) throw new DomainError(DomainErrorCode.Unauthorized, 'The account no longer exists');
    const profile = user.profile
      ? toDriverProfileDto(user.profile, await driverRatingOf(this.sequelize, userId))
      : null;
    return { ...toUserDto(user), profile };
  }
}
