#!/bin/sh
# fuzz/run.sh [-t TARGET] [SECONDS] — build fuzz/fuzz_TARGET out of tree,
# make its seeds from the test and shared captures, and run libFuzzer for
# SECONDS (default 600).  TARGET: packet (default), read, http2, tls, h3,
# dfilter.  At the end it prints the run's figures: executions, coverage
# (libFuzzer's cov: edges and ft: features), corpus units, CPU seconds.
#
# Layout (all git-ignored):
#   build-fuzz/src/          mirror of the source tree, configured with
#                            CC=clang --enable-fuzzing (the main tree is
#                            configured in place, which rules out a VPATH
#                            build, so we build in a mirror that is refreshed
#                            file by file: make rebuilds only what changed)
#   fuzz/seeds/TARGET/             the seeds (make-seeds.py --target)
#   fuzz/fuzz-out/TARGET/corpus/   what libFuzzer found; kept between runs
#   fuzz/fuzz-out/TARGET/artifacts/ crash-, leak-, timeout-, oom- reproducers
#   fuzz/fuzz-out/TARGET/fuzz.log  the last run's output
#
# Environment: NS_CORPUS (default ../shared/corpus), FUZZ_JOBS (parallel
# workers with libFuzzer's -fork, default 1), FUZZ_ARGS (extra libFuzzer
# flags), CC (default clang).
#
# Exit status: 0 when the run found nothing, 1 when it left a reproducer
# (crash, leak, UB, timeout or OOM), 2 on a build or usage error.
#
# Reproduce a finding:  build-fuzz/src/fuzz/fuzz_TARGET fuzz/fuzz-out/TARGET/artifacts/<file>
set -eu

usage() {
	echo "usage: fuzz/run.sh [-t packet|read|http2|tls|dfilter|h3] [SECONDS]" >&2
	exit 2
}
target=packet
if [ "${1:-}" = -t ]; then
	[ $# -ge 2 ] || usage
	target=$2
	shift 2
fi
case $target in
packet | read | http2 | tls | dfilter | h3) ;;
*) usage ;;
esac
duration=${1:-600}
case $duration in
'' | *[!0-9]*) usage ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
corpus_shared=${NS_CORPUS:-$top/../shared/corpus}
jobs=${FUZZ_JOBS:-1}
cc=${CC:-clang}
build=$top/build-fuzz
mirror=$build/src
out=$top/fuzz/fuzz-out/$target
seeds=$top/fuzz/seeds/$target

die() {
	echo "fuzz/run.sh: $*" >&2
	exit 2
}

# ---- build -------------------------------------------------------------------
mkdir -p "$mirror"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# tracked and untracked-but-not-ignored files: the source as it is now
	git -C "$top" ls-files -z -co --exclude-standard |
		(cd "$top" && xargs -0 sh -c '
			for f; do
				[ -f "$f" ] || continue
				d=$0/$f
				if ! cmp -s "$f" "$d"; then
					mkdir -p "$(dirname "$d")" && cp -p "$f" "$d"
				fi
			done' "$mirror") || die "cannot mirror the source tree"
else
	die "not a git checkout: run ./configure CC=clang --enable-fuzzing && make fuzz/fuzz_packet in a clean copy"
fi

cd "$mirror"
# autoreconf ourselves when the build files changed: make's own rebuild rule
# runs automake without --add-missing and fails when a new feature (say,
# parallel-tests) needs an auxiliary file the mirror does not have yet
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	[ ! -f Makefile.in ] || [ Makefile.am -nt Makefile.in ]; then
	echo "fuzz/run.sh: autoreconf" >&2
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi || die "autoreconf failed"
fi
if [ ! -f config.status ] || [ configure -nt config.status ]; then
	echo "fuzz/run.sh: configure CC=$cc --enable-fuzzing" >&2
	./configure -q CC="$cc" --enable-fuzzing ||
		die "configure failed (see $mirror/config.log)"
fi
make -s -j"$(nproc 2>/dev/null || echo 2)" "fuzz/fuzz_$target" || die "build failed"
fuzzer=$mirror/fuzz/fuzz_$target

# ---- seeds -------------------------------------------------------------------
cd "$top"
seed_paths=
[ -d tests/pcaps ] && seed_paths="tests/pcaps"
if [ -d "$corpus_shared" ]; then
	seed_paths="$seed_paths $corpus_shared"
else
	echo "fuzz/run.sh: warning: no shared corpus at $corpus_shared" >&2
fi
mkdir -p "$seeds" "$out/corpus" "$out/artifacts"
# shellcheck disable=SC2086
[ -n "$seed_paths" ] && python3 fuzz/make-seeds.py --target "$target" \
	-o "$seeds" $seed_paths

# ---- fuzz --------------------------------------------------------------------
sym=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
[ -n "$sym" ] && export ASAN_SYMBOLIZER_PATH="$sym"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

stamp=$out/.run-start
: >"$stamp"
fork=
[ "$jobs" -gt 1 ] && fork="-fork=$jobs"
# a capture file is bigger than a packet; filters are short
case $target in
read) extra="-max_len=262144" ;;
dfilter) extra="-max_len=4096 -dict=$top/fuzz/dfilter.dict" ;;
*) extra="-max_len=65535" ;;
esac
echo "fuzz/run.sh: fuzzing fuzz_$target for ${duration}s ($jobs worker(s)); log in $out/fuzz.log" >&2
set +e
# shellcheck disable=SC2086
/usr/bin/time -f "fuzz/run.sh: %U s user + %S s system CPU, %M KiB peak RSS" \
	-o "$out/cpu" "$fuzzer" $fork $extra -max_total_time="$duration" \
	-timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$out/artifacts/" ${FUZZ_ARGS:-} \
	"$out/corpus" "$seeds" >"$out/fuzz.log" 2>&1
rc=$?
set -e
grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|stat::" "$out/fuzz.log" >&2 || tail -n 25 "$out/fuzz.log" >&2
cat "$out/cpu" >&2

found=$(find "$out/artifacts" -type f -newer "$stamp" | sort)
if [ -n "$found" ] || [ "$rc" -ne 0 ]; then
	echo "fuzz/run.sh: FAILED (libFuzzer exit $rc); reproducers:" >&2
	for f in $found; do
		echo "  $fuzzer $f" >&2
	done
	exit 1
fi
echo "fuzz/run.sh: no crash, leak or UB in ${duration}s" \
	"($(find "$out/corpus" -type f | wc -l) corpus units)" >&2
exit 0
