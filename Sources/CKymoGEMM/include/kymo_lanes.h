// Per-thread engine state for running independent computations side by side
// (Parallel.lanes): which lane this thread runs (−1: none, the ordinary case
// where ops spread their own chunks over the worker threads) and whether
// gradient recording is off on this thread. Thread-local, so two lanes never
// see each other's settings.
#ifndef KYMO_LANES_H
#define KYMO_LANES_H

#ifdef __cplusplus
extern "C" {
#endif

int kymo_lane(void);
void kymo_set_lane(int lane);
int kymo_grad_disabled(void);
void kymo_set_grad_disabled(int disabled);

// The engine's worker-thread count (Engine.threads): 0 until configured.
// Atomic, so every op may read it while another thread configures.
int kymo_engine_threads(void);
void kymo_set_engine_threads(int threads);

#ifdef __cplusplus
}
#endif
#endif
