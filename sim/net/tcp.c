/* The window and slow-start arithmetic of one TCP connection; see tcp.h. Integer nanoseconds. */
#include "sim/net/tcp.h"

#include "sim/core/assert.h"
#include "sim/core/units.h"

/* Linux's defaults (docs/calibration.md, "TCP"). */
#define LINUX_TCP_INIT_CWND  10u                /* include/net/tcp.h, RFC 6928 */
#define LINUX_TCP_RMEM_MAX   (6u * 1024 * 1024) /* net.ipv4.tcp_rmem[2] */
#define LINUX_TCP_WMEM_MAX   (4u * 1024 * 1024) /* net.ipv4.tcp_wmem[2] */
#define LINUX_ADV_WIN_SCALE  1u                 /* window = space - space / 2^scale */
#define LINUX_TCP_RTO_MIN_MS 200u               /* include/net/tcp.h: TCP_RTO_MIN = HZ / 5 */
/* 1500-byte Ethernet MTU - 20 (IPv4) - 20 (TCP) - 12 (timestamps option, on by default). */
#define ETHERNET_MSS 1448u
/* ESnet fasterdata, Linux host tuning for a 10G host: tcp_rmem and tcp_wmem maximum 32 MiB. */
#define FASTERDATA_TCP_MEM_MAX (32u * 1024 * 1024)

static uint64_t advertised(uint64_t space)
{
    return space - (space >> LINUX_ADV_WIN_SCALE);
}

void sim_tcp_preset(SimTcpMode mode, SimTcpConfig *config)
{
    SIM_ASSERT(config != NULL);
    *config = (SimTcpConfig){
        .enabled = mode != SIM_TCP_IDEAL,
        .initial_window = LINUX_TCP_INIT_CWND,
        .mss = ETHERNET_MSS,
        .slow_start_after_idle = TRUE,
        .rto_min = LINUX_TCP_RTO_MIN_MS * SIM_MS,
    };
    switch (mode) {
    case SIM_TCP_IDEAL:
        config->window = 0;
        return;
    case SIM_TCP_LINUX_DEFAULT:
        config->window = MIN(advertised(LINUX_TCP_RMEM_MAX), (uint64_t)LINUX_TCP_WMEM_MAX);
        return;
    case SIM_TCP_TUNED:
        config->window = MIN(advertised(FASTERDATA_TCP_MEM_MAX), (uint64_t)FASTERDATA_TCP_MEM_MAX);
        return;
    }
    SIM_UNREACHABLE();
}

const char *sim_tcp_mode_name(SimTcpMode mode)
{
    switch (mode) {
    case SIM_TCP_IDEAL:
        return "ideal";
    case SIM_TCP_LINUX_DEFAULT:
        return "linux-default";
    case SIM_TCP_TUNED:
        return "tuned";
    }
    SIM_UNREACHABLE();
}

SimDuration sim_tcp_rto(const SimTcpConfig *config, SimDuration rtt)
{
    SIM_ASSERT(config->enabled);
    return sim_time_add(rtt, config->rto_min);
}

static uint64_t initial_cwnd(const SimTcpConfig *config)
{
    uint64_t iw = config->initial_window * config->mss;
    return MAX((uint64_t)1, MIN(iw, config->window));
}

/* At the end of a round: slow start adds the bytes acknowledged, if the round was
 * cwnd-limited (it used at least half the window, as tcp_is_cwnd_limited() asks). */
static void round_end(const SimTcpConfig *config, SimTcpConn *conn)
{
    if (2 * conn->round_used >= conn->cwnd) {
        conn->cwnd = MIN(config->window, conn->cwnd + conn->round_used);
    }
    conn->round_used = 0;
}

/* tcp_cwnd_restart(): after an idle of more than one RTO, cwnd halves once for every further
 * RTO of idle time begun (ceil(idle / RTO) - 1 times), but not below the restart window
 * min(initial window, cwnd). */
