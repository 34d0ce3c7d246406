// Candidate (b): a per-identity worker process. Started as root, it drops to the
// identity for good (setgroups, setgid, setuid) and serves file operations over
// Node's IPC channel; bulk data goes over an extra pipe (fd 3) as raw bytes,
// since an fd cannot be passed back to the parent.
import fs from 'node:fs';
import {join} from 'node:path';

const [uid, gid, groups] = JSON.parse(process.argv[2]);
process.setgroups(groups);
process.setgid(gid);
process.setuid(uid);
const dataOut = fs.createWriteStream(null, {fd: 3});

const p = (fn, ...a) => new Promise((res, rej) => fn(...a, (e, v) => (e ? rej(e) : res(v))));

const handlers = {
  async openStatClose({path}) {
    const fd = await p(fs.open, path, 'r');
    const st = await p(fs.fstat, fd);
    await p(fs.close, fd);
    return {size: st.size, mode: st.mode, uid: st.uid, ino: st.ino, mtimeMs: st.mtimeMs};
  },
  async mkdir({path}) {
    await p(fs.mkdir, path, 0o755);
  },
  async rmdir({path}) {
    await p(fs.rmdir, path);
  },
  async readdirStat({path}) {
    const names = await p(fs.readdir, path);
    const stats = await Promise.all(names.map((n) => p(fs.lstat, join(path, n))));
    return names.map((n, i) => ({name: n, size: stats[i].size, mode: stats[i].mode, ino: stats[i].ino,
      mtimeMs: stats[i].mtimeMs}));
  },
  async readFile({path, chunk}) {
    const fd = await p(fs.open, path, 'r');
    let total = 0;
    try {
      for (;;) {
        const buf = Buffer.allocUnsafe(chunk);
        const n = await p(fs.read, fd, buf, 0, chunk, null);
        if (n === 0) break;
        total += n;
        if (!dataOut.write(n === chunk ? buf : buf.subarray(0, n))) {
          await new Promise((r) => dataOut.once('drain', r));
        }
      }
    } finally {
      await p(fs.close, fd);
    }
    return {total};
  },
};

process.on('message', async (m) => {
  try {
    process.send({id: m.id, ok: await handlers[m.op](m)});
  } catch (e) {
    process.send({id: m.id, err: e.code});
  }
});
process.send({ready: true, uid: process.getuid(), euid: process.geteuid()});
