import { Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/sequelize';
import { type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { QueryTypes } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import type { Namespace, Socket } from 'socket.io';
import { TokenService } from '../auth/token.service';
import { RealtimePublisher, userRoom } from './realtime.publisher';

/** Why a socket was turned away; socket.io hands `data` to the client's `connect_error`. */
class HandshakeRefused extends Error {
  readonly data: { statusCode: number };

  constructor(message: string, statusCode = 401) {
    super(message);
    this.data = { statusCode };
  }
}

/**
 * `/realtime`: a socket is admitted only with a valid access token (`auth.token`, or an
 * `Authorization: Bearer` header) of an existing account, joins its user's room, and is
 * disconnected when the token expires. Clients only listen; every event is addressed to the users
 * it concerns.
 */
@WebSocketGateway({ namespace: '/realtime' })
export class RealtimeGateway implements OnGatewayInit {
  private readonly logger = new Logger(RealtimeGateway.name);

  constructor(
    private readonly tokens: TokenService,
    private readonly publisher: RealtimePublisher,
    @InjectConnection() private readonly sequelize: Sequelize,
  ) {}

  afterInit(namespace: Namespace): void {
    this.publisher.attach(namespace);
    namespace.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: Error) => {
          if (!(error instanceof HandshakeRefused)) this.logger.error(error.message);
          next(
            error instanceof HandshakeRefused
              ? error
              : new HandshakeRefused('The service is unavailable; try again later', 503),
          );
        },
      );
    });
  }

  private async admit(socket: Socket): Promise<void> {
    const token = tokenOf(socket);
    if (!token) throw new HandshakeRefused('Authentication required: send auth.token');
    const payload = await this.tokens.verifyAccessToken(token);
    if (!payload) throw new HandshakeRefused('The access token is invalid or has expired');
    const [user] = await this.sequelize.query<{ id: number }>(
      'SELECT id FROM "Users" WHERE id = :id',
      { replacements: { id: payload.userId }, type: QueryTypes.SELECT },
    );
    if (!user) throw new HandshakeRefused('The account of this token no longer exists');
    await socket.join(userRoom(user.id));
    this.disconnectWhenExpired(socket, payload.exp);
  }

  /** A socket lives no longer than its token: the client reconnects with a refreshed one. */
  private disconnectWhenExpired(socket: Socket, expiresAtSeconds: number): void {
    const timer = setTimeout(() => socket.disconnect(true), expiresAtSeconds * 1000 - Date.now());
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
  }
}

function tokenOf(socket: Socket): string | undefined {
  const fromAuth: unknown = socket.handshake.auth?.token;
  if (typeof fromAuth === 'string' && fromAuth.length > 0) return fromAuth;
  return /^Bearer (\S+)$/i.exec(socket.handshake.headers.authorization ?? '')?.[1];
}
