/*
 * cli/sweeper — the status sweep thread of `certkeeper serve`: every cfg.sweep_interval_s
 * seconds (first run at start-up) it calls dom_lifecycle_sweep() (active → expired,
 * expired/replaced → archived) on its own store connection and logs one line per run.
 * One sweeper per process. sweeper_stop() wakes it, waits for the running sweep to finish
 * and joins; safe to call when not started.
 */
#ifndef CK_CLI_SWEEPER_H
#define CK_CLI_SWEEPER_H

struct api_app;

/* Starts the thread; 0 or a negative CK_E_* code. An interval <= 0 disables it (returns 0). */
int sweeper_start(struct api_app *app);
void sweeper_stop(void);

#endif
