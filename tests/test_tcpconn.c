/*
 * test_tcpconn — the TCP connection state machine, the Zeek-style summary
 * (conn_state and history) and the tshark-style sequence analysis
 * (src/flow/tcpconn.c), driven through the same calls src/flow/transport.c
 * makes: ns_tcp_conn_init(), ns_tcp_conn_is_new(), ns_tcp_conn_update(),
 * ns_tcp_conn_state(), ns_tcp_conn_closed().  A few tests go through the
 * whole engine (packets dissected with an engine attached) for what only
 * src/flow/transport.c does: a new stream on port reuse, and the state events
 * in the text line.
 *
 * Conventions: the client's ISN is 1000 and the server's 5000; direction
 * 0 is client→server.  Time is in nanoseconds and moves on by `step`
 * before each segment unless a test sets it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/engine.h"
#include "flow/tcpconn.h"

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };
#define MS 1000000LL
#define C  0 /* client → server */
#define S  1 /* server → client */

static struct ns_tcp_conn conn;
static struct ns_tcp_result res;
static uint64_t frame;
static int64_t now, step;
static uint32_t win[2];

static void reset(void)
{
	ns_tcp_conn_free(&conn);
	ns_tcp_conn_init(&conn);
	memset(&res, 0, sizeof(res));
	frame = 0;
	now = 1000 * MS;
	step = MS;
	win[0] = win[1] = 65535;
}

/* One segment from dir, as the TCP dissector describes it; returns the
 * analysis flags. */
static uint32_t seg_w(int dir, uint16_t flags, uint32_t seq, uint32_t ack,
		      uint32_t len, uint32_t window)
{
	struct ns_tcp_seginfo si = {
	    .seq = seq,
	    .ack = ack,
	    .flags = flags,
	    .window = window,
	    .len = len,
	    .wscale = -1,
	    .frame = ++frame,
	    .ts = now += step,
	};
	ns_tcp_conn_update(&conn, dir, 0, &si, &res);
	return res.flags;
}

static uint32_t seg(int dir, uint16_t flags, uint32_t seq, uint32_t ack,
		    uint32_t len)
{
	return seg_w(dir, flags, seq, ack, len, win[dir]);
}

/* fixture: the segments a connection remembers are allocated */
static void conn_teardown(void)
{
	ns_tcp_conn_free(&conn);
}

static const char *event(void)
{
	return ns_tcp_event_name(res.event);
}

#define assert_conn(state_name, zeek, hist)                                    \
	do {                                                                   \
		ck_assert_str_eq(ns_tcp_state_name(conn.state), (state_name)); \
		ck_assert_str_eq(ns_tcp_conn_state(&conn), (zeek));            \
		ck_assert_str_eq(conn.history, (hist));                        \
	} while (0)

/* SYN, SYN-ACK, ACK: 1000 and 5000 are the ISNs, the ACK comes 2 ms after
 * the SYN (step 1 ms). */
static void handshake(void)
{
	ck_assert_uint_eq(seg(C, SYN, 1000, 0, 0), 0);
	ck_assert_str_eq(event(), "SYN");
	ck_assert_uint_eq(seg(S, SYN | ACK, 5000, 1001, 0), 0);
	ck_assert_str_eq(event(), "SYN-ACK");
	ck_assert_uint_eq(seg(C, ACK, 1001, 5001, 0), 0);
	ck_assert_str_eq(event(), "established");
}

/* ---- the state machine ----------------------------------------------------
 */