static void idle_restart(const SimTcpConfig *config, SimTcpConn *conn, SimTime ready,
                         SimDuration rtt)
{
    if (!config->slow_start_after_idle || ready <= conn->done) return;
    SimDuration rto = sim_tcp_rto(config, rtt);
    SIM_ASSERT(rto > 0);
    SimDuration idle = ready - conn->done;
    if (idle <= rto) return;
    uint64_t restart = MIN(initial_cwnd(config), conn->cwnd);
    uint64_t halvings = (idle - 1) / rto; /* ceil(idle / rto) - 1 */
    uint64_t cwnd = halvings >= 64 ? 0 : conn->cwnd >> halvings;
    conn->cwnd = MAX(cwnd, restart);
    SIM_ASSERT(conn->cwnd >= 1);
}

/*
 * The steady state at once: at the start of a round with cwnd at the window, a window that the
 * link sends within one RTT, and more than one window left, every round but the last sends a
 * full window and starts one RTT after the one before, so the k = (left - 1) / window full
 * rounds are skipped in one step, as the loop would have taken them one by one. Keeps a long
 * transfer over a small window from costing one iteration per round. Returns FALSE (changing
 * nothing) when the state is not steady.
 */
static gboolean steady_rounds(const SimTcpConfig *config, SimTcpConn *conn, SimTime *done,
                              uint64_t *left, SimDuration rtt, uint64_t bps)
{
    uint64_t window = config->window;
    if (conn->round_used != 0 || conn->cwnd != window || *left <= window) return FALSE;
    SimDuration serialise = bps > 0 ? sim_time_transmit(window, bps) : 0;
    if (serialise > rtt || *done > conn->round_start || rtt == 0) return FALSE;
    uint64_t k = (*left - 1) / window;
    SIM_ASSERT(k >= 1);
    SimDuration span = (SimDuration)MIN((SimU128)(k - 1) * rtt, (SimU128)SIM_TIME_MAX);
    *done = sim_time_add(sim_time_add(conn->round_start, span), serialise);
    conn->round_start = sim_time_add(conn->round_start, sim_time_add(span, rtt));
    *left -= k * window;
    SIM_ASSERT(*left > 0 && *left <= window && *done <= conn->round_start);
    return TRUE;
}

SimTime sim_tcp_send(const SimTcpConfig *config, SimTcpConn *conn, SimTime ready, uint64_t bytes,
                     SimDuration rtt, uint64_t bps)
{
    SIM_ASSERT(config->enabled && config->window > 0 && config->mss > 0);
    SIM_ASSERT(bytes > 0);
    if (conn->cwnd == 0) {
        *conn = (SimTcpConn){.cwnd = initial_cwnd(config), .round_start = ready, .done = ready};
    }
    /* The acknowledgements of the current round are back: it has ended. */
    if (ready >= sim_time_add(conn->round_start, rtt)) {
        round_end(config, conn);
        idle_restart(config, conn, ready, rtt);
        conn->round_start = sim_time_max(ready, conn->done); /* its first byte leaves then */
    }
    SimTime done = sim_time_max(ready, conn->done);
    uint64_t left = bytes;
    while (left > 0) {
        if (steady_rounds(config, conn, &done, &left, rtt, bps)) continue;
        if (conn->round_used >= conn->cwnd) { /* wait for the round's acknowledgements */
            round_end(config, conn);
            conn->round_start = sim_time_add(conn->round_start, rtt);
            /* A window that fills the link faster than one RTT is link-limited. */
            conn->round_start = sim_time_max(conn->round_start, done);
            continue;
        }
        uint64_t chunk = MIN(left, conn->cwnd - conn->round_used);
        conn->round_used += chunk;
        left -= chunk;
        SimTime start = sim_time_max(done, conn->round_start);
        done = sim_time_add(start, bps > 0 ? sim_time_transmit(chunk, bps) : 0);
    }
    conn->done = done;
    SIM_ASSERT(done >= ready);
    return done;
}
