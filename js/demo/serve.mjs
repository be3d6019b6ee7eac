#!/usr/bin/env node
// A static file server for the demo page, on 127.0.0.1 only. URLs mirror the repository's
// layout, so the page's relative URLs work here and under any static server rooted at the
// repository: the page is /js/demo/, the npm package's build /js/pkg/ (the page imports
// ../pkg/web/index.js), the real data /tests/vectors/mainnet/. Nothing outside those three
// folders is served, plus the folders a caller names (the benchmark page, bench/run.mjs).
//
//   node js/demo/serve.mjs [PORT]     serve until Ctrl-C and print the page's URL
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const PAGE_PATH = '/js/demo/';
const SERVED = ['js/demo/', 'js/pkg/', 'tests/vectors/mainnet/'];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.hex': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

/** The file a URL path names, or null when it is outside the served folders. */
function fileFor(urlPath, served) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  path = posix.normalize(path).replace(/^\/+/, '');
  if (path.endsWith('/')) path += 'index.html';
  if (!served.some((dir) => path.startsWith(dir)) || path.split('/').includes('..')) return null;
  return join(REPO, path);
}

async function handle(req, res, served) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (url.pathname === '/') {
    res.writeHead(302, { location: PAGE_PATH }).end();
    return;
  }
  const file = fileFor(url.pathname, served);
  const info = file && (await stat(file).catch(() => null));
  if (info?.isDirectory() || served.includes(`${url.pathname.slice(1)}/`)) {
    res.writeHead(301, { location: `${url.pathname}/` }).end();
    return;
  }
  if (!info?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${url.pathname}\n`);
    return;
  }
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

/**
 * Starts the server on 127.0.0.1 (port 0 = a free one the system picks). `extraDirs`: more
 * repository folders to serve, each ending in '/' (e.g. 'target/bench/browser/').
 * @returns {Promise<{ origin: string, pageUrl: string, close: () => Promise<void> }>}
 */
export async function startDemoServer({ port = 0, extraDirs = [] } = {}) {
  const served = [...SERVED, ...extraDirs.map((d) => (d.endsWith('/') ? d : `${d}/`))];
  const server = createServer((req, res) => {
    handle(req, res, served).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    pageUrl: origin + PAGE_PATH,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { pageUrl } = await startDemoServer({ port: Number(process.argv[2] ?? 8080) });
  console.log(`pegkit demo page: ${pageUrl}   (Ctrl-C stops the server)`);
}
