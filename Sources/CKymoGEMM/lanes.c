// Thread-local engine state (kymo_lanes.h).
#include "kymo_lanes.h"
#include <stdatomic.h>

static _Thread_local int lane = -1;
static _Thread_local int grad_disabled = 0;

int kymo_lane(void) { return lane; }
void kymo_set_lane(int l) { lane = l; }
int kymo_grad_disabled(void) { return grad_disabled; }
void kymo_set_grad_disabled(int d) { grad_disabled = d; }

static _Atomic int engine_threads = 0;

int kymo_engine_threads(void) { return atomic_load_explicit(&engine_threads, memory_order_acquire); }
void kymo_set_engine_threads(int threads) { atomic_store_explicit(&engine_threads, threads, memory_order_release); }
