// An S3-compatible server for tests: moto's (from PyPI, pinned in scripts/python/requirements.txt,
// installed into .venv), which implements S3's conditional writes, on a free local port. The AWS
// SDK's default credential chain reads the test credentials from the environment. Not a test file.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { ensurePythonEnv, venvBin } from '../../scripts/python-env.ts';

export const motoCredentials = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
};

export interface MotoServer {
  endpoint: string;
  /** Environment for delta-rs to read s3:// tables from this server. */
  deltaRsEnv: Record<string, string>;
  stop(): void;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** Starts moto_server with the given buckets created. */
export async function startMotoServer(buckets: string[]): Promise<MotoServer> {
  await ensurePythonEnv();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const moto = spawn(venvBin('moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  Object.assign(process.env, motoCredentials);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(endpoint)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      moto.kill('SIGTERM');
      throw new Error('moto_server did not start');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1' });
  for (const Bucket of buckets) await client.send(new CreateBucketCommand({ Bucket }));
  return {
    endpoint,
    deltaRsEnv: { ...motoCredentials, AWS_ENDPOINT_URL: endpoint, AWS_ALLOW_HTTP: 'true' },
    stop: () => moto.kill('SIGTERM'),
  };
}
