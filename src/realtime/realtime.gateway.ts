import { Logger } from '@nestjs/common';
import { type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { Authenticator, bearerToken } from '../auth/authenticator';
import { DomainError } from '../common/errors/domain-error';
import { Metrics } from '../metrics/metrics';
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
    private readonly authenticator: Authenticator,
    private readonly publisher: RealtimePublisher,
    private readonly metrics: Metrics,
  ) {}

  afterInit(namespace: Namespace): void {
    this.publisher.attach(namespace);
    // Admitted sockets only: the namespace lists a socket once its handshake has passed.
    this.metrics.countRealtimeConnectionsWith(() => namespace.sockets.size);
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
    const { caller, expiresAt } = await this.authenticator
      .authenticate(token)
      .catch((error: unknown) => {
        throw error instanceof DomainError ? new HandshakeRefused(error.message) : error;
      });
    await socket.join(userRoom(caller.id));
    this.disconnectWhenExpired(socket, expiresAt);
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
  return bearerToken(socket.handshake.headers.authorization);
}
