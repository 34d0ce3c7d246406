/*
 * N-API glue: `submit(...)` turns JS arguments into a request, queues it on
 * our worker threads and returns a promise; completions come back through one
 * thread-safe function per environment, which settles the promise with a
 * plain value or a Node-style error (code, errno, syscall, path).
 */
#include "idops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(call)                       \
  do {                                    \
    if ((call) != napi_ok) return NULL;   \
  } while (0)

struct env_state {
  napi_threadsafe_function tsfn;
  struct idops_pool *pool;
  int nthreads;
  int64_t inflight;
};

static void req_free(struct idops_req *r) {
  idops_req_free_results(r);
  free(r->path);
  free(r->path2);
  free(r->data);
  free(r);
}

/* A finished request whose promise can no longer be settled: release what it holds. */
static void req_discard(struct idops_req *r) {
  if (!r->err && (r->res_type == RES_INT || r->res_type == RES_OPENSTAT) && (r->op == OP_OPEN || r->op == OP_OPENROOT))
    close((int)r->ival);
  req_free(r);
}

static napi_value make_error(napi_env env, const struct idops_req *r) {
  const char *code = strerrorname_np(r->err);
  if (!code) code = "EUNKNOWN";
  char desc[128];
  snprintf(desc, sizeof desc, "%s", strerror(r->err));
  if (desc[0] >= 'A' && desc[0] <= 'Z' && desc[1] >= 'a' && desc[1] <= 'z') desc[0] = (char)(desc[0] - 'A' + 'a');
  const char *sys = r->syscall ? r->syscall : "idops";
  const char *path = r->path ? r->path : "";
  size_t cap = strlen(desc) + strlen(sys) + strlen(path) + (r->path2 ? strlen(r->path2) : 0) + 64;
  char *msg = malloc(cap);
  if (!msg) return NULL;
  if (r->path && r->path2 && r->op != OP_GETXATTR && r->op != OP_SETXATTR && r->op != OP_REMOVEXATTR)
    snprintf(msg, cap, "%s: %s, %s '%s' -> '%s'", code, desc, sys, path, r->path2);
  else if (r->path)
    snprintf(msg, cap, "%s: %s, %s '%s'", code, desc, sys, path);
  else
    snprintf(msg, cap, "%s: %s, %s", code, desc, sys);
  napi_value jcode, jmsg, err, v;
  napi_status s = napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &jcode);
  if (s == napi_ok) s = napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &jmsg);
  free(msg);
  if (s != napi_ok) return NULL;
  CHECK(napi_create_error(env, jcode, jmsg, &err));
  CHECK(napi_create_int32(env, -r->err, &v));
  CHECK(napi_set_named_property(env, err, "errno", v));
  CHECK(napi_set_named_property(env, err, "code", jcode));
  CHECK(napi_create_string_utf8(env, sys, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, err, "syscall", v));
  if (r->path) {
    CHECK(napi_create_string_utf8(env, r->path, NAPI_AUTO_LENGTH, &v));
    CHECK(napi_set_named_property(env, err, "path", v));
  }
  return err;
}

static napi_value f64_array(napi_env env, const double *src, size_t n) {
  napi_value ab, arr;
  void *data;
  CHECK(napi_create_arraybuffer(env, n * sizeof(double), &data, &ab));
  if (n) memcpy(data, src, n * sizeof(double));
  CHECK(napi_create_typedarray(env, napi_float64_array, n, ab, 0, &arr));
  return arr;
}

