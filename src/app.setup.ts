import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { acceptJsonBodiesOnly, frameworkErrors } from './common/http/json-body';
import { clientErrorHandler } from './common/http/client-errors';
import { securityHeaderSets, securityHeaders } from './common/http/security-headers';
import { createValidationPipe } from './common/http/validation.pipe';
import { accessLog, createLogger } from './common/logging/logger';
import { PinoNestLogger } from './common/logging/nest-logger';
import { requestIdFor, trackRequestIds } from './common/logging/request-context';
import type { AppConfig } from './config/configuration';
import { instrumentHttp } from './metrics/http-metrics';
import { RealtimeAdapter } from './realtime/realtime.adapter';

/** The API as both `main.ts` and the e2e tests run it: same adapter, pipes, filter and docs. */
export async function createApp(
  config: AppConfig,
  log: Logger = createLogger(config.log),
): Promise<NestFastifyApplication> {
  const security = securityHeaderSets({
    // Swagger UI loads its own scripts and styles from /docs and draws images from data: URLs.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  const adapter = new FastifyAdapter({
    genReqId: requestIdFor,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    frameworkErrors: frameworkErrors(security.api),
    clientErrorHandler: clientErrorHandler(log),
    // While draining on shutdown, a request on a kept-alive connection is served (with
    // `Connection: close`), not refused with a bare 503.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(log),
    // No form-body parser: a form post is a 415, not a way around CORS preflight.
    bodyParser: false,
  });

  const realtime = new RealtimeAdapter(app, {
    corsOrigins: config.http.corsOrigins,
    redisUrl: config.realtime.redisUrl,
  });
  app.useWebSocketAdapter(realtime);
  const fastify = app.getHttpAdapter().getInstance();
  // Before the server stops listening: open WebSockets would keep it from ever closing, and their
  // clients see "transport close", on which they reconnect (to another instance).
  fastify.addHook('preClose', (done) => {
    realtime.disconnectClients();
    done();
  });
  trackRequestIds(fastify);
  acceptJsonBodiesOnly(fastify);
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  // Only with origins to allow: with none, @fastify/cors would answer a preflight with the 404 that
  // Fastify gives anyway, after spreading its options and copying headers on every request.
  if (config.http.corsOrigins.length > 0) app.enableCors({ origin: config.http.corsOrigins });
  securityHeaders(fastify, security);
  if (config.http.logRequests) logRequests(fastify, log);
  instrumentHttp(app);
  setUpSwagger(app);
  return app;
}

function logRequests(fastify: FastifyInstance, log: Logger): void {
  const write = accessLog(log);
  if (!write) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    const { url } = request;
    const query = url.indexOf('?');
    write({
      requestId: request.id,
      method: request.method,
      // The path only: a query string may carry what should not be logged.
      path: query < 0 ? url : url.slice(0, query),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    });
    done();
  });
}

/**
 * The document is built on the first request for /docs or /docs-json, not at start: it reads every
 * route's metadata (a tenth of a second), which a process serving the API alone never needs.
 */
function setUpSwagger(app: NestFastifyApplication): void {
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('SwiftRide API')
        .setDescription(
          'Ride-sharing backend. Every error has the shape ' +
            '`{ success: false, statusCode, error, code, message, details?, requestId }`; branch on ' +
            '`code` (listed in ErrorCode). Every response carries `X-Request-Id`. Live updates ' +
            '(`ride.updated`, `ride.offered`, `ride.taken`, `driver.location`) come over Socket.IO on ' +
            'the namespace `/realtime`, with the access token as `auth.token`; the README lists ' +
            'their payloads.',
        )
        .setVersion('1.0')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
        .build(),
    );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
