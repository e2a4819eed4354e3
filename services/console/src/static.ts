import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt']);

interface Entry {
  mtimeMs: number;
  size: number;
  type: string;
  etag: string;
  raw: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

/**
 * Serves the built console from memory: each file read once (again when its mtime changes),
 * compressed once with brotli and gzip, hashed assets cached for a year, the page never cached.
 * Paths are confined to `dir`.
 */
export function staticFiles(dir: () => string) {
  const cache = new Map<string, Entry>();

  function load(relPath: string): Entry | undefined {
    const root = dir();
    const path = normalize(join(root, relPath));
    if (!path.startsWith(root + sep)) return undefined;
    let st;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const hit = cache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    const raw = readFileSync(path);
    const ext = extname(path);
    const entry: Entry = { mtimeMs: st.mtimeMs, size: st.size, type: TYPES[ext] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 27)}"`, raw };
    if (COMPRESSIBLE.has(ext) && raw.length > 512) {
      entry.gzip = gzipSync(raw, { level: 9 });
      entry.br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
    }
    cache.set(path, entry);
    return entry;
  }

  return {
    exists: (relPath: string) => load(relPath) !== undefined,
    send(request: FastifyRequest, reply: FastifyReply, relPath: string, cacheControl: string): FastifyReply | undefined {
      const entry = load(relPath);
      if (!entry) return undefined;
      reply.header('content-type', entry.type).header('cache-control', cacheControl).header('etag', entry.etag).header('vary', 'accept-encoding');
      if (request.headers['if-none-match'] === entry.etag) return reply.code(304).send();
      const accept = String(request.headers['accept-encoding'] ?? '');
      if (entry.br && /\bbr\b/.test(accept)) return reply.header('content-encoding', 'br').send(entry.br);
      if (entry.gzip && /\bgzip\b/.test(accept)) return reply.header('content-encoding', 'gzip').send(entry.gzip);
      return reply.send(entry.raw);
    },
  };
}
