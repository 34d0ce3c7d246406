/*
 * The file operations, run on a worker thread with the client's credentials.
 *
 * Containment: every client path goes through openat2() beneath the share
 * root's O_PATH fd with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (plus
 * RESOLVE_NO_SYMLINKS unless the share follows symlinks). The kernel refuses
 * an absolute path, a `..` above the root and a symlink leaving it (EXDEV),
 * atomically with the walk. Operations that name an entry (mkdir, unlink,
 * rename, link, symlink) resolve the parent that way and act on one plain
 * component, which the kernel does not follow. Operations on an object
 * (stat, chmod, chown, utimens, xattrs, statfs, readlink) resolve the object
 * itself to an O_PATH fd and act on that fd.
 */
#include "idops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <linux/openat2.h>
#include <linux/capability.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

int idops_fail(struct idops_req *r, const char *name) {
  r->err = errno;
  r->syscall = name;
  return -1;
}

static int resolve_flags(const struct idops_req *r) {
  int res = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  if (!(r->flags & RQ_FOLLOW)) res |= RESOLVE_NO_SYMLINKS;
  return res;
}

/* openat2 beneath the root. Returns an fd or -1 with r->err set. */
static int resolve_at(struct idops_req *r, int dirfd, const char *path, int oflags, mode_t mode) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  /* openat2 rejects flags O_PATH does not take, so O_NOCTTY only without it. */
  how.flags = (uint64_t)(oflags | O_CLOEXEC | ((oflags & O_PATH) ? 0 : O_NOCTTY));
  if (oflags & (O_CREAT | __O_TMPFILE)) how.mode = mode & 07777;
  how.resolve = (uint64_t)resolve_flags(r);
  if (!path[0]) path = ".";
  int fd;
  do fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  if (fd < 0) return idops_fail(r, "openat2");
  return fd;
}

static int resolve_obj(struct idops_req *r, const char *path) {
  int nofollow = (r->flags & RQ_NOFOLLOW_LAST) ? O_NOFOLLOW : 0;
  return resolve_at(r, r->fd, path, O_PATH | nofollow, 0);
}

/*
 * Splits `path` into its parent (resolved to an O_PATH directory fd beneath
 * the root) and its last component, copied into `base`.
 */
static int resolve_parent(struct idops_req *r, const char *path, char *base) {
  size_t len = strlen(path);
  while (len > 1 && path[len - 1] == '/') len--;
  if (len == 0) {
    r->err = ENOENT;
    r->syscall = "openat2";
    return -1;
  }
  size_t slash = len;
  while (slash > 0 && path[slash - 1] != '/') slash--;
  size_t blen = len - slash;
  if (blen == 0) { /* the path is "/" */
    r->err = EXDEV;
    r->syscall = "openat2";
    return -1;
  }
  if (blen > NAME_MAX) {
    r->err = ENAMETOOLONG;
    r->syscall = "openat2";
    return -1;
  }
  memcpy(base, path + slash, blen);
  base[blen] = 0;
  if (strcmp(base, "..") == 0) { /* a parent reached by `..` is never ours to modify */
    r->err = EXDEV;
    r->syscall = "openat2";
    return -1;
  }
  if (strcmp(base, ".") == 0) {
    r->err = EINVAL;
    r->syscall = "openat2";
    return -1;
  }
  char dir[PATH_MAX];
  if (slash == 0) {
    strcpy(dir, ".");
  } else if (slash == 1) {
    strcpy(dir, "/"); /* absolute: the kernel answers EXDEV */
  } else {
    if (slash - 1 >= sizeof dir) {
      r->err = ENAMETOOLONG;
      r->syscall = "openat2";
      return -1;
    }
    memcpy(dir, path, slash - 1);
    dir[slash - 1] = 0;
  }
  return resolve_at(r, r->fd, dir, O_PATH | O_DIRECTORY, 0);
}

