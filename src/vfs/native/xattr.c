/*
 * Extended attributes, user.* only: the namespace DOS attributes
 * (user.DOSATTRIB) and streams live in. Other namespaces are refused (EPERM)
 * and hidden from listings, whatever the thread's capabilities.
 */
#include "idops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

static int is_user_xattr(struct idops_req *r, const char *name) {
  if (strncmp(name, "user.", 5) == 0 && name[5]) return 1;
  r->err = EPERM;
  r->syscall = "xattr";
  return 0;
}

/* The f*xattr calls refuse O_PATH fds; /proc/self/fd/N names the same inode. */
static ssize_t xattr_get(int fd, const char *name, void *buf, size_t n) {
  ssize_t v = fgetxattr(fd, name, buf, n);
  if (v >= 0 || errno != EBADF) return v;
  char p[64];
  idops_proc_path(p, sizeof p, fd);
  return getxattr(p, name, buf, n);
}

static ssize_t xattr_list(int fd, char *buf, size_t n) {
  ssize_t v = flistxattr(fd, buf, n);
  if (v >= 0 || errno != EBADF) return v;
  char p[64];
  idops_proc_path(p, sizeof p, fd);
  return listxattr(p, buf, n);
}

int idops_getxattr_fd(struct idops_req *r, int fd) {
  if (!is_user_xattr(r, r->path2)) return -1;
  char small[512];
  ssize_t v = xattr_get(fd, r->path2, small, sizeof small);
  if (v >= 0) {
    r->buf = malloc((size_t)v + 1);
    if (!r->buf) return (errno = ENOMEM, idops_fail(r, "getxattr"));
    memcpy(r->buf, small, (size_t)v);
  } else {
    for (int tries = 0; errno == ERANGE && tries < 4; tries++) {
      ssize_t need = xattr_get(fd, r->path2, NULL, 0);
      if (need < 0) break;
      free(r->buf);
      r->buf = malloc((size_t)need + 1);
      if (!r->buf) return (errno = ENOMEM, idops_fail(r, "getxattr"));
      v = xattr_get(fd, r->path2, r->buf, (size_t)need);
      if (v >= 0) break;
    }
    if (v < 0) return idops_fail(r, "getxattr");
  }
  r->buf_len = (size_t)v;
  r->res_type = RES_BUFFER;
  return 0;
}

int idops_setxattr_fd(struct idops_req *r, int fd) {
  if (!is_user_xattr(r, r->path2)) return -1;
  int flags = (int)r->n[0] & (XATTR_CREATE | XATTR_REPLACE);
  if (fsetxattr(fd, r->path2, r->data, r->data_len, flags) == 0) return 0;
  if (errno != EBADF) return idops_fail(r, "setxattr");
  char p[64];
  idops_proc_path(p, sizeof p, fd);
  if (setxattr(p, r->path2, r->data, r->data_len, flags) != 0) return idops_fail(r, "setxattr");
  return 0;
}

int idops_removexattr_fd(struct idops_req *r, int fd) {
  if (!is_user_xattr(r, r->path2)) return -1;
  if (fremovexattr(fd, r->path2) == 0) return 0;
  if (errno != EBADF) return idops_fail(r, "removexattr");
  char p[64];
  idops_proc_path(p, sizeof p, fd);
  if (removexattr(p, r->path2) != 0) return idops_fail(r, "removexattr");
  return 0;
}

/* Lists only user.* names (NUL-separated), hiding security.* and others. */
int idops_listxattr_fd(struct idops_req *r, int fd) {
  ssize_t need = xattr_list(fd, NULL, 0);
  char *all = NULL;
  for (int tries = 0; tries < 4; tries++) {
    if (need < 0) return idops_fail(r, "listxattr");
    free(all);
    all = malloc((size_t)need + 1);
    if (!all) return (errno = ENOMEM, idops_fail(r, "listxattr"));
    ssize_t got = xattr_list(fd, all, (size_t)need);
    if (got >= 0) {
      need = got;
      break;
    }
    if (errno != ERANGE) {
      free(all);
      return idops_fail(r, "listxattr");
    }
    need = xattr_list(fd, NULL, 0);
  }
  size_t out = 0;
  for (ssize_t i = 0; i < need;) {
    size_t l = strnlen(all + i, (size_t)(need - i));
    if (l > 5 && strncmp(all + i, "user.", 5) == 0) {
      memmove(all + out, all + i, l + 1);
      out += l + 1;
    }
    i += (ssize_t)l + 1;
  }
  r->buf = all;
  r->buf_len = out;
  r->res_type = RES_BUFFER;
  return 0;
}

