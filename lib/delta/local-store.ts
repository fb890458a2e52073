// The lake on a local (or mounted) file system. Every write goes to a hidden temp file in the
// target directory first, so readers never see a partial file: put renames it into place,
// putIfAbsent hard-links it (link fails with EEXIST if the name is taken: an atomic create).
import { randomUUID } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  LakeStorageError,
  type ObjectInfo,
  type ObjectStore,
  type ObjectUpload,
} from './object-store.ts';

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

export class LocalObjectStore implements ObjectStore {
  readonly root: string;

  constructor(
    root: string,
    readonly description = root,
  ) {
    this.root = path.resolve(root);
  }

  private file(key: string): string {
    const file = path.join(this.root, ...key.split('/'));
    if (file !== this.root && !file.startsWith(this.root + path.sep)) {
      throw new Error(`key ${key} leaves the lake root`);
    }
    return file;
  }

  private tempFor(file: string): string {
    return path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  }

  private async writeTemp(file: string, data: Uint8Array | string): Promise<string> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = this.tempFor(file);
    const handle = await fs.open(
      temp,
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
      0o644,
    );
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const file = this.file(key);
    try {
      return new Uint8Array(await fs.readFile(file));
    } catch (error) {
      if (errno(error) === 'ENOENT') return undefined;
      throw new LakeStorageError('read', file, error);
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const file = this.file(key);
    let temp: string | undefined;
    try {
      temp = await this.writeTemp(file, data);
      await fs.rename(temp, file);
    } catch (error) {
      if (temp) await fs.rm(temp, { force: true }).catch(() => undefined);
      throw new LakeStorageError('write', file, error);
    }
  }

  async putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    const file = this.file(key);
    let temp: string | undefined;
    try {
      temp = await this.writeTemp(file, data);
      await fs.link(temp, file);
      return true;
    } catch (error) {
      if (errno(error) === 'EEXIST') return false;
      throw new LakeStorageError('create', file, error);
    } finally {
      if (temp) await fs.rm(temp, { force: true }).catch(() => undefined);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const dir = prefix === '' ? this.root : this.file(prefix);
    let names: string[];
    try {
      names = await fs.readdir(dir, { recursive: true });
    } catch (error) {
      if (errno(error) === 'ENOENT') return [];
      throw new LakeStorageError('list', dir, error);
    }
    const out: ObjectInfo[] = [];
    for (const name of names) {
      const full = path.join(dir, name);
      const stat = await fs.stat(full).catch(() => undefined); // deleted meanwhile
      if (!stat?.isFile()) continue;
      const key = path.relative(this.root, full).split(path.sep).join('/');
      out.push({ key, size: stat.size, lastModified: stat.mtimeMs });
    }
    return out;
  }

  async delete(key: string): Promise<void> {
    const file = this.file(key);
    try {
      await fs.rm(file, { force: true });
    } catch (error) {
      throw new LakeStorageError('delete', file, error);
    }
  }

  async upload(key: string): Promise<ObjectUpload> {
    const file = this.file(key);
    const temp = this.tempFor(file);
    let handle: fs.FileHandle;
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      handle = await fs.open(
        temp,
        constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
        0o644,
      );
    } catch (error) {
      throw new LakeStorageError('create', file, error);
    }
    let size = 0;
    return {
      write: async (chunk) => {
        try {
          await handle.write(chunk);
          size += chunk.length;
        } catch (error) {
          throw new LakeStorageError('write', file, error);
        }
      },
      close: async () => {
        try {
          await handle.sync();
          await handle.close();
          await fs.rename(temp, file);
          return size;
        } catch (error) {
          throw new LakeStorageError('write', file, error);
        }
      },
      abort: async () => {
        await handle.close().catch(() => undefined);
        await fs.rm(temp, { force: true }).catch(() => undefined);
      },
    };
  }

  uriOf(key: string): string {
    return pathToFileURL(this.file(key)).href;
  }
}