void idops_pack_stat(double *o, const struct statx *s) {
  memset(o, 0, sizeof(double) * IDOPS_STAT_FIELDS);
  o[0] = (double)makedev(s->stx_dev_major, s->stx_dev_minor);
  o[1] = (double)(uint32_t)(s->stx_ino >> 32);
  o[2] = (double)(uint32_t)s->stx_ino;
  o[3] = s->stx_mode;
  o[4] = s->stx_nlink;
  o[5] = s->stx_uid;
  o[6] = s->stx_gid;
  o[7] = (double)makedev(s->stx_rdev_major, s->stx_rdev_minor);
  o[8] = (double)s->stx_size;
  o[9] = (double)s->stx_blocks;
  o[10] = s->stx_blksize;
  o[11] = (double)s->stx_atime.tv_sec;
  o[12] = s->stx_atime.tv_nsec;
  o[13] = (double)s->stx_mtime.tv_sec;
  o[14] = s->stx_mtime.tv_nsec;
  o[15] = (double)s->stx_ctime.tv_sec;
  o[16] = s->stx_ctime.tv_nsec;
  o[17] = (double)s->stx_btime.tv_sec;
  o[18] = s->stx_btime.tv_nsec;
  o[19] = s->stx_mask;
  o[20] = (double)(uint32_t)s->stx_attributes;
  o[21] = (double)s->stx_mnt_id;
}

#define STATX_WANT (STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID)

static int stat_fd(struct idops_req *r, int fd, const char *name, int flags, double *out) {
  struct statx s;
  if (statx(fd, name, flags | AT_STATX_SYNC_AS_STAT, STATX_WANT, &s) != 0) return idops_fail(r, "statx");
  idops_pack_stat(out, &s);
  return 0;
}

void idops_proc_path(char *out, size_t n, int fd) { snprintf(out, n, "/proc/self/fd/%d", fd); }

/* chmod on an fd that may be O_PATH: fchmodat2 (6.6+), else through /proc. */
static int chmod_fd(struct idops_req *r, int fd, mode_t mode) {
  if (syscall(SYS_fchmodat2, fd, "", mode & 07777, AT_EMPTY_PATH) == 0) return 0;
  if (errno != ENOSYS) return idops_fail(r, "chmod");
  char p[64];
  idops_proc_path(p, sizeof p, fd);
  if (chmod(p, mode & 07777) != 0) return idops_fail(r, "chmod");
  return 0;
}

static int statfs_fd(struct idops_req *r, int fd) {
  struct statfs s;
  if (fstatfs(fd, &s) != 0) return idops_fail(r, "statfs");
  memset(r->stat, 0, sizeof r->stat);
  r->stat[0] = (double)s.f_type;
  r->stat[1] = (double)s.f_bsize;
  r->stat[2] = (double)s.f_blocks;
  r->stat[3] = (double)s.f_bfree;
  r->stat[4] = (double)s.f_bavail;
  r->stat[5] = (double)s.f_files;
  r->stat[6] = (double)s.f_ffree;
  r->stat[7] = (double)s.f_namelen;
  r->stat[8] = (double)s.f_frsize;
  r->stat[9] = (double)s.f_flags;
  r->res_type = RES_STATFS;
  return 0;
}

static int utimens_fd(struct idops_req *r, int fd) {
  struct timespec ts[2] = {{(time_t)r->n[0], (long)r->n[1]}, {(time_t)r->n[2], (long)r->n[3]}};
  if (utimensat(fd, "", ts, AT_EMPTY_PATH) != 0) return idops_fail(r, "utimensat");
  return 0;
}

static int chown_fd(struct idops_req *r, int fd) {
  if (fchownat(fd, "", (uid_t)(int64_t)r->n[0], (gid_t)(int64_t)r->n[1], AT_EMPTY_PATH) != 0)
    return idops_fail(r, "chown");
  return 0;
}


static void probe(struct idops_req *r) {
  gid_t g[IDOPS_MAX_GROUPS];
  long n = syscall(SYS_getgroups, IDOPS_MAX_GROUPS, g);
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  syscall(SYS_capget, &h, d);
  memset(r->stat, 0, sizeof r->stat);
  r->stat[0] = (uid_t)syscall(SYS_setfsuid, (uid_t)-1);
  r->stat[1] = (gid_t)syscall(SYS_setfsgid, (gid_t)-1);
  r->stat[2] = d[0].effective;
  r->stat[3] = d[1].effective;
  r->stat[4] = n < 0 ? 0 : (double)n;
  for (long i = 0; i < n && 5 + i < IDOPS_STAT_FIELDS; i++) r->stat[5 + i] = g[i];
  r->res_type = RES_PROBE;
}

/* A parent's statx for the directory-name cache; a failure is marked (-errno in the mask slot), not fatal. */
static void parent_stat(int pfd, double *out) {
  struct statx s;
  if (statx(pfd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_WANT, &s) == 0) {
    idops_pack_stat(out, &s);
  } else {
    memset(out, 0, sizeof(double) * IDOPS_STAT_FIELDS);
    out[19] = -(double)errno;
  }
}

