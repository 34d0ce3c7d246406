/*
 * What one identity switch costs on this kernel, next to the file operation it
 * wraps. Build and run as root (the directory must hold a file `f` and a
 * directory `scratch` writable by 65534, as bench/identity/run.mjs leaves them):
 *   cc -O2 -o /tmp/switch-cost bench/identity/switch-cost.c && /tmp/switch-cost /tmp/ksmbd-idbench
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define TIME(label, n, body)                                        \
  do {                                                              \
    double t0 = now();                                              \
    for (int i = 0; i < (n); i++) { body; }                         \
    printf("%-44s %7.2f us\n", label, (now() - t0) / (n) * 1e6);    \
  } while (0)

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/tmp/ksmbd-idbench";
  const int N = 200000;
  gid_t g[1] = {65534}, none[1];
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct caps[2], zero[2];
  syscall(SYS_capget, &h, caps);
  memcpy(zero, caps, sizeof zero);
  zero[0].effective = zero[1].effective = 0;
  int root = open(dir, O_PATH | O_DIRECTORY);
  if (root < 0) return perror(dir), 1;
  struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
                         .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS};
  struct statx sx;

  TIME("setgroups + setfsgid + setfsuid, and back", N,
       syscall(SYS_setgroups, 1, g); syscall(SYS_setfsgid, 65534); syscall(SYS_setfsuid, 65534);
       syscall(SYS_setfsuid, 0); syscall(SYS_setfsgid, 0); syscall(SYS_setgroups, 0, none));
  TIME("  the same plus a capset pair", N,
       syscall(SYS_setgroups, 1, g); syscall(SYS_setfsgid, 65534); syscall(SYS_setfsuid, 65534);
       syscall(SYS_capset, &h, zero); syscall(SYS_capset, &h, caps);
       syscall(SYS_setfsuid, 0); syscall(SYS_setfsgid, 0); syscall(SYS_setgroups, 0, none));
  TIME("setfsuid(-1) (the check after each switch)", N, syscall(SYS_setfsuid, -1));
  TIME("openat2(BENEATH) + statx + close", N,
       int fd = (int)syscall(SYS_openat2, root, "f", &how, sizeof how);
       statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &sx); close(fd));
  char path[4096];
  snprintf(path, sizeof path, "%s/f", dir);
  TIME("open(absolute) + fstat + close", N,
       int fd = open(path, O_RDONLY | O_CLOEXEC); struct stat st; fstat(fd, &st); close(fd));
  TIME("mkdirat + unlinkat(AT_REMOVEDIR)", 20000,
       mkdirat(root, "scratch/switch-cost", 0755); unlinkat(root, "scratch/switch-cost", AT_REMOVEDIR));
  return 0;
}
