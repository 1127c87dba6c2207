/*
 * The throughput of one TCP connection: a window-limited, ACK-clocked flow with slow start.
 *
 * How it works. A connection (one direction of one pair of hosts) sends in rounds of one
 * round-trip time: within any round it has at most `cwnd` bytes in flight, so a long transfer
 * moves at most cwnd / RTT, and cwnd never exceeds `window` (the smaller of what the receiver
 * advertises and what the send buffer holds). A round starts when the first byte of it is sent;
 * the next round starts one RTT later, when that byte's acknowledgement returns. A new
 * connection starts with cwnd = initial_window segments of `mss` bytes; at the end of a round
 * that used at least half its cwnd, cwnd grows by the bytes acknowledged (slow start doubles it
 * per round) up to `window` (Linux grows cwnd only while the flow is cwnd-limited:
 * tcp_is_cwnd_limited(), "cwnd < 2 * max_packets_out" in slow start). With no loss there is no
 * congestion avoidance phase: the window is the only ceiling.
 *
 * Slow start after idle (Linux tcp_slow_start_after_idle, RFC 2861 and RFC 5681 section 4.1):
 * when nothing is in flight and the connection has sent nothing for longer than its
 * retransmission timeout, Linux's tcp_cwnd_restart() halves cwnd once for every further RTO
 * of idle time, but not below the restart window min(initial window, cwnd). The RTO of a path
 * with a steady RTT is srtt + rttvar, where Linux keeps rttvar at least TCP_RTO_MIN (200 ms):
 * RTO = RTT + rto_min.
 *
 * The model returns when the last byte of a message may leave; serialising the bytes on the
 * host's NIC is the caller's (sim/net/host.h), which takes the later of the two. It does not
 * model connection set-up (connections are long-lived), loss recovery (the network's loss
 * model charges retransmission timeouts), receive-buffer autotuning (the receiver's window is
 * taken at its maximum), pacing, or competition between connections for a bottleneck other than
 * the hosts' own links.
 */
#ifndef SHOTGLASS_SIM_TCP_H
#define SHOTGLASS_SIM_TCP_H

#include "sim/core/time.h"

#include <glib.h>
#include <stdint.h>

typedef enum SimTcpMode {
    SIM_TCP_IDEAL,         /* no window: links are latency + bandwidth only (the old model) */
    SIM_TCP_LINUX_DEFAULT, /* a Linux host with default sysctls (docs/calibration.md) */
    SIM_TCP_TUNED,         /* a host tuned as ESnet's fasterdata guide says */
} SimTcpMode;

typedef struct SimTcpConfig {
    gboolean enabled;               /* FALSE: ideal; the other fields are then unused */
    uint64_t window;                /* bytes: the most a connection has in flight */
    uint64_t initial_window;        /* segments: cwnd of a new (or restarted) connection */
    uint64_t mss;                   /* bytes of payload per segment */
    gboolean slow_start_after_idle; /* cwnd decays after an idle of one RTO */
    SimDuration rto_min;            /* Linux TCP_RTO_MIN: RTO = RTT + rto_min */
} SimTcpConfig;

/* Sender state of one connection; zero-initialised = not yet opened. */
typedef struct SimTcpConn {
    uint64_t cwnd;       /* bytes; 0 until the first send */
    uint64_t round_used; /* bytes sent in the current round */
    SimTime round_start; /* when the current round began */
    SimTime done;        /* when the last byte handed to it so far leaves */
} SimTcpConn;

/* The values of preset `mode` (see docs/calibration.md for their sources). */
void sim_tcp_preset(SimTcpMode mode, SimTcpConfig *config);

/* The preset's name ("ideal", "linux-default", "tuned"); static. */
const char *sim_tcp_mode_name(SimTcpMode mode);

/* The retransmission timeout of a path with round-trip time `rtt`. */
SimDuration sim_tcp_rto(const SimTcpConfig *config, SimDuration rtt);

/*
 * Sends `bytes` (> 0) handed to connection `conn` at `ready`, over a path of round-trip time
 * `rtt` from a NIC of `bps` bits per second (0 = unlimited). Returns when the last byte may
 * leave under the window and slow start; copies on one connection leave in the order they are
 * handed over. `config` must be enabled. Updates `conn`.
 */
SimTime sim_tcp_send(const SimTcpConfig *config, SimTcpConn *conn, SimTime ready, uint64_t bytes,
                     SimDuration rtt, uint64_t bps);

#endif