START_TEST(normal_client_closes)
{
	reset();
	seg(C, SYN, 1000, 0, 0);
	assert_conn("SYN sent", "S0", "S");
	ck_assert_uint_eq(res.rel_seq, 0);
	ck_assert_uint_eq(res.rel_nxtseq, 1);
	seg(S, SYN | ACK, 5000, 1001, 0);
	assert_conn("SYN-ACK sent", "S1", "Sh");
	ck_assert_uint_eq(res.rel_ack, 1);
	ck_assert_int_eq(conn.initial_rtt, -1);
	seg(C, ACK, 1001, 5001, 0);
	ck_assert_str_eq(event(), "established");
	assert_conn("established", "S1", "ShA");
	ck_assert_int_eq(conn.initial_rtt, 2 * MS); /* SYN → ACK */
	ck_assert(conn.established);
	ck_assert(!conn.midstream);

	/* data both ways: no transition */
	ck_assert_uint_eq(seg(C, PSH | ACK, 1001, 5001, 100), 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert_uint_eq(res.rel_seq, 1);
	ck_assert_uint_eq(res.rel_nxtseq, 101);
	ck_assert_uint_eq(res.bytes_in_flight, 100);
	seg(S, ACK, 5001, 1101, 0);
	ck_assert_uint_eq(res.acks_frame, 4);
	ck_assert_int_eq(res.ack_rtt, 1 * MS);
	seg(S, PSH | ACK, 5001, 1101, 50);
	assert_conn("established", "S1", "ShADad");

	/* the client closes first */
	seg(C, FIN | ACK, 1101, 5051, 0);
	ck_assert_str_eq(event(), "FIN client");
	assert_conn("closing", "S2", "ShADadF");
	ck_assert_uint_eq(conn.closer, 0);
	ck_assert(!ns_tcp_conn_closed(&conn));
	seg(S, FIN | ACK, 5051, 1102, 0);
	ck_assert_str_eq(event(), "FIN server");
	assert_conn("closing", "SF", "ShADadFf");
	ck_assert(conn.d[C].fin_acked);
	ck_assert(!conn.d[S].fin_acked);
	seg(C, ACK, 1102, 5052, 0);
	ck_assert_str_eq(event(), "closed");
	assert_conn("closed", "SF", "ShADadFf");
	ck_assert(ns_tcp_conn_closed(&conn));
	ck_assert_uint_eq(res.rel_seq, 102);
	ck_assert_uint_eq(res.rel_ack, 52);

	/* after the close: a late retransmission changes nothing */
	seg(S, FIN | ACK, 5051, 1102, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert_str_eq(ns_tcp_state_name(conn.state), "closed");
	ck_assert_str_eq(ns_tcp_conn_state(&conn), "SF");
}
END_TEST

START_TEST(normal_server_closes)
{
	reset();
	handshake();
	seg(C, PSH | ACK, 1001, 5001, 10);
	seg(S, PSH | ACK, 5001, 1011, 20);
	seg(S, FIN | ACK, 5021, 1011, 0);
	ck_assert_str_eq(event(), "FIN server");
	assert_conn("closing", "S3", "ShADdf");
	ck_assert_uint_eq(conn.closer, 1);
	seg(C, FIN | ACK, 1011, 5022, 0);
	ck_assert_str_eq(event(), "FIN client");
	assert_conn("closing", "SF", "ShADdfF");
	seg(S, ACK, 5022, 1012, 0);
	ck_assert_str_eq(event(), "closed");
	assert_conn("closed", "SF", "ShADdfFa");
	ck_assert(ns_tcp_conn_closed(&conn));
}
END_TEST

/* An ACK of the FIN that also carries the peer's FIN, then the last ACK. */
START_TEST(fin_ack_fin)
{
	reset();
	handshake();
	seg(C, FIN | ACK, 1001, 5001, 0);
	seg(S, FIN | ACK, 5001, 1002, 0);
	ck_assert_str_eq(ns_tcp_state_name(conn.state), "closing");
	seg(C, ACK, 1002, 5002, 0);
	ck_assert_str_eq(event(), "closed");
	/* a second FIN from the same side is a retransmission, no event */
	seg(C, FIN | ACK, 1001, 5002, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert(res.flags & NS_TA_RETRANSMISSION);
}
END_TEST

START_TEST(simultaneous_open)
{
	reset();
	seg(C, SYN, 1000, 0, 0);
	ck_assert_str_eq(event(), "SYN");
	/* the SYNs cross: the other side's is a SYN too, not a SYN-ACK */
	seg(S, SYN, 5000, 0, 0);
	ck_assert_str_eq(event(), "simultaneous open");
	assert_conn("SYN-ACK sent", "S1", "Ss");
	/* each answers the other's SYN with a SYN-ACK of the same ISN */
	seg(C, SYN | ACK, 1000, 5001, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	seg(S, SYN | ACK, 5000, 1001, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	assert_conn("SYN-ACK sent", "S1", "SsHh");
	/* the first ACK without SYN, from either side, establishes it */
	seg(S, ACK, 5001, 1001, 0);
	ck_assert_str_eq(event(), "established");
	assert_conn("established", "S1", "SsHha");
	ck_assert(!conn.midstream);
}
END_TEST

START_TEST(simultaneous_close)
{
	reset();
	handshake();
	/* both FINs cross: neither acknowledges the other */
	seg(C, FIN | ACK, 1001, 5001, 0);
	ck_assert_str_eq(event(), "FIN client");
	seg(S, FIN | ACK, 5001, 1001, 0);
	ck_assert_str_eq(event(), "FIN server");
	assert_conn("closing", "SF", "ShAFf");
	ck_assert_uint_eq(conn.closer, 0); /* the first FIN seen */
	seg(C, ACK, 1002, 5002, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert_str_eq(ns_tcp_state_name(conn.state), "closing");
	seg(S, ACK, 5002, 1002, 0);
	ck_assert_str_eq(event(), "closed");
	assert_conn("closed", "SF", "ShAFfa");
}
END_TEST

START_TEST(reset_by_client)
{
	reset();
	handshake();
	seg(C, PSH | ACK, 1001, 5001, 10);
	seg(C, RST | ACK, 1011, 5001, 0);
	ck_assert_str_eq(event(), "reset by client");
	assert_conn("reset", "RSTO", "ShADR");
	ck_assert_uint_eq(conn.resetter, 0);
	ck_assert(ns_tcp_conn_closed(&conn));
	/* packets after the RST: no new event, state and resetter stay */
	seg(S, PSH | ACK, 5001, 1011, 10);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	seg(S, RST, 5011, 0, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	seg(C, RST, 1011, 0, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	assert_conn("reset", "RSTO", "ShADRdr");
	ck_assert_uint_eq(conn.resetter, 0);
}
END_TEST

START_TEST(reset_by_server)
{
	reset();
	handshake();
	seg(C, PSH | ACK, 1001, 5001, 10);
	seg(S, RST | ACK, 5001, 1011, 0);
	ck_assert_str_eq(event(), "reset by server");
	assert_conn("reset", "RSTR", "ShADr");
	ck_assert_uint_eq(conn.resetter, 1);
	/* a FIN after the reset does not reopen or close anything */
	seg(C, FIN | ACK, 1011, 5001, 0);
	ck_assert_str_eq(ns_tcp_state_name(conn.state), "reset");
	ck_assert_str_eq(ns_tcp_conn_state(&conn), "RSTR");
}
END_TEST

/* RST during the close: the connection was closing, the RST decides. */
START_TEST(reset_while_closing)
{
	reset();
	handshake();
	seg(C, FIN | ACK, 1001, 5001, 0);
	seg(S, RST | ACK, 5001, 1002, 0);
	ck_assert_str_eq(event(), "reset by server");
	assert_conn("reset", "RSTR", "ShAFr");
}
END_TEST

START_TEST(refused)
{
	reset();
	seg(C, SYN, 1000, 0, 0);
	seg(S, RST | ACK, 0, 1001, 0);
	ck_assert_str_eq(event(), "refused");
	assert_conn("refused", "REJ", "Sr");
	ck_assert(ns_tcp_conn_closed(&conn));
	/* tshark's iRTT: from the SYN to the RST that refuses it */
	ck_assert_int_eq(conn.initial_rtt, 1 * MS);
	/* the client tries again with the same ISN: still the same
	 * connection, no new event */
	ck_assert(!ns_tcp_conn_is_new(
	    &conn, C, &(struct ns_tcp_seginfo){.seq = 1000, .flags = SYN}));
	seg(C, SYN, 1000, 0, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert_str_eq(ns_tcp_conn_state(&conn), "REJ");
}
END_TEST

/* A RST from the server that is not an answer to a SYN is not a refusal. */
START_TEST(rst_not_refused_after_synack)
{
	reset();
	seg(C, SYN, 1000, 0, 0);
	seg(S, SYN | ACK, 5000, 1001, 0);
	seg(S, RST, 5001, 0, 0);
	ck_assert_str_eq(event(), "reset by server");
	assert_conn("reset", "RSTR", "Shr");
}
END_TEST

/* The client gives up on its own SYN. */
START_TEST(rstos0)
{
	reset();
	seg(C, SYN, 1000, 0, 0);
	seg(C, RST, 1001, 0, 0);
	ck_assert_str_eq(event(), "reset by client");
	assert_conn("reset", "RSTOS0", "SR");
}
END_TEST

START_TEST(half_open_s0)
{
	reset();
	seg(C, SYN, 1000, 0, 0);
	assert_conn("SYN sent", "S0", "S");
	/* the SYN again, same ISN, a second later: a retransmission of the
	 * same connection, not a new one */
	step = 1000 * MS;
	ck_assert(!ns_tcp_conn_is_new(
	    &conn, C, &(struct ns_tcp_seginfo){.seq = 1000, .flags = SYN}));
	ck_assert_uint_eq(seg(C, SYN, 1000, 0, 0), NS_TA_RETRANSMISSION);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	seg(C, SYN, 1000, 0, 0);
	/* Zeek's 't' is for retransmitted payload: a SYN has none */
	assert_conn("SYN sent", "S0", "S");
	ck_assert(!ns_tcp_conn_closed(&conn));
	ck_assert_uint_eq(conn.d[C].retrans, 2);
}
END_TEST

/* SYN-ACK answered by nothing: the server side is half open. */
START_TEST(half_open_synack_no_ack)
{
	reset();
	seg(C, SYN, 1000, 0, 0);
	seg(S, SYN | ACK, 5000, 1001, 0);
	step = 1000 * MS;
	ck_assert_uint_eq(seg(S, SYN | ACK, 5000, 1001, 0),
			  NS_TA_RETRANSMISSION);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	assert_conn("SYN-ACK sent", "S1", "Sh");
	ck_assert(!conn.established);
	ck_assert_int_eq(conn.initial_rtt, -1);
}
END_TEST

/* The capture starts with the SYN-ACK (the SYN was missed). */
START_TEST(synack_first)
{
	reset();
	seg(S, SYN | ACK, 5000, 1001, 0);
	ck_assert_str_eq(event(), "SYN-ACK");
	assert_conn("SYN-ACK sent", "OTH", "h");
	seg(C, ACK, 1001, 5001, 0);
	ck_assert_str_eq(event(), "established");
	ck_assert_str_eq(ns_tcp_conn_state(&conn), "OTH");
}
END_TEST

START_TEST(rstrh)
{
	reset();
	seg(S, SYN | ACK, 5000, 1001, 0);
	seg(S, RST, 5001, 0, 0);
	ck_assert_str_eq(event(), "reset by server");
	assert_conn("reset", "RSTRH", "hr");
}
END_TEST

START_TEST(shr)
{
	reset();
	seg(S, SYN | ACK, 5000, 1001, 0);
	seg(S, FIN | ACK, 5001, 1001, 0);
	ck_assert_str_eq(event(), "FIN server");
	assert_conn("closing", "SHR", "hf");
}
END_TEST

/* SYN followed by FIN from the client, no answer. */
START_TEST(sh)
{
	reset();
	seg(C, SYN, 1000, 0, 0);
	seg(C, FIN, 1001, 0, 0);
	ck_assert_str_eq(event(), "FIN client");
	assert_conn("closing", "SH", "SF");
}
END_TEST

START_TEST(midstream_data)
{
	reset();
	seg(C, PSH | ACK, 70000, 90000, 100);
	ck_assert_str_eq(event(), "mid-stream");
	assert_conn("established", "OTH", "D");
	ck_assert(conn.midstream);
	ck_assert(conn.established);
	/* relative numbers start at 1 without a SYN, as tshark's */
	ck_assert_uint_eq(res.rel_seq, 1);
	ck_assert_uint_eq(res.rel_ack, 1);
	ck_assert_uint_eq(res.rel_nxtseq, 101);
	ck_assert_int_eq(conn.initial_rtt, -1);
	seg(S, ACK, 90000, 70100, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert_uint_eq(res.rel_seq, 1);
	ck_assert_uint_eq(res.rel_ack, 101);
	/* and it closes normally, but stays OTH: no handshake was seen */
	seg(C, FIN | ACK, 70100, 90000, 0);
	ck_assert_str_eq(event(), "FIN client");
	seg(S, FIN | ACK, 90000, 70101, 0);
	seg(C, ACK, 70101, 90001, 0);
	ck_assert_str_eq(event(), "closed");
	assert_conn("closed", "OTH", "DaFfA");
}
END_TEST

START_TEST(ack_without_syn)
{
	reset();
	seg(C, ACK, 70000, 90000, 0);
	ck_assert_str_eq(event(), "mid-stream");
	assert_conn("established", "OTH", "A");
}
END_TEST

START_TEST(fin_without_handshake)
{
	reset();
	seg(S, FIN | ACK, 90000, 70000, 0);
	/* both happen on the one packet: the FIN is what is shown */
	ck_assert_str_eq(event(), "FIN server");
	assert_conn("closing", "OTH", "f");
	ck_assert(conn.midstream);
}
END_TEST

START_TEST(rst_without_handshake)
{
	reset();
	seg(C, RST, 70000, 0, 0);
	ck_assert_str_eq(event(), "reset by client");
	assert_conn("reset", "OTH", "R");
}
END_TEST

/* Invalid transitions: segments that do not fit the state leave it. */
START_TEST(invalid_transitions)
{
	reset();
	seg(C, SYN, 1000, 0, 0);
	/* a SYN-ACK from the client itself */
	seg(C, SYN | ACK, 1000, 7, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert_str_eq(ns_tcp_state_name(conn.state), "SYN sent");
	/* data from the server before any SYN-ACK */
	seg(S, PSH | ACK, 5001, 1001, 10);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert_str_eq(ns_tcp_state_name(conn.state), "SYN sent");
	ck_assert(!conn.established);

	/* in SYN-ACK sent: the client's SYN again does not complete it */
	reset();
	seg(C, SYN, 1000, 0, 0);
	seg(S, SYN | ACK, 5000, 1001, 0);
	seg(C, SYN, 1000, 0, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert_str_eq(ns_tcp_state_name(conn.state), "SYN-ACK sent");
	seg(C, ACK, 1001, 5001, 0);
	ck_assert_str_eq(event(), "established");

	/* a segment from the server after its SYN-ACK does: a server only
	 * sends one once the client's ACK arrived (the capture missed it) */
	reset();
	seg(C, SYN, 1000, 0, 0);
	seg(S, SYN | ACK, 5000, 1001, 0);
	seg(S, PSH | ACK, 5001, 1001, 10);
	ck_assert_str_eq(event(), "established");
	ck_assert_str_eq(ns_tcp_conn_state(&conn), "S1");

	/* established: a stray SYN or SYN-ACK changes nothing */
	seg(S, SYN | ACK, 5000, 1001, 0);
	seg(C, SYN, 1000, 0, 0);
	ck_assert_uint_eq(res.event, NS_TE_NONE);
	ck_assert_str_eq(ns_tcp_state_name(conn.state), "established");
}
END_TEST

/* Flag combinations Zeek calls inconsistent (I) or multi-flag (Q). */
START_TEST(odd_flags_history)
{
	reset();
	seg(C, SYN | FIN, 1000, 0, 0);
	ck_assert_str_eq(conn.history, "QF");
	reset();
	seg(C, SYN | RST, 1000, 0, 0);
	ck_assert_str_eq(conn.history, "QR");
	reset();
	handshake();
	seg(S, FIN | RST | ACK, 5001, 1001, 0);
	ck_assert_str_eq(conn.history, "ShAifr");
}
END_TEST

/* Each letter once per direction, whatever the number of packets. */
START_TEST(history_once)
{
	reset();
	handshake();
	for (uint32_t i = 0; i < 5; i++) {
		seg(C, PSH | ACK, 1001 + i * 10, 5001, 10);
		seg(S, ACK, 5001, 1011 + i * 10, 0);
	}
	ck_assert_str_eq(conn.history, "ShADa");
	/* zero window advertisements: W / w */
	seg_w(S, ACK, 5001, 1051, 0, 0);
	ck_assert_str_eq(conn.history, "ShADaw");
}
END_TEST

/* Port reuse: a SYN with a new ISN is a new connection, as tshark says. */
START_TEST(is_new_connection)
{
	reset();
	handshake();
	seg(C, FIN | ACK, 1001, 5001, 0);
	seg(S, FIN | ACK, 5001, 1002, 0);
	seg(C, ACK, 1002, 5002, 0);
	struct ns_tcp_seginfo si = {.seq = 9000, .flags = SYN};
	ck_assert(ns_tcp_conn_is_new(&conn, C, &si));
	si.seq = 1000; /* the old SYN again */
	ck_assert(!ns_tcp_conn_is_new(&conn, C, &si));
	si.seq = 9000;
	si.flags = SYN | ACK; /* only a SYN opens */
	ck_assert(!ns_tcp_conn_is_new(&conn, C, &si));
	si.flags = ACK;
	ck_assert(!ns_tcp_conn_is_new(&conn, C, &si));
	/* from the server side too (it becomes the client) */
	si.flags = SYN;
	si.seq = 7777;
	ck_assert(ns_tcp_conn_is_new(&conn, S, &si));
	/* a fresh connection has nothing to compare with */
	reset();
	ck_assert(!ns_tcp_conn_is_new(&conn, C, &si));
}
END_TEST

/* Sequence numbers near 2^32: relative numbers and FIN accounting wrap. */
START_TEST(sequence_wrap)
{
	reset();
	seg(C, SYN, 0xfffffff0u, 0, 0);
	seg(S, SYN | ACK, 5000, 0xfffffff1u, 0);
	seg(C, ACK, 0xfffffff1u, 5001, 0);
	ck_assert_uint_eq(seg(C, PSH | ACK, 0xfffffff1u, 5001, 100), 0);
	ck_assert_uint_eq(res.rel_seq, 1);
	ck_assert_uint_eq(res.rel_nxtseq, 101);
	seg(S, ACK, 5001, 0x55u, 0);
	ck_assert_uint_eq(res.rel_ack, 101);
	ck_assert_uint_eq(res.acks_frame, 4);
	ck_assert_uint_eq(seg(C, PSH | ACK, 0x55u, 5001, 100), 0);
	ck_assert_uint_eq(res.rel_seq, 101);
	seg(C, FIN | ACK, 0xb9u, 5001, 0);
	seg(S, FIN | ACK, 5001, 0xbau, 0);
	seg(C, ACK, 0xbau, 5002, 0);
	ck_assert_str_eq(event(), "closed");
}
END_TEST

/* ---- analysis flags --------------------------------------------------------
 */

START_TEST(retransmission)
{
	reset();
	handshake(); /* iRTT 2 ms */
	seg(C, PSH | ACK, 1001, 5001, 100);
	step = 300 * MS;
	ck_assert_uint_eq(seg(C, PSH | ACK, 1001, 5001, 100),
			  NS_TA_RETRANSMISSION);
	ck_assert_uint_eq(conn.d[C].retrans, 1);
	ck_assert_str_eq(conn.history, "ShADT");
	/* the ACK then matches the first transmission */
	step = MS;
	seg(S, ACK, 5001, 1101, 0);
	ck_assert_uint_eq(res.acks_frame, 4);
}
END_TEST

START_TEST(spurious_retransmission)
{
	reset();
	handshake();
	seg(C, PSH | ACK, 1001, 5001, 100);
	seg(S, ACK, 5001, 1101, 0); /* acknowledged */
	step = 300 * MS;
	ck_assert_uint_eq(seg(C, PSH | ACK, 1001, 5001, 100),
			  NS_TA_SPURIOUS_RETRANSMISSION | NS_TA_RETRANSMISSION);
}
END_TEST

START_TEST(out_of_order_and_lost)
{
	reset();
	handshake(); /* iRTT 2 ms: the out-of-order window */
	step = MS / 10;
	/* 1001..1100 comes second: the first one says a segment is missing */
	ck_assert_uint_eq(seg(C, PSH | ACK, 1101, 5001, 100),
			  NS_TA_LOST_PACKET);
	ck_assert_uint_eq(seg(C, PSH | ACK, 1001, 5001, 100),
			  NS_TA_OUT_OF_ORDER);
	ck_assert_uint_eq(conn.d[C].retrans, 0);
	/* the same late segment outside the window is a retransmission */
	step = 50 * MS;
	ck_assert_uint_eq(seg(C, PSH | ACK, 1001, 5001, 100),
			  NS_TA_RETRANSMISSION);
}
END_TEST

START_TEST(ack_of_unseen_segment)
{
	reset();
	handshake();
	seg(C, PSH | ACK, 1001, 5001, 100);
	/* the server acknowledges 200 bytes: the capture missed 100 */
	ck_assert_uint_eq(seg(S, ACK, 5001, 1201, 0), NS_TA_ACK_LOST_PACKET);
}
END_TEST

START_TEST(duplicate_ack_and_fast_retransmission)
{
	reset();
	handshake();
	seg(C, PSH | ACK, 1001, 5001, 100); /* frame 4: lost on the way */
	seg(C, PSH | ACK, 1101, 5001, 100);
	seg(C, PSH | ACK, 1201, 5001, 100);
	/* the server keeps asking for 1001 (its SYN-ACK said so first) */
	ck_assert_uint_eq(seg(S, ACK, 5001, 1001, 0), NS_TA_DUPLICATE_ACK);
	ck_assert_uint_eq(res.dupack_num, 1);
	ck_assert_uint_eq(res.dupack_frame, 2);
	ck_assert_uint_eq(seg(S, ACK, 5001, 1001, 0), NS_TA_DUPLICATE_ACK);
	ck_assert_uint_eq(res.dupack_num, 2);
	ck_assert_uint_eq(res.dupack_frame, 2);
	ck_assert_uint_eq(seg(C, PSH | ACK, 1001, 5001, 100),
			  NS_TA_FAST_RETRANSMISSION | NS_TA_RETRANSMISSION);
	ck_assert_uint_eq(conn.d[C].retrans, 1);
	/* a new ACK ends the run of duplicates */
	ck_assert_uint_eq(seg(S, ACK, 5001, 1301, 0), 0);
	ck_assert_uint_eq(conn.d[S].dupacknum, 0);
	/* one duplicate is not enough for a fast retransmission */
	ck_assert_uint_eq(seg(C, PSH | ACK, 1301, 5001, 100), 0);
	ck_assert_uint_eq(seg(S, ACK, 5001, 1301, 0), NS_TA_DUPLICATE_ACK);
	ck_assert_uint_eq(res.dupack_frame, 10);
	step = 300 * MS;
	ck_assert_uint_eq(seg(C, PSH | ACK, 1301, 5001, 100),
			  NS_TA_RETRANSMISSION);
}
END_TEST

START_TEST(window_update_is_not_dup_ack)
{
	reset();
	handshake();
	ck_assert_uint_eq(seg_w(S, ACK, 5001, 1001, 0, 30000),
			  NS_TA_WINDOW_UPDATE);
	ck_assert_uint_eq(seg_w(S, ACK, 5001, 1001, 0, 30000),
			  NS_TA_DUPLICATE_ACK);
}
END_TEST

START_TEST(zero_window_and_probe)
{
	reset();
	handshake();
	seg(C, PSH | ACK, 1001, 5001, 100);
	ck_assert_uint_eq(seg_w(S, ACK, 5001, 1101, 0, 0), NS_TA_ZERO_WINDOW);
	ck_assert_str_eq(conn.history, "ShADaw");
	/* one byte at the edge of the closed window */
	ck_assert_uint_eq(seg(C, ACK, 1101, 5001, 1), NS_TA_ZERO_WINDOW_PROBE);
	/* not taken into the sequence space */
	ck_assert_uint_eq(conn.d[C].nextseq, 1101);
	ck_assert_uint_eq(seg_w(S, ACK, 5001, 1101, 0, 0),
			  NS_TA_ZERO_WINDOW | NS_TA_ZERO_WINDOW_PROBE_ACK);
	/* the window opens */
	ck_assert_uint_eq(seg_w(S, ACK, 5001, 1101, 0, 8192),
			  NS_TA_WINDOW_UPDATE);
	/* flags never count as a zero window on SYN, FIN or RST */
	ck_assert_uint_eq(
	    seg_w(S, FIN | ACK, 5001, 1101, 0, 0) & NS_TA_ZERO_WINDOW, 0);
}
END_TEST

START_TEST(window_full)
{
	reset();
	win[S] = 200; /* no window scale option: raw windows */
	handshake();
	ck_assert_uint_eq(seg(C, PSH | ACK, 1001, 5001, 150), 0);
	ck_assert_uint_eq(seg(C, PSH | ACK, 1151, 5001, 50), NS_TA_WINDOW_FULL);
	ck_assert_uint_eq(res.bytes_in_flight, 200);
}
END_TEST

START_TEST(window_scaling)
{
	reset();
	struct ns_tcp_seginfo si = {.seq = 1000,
				    .flags = SYN,
				    .window = 64240,
				    .wscale = 7,
				    .frame = 1,
				    .ts = 1};
	ns_tcp_conn_update(&conn, C, 0, &si, &res);
	ck_assert_int_eq(res.win_size, 64240); /* SYNs are not scaled */
	si = (struct ns_tcp_seginfo){.seq = 5000,
				     .ack = 1001,
				     .flags = SYN | ACK,
				     .window = 65160,
				     .wscale = 8,
				     .frame = 2,
				     .ts = 2};
	ns_tcp_conn_update(&conn, S, 0, &si, &res);
	si = (struct ns_tcp_seginfo){.seq = 1001,
				     .ack = 5001,
				     .flags = ACK,
				     .window = 502,
				     .wscale = -1,
				     .frame = 3,
				     .ts = 3};
	ns_tcp_conn_update(&conn, C, 0, &si, &res);
	ck_assert_int_eq(res.win_scale, 128);
	ck_assert_int_eq(res.win_size, 502 << 7);
	/* the server's SYN-ACK without the option: no scaling either way */
	reset();
	si = (struct ns_tcp_seginfo){.seq = 1000,
				     .flags = SYN,
				     .window = 1,
				     .wscale = 7,
				     .frame = 1,
				     .ts = 1};
	ns_tcp_conn_update(&conn, C, 0, &si, &res);
	si = (struct ns_tcp_seginfo){.seq = 5000,
				     .ack = 1001,
				     .flags = SYN | ACK,
				     .window = 1,
				     .wscale = -1,
				     .frame = 2,
				     .ts = 2};
	ns_tcp_conn_update(&conn, S, 0, &si, &res);
	si = (struct ns_tcp_seginfo){.seq = 1001,
				     .ack = 5001,
				     .flags = ACK,
				     .window = 502,
				     .wscale = -1,
				     .frame = 3,
				     .ts = 3};
	ns_tcp_conn_update(&conn, C, 0, &si, &res);
	ck_assert_int_eq(res.win_scale, -2);
	ck_assert_int_eq(res.win_size, 502);
	/* mid-stream: the scale is unknown */
	reset();
	seg(C, ACK, 1, 1, 0);
	ck_assert_int_eq(res.win_scale, -1);
}
END_TEST

START_TEST(keep_alive)
{
	reset();
	handshake();
	seg(C, PSH | ACK, 1001, 5001, 100);
	seg(S, ACK, 5001, 1101, 0);
	step = 60000 * MS;
	/* one before the next sequence number, with no data or one byte */
	ck_assert_uint_eq(seg(C, ACK, 1100, 5001, 0), NS_TA_KEEP_ALIVE);
	step = MS;
	ck_assert_uint_eq(seg(S, ACK, 5001, 1101, 0), NS_TA_KEEP_ALIVE_ACK);
	step = 60000 * MS;
	ck_assert_uint_eq(seg(C, ACK, 1100, 5001, 1), NS_TA_KEEP_ALIVE);
	/* keep-alives are not retransmissions */
	ck_assert_uint_eq(conn.d[C].retrans, 0);
	ck_assert_str_eq(conn.history, "ShADa");
}
END_TEST

START_TEST(times)
{
	reset();
	struct ns_tcp_seginfo si = {
	    .seq = 1000, .flags = SYN, .wscale = -1, .frame = 1, .ts = 10 * MS};
	ns_tcp_conn_update(&conn, C, 10 * MS, &si, &res);
	ck_assert_int_eq(res.time_rel, 0);
	ck_assert_int_eq(res.time_delta, 0);
	si = (struct ns_tcp_seginfo){.seq = 5000,
				     .ack = 1001,
				     .flags = SYN | ACK,
				     .wscale = -1,
				     .frame = 2,
				     .ts = 13 * MS};
	ns_tcp_conn_update(&conn, S, 10 * MS, &si, &res);
	ck_assert_int_eq(res.time_rel, 3 * MS);
	ck_assert_int_eq(res.time_delta, 3 * MS);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(ns_tcp_state_name(200), "?");
	ck_assert_str_eq(ns_tcp_event_name(200), "");
	ck_assert_str_eq(ns_tcp_event_name(NS_TE_NONE), "");
}
END_TEST

/* ---- through the engine: packets, streams, the text line ------------------
 */

static struct ns_engine eng;

static void eng_setup(void)
{
	tu_setup();
	ck_assert_int_eq(ns_engine_init(&eng, 0), 0);
}

static void eng_teardown(void)
{
	ns_engine_finish(&eng);
	tu_teardown();
}

/* Ethernet/IPv4/TCP between A:33333 (the client) and B:80; from_server
 * swaps addresses and ports.  Kept in a static frame until the next call. */
static struct ns_packet *packet(int from_server, uint16_t flags, uint32_t seq,
				uint32_t ack, const char *payload)
{
	static struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t ip = tu_ipv4(&f, 6);
	size_t tcp = tu_put16(&f, TU_PORT_A);
	tu_put16(&f, 80);
	tu_put32(&f, seq);
	tu_put32(&f, ack);
	tu_put16(&f, (uint16_t)(5 << 12 | flags));
	tu_put16(&f, 65535);
	tu_put16(&f, 0);
	tu_put16(&f, 0);
	tu_put(&f, (const uint8_t *)payload, strlen(payload));
	tu_ipv4_end(&f, ip);
	if (from_server) {
		uint8_t t[4];
		memcpy(t, f.b + ip + 12, 4);
		memcpy(f.b + ip + 12, f.b + ip + 16, 4);
		memcpy(f.b + ip + 16, t, 4);
		memcpy(t, f.b + tcp, 2);
		memcpy(f.b + tcp, f.b + tcp + 2, 2);
		memcpy(f.b + tcp + 2, t, 2);
	}
	frame++;
	now += step;
	ns_pkt_begin(&tu_pkt, frame, now, now, (uint32_t)f.n, (uint32_t)f.n,
		     TU_LT_EN10MB, f.b);
	tu_pkt.ts_digits = 6;
	tu_pkt.eng = &eng;
	ns_dissect(&tu_pkt);
	tu_assert_ok(&tu_pkt);
	return &tu_pkt;
}

#define assert_line_has(pkt, s)                                                \
	ck_assert_msg(strstr(tu_summary(pkt), (s)) != NULL,                    \
		      "summary lacks \"%s\": %s", (s), tu_summary(pkt))
#define assert_line_lacks(pkt, s)                                              \
	ck_assert_msg(strstr(tu_summary(pkt), (s)) == NULL,                    \
		      "summary has \"%s\": %s", (s), tu_summary(pkt))

START_TEST(text_line_events)
{
	reset();
	struct ns_packet *p = packet(C, SYN, 1000, 0, "");
	ck_assert_uint_eq(tu_uint(p, "tcp.stream"), 0);
	ck_assert_str_eq(tu_value(p, "tcp.conn.state"), "S0");
	/* the flags say it: no event bracket for the SYN */
	assert_line_lacks(p, "[SYN] Seq=0 Win=65535 Len=0 [");
	p = packet(S, SYN | ACK, 5000, 1001, "");
	ck_assert_str_eq(tu_value(p, "tcp.conn.event"), "SYN-ACK");
	p = packet(C, ACK, 1001, 5001, "");
	assert_line_has(p, " [established rtt=2.000ms]");
	ck_assert_str_eq(tu_value(p, "tcp.conn.history"), "ShA");
	p = packet(C, FIN | ACK, 1001, 5001, "");
	assert_line_has(p, " [FIN client]");
	p = packet(S, FIN | ACK, 5001, 1002, "");
	assert_line_has(p, " [FIN server]");
	p = packet(C, ACK, 1002, 5002, "");
	assert_line_has(p, " [closed]");
	ck_assert_str_eq(tu_value(p, "tcp.conn.state"), "SF");

	/* port reuse: a new SYN on the same 4-tuple is a new stream */
	p = packet(C, SYN, 9000, 0, "");
	ck_assert_uint_eq(tu_uint(p, "tcp.stream"), 1);
	ck_assert_ptr_nonnull(tu_find(p, "tcp.analysis.reused_ports"));
	assert_line_has(p, "[TCP Port numbers reused]");
	ck_assert_str_eq(tu_value(p, "tcp.conn.history"), "S");
	p = packet(S, RST | ACK, 0, 9001, "");
	assert_line_has(p, " [refused]");
	ck_assert_str_eq(tu_value(p, "tcp.conn.state"), "REJ");
	ck_assert_uint_eq(tu_uint(p, "tcp.stream"), 1);
	/* the refused SYN again, same ISN: same stream, no reuse */
	p = packet(C, SYN, 9000, 0, "");
	ck_assert_uint_eq(tu_uint(p, "tcp.stream"), 1);
	ck_assert_ptr_null(tu_find(p, "tcp.analysis.reused_ports"));
	ck_assert_uint_eq(eng.flows.stats.created[0], 2);
}
END_TEST

START_TEST(text_line_reset_and_midstream)
{
	reset();
	struct ns_packet *p = packet(S, PSH | ACK, 5001, 1001, "hello");
	assert_line_has(p, " [mid-stream]");
	ck_assert_uint_eq(tu_uint(p, "tcp.seq"), 1);
	/* a mid-stream flow's client is its first sender (here B:80), so
	 * A's RST is the server's */
	p = packet(C, RST | ACK, 1001, 5006, "");
	assert_line_has(p, " [reset by server]");
	ck_assert_str_eq(tu_value(p, "tcp.conn.state"), "OTH");

	/* a new connection on the same ports (a new ISN), reset by its
	 * server once established */
	p = packet(C, SYN, 100, 0, "");
	ck_assert_uint_eq(tu_uint(p, "tcp.stream"), 1);
	packet(S, SYN | ACK, 200, 101, "");
	packet(C, ACK, 101, 201, "");
	p = packet(S, RST | ACK, 201, 101, "");
	assert_line_has(p, " [reset by server]");
	ck_assert_str_eq(tu_value(p, "tcp.conn.state"), "RSTR");
}
END_TEST

/* A run whose only reader of packets names its fields (-z expert) records
 * those alone, the ones brief mode leaves out (the stream, a flag bit)
 * included, and the connection is tracked as ever. */
START_TEST(named_fields_only)
{
	reset();
	static const char *const want[] = {"tcp.flags", "tcp.stream",
					   "tcp.flags.syn"};
	uint32_t n = ns_field_count();
	uint8_t *named = calloc(n, 1);
	ck_assert_ptr_nonnull(named);
	for (unsigned i = 0; i < 3; i++)
		named[tu_field(want[i])->id] = 1;
	eng.summary_only = 1;
	ns_pkt_keep_fields(&tu_pkt, 0);
	ns_pkt_name_fields(&tu_pkt, named, n);
	packet(C, SYN, 1000, 0, "");
	struct ns_packet *p = packet(S, SYN | ACK, 5000, 1001, "");
	ck_assert_uint_eq(p->nfv, 3);
	ck_assert_uint_eq(tu_uint(p, "tcp.flags"), SYN | ACK);
	ck_assert_uint_eq(tu_uint(p, "tcp.stream"), 0);
	ck_assert_uint_eq(tu_uint(p, "tcp.flags.syn"), 1);
	p = packet(C, ACK, 1001, 5001, "");
	ck_assert_uint_eq(p->nfv, 3);
	ck_assert_uint_eq(tu_uint(p, "tcp.flags.syn"), 0);
	/* named but fields kept: everything, as without names */
	ns_pkt_keep_fields(&tu_pkt, 1);
	p = packet(C, ACK, 1001, 5001, "x");
	ck_assert_ptr_nonnull(tu_find(p, "ip.src"));
	ck_assert_ptr_nonnull(tu_find(p, "tcp.seq"));
	ns_pkt_name_fields(&tu_pkt, NULL, 0);
	eng.summary_only = 0;
	free(named);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tcpconn");
	TCase *tc = tu_tcase("states");
	tcase_add_checked_fixture(tc, NULL, conn_teardown);
	tcase_add_test(tc, normal_client_closes);
	tcase_add_test(tc, normal_server_closes);
	tcase_add_test(tc, fin_ack_fin);
	tcase_add_test(tc, simultaneous_open);
	tcase_add_test(tc, simultaneous_close);
	tcase_add_test(tc, reset_by_client);
	tcase_add_test(tc, reset_by_server);
	tcase_add_test(tc, reset_while_closing);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, rst_not_refused_after_synack);
	tcase_add_test(tc, rstos0);
	tcase_add_test(tc, half_open_s0);
	tcase_add_test(tc, half_open_synack_no_ack);
	tcase_add_test(tc, synack_first);
	tcase_add_test(tc, rstrh);
	tcase_add_test(tc, shr);
	tcase_add_test(tc, sh);
	tcase_add_test(tc, midstream_data);
	tcase_add_test(tc, ack_without_syn);
	tcase_add_test(tc, fin_without_handshake);
	tcase_add_test(tc, rst_without_handshake);
	tcase_add_test(tc, invalid_transitions);
	tcase_add_test(tc, odd_flags_history);
	tcase_add_test(tc, history_once);
	tcase_add_test(tc, is_new_connection);
	tcase_add_test(tc, sequence_wrap);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	tc = tu_tcase("analysis");
	tcase_add_checked_fixture(tc, NULL, conn_teardown);
	tcase_add_test(tc, retransmission);
	tcase_add_test(tc, spurious_retransmission);
	tcase_add_test(tc, out_of_order_and_lost);
	tcase_add_test(tc, ack_of_unseen_segment);
	tcase_add_test(tc, duplicate_ack_and_fast_retransmission);
	tcase_add_test(tc, window_update_is_not_dup_ack);
	tcase_add_test(tc, zero_window_and_probe);
	tcase_add_test(tc, window_full);
	tcase_add_test(tc, window_scaling);
	tcase_add_test(tc, keep_alive);
	tcase_add_test(tc, times);
	suite_add_tcase(s, tc);
	tc = tcase_create("engine");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, eng_setup, eng_teardown);
	tcase_add_checked_fixture(tc, NULL, conn_teardown);
	tcase_add_test(tc, named_fields_only);
	tcase_add_test(tc, text_line_events);
	tcase_add_test(tc, text_line_reset_and_midstream);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
