/*
 * Directory listing in batches: getdents64 on an open directory fd, names and
 * d_type, optionally a statx of each entry relative to the directory fd (one
 * component, not followed, so it cannot leave the share). `.` and `..` are
 * left out; the engine synthesizes them where SMB wants them.
 */
#include "idops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

struct dirent64_raw {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

#define DENTS_BUF (64 * 1024)
#define STATX_WANT (STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID)

static int grow(struct idops_dir *d, int with_stat, size_t name_len) {
  if (d->count == d->cap) {
    uint32_t cap = d->cap ? d->cap * 2 : 64;
    uint8_t *t = realloc(d->types, cap);
    if (!t) return -1;
    d->types = t;
    if (with_stat) {
      double *s = realloc(d->stats, sizeof(double) * IDOPS_STAT_FIELDS * cap);
      if (!s) return -1;
      d->stats = s;
    }
    d->cap = cap;
  }
  if (d->names_len + name_len + 1 > d->names_cap) {
    size_t cap = d->names_cap ? d->names_cap * 2 : 4096;
    while (cap < d->names_len + name_len + 1) cap *= 2;
    char *n = realloc(d->names, cap);
    if (!n) return -1;
    d->names = n;
    d->names_cap = cap;
  }
  return 0;
}

/* Reads up to `max` entries (0: all) from the fd's current position. */
int idops_read_dir(struct idops_req *r, int fd, uint32_t max) {
  int with_stat = (r->flags & RQ_WITH_STAT) != 0;
  struct idops_dir *d = &r->dir;
  char *buf = malloc(DENTS_BUF);
  if (!buf) {
    r->err = ENOMEM;
    r->syscall = "getdents64";
    return -1;
  }
  int stop = 0;
  while (!stop) {
    long n = syscall(SYS_getdents64, fd, buf, DENTS_BUF);
    if (n < 0) {
      r->err = errno;
      r->syscall = "getdents64";
      break;
    }
    if (n == 0) {
      d->eof = 1;
      break;
    }
    for (long off = 0; off < n;) {
      struct dirent64_raw *e = (struct dirent64_raw *)(buf + off);
      off += e->d_reclen;
      const char *name = e->d_name;
      if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]))) continue;
      size_t len = strlen(name);
      if (grow(d, with_stat, len) != 0) {
        r->err = ENOMEM;
        r->syscall = "getdents64";
        stop = 1;
        break;
      }
      memcpy(d->names + d->names_len, name, len + 1);
      d->names_len += len + 1;
      d->types[d->count] = e->d_type;
      if (with_stat) {
        double *o = d->stats + (size_t)d->count * IDOPS_STAT_FIELDS;
        struct statx s;
        if (statx(fd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT, STATX_WANT, &s) == 0) {
          idops_pack_stat(o, &s);
        } else {
          memset(o, 0, sizeof(double) * IDOPS_STAT_FIELDS);
          o[19] = -(double)errno; /* the entry went away (or cannot be looked up) meanwhile */
        }
      }
      d->count++;
      if (max && d->count >= max) {
        /* Leave the fd positioned just after the last entry handed out. */
        if (off < n && lseek(fd, e->d_off, SEEK_SET) < 0) {
          r->err = errno;
          r->syscall = "lseek";
        }
        stop = 1;
        break;
      }
    }
  }
  free(buf);
  if (!r->err) r->res_type = RES_DIR;
  return r->err ? -1 : 0;
}
