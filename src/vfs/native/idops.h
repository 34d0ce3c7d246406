/*
 * Identity-switched, share-contained file operations for ksmbd-node.
 *
 * A request is built on the JS thread, executed on one of our own worker
 * threads with that thread's fsuid/fsgid/groups switched to the client's
 * identity (raw per-thread syscalls), and completed back on the JS thread.
 * Every path is resolved by the kernel beneath an O_PATH fd of the share root
 * (openat2 RESOLVE_BENEATH), so containment does not depend on our parsing.
 */
#ifndef KSMBD_IDOPS_H
#define KSMBD_IDOPS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <node_api.h>

#define IDOPS_MAX_GROUPS 256
#define IDOPS_STAT_FIELDS 22

/* Keep in step with OP in src/vfs/identity-ops.ts. */
enum idops_op {
  OP_OPENROOT = 1,
  OP_OPEN,
  OP_MKDIR,
  OP_UNLINK,
  OP_RMDIR,
  OP_RENAME,
  OP_LINK,
  OP_SYMLINK,
  OP_READLINK,
  OP_STAT,
  OP_READDIR,
  OP_CHMOD,
  OP_CHOWN,
  OP_UTIMENS,
  OP_TRUNCATE,
  OP_GETXATTR,
  OP_SETXATTR,
  OP_REMOVEXATTR,
  OP_LISTXATTR,
  OP_STATFS,
  OP_FSTAT,
  OP_FCHMOD,
  OP_FCHOWN,
  OP_FUTIMENS,
  OP_FTRUNCATE,
  OP_FGETXATTR,
  OP_FSETXATTR,
  OP_FREMOVEXATTR,
  OP_FLISTXATTR,
  OP_READDIRFD,
  OP_FSTATFS,
  OP_PROBE, /* reports the worker thread's credentials while switched (tests) */
  OP_DIRXATTRS, /* one xattr of many entries of a directory (listings) */
  OP_LOOKUP,    /* stat a path; when it is missing, stat its parent in the same request */
  OP__COUNT
};

/* Request flags (the `flags` argument), shared with the TS wrapper. */
#define RQ_FOLLOW 0x1      /* follow symlinks (beneath the root) */
#define RQ_NOFOLLOW_LAST 0x2 /* do not follow a trailing symlink (lstat, lchown...) */
#define RQ_WITH_STAT 0x4   /* readdir: statx every entry; open: statx the new fd */
#define RQ_REWIND 0x8      /* readdirFd: start from the beginning */
#define RQ_AS_ROOT 0x10    /* openRoot only: no identity (the daemon's own lookup) */
#define RQ_SPECIAL 0x20    /* open: also hand out FIFOs, sockets and device nodes */
#define RQ_PARENT_STAT 0x40 /* open with O_CREAT|O_EXCL: statx the parent just before and after the create */

enum idops_result {
  RES_NONE = 0,
  RES_INT,
  RES_STAT,
  RES_BUFFER,
  RES_STRING,
  RES_DIR,
  RES_STATFS,
  RES_PROBE,
  RES_OPENSTAT, /* [fd, Float64Array stat] */
};

struct idops_dir {
  char *names;        /* NUL-separated */
  size_t names_len, names_cap;
  uint8_t *types;
  double *stats;      /* count * IDOPS_STAT_FIELDS, or NULL */
  uint32_t count, cap;
  int eof;
};

struct idops_req {
  struct idops_req *next;
  int op;
  int flags;
  int fd;             /* share root (O_PATH) or an open file */
  int has_identity;
  uid_t uid;
  gid_t gid;
  int ngroups;
  gid_t groups[IDOPS_MAX_GROUPS];
  char *path, *path2;
  double n[4];        /* numeric arguments, meaning per op */
  char *data;         /* setxattr value */
  size_t data_len;

  /* Results, filled on the worker thread. */
  int err;
  const char *syscall;
  int res_type;
  int64_t ival;
  int nstat;          /* stats in `stat` for RES_STAT / RES_OPENSTAT (0 means 1) */
  double stat[IDOPS_STAT_FIELDS * 3];
  char *buf;
  size_t buf_len;
  struct idops_dir dir;

  napi_deferred deferred;
};

/* cred.c: per-thread credential switching (worker threads only). */
int idops_thread_init(void);
int idops_enter(const struct idops_req *r);
void idops_leave(void);

/* ops.c: the file operations, run on a worker thread while switched. */
void idops_execute(struct idops_req *r);
void idops_req_free_results(struct idops_req *r);
struct statx;
void idops_pack_stat(double *out, const struct statx *s);
int idops_read_dir(struct idops_req *r, int fd, uint32_t max); /* dir.c */
int idops_fail(struct idops_req *r, const char *syscall_name); /* sets r->err from errno; returns -1 */
void idops_proc_path(char *out, size_t n, int fd);
/* xattr.c: on a regular or O_PATH fd; r->path2 is the name, r->data the value. */
int idops_getxattr_fd(struct idops_req *r, int fd);
int idops_setxattr_fd(struct idops_req *r, int fd);
int idops_removexattr_fd(struct idops_req *r, int fd);
int idops_listxattr_fd(struct idops_req *r, int fd);
int idops_dir_xattrs(struct idops_req *r, int dfd);

/* pool.c: worker threads and the request queue. */
struct idops_pool;
typedef void (*idops_done_fn)(void *ctx, struct idops_req *r);
struct idops_pool *idops_pool_create(int nthreads, idops_done_fn done, void *ctx);
int idops_pool_submit(struct idops_pool *p, struct idops_req *r);
/* Stops the workers after their current request; returns the requests never started. */
struct idops_req *idops_pool_destroy(struct idops_pool *p);

#endif