/*
 * open() for a client. O_NONBLOCK is added for the open itself: a FIFO in the
 * share must not park a worker thread until a writer shows up, and a file
 * under a conflicting lease (Samba's kernel oplocks, say) answers EAGAIN at
 * once instead of holding the thread for the whole lease-break time. Only
 * regular files and directories are handed out (unless RQ_SPECIAL), without
 * O_NONBLOCK unless the caller asked for it.
 *
 * RQ_PARENT_STAT (a create, O_CREAT|O_EXCL, with RQ_WITH_STAT): the parent is
 * resolved first (beneath the root, as for mkdir), the new name is created in
 * it, and the parent's statx just before and just after the create follow the
 * new file's: the engine keeps its cached name list of that directory valid
 * across its own create only when nothing else changed the directory before.
 * With `data` holding 6 doubles (mtime sec, nsec, ctime sec, nsec, inode high
 * and low 32 bits), the create happens only if the parent's statx before it
 * matches them; otherwise the answer is fd -1 and nothing changed.
 */
static void open_file(struct idops_req *r) {
  int oflags = (int)r->n[0];
  if (r->flags & RQ_NOFOLLOW_LAST) oflags |= O_NOFOLLOW;
  int is_path = (oflags & O_PATH) != 0;
  int dirfd = r->fd, pfd = -1;
  const char *path = r->path;
  char base[NAME_MAX + 1];
  if (r->flags & RQ_PARENT_STAT) {
    if ((oflags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL) || is_path || !(r->flags & RQ_WITH_STAT)) {
      r->err = EINVAL;
      r->syscall = "open";
      return;
    }
    if ((pfd = resolve_parent(r, r->path, base)) < 0) return;
    double *before = r->stat + IDOPS_STAT_FIELDS;
    parent_stat(pfd, before);
    if (r->data_len == sizeof(double) * 6) {
      /* Create only if the parent still is what the caller's cached name list describes: the same inode
       * with the same mtime and ctime. Otherwise nothing is created and the answer's fd is -1. */
      double key[6];
      memcpy(key, r->data, sizeof key);
      if (before[19] < 0 || before[13] != key[0] || before[14] != key[1] || before[15] != key[2] ||
          before[16] != key[3] || before[1] != key[4] || before[2] != key[5]) {
        memset(r->stat + 2 * IDOPS_STAT_FIELDS, 0, sizeof(double) * IDOPS_STAT_FIELDS);
        r->stat[2 * IDOPS_STAT_FIELDS + 19] = -(double)ESTALE;
        r->stat[19] = -(double)ESTALE;
        r->nstat = 3;
        r->ival = -1;
        r->res_type = RES_OPENSTAT;
        goto out;
      }
    } else if (r->data_len != 0) {
      r->err = EINVAL;
      r->syscall = "open";
      goto out;
    }
    dirfd = pfd;
    path = base;
  }
  int f = resolve_at(r, dirfd, path, is_path ? oflags : oflags | O_NONBLOCK, (mode_t)r->n[1]);
  if (f < 0) goto out;
  mode_t type;
  if (r->flags & RQ_WITH_STAT) {
    /* CREATE always wants the attributes: one request, one identity switch. */
    if (stat_fd(r, f, "", AT_EMPTY_PATH, r->stat) != 0) goto fail;
    type = (mode_t)r->stat[3] & S_IFMT;
  } else {
    struct stat st;
    if (fstat(f, &st) != 0) {
      idops_fail(r, "fstat");
      goto fail;
    }
    type = st.st_mode & S_IFMT;
  }
  if (!is_path && type != S_IFREG && type != S_IFDIR && !(r->flags & RQ_SPECIAL)) {
    errno = EPERM;
    idops_fail(r, "open");
    goto fail;
  }
  if (!is_path && !(oflags & O_NONBLOCK) && fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK) != 0) {
    idops_fail(r, "fcntl");
    goto fail;
  }
  if (pfd >= 0) {
    parent_stat(pfd, r->stat + 2 * IDOPS_STAT_FIELDS);
    r->nstat = 3;
  }
  r->ival = f;
  r->res_type = (r->flags & RQ_WITH_STAT) ? RES_OPENSTAT : RES_INT;
  goto out;
fail:
  close(f);
out:
  if (pfd >= 0) close(pfd);
}

/*
 * A path's statx (as OP_STAT); when it does not exist (ENOENT), the statx of
 * `path2`, its parent, in the same request (marked -errno in the mask slot if
 * that fails too). Any other error fails the request as OP_STAT would.
 */
