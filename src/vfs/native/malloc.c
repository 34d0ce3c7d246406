/*
 * glibc allocator knobs for the daemon (issue 8): mallocTune(mmapThreshold, trimThreshold) and
 * mallocTrim(). Node allocates every Buffer and every cipher output with malloc; with glibc's
 * defaults an 8 MiB READ payload or ciphertext is a fresh mmap that is page-faulted in and unmapped
 * again on free, which costs more than the AES itself. Raising M_MMAP_THRESHOLD keeps such blocks in
 * the heap for reuse; raising M_TRIM_THRESHOLD stops free() from handing the heap top back after every
 * message. The daemon calls mallocTrim() (malloc_trim(0)) once traffic stops, so the memory is given
 * back when idle instead of after every request. On a libc without these calls both are no-ops that
 * return false.
 */
#include <node_api.h>
#include <stdbool.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#define CHECK(call)                     \
  do {                                  \
    if ((call) != napi_ok) return NULL; \
  } while (0)

/* mallocTune(mmapThreshold, trimThreshold): true when glibc took both values. */
napi_value malloc_tune(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool ok = false;
#ifdef __GLIBC__
  int64_t mmap_at = 0, trim_at = 0;
  if (argc == 2 && napi_get_value_int64(env, argv[0], &mmap_at) == napi_ok &&
      napi_get_value_int64(env, argv[1], &trim_at) == napi_ok && mmap_at > 0 && trim_at > 0 &&
      mmap_at <= 0x7fffffff && trim_at <= 0x7fffffff) {
    /* glibc refuses an mmap threshold above HEAP_MAX_SIZE/2 (32 MiB on 64-bit) and returns 0. */
    ok = mallopt(M_MMAP_THRESHOLD, (int)mmap_at) == 1;
    ok = mallopt(M_TRIM_THRESHOLD, (int)trim_at) == 1 && ok;
  }
#endif
  CHECK(napi_get_boolean(env, ok, &out));
  return out;
}

/* mallocTrim(): give free heap pages back to the kernel; true when some were released. */
napi_value malloc_trim_now(napi_env env, napi_callback_info info) {
  napi_value out;
  bool released = false;
#ifdef __GLIBC__
  released = malloc_trim(0) == 1;
#endif
  CHECK(napi_get_boolean(env, released, &out));
  return out;
}
