// The web process: one HTTP server on PORT serving the Next.js app and socket.io side by side,
// plus the web runtime (lib/web/web-runtime.ts): the pipeline poller, whose snapshot it pushes to
// every browser each second, and the simulator. `--dev` runs Next in development mode; otherwise
// it serves the output of `next build`.
import { createServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import { loadConfig } from './lib/config';
import { getWebRuntime } from './lib/web/web-runtime';
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
  const config = loadConfig();
  const { PORT: port } = config;
  // Created before Next loads any route, so routes find this instance (with this config).
  const runtime = getWebRuntime(config);
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
  // A first beat, the recent history and the latest figures on connect, so a fresh page is live
  // and its charts full without waiting up to an interval.
  io.on('connection', (socket) => {
    socket.emit('heartbeat', { at: Date.now() });
    socket.emit('pipelineHistory', runtime.poller.history());
    const latest = runtime.poller.latest();
    if (latest) socket.emit('pipeline', latest);
    socket.emit('simulator', runtime.simulator.status());
  });
  const heartbeat = setInterval(() => {
    io.emit('heartbeat', { at: Date.now() });
    io.emit('simulator', runtime.simulator.status());
  }, HEARTBEAT_INTERVAL_MS);
  runtime.poller.setListener({
    onSnapshot: (snapshot) => io.emit('pipeline', snapshot),
    // With no browser connected, skip the sink reads (scrapes continue, so rates stay warm).
    isWatched: () => io.engine.clientsCount > 0,
  });
  runtime.poller.start();

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
    // keep-alive connections and waits for requests in flight). The runtime stops the simulator
    // (its producer flushes) and the poller, then closes the pool.
    Promise.all([io.close(), app.close(), runtime.close()]).then(
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
