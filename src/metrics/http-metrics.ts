import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Metrics } from './metrics';

/**
 * Times every response by its route pattern (`/api/rides/:id/accept`, never the raw URL, so the
 * number of series stays bounded), when something scrapes the metrics at all.
 */
export function instrumentHttp(app: NestFastifyApplication): void {
  const metrics = app.get(Metrics);
  if (!metrics.exposed) return;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      metrics.requestServed(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime,
      );
      done();
    });
}
