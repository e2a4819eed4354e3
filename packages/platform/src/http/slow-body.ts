import type { FastifyInstance } from 'fastify';
import { appError } from '../errors.js';
import { PROBLEM_CONTENT_TYPE, problemBody } from './problem.js';

/**
 * Cuts off a client whose request body has not fully arrived within `timeoutMs` (a slow or stalled
 * upload holding a connection). Node's own `requestTimeout` stops counting once the headers are in,
 * so the body is timed here: the client gets a 408 problem and the connection is closed.
 */
export function registerSlowBodyTimeout(app: FastifyInstance, timeoutMs: number): void {
  app.addHook('onRequest', async (request) => {
    const raw = request.raw;
    if (raw.complete) return;
    const timer = setTimeout(() => {
      // An injected request (app.inject) has a stand-in socket that cannot be ended.
      if (raw.complete || typeof raw.socket?.end !== 'function' || raw.socket.destroyed) return;
      const body = JSON.stringify(problemBody(appError('REQUEST_TIMEOUT', `the request body did not arrive within ${timeoutMs} ms`), request));
      request.log.info({ timeoutMs }, 'request body too slow; closing the connection');
      raw.socket.end(
        `HTTP/1.1 408 Request Timeout\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nX-Request-Id: ${request.id}\r\n\r\n${body}`,
      );
      raw.socket.destroySoon();
    }, timeoutMs);
    timer.unref();
    raw.once('end', () => clearTimeout(timer));
    raw.once('close', () => clearTimeout(timer));
  });
}
