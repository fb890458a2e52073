// The web process: one HTTP server on PORT serving the Next.js app and socket.io side by side.
// `--dev` runs Next in development mode; otherwise it serves the output of `next build`.
import { createServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import { loadConfig } from './lib/config';
import {
  HEARTBEAT_INTERVAL_MS,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from './app/live-events';

const SHUTDOWN_GRACE_MS = 5_000;

const dev = process.argv.includes('--dev');
// Next and React choose their development or production build from NODE_ENV, as `next dev` and
// `next start` set it; the mode flag is the one source of truth, so it decides.
(process.env as Record<string, string | undefined>).NODE_ENV = dev ? 'development' : 'production';

async function main(): Promise<void> {
  const { PORT: port } = loadConfig();
  // Imported after NODE_ENV is set: parts of Next read it when first loaded.
  const { default: next } = await import('next');

  const httpServer = createServer();
  // Next's default hostname: URLs it builds say localhost; the socket listens on all interfaces.
  const app = next({ dev, port, httpServer });
  await app.prepare();
  const handle = app.getRequestHandler();
  httpServer.on('request', (req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('request failed', req.url, error);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });

  // socket.io claims only its own path (/socket.io/); Next ignores upgrades it does not own.
  const io = new SocketServer<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    serveClient: false,
  });
  // A first beat on connect, so a fresh page shows "live" without waiting up to an interval.
  io.on('connection', (socket) => {
    socket.emit('heartbeat', { at: Date.now() });
  });
  const heartbeat = setInterval(() => {
    io.emit('heartbeat', { at: Date.now() });
  }, HEARTBEAT_INTERVAL_MS);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  console.log(
    `> Clickstream ready on http://localhost:${port} (${dev ? 'development' : 'production'})`,
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`> ${signal}: shutting down`);
    // Whatever hangs (a stuck request, a dev watcher) must not keep the process alive forever.
    setTimeout(() => {
      console.error(`> still running after ${SHUTDOWN_GRACE_MS} ms, exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    clearInterval(heartbeat);
    // io.close() disconnects every socket, then closes the HTTP server (which drops idle
    // keep-alive connections and waits for requests in flight).
    Promise.all([io.close(), app.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('> shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
