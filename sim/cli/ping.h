/*
 * `shotglass ping`: one host per chosen region; every host sends a small message to every other
 * and the receiver answers. Prints the measured one-way delay and round trip of every pair
 * through the full network model (links, latency data, jitter), so the first thing a newcomer
 * runs already shows numbers that come from the model, not from a table lookup.
 */
#ifndef SHOTGLASS_SIM_PING_H
#define SHOTGLASS_SIM_PING_H

/* Entry point of the subcommand; returns the process exit code (0, or 2 on bad arguments). */
int sim_ping_main(int argc, char **argv);

#endif
