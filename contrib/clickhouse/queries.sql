-- Example queries over netscope's transaction records in ClickHouse
-- (tables of contrib/clickhouse/schema.sql); each runs on 18.16:
--
--   clickhouse-client --multiquery < contrib/clickhouse/queries.sql
--
-- Times are seconds (Float64); * 1000 shows milliseconds.  To look at the
-- last hour only, add  WHERE ts > toUInt32(now()) - 3600.
--
-- Percentiles: netscope's (-z grpc,srt, the TUI) are nearest-rank, the
-- ceil(p*n)-th smallest value.  ClickHouse 18.16's quantileExact(p) is the
-- value at 0-based index floor(p*n) of the sorted values: one rank higher
-- where p*n is a whole number.  quantileExact(p - 1e-9) is nearest-rank p
-- exactly for p = .5, .9, .99 and up to 1e5 values (tests/clickhouse.sh
-- checks it), written as a literal (0.989999999): 18.16 takes only
-- literals as an aggregate function's parameters.  quantileExact keeps
-- every value in memory; quantile() (a sample of 8192) or quantileTDigest
-- are approximate and cheaper for large ranges.

-- p50, p90, p99 and max latency (ms) per gRPC method and sensor
SELECT sensor, method, count() AS calls,
    round(quantileExact(0.499999999)(latency) * 1000, 2) AS p50_ms,
    round(quantileExact(0.899999999)(latency) * 1000, 2) AS p90_ms,
    round(quantileExact(0.989999999)(latency) * 1000, 2) AS p99_ms,
    round(max(latency) * 1000, 2) AS max_ms
FROM netscope.grpc
GROUP BY sensor, method
ORDER BY p99_ms DESC
LIMIT 20;

-- gRPC error rate per method per minute (an error: any status but OK,
-- or none at all)
SELECT toStartOfMinute(toDateTime(toUInt32(ts))) AS minute, method,
    count() AS calls, countIf(ifNull(status, -1) != 0) AS errors,
    round(errors / calls, 3) AS error_rate
FROM netscope.grpc
GROUP BY minute, method
ORDER BY minute, method;

-- gRPC status mix per method
SELECT method, status_name, count() AS calls
FROM netscope.grpc
GROUP BY method, status_name
ORDER BY method, calls DESC;

-- top talkers: bytes on the wire per originating host, both directions
SELECT `id.orig_h` AS host, count() AS conns,
    sum(orig_frame_bytes) AS sent, sum(resp_frame_bytes) AS received,
    sent + received AS bytes
FROM netscope.conn
GROUP BY host
ORDER BY bytes DESC
LIMIT 10;

-- slowest DNS names: response time (ms) and unanswered queries
SELECT query, qtype_name, count() AS queries,
    countIf(answered = 0) AS unanswered,
    round(quantileExact(0.989999999)(rtt) * 1000, 3) AS p99_ms,
    round(max(rtt) * 1000, 3) AS max_ms
FROM netscope.dns
GROUP BY query, qtype_name
ORDER BY max_ms DESC
LIMIT 10;

-- TLS servers by SNI and version: connections, handshakes that failed,
-- handshake time, mutual TLS
SELECT server_name, version, next_protocol, count() AS conns,
    countIf(established = 0) AS failed,
    round(quantileExact(0.499999999)(handshake_time) * 1000, 2) AS hs_p50_ms,
    countIf(client_cert = 1) AS mtls, groupUniqArray(cipher) AS ciphers
FROM netscope.tls
GROUP BY server_name, version, next_protocol
ORDER BY conns DESC
LIMIT 20;

-- SSE streams: time to the first event (ms), events, longest gap
SELECT host, uri, count() AS streams, sum(events) AS events,
    round(quantileExact(0.499999999)(ttfe) * 1000, 2) AS ttfe_p50_ms,
    round(max(ttfe) * 1000, 2) AS ttfe_max_ms,
    round(max(gap_max) * 1000, 2) AS gap_max_ms
FROM netscope.sse
GROUP BY host, uri
ORDER BY ttfe_max_ms DESC;

-- slowest HTTP paths (not gRPC, not SSE)
SELECT method, host, uri, count() AS requests,
    round(quantileExact(0.989999999)(duration) * 1000, 2) AS p99_ms,
    countIf(status_code >= 500) AS errors_5xx
FROM netscope.http
GROUP BY method, host, uri
ORDER BY p99_ms DESC
LIMIT 10;

-- gRPC calls with the TLS of their connection: records of one connection
-- share uid, unique per sensor (and per run)
SELECT sensor, method, server_name, tls_version, count() AS calls
FROM netscope.grpc
ANY INNER JOIN (SELECT sensor, uid, server_name, version AS tls_version
    FROM netscope.tls) USING (sensor, uid)
GROUP BY sensor, method, server_name, tls_version
ORDER BY calls DESC;