/*
 * One attribute (r->path2) of many entries of one directory (`dfd`, any fd of
 * it, O_PATH too): what a listing needs, in one request instead of one per
 * entry. r->data holds the entry names, each NUL-terminated. A name must be a
 * single component (no '/', not empty, `.` or `..`: EINVAL for that entry);
 * it is looked up in that directory and a symlink is not followed (the
 * listing handles symlinks itself): getxattrat (Linux 6.13+), else lgetxattr
 * on /proc/self/fd/N/name. Result, per name in order: a 32-bit
 * little-endian value length, or -errno for that entry, then the value.
 */
#define DIRX_VALUE_MAX 65536 /* XATTR_SIZE_MAX: no value is larger */

#ifndef SYS_getxattrat
#define SYS_getxattrat 464 /* Linux 6.13+, the same number on every architecture */
#endif
struct dirx_xattr_args { /* struct xattr_args of <linux/xattr.h> (6.13+) */
  uint64_t value;
  uint32_t size;
  uint32_t flags;
};
static int getxattrat_missing; /* ENOSYS once: every later lookup goes through /proc */

/* `name` in directory `dfd`, not following a symlink, into val[0, size): getxattrat, else lgetxattr through /proc. */
static ssize_t dirx_get_sized(int dfd, const char *name, const char *attr, char *val, size_t size) {
  if (!__atomic_load_n(&getxattrat_missing, __ATOMIC_RELAXED)) {
    struct dirx_xattr_args a = {(uint64_t)(uintptr_t)val, (uint32_t)size, 0};
    long v = syscall(SYS_getxattrat, dfd, name, AT_SYMLINK_NOFOLLOW, attr, &a, sizeof a);
    if (v >= 0 || errno != ENOSYS) return (ssize_t)v;
    __atomic_store_n(&getxattrat_missing, 1, __ATOMIC_RELAXED);
  }
  char p[64 + 256];
  snprintf(p, sizeof p, "/proc/self/fd/%d/%s", dfd, name);
  return lgetxattr(p, attr, val, size);
}

/*
 * The kernel allocates and zeroes a buffer of the size asked for before it
 * looks for the value (half the time of a lookup when that is 64 KiB): ask
 * for DIRX_VALUE_SMALL bytes (DOS attribute blobs are far smaller), the whole
 * DIRX_VALUE_MAX only when the value turns out larger (ERANGE).
 */
#define DIRX_VALUE_SMALL 256
static ssize_t dirx_get(int dfd, const char *name, const char *attr, char *val) {
  ssize_t v = dirx_get_sized(dfd, name, attr, val, DIRX_VALUE_SMALL);
  if (v < 0 && errno == ERANGE) v = dirx_get_sized(dfd, name, attr, val, DIRX_VALUE_MAX);
  return v;
}

static int dirx_put(char **out, size_t *len, size_t *cap, int32_t res, const char *val, size_t n) {
  if (*len + 4 + n > *cap) {
    size_t c = *cap ? *cap : 4096;
    while (c < *len + 4 + n) c *= 2;
    char *p = realloc(*out, c);
    if (!p) return -1;
    *out = p;
    *cap = c;
  }
  uint32_t u = (uint32_t)res;
  unsigned char *b = (unsigned char *)*out + *len;
  b[0] = (unsigned char)u;
  b[1] = (unsigned char)(u >> 8);
  b[2] = (unsigned char)(u >> 16);
  b[3] = (unsigned char)(u >> 24);
  if (n) memcpy(*out + *len + 4, val, n);
  *len += 4 + n;
  return 0;
}

int idops_dir_xattrs(struct idops_req *r, int dfd) {
  if (!is_user_xattr(r, r->path2)) return -1;
  const char *names = r->data;
  size_t total = r->data_len;
  if (!names || total == 0 || names[total - 1] != 0) {
    r->err = EINVAL;
    r->syscall = "getxattr";
    return -1;
  }
  char *val = malloc(DIRX_VALUE_MAX);
  char *out = NULL;
  size_t len = 0, cap = 0;
  if (!val) return (errno = ENOMEM, idops_fail(r, "getxattr"));
  for (size_t at = 0; at < total;) {
    const char *name = names + at;
    size_t l = strlen(name);
    at += l + 1;
    int32_t res;
    ssize_t v = -1;
    if (l == 0 || l > 255 || memchr(name, '/', l) || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
      res = -EINVAL;
    } else {
      v = dirx_get(dfd, name, r->path2, val);
      res = v >= 0 ? (int32_t)v : -(int32_t)errno;
    }
    if (dirx_put(&out, &len, &cap, res, val, v > 0 ? (size_t)v : 0) != 0) {
      free(val);
      free(out);
      return (errno = ENOMEM, idops_fail(r, "getxattr"));
    }
  }
  free(val);
  r->buf = out;
  r->buf_len = len;
  r->res_type = RES_BUFFER;
  return 0;
}
