/*
 * Our own worker threads rather than libuv's pool: they unshare their
 * fs_struct (private umask), they never run anyone else's jobs, and a slow
 * disk under a client's file operations does not starve Node's own fs,
 * crypto and dns work (which share libuv's four threads).
 */
#include "idops.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct idops_pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct idops_req *head, *tail;
  int stopping;
  int nthreads;
  pthread_t *threads;
  int init_err;
  idops_done_fn done;
  void *ctx;
};

static void *worker_main(void *arg) {
  struct idops_pool *p = arg;
  int init_err = idops_thread_init();
  pthread_mutex_lock(&p->mu);
  if (init_err && !p->init_err) p->init_err = init_err;
  for (;;) {
    while (!p->head && !p->stopping) pthread_cond_wait(&p->cv, &p->mu);
    if (p->stopping) break;
    struct idops_req *r = p->head;
    p->head = r->next;
    if (!p->head) p->tail = NULL;
    pthread_mutex_unlock(&p->mu);

    r->next = NULL;
    if (init_err) {
      r->err = init_err;
      r->syscall = "unshare";
    } else {
      idops_execute(r);
    }
    p->done(p->ctx, r);

    pthread_mutex_lock(&p->mu);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

struct idops_pool *idops_pool_create(int nthreads, idops_done_fn done, void *ctx) {
  struct idops_pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->threads = calloc((size_t)nthreads, sizeof(pthread_t));
  if (!p->threads) {
    free(p);
    return NULL;
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  p->done = done;
  p->ctx = ctx;

  /* Signals belong to Node's main thread: workers start with all blocked. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 512 * 1024);
  for (int i = 0; i < nthreads; i++) {
    if (pthread_create(&p->threads[i], &attr, worker_main, p) != 0) break;
    p->nthreads++;
  }
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (p->nthreads == 0) {
    free(p->threads);
    free(p);
    return NULL;
  }
  return p;
}

int idops_pool_submit(struct idops_pool *p, struct idops_req *r) {
  r->next = NULL;
  pthread_mutex_lock(&p->mu);
  if (p->stopping) {
    pthread_mutex_unlock(&p->mu);
    return ESHUTDOWN;
  }
  if (p->tail)
    p->tail->next = r;
  else
    p->head = r;
  p->tail = r;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
  return 0;
}

struct idops_req *idops_pool_destroy(struct idops_pool *p) {
  pthread_mutex_lock(&p->mu);
  p->stopping = 1;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
  struct idops_req *left = p->head;
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
  free(p->threads);
  free(p);
  return left;
}