static napi_value make_result(napi_env env, struct idops_req *r) {
  napi_value v;
  switch (r->res_type) {
    case RES_INT:
      CHECK(napi_create_int64(env, r->ival, &v));
      return v;
    case RES_STAT:
    case RES_STATFS:
    case RES_PROBE:
      return f64_array(env, r->stat, IDOPS_STAT_FIELDS * (size_t)(r->nstat > 1 ? r->nstat : 1));
    case RES_OPENSTAT: {
      napi_value out, fd, st = f64_array(env, r->stat, IDOPS_STAT_FIELDS * (size_t)(r->nstat > 1 ? r->nstat : 1));
      if (!st) return NULL;
      CHECK(napi_create_int64(env, r->ival, &fd));
      CHECK(napi_create_array_with_length(env, 2, &out));
      CHECK(napi_set_element(env, out, 0, fd));
      CHECK(napi_set_element(env, out, 1, st));
      return out;
    }
    case RES_BUFFER:
      CHECK(napi_create_buffer_copy(env, r->buf_len, r->buf ? r->buf : "", NULL, &v));
      return v;
    case RES_STRING:
      CHECK(napi_create_string_utf8(env, r->buf, r->buf_len, &v));
      return v;
    case RES_DIR: {
      struct idops_dir *d = &r->dir;
      napi_value names, types, stats, eof, ab, out;
      void *data;
      CHECK(napi_create_array_with_length(env, d->count, &names));
      const char *p = d->names;
      for (uint32_t i = 0; i < d->count; i++) {
        size_t len = strlen(p);
        napi_value s;
        CHECK(napi_create_string_utf8(env, p, len, &s));
        CHECK(napi_set_element(env, names, i, s));
        p += len + 1;
      }
      CHECK(napi_create_arraybuffer(env, d->count, &data, &ab));
      if (d->count) memcpy(data, d->types, d->count);
      CHECK(napi_create_typedarray(env, napi_uint8_array, d->count, ab, 0, &types));
      if (d->stats) {
        stats = f64_array(env, d->stats, (size_t)d->count * IDOPS_STAT_FIELDS);
        if (!stats) return NULL;
      } else {
        CHECK(napi_get_null(env, &stats));
      }
      CHECK(napi_get_boolean(env, d->eof != 0, &eof));
      CHECK(napi_create_array_with_length(env, 4, &out));
      CHECK(napi_set_element(env, out, 0, names));
      CHECK(napi_set_element(env, out, 1, types));
      CHECK(napi_set_element(env, out, 2, stats));
      CHECK(napi_set_element(env, out, 3, eof));
      return out;
    }
    default:
      CHECK(napi_get_undefined(env, &v));
      return v;
  }
}

static void settle(napi_env env, struct idops_req *r) {
  napi_value v;
  if (r->err) {
    v = make_error(env, r);
    if (v) napi_reject_deferred(env, r->deferred, v);
  } else {
    v = make_result(env, r);
    if (v)
      napi_resolve_deferred(env, r->deferred, v);
    else
      req_discard(r), r = NULL;
  }
  if (r) req_free(r);
}

static void call_js(napi_env env, napi_value cb, void *ctx, void *data) {
  (void)cb;
  struct env_state *st = ctx;
  struct idops_req *r = data;
  if (!env) { /* environment teardown */
    req_discard(r);
    return;
  }
  settle(env, r);
  if (--st->inflight == 0) napi_unref_threadsafe_function(env, st->tsfn);
}

static void on_done(void *ctx, struct idops_req *r) {
  struct env_state *st = ctx;
  if (napi_call_threadsafe_function(st->tsfn, r, napi_tsfn_nonblocking) != napi_ok) req_discard(r);
}

static void env_cleanup(void *arg) {
  struct env_state *st = arg;
  if (st->pool) {
    struct idops_req *left = idops_pool_destroy(st->pool);
    while (left) {
      struct idops_req *next = left->next;
      req_free(left);
      left = next;
    }
    st->pool = NULL;
  }
  napi_release_threadsafe_function(st->tsfn, napi_tsfn_abort);
}

static void env_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static char *get_string(napi_env env, napi_value v, int *bad) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t == napi_null || t == napi_undefined) return NULL;
  size_t len;
  if (t != napi_string || napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    *bad = 1;
    return NULL;
  }
  char *s = malloc(len + 1);
  if (!s || napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
    free(s);
    *bad = 1;
    return NULL;
  }
  if (strlen(s) != len) *bad = 1; /* an embedded NUL would silently shorten the path */
  return s;
}

static int get_bytes(napi_env env, napi_value v, void **out, size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t == napi_null || t == napi_undefined) return 0;
  bool is_ta;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return -1;
  napi_typedarray_type tt;
  size_t n;
  void *p;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &tt, &n, &p, &ab, &off) != napi_ok) return -1;
  size_t el = tt == napi_uint32_array || tt == napi_int32_array || tt == napi_float32_array ? 4
            : tt == napi_uint16_array || tt == napi_int16_array ? 2
            : tt == napi_float64_array || tt == napi_bigint64_array || tt == napi_biguint64_array ? 8 : 1;
  *out = p;
  *len = n * el;
  return tt == napi_uint32_array ? 2 : 1;
}

