-- netscope transaction records (--records, schema_version 1) in ClickHouse.
--
--   clickhouse-client --multiquery < contrib/clickhouse/schema.sql
--
-- One table per record type, its columns named and typed as the record's
-- JSON keys (man netscope, RECORDS), so that each line loads as it is with
--   INSERT INTO netscope.<record> FORMAT JSONEachRow
-- and a key the table does not know is an error rather than lost data (do
-- not set input_format_skip_unknown_fields).  A key the record leaves out
-- (unknown to netscope) is NULL in a Nullable column and the type's
-- default ('' , 0, []) in the others.  The payload arrays are filled only
-- with --records-payload.
--
-- Written for the oldest server in use, Debian 12's clickhouse-server
-- 18.16: no DateTime64, no LowCardinality (experimental there), and no
-- DEFAULT expressions (JSONEachRow fills a missing column with the type's
-- default, not the expression).  ts stays the record's Float64 seconds;
-- the tables are partitioned by its day and sorted by sensor and time.
-- The dotted Zeek names (id.orig_h) are plain columns, backquoted.
-- grpc.status is Nullable although a number in every call that has one:
-- a call that ended without a status has none, and 0 would read as OK.

CREATE DATABASE IF NOT EXISTS netscope;

CREATE TABLE IF NOT EXISTS netscope.conn (
    ts Float64,
    record String,
    schema_version UInt16,
    sensor String,
    uid String,
    proto String,
    stream UInt32,
    `id.orig_h` String,
    `id.orig_p` UInt16,
    `id.resp_h` String,
    `id.resp_p` UInt16,
    duration Float64,
    conn_state String,
    history String,
    rtt Nullable(Float64),
    orig_pkts UInt64,
    orig_frame_bytes UInt64,
    resp_pkts UInt64,
    resp_frame_bytes UInt64,
    orig_retrans UInt64,
    resp_retrans UInt64,
    service String
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(toDateTime(toUInt32(ts)))
ORDER BY (sensor, ts);

CREATE TABLE IF NOT EXISTS netscope.dns (
    ts Float64,
    record String,
    schema_version UInt16,
    sensor String,
    uid String,
    proto String,
    stream UInt32,
    `id.orig_h` String,
    `id.orig_p` UInt16,
    `id.resp_h` String,
    `id.resp_p` UInt16,
    trans_id UInt16,
    query String,
    qtype UInt16,
    qtype_name String,
    rcode Nullable(UInt16),
    rcode_name String,
    answers Array(String),
    rtt Nullable(Float64),
    answered UInt8,
    unsolicited UInt8
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(toDateTime(toUInt32(ts)))
ORDER BY (sensor, ts);

CREATE TABLE IF NOT EXISTS netscope.tls (
    ts Float64,
    record String,
    schema_version UInt16,
    sensor String,
    uid String,
    proto String,
    stream UInt32,
    `id.orig_h` String,
    `id.orig_p` UInt16,
    `id.resp_h` String,
    `id.resp_p` UInt16,
    version String,
    cipher String,
    server_name String,
    next_protocol String,
    client_alpn String,
    ja3 String,
    ja3s String,
    ja4 String,
    established UInt8,
    handshake_time Nullable(Float64),
    hrr UInt8,
    subject String,
    issuer String,
    san Array(String),
    client_subject String,
    client_issuer String,
    client_san Array(String),
    cert_requested UInt8,
    client_cert UInt8,
    server_id String,
    client_id String,
    alert String
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(toDateTime(toUInt32(ts)))
ORDER BY (sensor, ts);

CREATE TABLE IF NOT EXISTS netscope.http (
    ts Float64,
    record String,
    schema_version UInt16,
    sensor String,
    uid String,
    proto String,
    stream UInt32,
    `id.orig_h` String,
    `id.orig_p` UInt16,
    `id.resp_h` String,
    `id.resp_p` UInt16,
    method String,
    host String,
    uri String,
    version String,
    status_code Nullable(UInt16),
    request_body_len UInt64,
    response_body_len UInt64,
    content_type String,
    duration Nullable(Float64),
    ttfb Nullable(Float64),
    stream_id UInt32,
    `end` String,
    pushed UInt8,
    reset_code Nullable(UInt32),
    request_headers Array(String),
    response_headers Array(String),
    trailers Array(String),
    payload_truncated UInt8
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(toDateTime(toUInt32(ts)))
ORDER BY (sensor, ts);

CREATE TABLE IF NOT EXISTS netscope.grpc (
    ts Float64,
    record String,
    schema_version UInt16,
    sensor String,
    uid String,
    proto String,
    stream UInt32,
    `id.orig_h` String,
    `id.orig_p` UInt16,
    `id.resp_h` String,
    `id.resp_p` UInt16,
    method String,
    host String,
    version String,
    status Nullable(Int16),
    status_name String,
    message String,
    http_status Nullable(UInt16),
    latency Nullable(Float64),
    ttfm Nullable(Float64),
    request_messages UInt32,
    response_messages UInt32,
    request_bytes UInt64,
    response_bytes UInt64,
    gap_max Nullable(Float64),
    gap_mean Nullable(Float64),
    timeout Nullable(Float64),
    web UInt8,
    stream_id UInt32,
    `end` String,
    end_error String,
    request_headers Array(String),
    response_headers Array(String),
    trailers Array(String),
    request_msgs Array(String),
    response_msgs Array(String),
    payload_truncated UInt8
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(toDateTime(toUInt32(ts)))
ORDER BY (sensor, ts);

CREATE TABLE IF NOT EXISTS netscope.sse (
    ts Float64,
    record String,
    schema_version UInt16,
    sensor String,
    uid String,
    proto String,
    stream UInt32,
    `id.orig_h` String,
    `id.orig_p` UInt16,
    `id.resp_h` String,
    `id.resp_p` UInt16,
    method String,
    host String,
    uri String,
    version String,
    status_code Nullable(UInt16),
    events UInt32,
    ttfe Nullable(Float64),
    gap_max Nullable(Float64),
    gap_mean Nullable(Float64),
    done UInt8,
    truncated UInt32,
    retry Nullable(Int64),
    duration Nullable(Float64),
    stream_id UInt32,
    `end` String,
    request_headers Array(String),
    response_headers Array(String),
    trailers Array(String),
    payload_truncated UInt8
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(toDateTime(toUInt32(ts)))
ORDER BY (sensor, ts);