static void lookup(struct idops_req *r) {
  int fd = resolve_obj(r, r->path);
  if (fd >= 0) {
    if (stat_fd(r, fd, "", AT_EMPTY_PATH, r->stat) == 0) {
      r->stat[IDOPS_STAT_FIELDS + 19] = -(double)ENODATA; /* no parent stat: not asked for */
      r->nstat = 2;
      r->res_type = RES_STAT;
    }
    close(fd);
    return;
  }
  if (r->err != ENOENT || !r->path2) return;
  r->err = 0;
  r->syscall = NULL;
  memset(r->stat, 0, sizeof(double) * IDOPS_STAT_FIELDS);
  r->stat[19] = -(double)ENOENT;
  int pfd = resolve_obj(r, r->path2);
  if (pfd >= 0) {
    parent_stat(pfd, r->stat + IDOPS_STAT_FIELDS);
    close(pfd);
  } else {
    memset(r->stat + IDOPS_STAT_FIELDS, 0, sizeof(double) * IDOPS_STAT_FIELDS);
    r->stat[IDOPS_STAT_FIELDS + 19] = -(double)r->err;
    r->err = 0;
    r->syscall = NULL;
  }
  r->nstat = 2;
  r->res_type = RES_STAT;
}

/* truncate(2) through the O_PATH fd: no open(), so a device node or FIFO is never opened for it. */
static int truncate_fd(struct idops_req *r, int fd) {
  char p[64];
  idops_proc_path(p, sizeof p, fd);
  if (truncate(p, (off_t)r->n[0]) != 0) return idops_fail(r, "truncate");
  return 0;
}

