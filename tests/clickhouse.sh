#!/bin/bash
# contrib/clickhouse against a real ClickHouse server (issue 19): the test
# starts Debian's clickhouse-server (18.16) on 127.0.0.1 with a config of
# its own in a temporary directory (as the clickhouse user when run as
# root), loads contrib/clickhouse/schema.sql, and then the transaction
# records (--records) of several bundled captures, each as if from another
# sensor (--sensor nodeN), all at once through contrib/clickhouse/
# netscope-clickhouse.  Checks: every line is a row of its type's table (0
# rejected; an unknown field is an error), and per sensor and gRPC method
# the server's count, status mix and quantileExact latencies are
# netscope's own -z grpc,srt (tests/clickhouse_oracle.py, which also
# checks that quantileExact(p - 1e-9) is netscope's nearest rank); the
# example queries (contrib/clickhouse/queries.sql) run.  Skipped (77)
# where clickhouse-server is not installed.
. "${srcdir:-.}/tests/testlib.sh"
CONTRIB=$(cd "${srcdir:-.}/contrib/clickhouse" && pwd)
ORACLE=$(cd "${srcdir:-.}/tests" && pwd)/clickhouse_oracle.py
SERVER=$(PATH=$PATH:/usr/sbin command -v clickhouse-server)
if [ -z "$SERVER" ] || ! command -v clickhouse-client >/dev/null; then
	echo "SKIP: clickhouse-server not installed (Debian: clickhouse-server, clickhouse-client)"
	exit 77
fi
# root runs the server as its own user, as the package does
AS=()
if [ "$(id -u)" = 0 ]; then
	id clickhouse >/dev/null 2>&1 || {
		echo "SKIP: no clickhouse user to run clickhouse-server as"
		exit 77
	}
	AS=(setpriv --reuid=clickhouse --regid=clickhouse --init-groups --)
fi

CH=$TMP/ch # the server's own directory: data, temporary files, logs
server_pid=
stop_server() {
	[ -n "$server_pid" ] || return 0
	kill "$server_pid" 2>/dev/null
	# it shuts down in about a second; never hang the suite on it
	for _ in $(seq 100); do
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=
}
trap 'stop_server; rm -rf "$TMP"' EXIT

# Two free ports on 127.0.0.1 (native protocol, HTTP), from the kernel
free_ports() {
	python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))'
}

