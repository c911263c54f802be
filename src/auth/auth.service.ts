import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectConnection } from '@nestjs/sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { DRIVER_ROLE_ID } from '../common/built-ins';
import type { AuthConfig } from '../config/configuration';
import { BusyError, DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { DriversService } from '../drivers/drivers.service';
import { isLegacyHash, needsRehash, PasswordHasher } from '../users/password-hasher';
import { UsersService } from '../users/users.service';
import type {
  LoginDto,
  LoginResponseDto,
  MeDto,
  RefreshResponseDto,
  RegisterDto,
} from './dto/auth.dto';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';

const badCredentials = () =>
  new DomainError(DomainErrorCode.Unauthorized, 'Invalid username or password');
const accountGone = () =>
  new DomainError(DomainErrorCode.Unauthorized, 'The account no longer exists');

@Injectable()
export class AuthService {
  private readonly keepLegacyHashes: boolean;

  constructor(
    private readonly users: UsersService,
    private readonly drivers: DriversService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly hasher: PasswordHasher,
    @InjectConnection() private readonly sequelize: Sequelize,
    config: ConfigService,
  ) {
    this.keepLegacyHashes = config.getOrThrow<AuthConfig>('auth').keepLegacyPasswordHashes;
  }

  /**
   * A rider, or a driver with their vehicle, in one transaction. Duplicate usernames (any case) and
   * licence plates are refused by unique indexes, so simultaneous sign-ups cannot both win.
   */
  async register(dto: RegisterDto): Promise<void> {
    const password = await this.hasher.hash(dto.password);
    await this.sequelize.transaction(async (transaction) => {
      const userId = await this.users.insert(
        { username: dto.username, password, roleId: dto.roleId },
        transaction,
      );
      if (dto.roleId !== DRIVER_ROLE_ID) return;
      await this.drivers.createProfile(
        {
          userId,
          make: dto.make!,
          model: dto.model!,
          licensePlate: dto.licensePlate!,
          serviceTypeId: dto.serviceTypeId ?? undefined,
        },
        transaction,
      );
    });
  }

  /**
   * Same answer and similar time for an unknown user and a wrong password. A hash from the
   * original server (bcrypt) is replaced with argon2id once the password has proved right,
   * unless LEGACY_PASSWORD_HASHES=keep (the original server can then still be rolled back to).
   */
  async login(dto: LoginDto): Promise<LoginResponseDto> {
    const user = await this.users.findCredentials(dto.username);
    if (!user) {
      await this.hasher.verifyAgainstDummy(dto.password);
      throw badCredentials();
    }
    if (!(await this.hasher.verify(user.password, dto.password))) throw badCredentials();
    if (needsRehash(user.password) && !(this.keepLegacyHashes && isLegacyHash(user.password))) {
      await this.users.replacePasswordHash(user.id, dto.password).catch((error: unknown) => {
        // The password proved right: a full hashing queue puts off the upgrade, not the login.
        if (!(error instanceof BusyError)) throw error;
      });
    }
    const [refreshToken, isOnline] = await Promise.all([
      this.sessions.start(user.id),
      this.drivers.findIsOnline(user.id),
    ]);
    const accessToken = this.tokens.signAccessToken(user);
    return {
      success: true,
      message: 'Login successful',
      accessToken,
      refreshToken,
      userId: user.id,
      roleId: user.roleId,
      isOnline: isOnline ?? null,
    };
  }

  async refresh(refreshToken: string, rotate: boolean): Promise<RefreshResponseDto> {
    const session = await this.sessions.use(refreshToken, rotate);
    const roleId = await this.users.findRoleId(session.userId);
    if (roleId === undefined) throw accountGone();
    const accessToken = this.tokens.signAccessToken({ id: session.userId, roleId });
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
    const [user, profile] = await Promise.all([
      this.users.find(userId),
      this.drivers.findProfile(userId),
    ]);
    if (!user) throw accountGone();
    return { ...user, profile: profile ?? null };
  }
}