static void run(struct idops_req *r) {
  char base[NAME_MAX + 1], base2[NAME_MAX + 1];
  int fd = -1, fd2 = -1;
  switch (r->op) {
    case OP_OPENROOT: {
      int f = open(r->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (f < 0) {
        idops_fail(r, "open");
        break;
      }
      r->ival = f;
      r->res_type = RES_INT;
      break;
    }
    case OP_OPEN:
      open_file(r);
      break;
    case OP_MKDIR:
      if ((fd = resolve_parent(r, r->path, base)) >= 0 && mkdirat(fd, base, (mode_t)r->n[0] & 07777) != 0)
        idops_fail(r, "mkdir");
      break;
    case OP_UNLINK:
    case OP_RMDIR:
      if ((fd = resolve_parent(r, r->path, base)) >= 0 &&
          unlinkat(fd, base, r->op == OP_RMDIR ? AT_REMOVEDIR : 0) != 0)
        idops_fail(r, r->op == OP_RMDIR ? "rmdir" : "unlink");
      break;
    case OP_RENAME: {
      unsigned flags = (unsigned)r->n[0];
      if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
        r->err = EINVAL;
        r->syscall = "rename";
        break;
      }
      if ((fd = resolve_parent(r, r->path, base)) >= 0 && (fd2 = resolve_parent(r, r->path2, base2)) >= 0 &&
          renameat2(fd, base, fd2, base2, flags) != 0)
        idops_fail(r, "rename");
      break;
    }
    case OP_LINK:
      if ((fd = resolve_parent(r, r->path, base)) >= 0 && (fd2 = resolve_parent(r, r->path2, base2)) >= 0 &&
          linkat(fd, base, fd2, base2, 0) != 0)
        idops_fail(r, "link");
      break;
    case OP_SYMLINK: /* path = the new link, path2 = its target text */
      if ((fd = resolve_parent(r, r->path, base)) >= 0 && symlinkat(r->path2, fd, base) != 0) idops_fail(r, "symlink");
      break;
    case OP_READLINK: {
      r->flags |= RQ_NOFOLLOW_LAST;
      if ((fd = resolve_obj(r, r->path)) < 0) break;
      char *b = malloc(PATH_MAX);
      if (!b) {
        errno = ENOMEM;
        idops_fail(r, "readlink");
        break;
      }
      ssize_t n = readlinkat(fd, "", b, PATH_MAX);
      if (n < 0) {
        free(b);
        idops_fail(r, "readlink");
        break;
      }
      r->buf = b;
      r->buf_len = (size_t)n;
      r->res_type = RES_STRING;
      break;
    }
    case OP_STAT:
      if ((fd = resolve_obj(r, r->path)) >= 0 && stat_fd(r, fd, "", AT_EMPTY_PATH, r->stat) == 0)
        r->res_type = RES_STAT;
      break;
    case OP_FSTAT:
      if (stat_fd(r, r->fd, "", AT_EMPTY_PATH, r->stat) == 0) r->res_type = RES_STAT;
      break;
    case OP_READDIR:
      if ((fd = resolve_at(r, r->fd, r->path, O_RDONLY | O_DIRECTORY, 0)) >= 0) idops_read_dir(r, fd, 0);
      break;
    case OP_READDIRFD:
      if ((r->flags & RQ_REWIND) && lseek(r->fd, 0, SEEK_SET) < 0) {
        idops_fail(r, "lseek");
        break;
      }
      idops_read_dir(r, r->fd, (uint32_t)r->n[0]);
      break;
    case OP_CHMOD:
      if ((fd = resolve_obj(r, r->path)) >= 0) chmod_fd(r, fd, (mode_t)r->n[0]);
      break;
    case OP_FCHMOD:
      chmod_fd(r, r->fd, (mode_t)r->n[0]);
      break;
    case OP_CHOWN:
      if ((fd = resolve_obj(r, r->path)) >= 0) chown_fd(r, fd);
      break;
    case OP_FCHOWN:
      chown_fd(r, r->fd);
      break;
    case OP_UTIMENS:
      if ((fd = resolve_obj(r, r->path)) >= 0) utimens_fd(r, fd);
      break;
    case OP_FUTIMENS:
      utimens_fd(r, r->fd);
      break;
    case OP_TRUNCATE:
      if ((fd = resolve_obj(r, r->path)) >= 0) truncate_fd(r, fd);
      break;
    case OP_FTRUNCATE:
      if (ftruncate(r->fd, (off_t)r->n[0]) != 0) idops_fail(r, "ftruncate");
      break;
    case OP_GETXATTR:
      if ((fd = resolve_obj(r, r->path)) >= 0) idops_getxattr_fd(r, fd);
      break;
    case OP_FGETXATTR:
      idops_getxattr_fd(r, r->fd);
      break;
    case OP_SETXATTR:
      if ((fd = resolve_obj(r, r->path)) >= 0) idops_setxattr_fd(r, fd);
      break;
    case OP_FSETXATTR: /* with RQ_WITH_STAT: the fd's statx after the change (CREATE's attributes) */
      if (idops_setxattr_fd(r, r->fd) == 0 && (r->flags & RQ_WITH_STAT) &&
          stat_fd(r, r->fd, "", AT_EMPTY_PATH, r->stat) == 0)
        r->res_type = RES_STAT;
      break;
    case OP_REMOVEXATTR:
      if ((fd = resolve_obj(r, r->path)) >= 0) idops_removexattr_fd(r, fd);
      break;
    case OP_FREMOVEXATTR:
      idops_removexattr_fd(r, r->fd);
      break;
    case OP_LISTXATTR:
      if ((fd = resolve_obj(r, r->path)) >= 0) idops_listxattr_fd(r, fd);
      break;
    case OP_FLISTXATTR:
      idops_listxattr_fd(r, r->fd);
      break;
    case OP_STATFS:
      if ((fd = resolve_obj(r, r->path)) >= 0) statfs_fd(r, fd);
      break;
    case OP_FSTATFS:
      statfs_fd(r, r->fd);
      break;
    case OP_PROBE:
      probe(r);
      break;
    case OP_DIRXATTRS: /* path = the directory, path2 = the attribute, data = the entry names */
      if ((fd = resolve_at(r, r->fd, r->path, O_PATH | O_DIRECTORY, 0)) >= 0) idops_dir_xattrs(r, fd);
      break;
    case OP_LOOKUP:
      lookup(r);
      break;
    default:
      r->err = ENOSYS;
      r->syscall = "idops";
  }
  if (fd >= 0) close(fd);
  if (fd2 >= 0) close(fd2);
}

void idops_execute(struct idops_req *r) {
  r->err = 0;
  r->res_type = RES_NONE;
  if (r->op == OP_OPENROOT && (r->flags & RQ_AS_ROOT)) {
    run(r); /* the daemon opening its configured share path, not a client request */
    return;
  }
  if (!r->has_identity) {
    r->err = EPERM;
    r->syscall = "setfsuid";
    return;
  }
  int e = idops_enter(r);
  if (e) {
    r->err = e;
    r->syscall = "setfsuid";
    return;
  }
  run(r);
  idops_leave();
  if (r->err) idops_req_free_results(r);
}

void idops_req_free_results(struct idops_req *r) {
  free(r->buf);
  r->buf = NULL;
  free(r->dir.names);
  free(r->dir.types);
  free(r->dir.stats);
  memset(&r->dir, 0, sizeof r->dir);
}