write_config() { # TCP-PORT HTTP-PORT
	mkdir -p "$CH/data" "$CH/tmp" "$CH/user_files" "$CH/format_schemas" \
		"$CH/log"
	# no interserver port, no ZooKeeper, no remote servers: one server on
	# loopback; users: default, no password, from 127.0.0.1 only
	cat >"$CH/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level>
    <log>$CH/log/server.log</log>
    <errorlog>$CH/log/server.err.log</errorlog>
    <console>0</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$1</tcp_port>
  <http_port>$2</http_port>
  <path>$CH/data/</path>
  <tmp_path>$CH/tmp/</tmp_path>
  <user_files_path>$CH/user_files/</user_files_path>
  <format_schema_path>$CH/format_schemas/</format_schema_path>
  <users_config>$CH/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
</yandex>
EOF
	cat >"$CH/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
EOF
	[ ${#AS[@]} = 0 ] || chown -R clickhouse: "$CH"
}

# Start the server and wait until it answers (up to 60 s); a port taken
# between free_ports and the server's bind is retried with others.
start_server() {
	local i
	for _ in 1 2 3; do
		read -r PORT HTTP_PORT < <(free_ports)
		write_config "$PORT" "$HTTP_PORT"
		"${AS[@]}" "$SERVER" --config-file="$CH/config.xml" \
			>"$TMP/server.out" 2>&1 &
		server_pid=$!
		for i in $(seq 600); do
			clickhouse-client --port "$PORT" --query 'SELECT 1' \
				>/dev/null 2>&1 && return 0
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		tail -5 "$CH/log/server.err.log" "$TMP/server.out" 2>/dev/null
		stop_server
	done
	return 1
}

chmod 711 "$TMP" # the server's user walks through to $CH
if ! start_server; then
	echo "FAIL: clickhouse-server did not start"
	exit 1
fi
CLIENT=(clickhouse-client --host 127.0.0.1 --port "$PORT")
echo "clickhouse-server $("${CLIENT[@]}" --query 'SELECT version()') on 127.0.0.1:$PORT"

check "quantileExact(p - 1e-9) is nearest rank (n <= 1e5)" \
	python3 "$ORACLE" nearest-rank "${CLIENT[@]}"

check "schema.sql loads" "${CLIENT[@]}" --multiquery <"$CONTRIB/schema.sql"
check "schema.sql loads again (IF NOT EXISTS)" \
	"${CLIENT[@]}" --multiquery <"$CONTRIB/schema.sql"

# JSONEachRow on 18.16, in a scratch copy of the grpc table: a key the
# table does not know is an error (no input_format_skip_unknown_fields); a
# null literal is NULL; an absent key NULL or the type's default
"${CLIENT[@]}" --multiquery --query 'CREATE DATABASE probe;
	CREATE TABLE probe.grpc AS netscope.grpc'
probe() { # JSON-LINE
	echo "$1" | "${CLIENT[@]}" --query 'INSERT INTO probe.grpc FORMAT JSONEachRow'
}
check "an unknown field is an error" sh -c "! echo '{\"ts\":1.5,\"nosuch\":1}' |
	${CLIENT[*]} --query 'INSERT INTO probe.grpc FORMAT JSONEachRow' 2>'$TMP/probe.err'"
check "... that names the field" grep -q 'Unknown field.*nosuch' "$TMP/probe.err"
check "null literal, dotted names, big ts" probe '{"ts":1712345678.123456789,
"id.orig_h":"::1","latency":null,"web":1,"request_headers":["a: b"]}'
check "absent fields: NULL or default" test "$("${CLIENT[@]}" --query \
	"SELECT ts, \`id.orig_h\`, latency, ttfm, web, request_headers, method,
	status FROM probe.grpc FORMAT TSV")" = \
	"$(printf '1712345678.1234567\t::1\t\\N\t\\N\t1\t['"'a: b'"']\t\t\\N')"

# records of several captures, each from a sensor of its own, loaded at
# once through the loader (several sensors feeding one server)
captures=(grpc-latency grpc-errors grpc-inference grpc-web
	tls13-grpc-mtls:--tls-keylog="$PCAPS/tls13-grpc-mtls.keys" dns-udp
	dns-tcp sse-h2 sse-http1 tcp-ipv6-http tcp-http-keepalive)
specs=()
loaders=()
i=0
for c in "${captures[@]}"; do
	i=$((i + 1))
	f=${c%%:*}
	opt=()
	[ "$f" = "$c" ] || opt=("${c#*:}")
	"$NS" read -q "${opt[@]}" -T ndjson -z grpc,srt "$PCAPS/$f.pcap" \
		>"$TMP/node$i.srt" || {
		echo "FAIL: grpc,srt of $f"
		fail=1
	}
	"$NS" read -q "${opt[@]}" --sensor "node$i" --records - \
		"$PCAPS/$f.pcap" >"$TMP/node$i.records" || {
		echo "FAIL: --records of $f"
		fail=1
	}
	sh "$CONTRIB/netscope-clickhouse" --host 127.0.0.1 --port "$PORT" \
		<"$TMP/node$i.records" 2>"$TMP/node$i.load" &
	loaders+=($!)
	specs+=("node$i:$TMP/node$i.records:$TMP/node$i.srt")
done
# and sensor "every": every bundled capture's records, with the payload
# arrays (--records-payload): each key of each record type has its column
for f in "$PCAPS"/*.pcap; do
	k=${f%.pcap}.keys
	opt=()
	[ -f "$k" ] && opt=(--tls-keylog "$k")
	"$NS" read -q "${opt[@]}" --sensor every --records - --records-payload \
		"$f" 2>>"$TMP/every.err" || {
		echo "FAIL: --records of $f" >&2
		fail=1
	}
done >"$TMP/every.records"
sh "$CONTRIB/netscope-clickhouse" --host 127.0.0.1 --port "$PORT" \
	<"$TMP/every.records" 2>"$TMP/every.load" &
loaders+=($!)
specs+=("every:$TMP/every.records:")
i=0
for p in "${loaders[@]}"; do
	i=$((i + 1))
	s=${specs[i - 1]%%:*}
	check "$s: the loader loads every record" wait "$p" ||
		cat "$TMP/$s.load"
done
# the loader streams: with NETSCOPE_CH_BLOCK=2, two records are rows
# while its input is still open, the third one at the end
rows_of() { # SENSOR
	"${CLIENT[@]}" --query "SELECT count() FROM netscope.grpc
		WHERE sensor = '$1'"
}
grep -F '"record":"grpc"' "$TMP/node1.records" | head -3 |
	sed 's/"sensor":"node1"/"sensor":"live"/' >"$TMP/live.records"
mkfifo "$TMP/live"
NETSCOPE_CH_BLOCK=2 sh "$CONTRIB/netscope-clickhouse" --host 127.0.0.1 \
	--port "$PORT" <"$TMP/live" &
live=$!
exec 3>"$TMP/live"
head -2 "$TMP/live.records" >&3
for _ in $(seq 300); do
	[ "$(rows_of live)" = 2 ] && break
	sleep 0.1
done
check "streaming: a block of 2 rows while the input is open" \
	test "$(rows_of live)" = 2
tail -1 "$TMP/live.records" >&3
exec 3>&-
check "... the rest at its end" wait "$live"
check "... 3 rows" test "$(rows_of live)" = 3
# a record the schema does not know stops the loader: exit 1, the reason
echo '{"ts":1.5,"record":"dns","nosuch":1}' |
	sh "$CONTRIB/netscope-clickhouse" --host 127.0.0.1 --port "$PORT" \
		2>"$TMP/bad.err"
check "an unknown field: the loader exits 1" test $? = 1
check "... and says which" grep -q 'Unknown field.*nosuch' "$TMP/bad.err"

check "every sensor's records: rows, and per method calls, status and quantiles = grpc,srt" \
	python3 "$ORACLE" compare "${CLIENT[@]}" -- "${specs[@]}"

check "every query of queries.sql answers" \
	python3 "$ORACLE" queries "${CLIENT[@]}" -- "$CONTRIB/queries.sql"

echo "$n checks"
exit $fail
