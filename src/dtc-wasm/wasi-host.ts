/**
 * A small WASI preview1 host on node:fs, just enough for dtc and fdtoverlay.
 *
 * Why not node:wasi: on Node 20 it segfaults the whole process on large inputs (Node issues
 * 46777, 53087) and prints an ExperimentalWarning. The programs use a few dozen calls, all
 * synchronous, so a host of our own is small and fully under our control.
 *
 * The guest sees the host file system under one preopened directory "/" and starts in the
 * host's working directory: the modules are linked with a shim that chdir()s to $PWD, which
 * this host sets to the guest form of the requested cwd.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readdirAsListed } from '../os-fs.js';

// WASI errno values (preview1).
const E = {
  SUCCESS: 0,
  ACCES: 2,
  BADF: 8,
  EXIST: 20,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  LOOP: 32,
  MFILE: 33,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTSUP: 58,
  PERM: 63,
  SPIPE: 70,
} as const;

const NODE_ERRNO: Record<string, number> = {
  EACCES: E.ACCES,
  EBADF: E.BADF,
  EEXIST: E.EXIST,
  EINVAL: E.INVAL,
  EIO: E.IO,
  EISDIR: E.ISDIR,
  ELOOP: E.LOOP,
  EMFILE: E.MFILE,
  ENAMETOOLONG: E.NAMETOOLONG,
  ENOENT: E.NOENT,
  ENOTDIR: E.NOTDIR,
  ENOTEMPTY: E.NOTEMPTY,
  EPERM: E.PERM,
};

const FILETYPE = { UNKNOWN: 0, CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4, SYMBOLIC_LINK: 7 } as const;
const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
const FDFLAGS_APPEND = 1;
const RIGHT_FD_READ = 1n << 1n;
const RIGHT_FD_WRITE = 1n << 6n;
const ALL_RIGHTS = (1n << 30n) - 1n;
const WHENCE = { SET: 0, CUR: 1, END: 2 } as const;

/** Thrown by proc_exit to unwind the guest. */
export class WasiExit {
  constructor(readonly code: number) {}
}

export interface WasiRunOptions {
  args: string[];
  /** Host working directory of the guest (default: process.cwd()). */
  cwd?: string;
  /** Bytes served on fd 0; 'inherit' reads the host's stdin. Default: empty. */
  stdin?: Uint8Array | 'inherit';
  /** Called with each chunk written to fd 1 / fd 2. */
  onStdout: (chunk: Uint8Array) => void;
  onStderr: (chunk: Uint8Array) => void;
}

type OpenFile =
  | { kind: 'stdin' }
  | { kind: 'stdout' | 'stderr' }
  | { kind: 'preopen'; guestPath: string; hostPath: string }
  | { kind: 'dir'; hostPath: string }
  | { kind: 'file'; hostFd: number; position: number; append: boolean };

/** Guest paths are POSIX; on Windows "/C:/x" stands for "C:\x". */
export function hostToGuestPath(hostPath: string): string {
  const abs = path.resolve(hostPath);
  if (process.platform !== 'win32') return abs;
  return '/' + abs.replace(/\\/g, '/');
}

function guestToHostPath(guestPath: string): string {
  if (process.platform !== 'win32') return guestPath;
  return guestPath.replace(/^\/+/, '').replace(/\//g, '\\');
}

function errnoOf(err: unknown): number {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code && NODE_ERRNO[code]) || E.IO;
}

export class WasiHost {
  private memory: WebAssembly.Memory | undefined;
  private readonly fds = new Map<number, OpenFile>();
  private nextFd = 4;
  private stdinOffset = 0;
  private readonly argv: Uint8Array[];
  private readonly env: Uint8Array[];

  constructor(private readonly opts: WasiRunOptions) {
    const encoder = new TextEncoder();
    this.argv = opts.args.map((a) => encoder.encode(a + '\0'));
    const cwd = hostToGuestPath(opts.cwd ?? process.cwd());
    this.env = [encoder.encode(`PWD=${cwd}\0`)];
    this.fds.set(0, { kind: 'stdin' });
    this.fds.set(1, { kind: 'stdout' });
    this.fds.set(2, { kind: 'stderr' });
    this.fds.set(3, { kind: 'preopen', guestPath: '/', hostPath: process.platform === 'win32' ? '' : '/' });
  }

