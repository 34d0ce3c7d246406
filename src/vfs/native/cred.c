/*
 * Per-thread credentials.
 *
 * Linux keeps credentials per task (thread). glibc's setgroups()/setuid()
 * wrappers broadcast the change to every thread of the process (POSIX
 * semantics), so we use the raw syscalls, which change only the calling
 * thread. Only the filesystem ids are switched (setfsuid/setfsgid): the real
 * and effective ids stay 0 so the thread can always switch back, and the
 * kernel drops the filesystem capabilities (DAC override, fowner, chown...)
 * from the effective set while fsuid != 0 and raises them again at fsuid 0.
 * The capabilities the kernel does not tie to fsuid (CAP_SYS_ADMIN for
 * trusted.* xattrs, CAP_SYS_RESOURCE for quotas and reserved blocks...) are
 * dropped from the worker's effective set once, when the thread starts: it
 * keeps only CAP_SETUID and CAP_SETGID (to switch) and the filesystem set.
 * So a switched thread holds CAP_SETUID|CAP_SETGID only, which no file
 * operation consults, without a capset() per request (measured: capset pairs
 * cost as much as the file operation itself; see README.md).
 *
 * Leaving a switched state must never fail silently: a thread that cannot
 * restore its credentials would run the next request (or a libuv job, had we
 * used libuv's pool) with a client's identity, so we abort the process.
 */
#include "idops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#if defined(SYS_setfsuid32)
#define NR_SETFSUID SYS_setfsuid32
#define NR_SETFSGID SYS_setfsgid32
#define NR_SETGROUPS SYS_setgroups32
#define NR_GETGROUPS SYS_getgroups32
#else
#define NR_SETFSUID SYS_setfsuid
#define NR_SETFSGID SYS_setfsgid
#define NR_SETGROUPS SYS_setgroups
#define NR_GETGROUPS SYS_getgroups
#endif

/* What the thread had when it started; restored after every request. */
static __thread struct {
  int ready;
  uid_t fsuid;
  gid_t fsgid;
  int ngroups;
  gid_t groups[IDOPS_MAX_GROUPS];
  int switched;
} self;

static uid_t cur_fsuid(void) { return (uid_t)syscall(NR_SETFSUID, (uid_t)-1); }
static gid_t cur_fsgid(void) { return (gid_t)syscall(NR_SETFSGID, (gid_t)-1); }

/* The capabilities setfsuid() drops and restores (CAP_FS_MASK in the kernel). */
#define FS_CAPS                                                                                         \
  ((1u << CAP_CHOWN) | (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_FOWNER) |     \
   (1u << CAP_FSETID) | (1u << CAP_LINUX_IMMUTABLE) | (1u << CAP_MKNOD))
#define KEEP_CAPS0 (FS_CAPS | (1u << CAP_SETUID) | (1u << CAP_SETGID))
/* CAP_MAC_OVERRIDE (32) is in CAP_FS_MASK too: keep it in the second word. */
#define KEEP_CAPS1 (1u << (CAP_MAC_OVERRIDE - 32))

static int drop_other_caps(void) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) != 0) return errno;
  d[0].effective &= KEEP_CAPS0;
  d[1].effective &= KEEP_CAPS1;
  if (syscall(SYS_capset, &h, d) != 0) return errno;
  return 0;
}

int idops_thread_init(void) {
  /* A private fs_struct gives this thread its own umask (0: the caller's mode
   * is applied as given, the engine applies `create mask`) without touching
   * the daemon's umask. */
  if (unshare(CLONE_FS) != 0) return errno;
  umask(0);
  self.fsuid = cur_fsuid();
  self.fsgid = cur_fsgid();
  long n = syscall(NR_GETGROUPS, IDOPS_MAX_GROUPS, self.groups);
  if (n < 0) return errno;
  self.ngroups = (int)n;
  int e = drop_other_caps();
  if (e) return e;
  self.ready = 1;
  return 0;
}

static void fatal(const char *what) {
  fprintf(stderr, "ksmbd idops: cannot restore thread credentials (%s: %s); aborting\n", what,
          strerror(errno));
  abort();
}

void idops_leave(void) {
  if (!self.switched) return;
  syscall(NR_SETFSUID, self.fsuid);
  if (cur_fsuid() != self.fsuid) fatal("setfsuid");
  syscall(NR_SETFSGID, self.fsgid);
  if (cur_fsgid() != self.fsgid) fatal("setfsgid");
  if (syscall(NR_SETGROUPS, (size_t)self.ngroups, self.groups) != 0) fatal("setgroups");
  self.switched = 0;
}

int idops_enter(const struct idops_req *r) {
  if (!self.ready) return EPERM;
  /* Never act as root for a client: the mapping layer must give another
   * account (or refuse the login). (uid_t)-1 is "no change" to the kernel. */
  if (r->uid == 0 || r->uid == (uid_t)-1 || r->gid == (gid_t)-1) return EPERM;
  if (r->ngroups < 0 || r->ngroups > IDOPS_MAX_GROUPS) return EINVAL;
  self.switched = 1;
  if (syscall(NR_SETGROUPS, (size_t)r->ngroups, r->groups) != 0) {
    int e = errno;
    idops_leave();
    return e;
  }
  syscall(NR_SETFSGID, r->gid);
  if (cur_fsgid() != r->gid) {
    idops_leave();
    return EPERM;
  }
  syscall(NR_SETFSUID, r->uid);
  if (cur_fsuid() != r->uid) {
    idops_leave();
    return EPERM;
  }
  return 0;
}
