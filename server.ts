// The web process: one HTTP server on HOST:PORT (loopback unless HOST says otherwise) serving the
// Next.js app and socket.io side by side, plus the web runtime (lib/web/web-runtime.ts): the
// pipeline poller, whose snapshot it pushes to every browser each second, and the simulator.
// Every request passes lib/web/gateway.ts first; socket.io handshakes pass the same Host and
// Origin checks. Signed-in sockets get the per-checkout feed, others the figures only.
// `--dev` runs Next in development mode; otherwise it serves the output of `next build`.
import { createServer } from 'node:http';
import { Server as SocketServer, type Socket } from 'socket.io';
import { listOf, loadConfig } from './lib/config.ts';
import { logger } from './lib/log.ts';
import { SESSION_COOKIE, authenticate, isSessionSecret, readCookie } from './lib/web/auth.ts';
import { admit, headerGetter, socketHandshakeAllowed } from './lib/web/gateway.ts';
import { bodyVerdict } from './lib/web/request-guards.ts';
import { MAX_JSON_BODY_BYTES } from './lib/web/http.ts';
import { snapshotFor } from './lib/web/privacy.ts';
import { getWebRuntime } from './lib/web/web-runtime.ts';
import { answerDirectly, directHandlerFor, type RouteHandler } from './lib/web/direct-route.ts';
import { GET as pipelineGet } from './app/api/pipeline/route.ts';
import { GET as channelsGet } from './app/api/pipeline/channels/route.ts';
import { GET as checkoutsGet } from './app/api/checkouts/route.ts';
import {
  HEARTBEAT_INTERVAL_MS,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from './lib/web/live-events.ts';

const SHUTDOWN_GRACE_MS = 5_000;
/** How often signed-in sockets are checked against their session (expiry, other processes). */
const SESSION_RECHECK_MS = 30_000;
const SIGNED_IN = 'signed-in';
const PUBLIC = 'public';

interface SocketData {
  sessionId?: string;
  sessionSecret?: string;
}
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

const dev = process.argv.includes('--dev');
const log = logger('web');

/**
 * The reads a watched dashboard and the checkout browser ask over and over, answered by their
 * route handlers without Next's request pipeline (lib/web/direct-route.ts says why). GET only,
 * exact paths; in development Next serves them too, so editing a route reloads it.
 */
const DIRECT_READS = new Map<string, RouteHandler>([
  ['/api/pipeline', pipelineGet],
  ['/api/pipeline/channels', channelsGet],
  ['/api/checkouts', checkoutsGet],
]);

// Next and React choose their development or production build from NODE_ENV, as `next dev` and
// `next start` set it; the mode flag is the one source of truth, so it decides.
(process.env as Record<string, string | undefined>).NODE_ENV = dev ? 'development' : 'production';

async function main(): Promise<void> {
  const config = loadConfig();
  const { PORT: port, HOST: host } = config;
  const allowedHosts = listOf(config.ALLOWED_HOSTS);
  // Created before Next loads any route, so routes find this instance (with this config).
  const runtime = getWebRuntime(config);
  const readerAuth = (headers: Parameters<typeof authenticate>[0]) =>
    authenticate(headers, runtime.authDeps(), { stateChange: false });
  // Sessions made under another token, expired or idle are deleted now and then.
  const purge = () =>
    runtime.sessions
      .purge()
      .catch((error: unknown) => log.error({ err: error }, 'could not purge old sessions'));
  void purge();
  const purgeTimer = setInterval(purge, 3_600_000);
  // Imported after NODE_ENV is set: parts of Next read it when first loaded.
  const { default: next } = await import('next');

  const httpServer = createServer({ requestTimeout: 30_000, headersTimeout: 15_000 });
  // URLs Next builds say localhost; the socket listens on HOST.
  const app = next({ dev, port, httpServer });
  await app.prepare();
  const handle = app.getRequestHandler();
  const gateway = {
    allowedHosts,
    trustedProxies: listOf(config.TRUSTED_PROXIES),
    publicDashboard: config.PUBLIC_DASHBOARD,
    maxBodyBytes: MAX_JSON_BODY_BYTES,
    dev,
    authenticate: readerAuth,
  };
  httpServer.on('request', (req, res) => {
    admit(req, res, gateway)
      .then((admitted) => {
        if (!admitted) return undefined;
        const direct = dev ? undefined : directHandlerFor(DIRECT_READS, req.method, req.url);
        return direct ? answerDirectly(req, res, direct) : handle(req, res);
      })
      .catch((error: unknown) => {
        log.error(
          { err: error, requestId: req.headers['x-request-id'], url: req.url },
          'request failed',
        );
        if (res.headersSent) return void res.end();
        const body = JSON.stringify({
          error: `Internal error (request ${req.headers['x-request-id'] ?? '?'})`,
        });
        res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(body);
      });
  });

  // A client that asks before sending its body (Expect: 100-continue) hears "go on" only when the
  // body may be read; otherwise the gateway's 413/411 is all it gets.
  httpServer.on('checkContinue', (req, res) => {
    if (bodyVerdict(req.headers, MAX_JSON_BODY_BYTES).ok) res.writeContinue();
    httpServer.emit('request', req, res);
  });

  // socket.io claims only its own path (/socket.io/), ahead of the handler above; Next ignores
  // upgrades it does not own. Browsers only listen, so a client message is never large.
  const io = new SocketServer<ClientToServerEvents, ServerToClientEvents, object, SocketData>(
    httpServer,
    {
      serveClient: false,
      maxHttpBufferSize: 4_096,
      allowRequest: (req, callback) => {
        if (!socketHandshakeAllowed(req, allowedHosts)) {
          callback('this origin or host may not connect', false);
          return;
        }
        if (config.PUBLIC_DASHBOARD) {
          callback(null, true);
          return;
        }
        readerAuth(headerGetter(req)).then(
          (outcome) =>
            callback(outcome.kind === 'admin' ? null : 'sign in first', outcome.kind === 'admin'),
          () => callback('sign-in check failed', false),
        );
      },
    },
  );
  // Who the socket is: the session of its handshake's cookie, if any.
  io.use((socket: LiveSocket, nextStep) => {
    const secret = readCookie(socket.request.headers.cookie, SESSION_COOKIE);
    if (!secret || !isSessionSecret(secret) || !config.ADMIN_TOKEN) {
      nextStep();
      return;
    }
    runtime.sessions.find(secret).then(
      (session) => {
        if (session) socket.data = { sessionId: session.id, sessionSecret: secret };
        nextStep();
      },
      () => nextStep(),
    );
  });
  // A first beat, the recent history and the latest figures on connect, so a fresh page is live
  // and its charts full without waiting up to an interval.
  io.on('connection', (socket: LiveSocket) => {
    const signedIn = socket.data.sessionId !== undefined;
    void socket.join(signedIn ? [SIGNED_IN, `session:${socket.data.sessionId}`] : PUBLIC);
    socket.emit('heartbeat', { at: Date.now() });
    socket.emit('pipelineHistory', runtime.poller.history());
    const latest = snapshotFor(runtime.poller.latest(), signedIn);
    if (latest) socket.emit('pipeline', latest);
    socket.emit('simulator', runtime.simulator.status());
  });
  // A session that ends takes its sockets' feed with it (or, when the dashboard is not public,
  // the sockets themselves).
  const demote = (room: string) => {
    if (!config.PUBLIC_DASHBOARD) {
      io.in(room).disconnectSockets(true);
      return;
    }
    io.in(room).socketsJoin(PUBLIC);
    io.in(room).socketsLeave(SIGNED_IN);
  };
  runtime.sessionEvents.on('revoked', (ids) => {
    if (ids === 'all') demote(SIGNED_IN);
    else for (const id of ids) demote(`session:${id}`);
  });
  const recheck = setInterval(() => {
    void io
      .in(SIGNED_IN)
      .fetchSockets()
      .then(async (sockets) => {
        for (const socket of sockets) {
          const { sessionId, sessionSecret } = socket.data;
          const live = sessionSecret ? await runtime.sessions.find(sessionSecret) : null;
          if (!live || live.id !== sessionId) demote(socket.id);
        }
      })
      .catch((error: unknown) => log.error({ err: error }, 'session recheck failed'));
  }, SESSION_RECHECK_MS);
  const heartbeat = setInterval(() => {
    io.emit('heartbeat', { at: Date.now() });
    io.emit('simulator', runtime.simulator.status());
  }, HEARTBEAT_INTERVAL_MS);
  runtime.poller.setListener({
    onSnapshot: (snapshot) => {
      io.to(SIGNED_IN).emit('pipeline', snapshot);
      io.to(PUBLIC).emit('pipeline', snapshotFor(snapshot, false)!);
    },
    // With no browser connected, skip the sink reads (scrapes continue, so rates stay warm).
    isWatched: () => io.engine.clientsCount > 0,
  });
  runtime.poller.start();

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  log.info(
    `Clickstream ready on http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port} (${dev ? 'development' : 'production'}; listening on ${host})`,
  );
  if (!config.ADMIN_TOKEN) log.warn('ADMIN_TOKEN is not set: nothing can be changed');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    // Whatever hangs (a stuck request, a dev watcher) must not keep the process alive forever.
    setTimeout(() => {
      log.error(`still running after ${SHUTDOWN_GRACE_MS} ms, exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    clearInterval(heartbeat);
    clearInterval(recheck);
    clearInterval(purgeTimer);
    // io.close() disconnects every socket, then closes the HTTP server (which drops idle
    // keep-alive connections and waits for requests in flight). The runtime stops the simulator
    // (its producer flushes) and the poller, then closes the pools.
    Promise.all([io.close(), app.close(), runtime.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, 'the web server could not start');
  process.exit(1);
});