/* submit(op, fd, ident: Uint32Array [uid, gid, ...groups] | null, path, path2, flags, n0..n3, data) */
static napi_value submit(napi_env env, napi_callback_info info) {
  struct env_state *st;
  CHECK(napi_get_instance_data(env, (void **)&st));
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 11) {
    napi_throw_type_error(env, NULL, "idops.submit: 11 arguments expected");
    return NULL;
  }
  struct idops_req *r = calloc(1, sizeof *r);
  if (!r) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  int32_t i32;
  int bad = 0;
  if (napi_get_value_int32(env, argv[0], &r->op) != napi_ok || r->op <= 0 || r->op >= OP__COUNT) bad = 1;
  if (napi_get_value_int32(env, argv[1], &r->fd) != napi_ok) bad = 1;
  void *ident;
  size_t ident_len;
  int it = get_bytes(env, argv[2], &ident, &ident_len);
  if (it == 2 && ident_len >= 8 && ident_len / 4 - 2 <= IDOPS_MAX_GROUPS) {
    const uint32_t *u = ident;
    r->has_identity = 1;
    r->uid = u[0];
    r->gid = u[1];
    r->ngroups = (int)(ident_len / 4 - 2);
    for (int i = 0; i < r->ngroups; i++) r->groups[i] = u[2 + i];
  } else if (it != 0) {
    bad = 1;
  }
  r->path = get_string(env, argv[3], &bad);
  r->path2 = get_string(env, argv[4], &bad);
  if (napi_get_value_int32(env, argv[5], &i32) != napi_ok) bad = 1;
  r->flags = i32;
  for (int i = 0; i < 4; i++)
    if (napi_get_value_double(env, argv[6 + i], &r->n[i]) != napi_ok) bad = 1;
  void *data;
  size_t data_len;
  int dt = get_bytes(env, argv[10], &data, &data_len);
  if (dt < 0) bad = 1;
  if (dt > 0) {
    r->data = malloc(data_len ? data_len : 1);
    if (r->data) memcpy(r->data, data, data_len);
    r->data_len = data_len;
  }
  napi_value promise;
  if (napi_create_promise(env, &r->deferred, &promise) != napi_ok) {
    req_free(r);
    return NULL;
  }
  if (bad) {
    r->err = EINVAL;
    r->syscall = "idops";
    settle(env, r);
    return promise;
  }
  if (!st->pool) {
    st->pool = idops_pool_create(st->nthreads, on_done, st);
    if (!st->pool) {
      r->err = EAGAIN;
      r->syscall = "pthread_create";
      settle(env, r);
      return promise;
    }
  }
  if (st->inflight++ == 0) napi_ref_threadsafe_function(env, st->tsfn);
  int e = idops_pool_submit(st->pool, r);
  if (e) {
    if (--st->inflight == 0) napi_unref_threadsafe_function(env, st->tsfn);
    r->err = e;
    r->syscall = "idops";
    settle(env, r);
  }
  return promise;
}

/* setThreads(n): before the first request; returns the count in effect. */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  struct env_state *st;
  CHECK(napi_get_instance_data(env, (void **)&st));
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n;
  if (argc == 1 && !st->pool && napi_get_value_int32(env, argv[0], &n) == napi_ok && n >= 1 && n <= 64)
    st->nthreads = n;
  CHECK(napi_create_int32(env, st->nthreads, &out));
  return out;
}

/* malloc.c */
napi_value malloc_tune(napi_env env, napi_callback_info info);
napi_value malloc_trim_now(napi_env env, napi_callback_info info);

static napi_value init(napi_env env, napi_value exports) {
  struct env_state *st = calloc(1, sizeof *st);
  if (!st) return NULL;
  st->nthreads = 4;
  const char *e = getenv("KSMBD_IDOPS_THREADS");
  if (e && atoi(e) >= 1 && atoi(e) <= 64) st->nthreads = atoi(e);
  napi_value name;
  CHECK(napi_create_string_utf8(env, "ksmbd-idops", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, st, call_js, &st->tsfn));
  CHECK(napi_unref_threadsafe_function(env, st->tsfn));
  CHECK(napi_set_instance_data(env, st, env_finalize, NULL));
  CHECK(napi_add_env_cleanup_hook(env, env_cleanup, st));
  napi_property_descriptor props[] = {
      {"submit", NULL, submit, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"mallocTune", NULL, malloc_tune, NULL, NULL, NULL, napi_default, NULL},
      {"mallocTrim", NULL, malloc_trim_now, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