  /** Runs `_start` of an instance created with `imports()`; returns the exit code. */
  start(instance: WebAssembly.Instance): number {
    this.memory = instance.exports.memory as WebAssembly.Memory;
    try {
      (instance.exports._start as () => void)();
      return 0;
    } catch (err) {
      if (err instanceof WasiExit) return err.code;
      throw err;
    } finally {
      this.closeAll();
    }
  }

  private closeAll(): void {
    for (const [fd, file] of this.fds) {
      if (file.kind === 'file') {
        try {
          fs.closeSync(file.hostFd);
        } catch {
          /* already gone; nothing to recover */
        }
      }
      this.fds.delete(fd);
    }
  }

  private view(): DataView {
    return new DataView(this.memory!.buffer);
  }

  private bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.memory!.buffer, ptr, len);
  }

  private string(ptr: number, len: number): string {
    return Buffer.from(this.bytes(ptr, len)).toString('utf8');
  }

  private hostPathAt(dirFd: number, relPath: string): string | number {
    const dir = this.fds.get(dirFd);
    if (!dir) return E.BADF;
    if (dir.kind !== 'preopen' && dir.kind !== 'dir') return E.NOTDIR;
    const base = dir.kind === 'preopen' ? dir.guestPath : hostToGuestPath(dir.hostPath);
    const guest = path.posix.join(base, relPath);
    return guestToHostPath(guest);
  }

  private writeList(list: Uint8Array[], ptrsPtr: number, bufPtr: number): number {
    const view = this.view();
    let offset = bufPtr;
    list.forEach((item, i) => {
      view.setUint32(ptrsPtr + i * 4, offset, true);
      this.bytes(offset, item.length).set(item);
      offset += item.length;
    });
    return E.SUCCESS;
  }

  private sizes(list: Uint8Array[], countPtr: number, sizePtr: number): number {
    const view = this.view();
    view.setUint32(countPtr, list.length, true);
    view.setUint32(sizePtr, list.reduce((n, a) => n + a.length, 0), true);
    return E.SUCCESS;
  }

  private iovecs(iovs: number, count: number): Uint8Array[] {
    const view = this.view();
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const ptr = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      out.push(this.bytes(ptr, len));
    }
    return out;
  }

  private readStdin(target: Uint8Array): number {
    const stdin = this.opts.stdin;
    if (stdin === 'inherit') {
      try {
        return fs.readSync(0, target, 0, target.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EOF') return 0;
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return this.readStdin(target);
        throw err;
      }
    }
    if (!stdin) return 0;
    const n = Math.min(target.length, stdin.length - this.stdinOffset);
    target.set(stdin.subarray(this.stdinOffset, this.stdinOffset + n));
    this.stdinOffset += n;
    return n;
  }

  imports(): WebAssembly.Imports {
    const host = this;
    const wasi: Record<string, (...args: never[]) => number> = {
      args_get: (argv: number, buf: number) => host.writeList(host.argv, argv, buf),
      args_sizes_get: (count: number, size: number) => host.sizes(host.argv, count, size),
      environ_get: (env: number, buf: number) => host.writeList(host.env, env, buf),
      environ_sizes_get: (count: number, size: number) => host.sizes(host.env, count, size),

      fd_close(fd: number) {
        const file = host.fds.get(fd);
        if (!file) return E.BADF;
        if (file.kind === 'file') fs.closeSync(file.hostFd);
        host.fds.delete(fd);
        return E.SUCCESS;
      },

      fd_fdstat_get(fd: number, out: number) {
        const file = host.fds.get(fd);
        if (!file) return E.BADF;
        const view = host.view();
        let type: number = FILETYPE.REGULAR_FILE;
        let rights = ALL_RIGHTS;
        if (file.kind === 'stdin' || file.kind === 'stdout' || file.kind === 'stderr') {
          type = FILETYPE.CHARACTER_DEVICE;
          // No seek/tell rights: libc then treats the stream as unseekable, like a pipe.
          rights = ALL_RIGHTS & ~((1n << 2n) | (1n << 5n));
        } else if (file.kind === 'preopen' || file.kind === 'dir') {
          type = FILETYPE.DIRECTORY;
        }
        view.setUint8(out, type);
        view.setUint16(out + 2, file.kind === 'file' && file.append ? FDFLAGS_APPEND : 0, true);
        view.setBigUint64(out + 8, rights, true);
        view.setBigUint64(out + 16, ALL_RIGHTS, true);
        return E.SUCCESS;
      },

      fd_fdstat_set_flags: (fd: number) => (host.fds.has(fd) ? E.SUCCESS : E.BADF),

      fd_prestat_get(fd: number, out: number) {
        const file = host.fds.get(fd);
        if (!file) return E.BADF;
        if (file.kind !== 'preopen') return E.BADF;
        const view = host.view();
        view.setUint8(out, 0); // preopentype: dir
        view.setUint32(out + 4, Buffer.byteLength(file.guestPath), true);
        return E.SUCCESS;
      },

      fd_prestat_dir_name(fd: number, ptr: number, len: number) {
        const file = host.fds.get(fd);
        if (!file || file.kind !== 'preopen') return E.BADF;
        host.bytes(ptr, len).set(Buffer.from(file.guestPath).subarray(0, len));
        return E.SUCCESS;
      },

      fd_read(fd: number, iovs: number, count: number, nreadPtr: number) {
        const file = host.fds.get(fd);
        if (!file) return E.BADF;
        let total = 0;
        try {
          for (const target of host.iovecs(iovs, count)) {
            let n: number;
            if (file.kind === 'stdin') n = host.readStdin(target);
            else if (file.kind === 'file') {
              n = fs.readSync(file.hostFd, target, 0, target.length, file.position);
              file.position += n;
            } else return file.kind === 'dir' || file.kind === 'preopen' ? E.ISDIR : E.BADF;
            total += n;
            if (n < target.length) break;
          }
        } catch (err) {
          return errnoOf(err);
        }
        host.view().setUint32(nreadPtr, total, true);
        return E.SUCCESS;
      },

      fd_write(fd: number, iovs: number, count: number, nwrittenPtr: number) {
        const file = host.fds.get(fd);
        if (!file) return E.BADF;
        let total = 0;
        try {
          for (const chunk of host.iovecs(iovs, count)) {
            if (chunk.length === 0) continue;
            if (file.kind === 'stdout') host.opts.onStdout(chunk.slice());
            else if (file.kind === 'stderr') host.opts.onStderr(chunk.slice());
            else if (file.kind === 'file') {
              const position = file.append ? null : file.position;
              let written = 0;
              while (written < chunk.length) {
                written += fs.writeSync(file.hostFd, chunk, written, chunk.length - written, position === null ? null : position + written);
              }
              file.position += written;
            } else return E.BADF;
            total += chunk.length;
          }
        } catch (err) {
          return errnoOf(err);
        }
        host.view().setUint32(nwrittenPtr, total, true);
        return E.SUCCESS;
      },

      fd_seek(fd: number, offset: bigint, whence: number, out: number) {
        const file = host.fds.get(fd);
        if (!file) return E.BADF;
        if (file.kind !== 'file') return E.SPIPE;
        let base = 0;
        if (whence === WHENCE.CUR) base = file.position;
        else if (whence === WHENCE.END) base = fs.fstatSync(file.hostFd).size;
        else if (whence !== WHENCE.SET) return E.INVAL;
        const next = base + Number(offset);
        if (next < 0) return E.INVAL;
        file.position = next;
        host.view().setBigUint64(out, BigInt(next), true);
        return E.SUCCESS;
      },

      fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number) {
        const file = host.fds.get(fd);
        if (!file) return E.BADF;
        if (file.kind !== 'dir' && file.kind !== 'preopen') return E.NOTDIR;
        let entries: fs.Dirent[];
        try {
          // readdir(3)'s order, as a native dtc sees it (readdirSync would sort)
          entries = readdirAsListed(file.kind === 'dir' ? file.hostPath : file.hostPath || '/');
        } catch (err) {
          return errnoOf(err);
        }
        const view = host.view();
        let used = 0;
        for (let i = Number(cookie); i < entries.length && used < bufLen; i++) {
          const entry = entries[i];
          const name = Buffer.from(entry.name);
          const header = new Uint8Array(24);
          const hv = new DataView(header.buffer);
          hv.setBigUint64(0, BigInt(i + 1), true);
          hv.setBigUint64(8, 0n, true);
          hv.setUint32(16, name.length, true);
          hv.setUint8(20, entry.isDirectory() ? FILETYPE.DIRECTORY : entry.isSymbolicLink() ? FILETYPE.SYMBOLIC_LINK : entry.isFile() ? FILETYPE.REGULAR_FILE : FILETYPE.UNKNOWN);
          // A record that does not fit is truncated; libc sees a full buffer and asks again.
          const record = Buffer.concat([header, name]);
          const n = Math.min(record.length, bufLen - used);
          host.bytes(buf + used, n).set(record.subarray(0, n));
          used += n;
        }
        view.setUint32(usedPtr, used, true);
        return E.SUCCESS;
      },

      path_filestat_get(fd: number, flags: number, pathPtr: number, pathLen: number, out: number) {
        const target = host.hostPathAt(fd, host.string(pathPtr, pathLen));
        if (typeof target === 'number') return target;
        let st: fs.Stats;
        try {
          st = flags & 1 ? fs.statSync(target) : fs.lstatSync(target);
        } catch (err) {
          return errnoOf(err);
        }
        const view = host.view();
        view.setBigUint64(out, BigInt(st.dev), true);
        view.setBigUint64(out + 8, BigInt(st.ino), true);
        view.setUint8(out + 16, st.isDirectory() ? FILETYPE.DIRECTORY : st.isSymbolicLink() ? FILETYPE.SYMBOLIC_LINK : st.isFile() ? FILETYPE.REGULAR_FILE : FILETYPE.CHARACTER_DEVICE);
        view.setBigUint64(out + 24, BigInt(st.nlink), true);
        view.setBigUint64(out + 32, BigInt(st.size), true);
        view.setBigUint64(out + 40, BigInt(Math.floor(st.atimeMs * 1e6)), true);
        view.setBigUint64(out + 48, BigInt(Math.floor(st.mtimeMs * 1e6)), true);
        view.setBigUint64(out + 56, BigInt(Math.floor(st.ctimeMs * 1e6)), true);
        return E.SUCCESS;
      },

      path_open(
        dirFd: number,
        _dirflags: number,
        pathPtr: number,
        pathLen: number,
        oflags: number,
        rightsBase: bigint,
        _rightsInheriting: bigint,
        fdflags: number,
        outFd: number,
      ) {
        const target = host.hostPathAt(dirFd, host.string(pathPtr, pathLen));
        if (typeof target === 'number') return target;
        try {
          let isDir = false;
          try {
            isDir = fs.statSync(target).isDirectory();
          } catch {
            /* does not exist yet: may be created below */
          }
          let file: OpenFile;
          if (isDir || oflags & OFLAGS.DIRECTORY) {
            if (!isDir) return fs.existsSync(target) ? E.NOTDIR : E.NOENT;
            if (rightsBase & RIGHT_FD_WRITE) return E.ISDIR;
            file = { kind: 'dir', hostPath: target };
          } else {
            const read = (rightsBase & RIGHT_FD_READ) !== 0n;
            const write = (rightsBase & RIGHT_FD_WRITE) !== 0n;
            let flags = write ? (read ? fs.constants.O_RDWR : fs.constants.O_WRONLY) : fs.constants.O_RDONLY;
            if (oflags & OFLAGS.CREAT) flags |= fs.constants.O_CREAT;
            if (oflags & OFLAGS.EXCL) flags |= fs.constants.O_EXCL;
            if (oflags & OFLAGS.TRUNC) flags |= fs.constants.O_TRUNC;
            const append = (fdflags & FDFLAGS_APPEND) !== 0;
            if (append) flags |= fs.constants.O_APPEND;
            file = { kind: 'file', hostFd: fs.openSync(target, flags, 0o666), position: 0, append };
          }
          const fd = host.nextFd++;
          host.fds.set(fd, file);
          host.view().setUint32(outFd, fd, true);
          return E.SUCCESS;
        } catch (err) {
          return errnoOf(err);
        }
      },

      proc_exit(code: number): never {
        throw new WasiExit(code);
      },

      clock_time_get(_id: number, _precision: bigint, out: number) {
        host.view().setBigUint64(out, process.hrtime.bigint(), true);
        return E.SUCCESS;
      },

      random_get(buf: number, len: number) {
        host.bytes(buf, len).set(new Uint8Array(len).map(() => Math.floor(Math.random() * 256)));
        return E.SUCCESS;
      },
    };
    // Anything else the module might import answers "not supported" rather than failing to link.
    const proxy = new Proxy(wasi, {
      get: (target, name: string) => target[name] ?? (() => E.NOSYS),
    });
    return { wasi_snapshot_preview1: proxy as unknown as WebAssembly.ModuleImports };
  }
}
