#!/usr/bin/env bash
# Runs the core, store, SSE and WebSocket benchmarks on this checkout and on an older build of
# Notify, alternating old and new so both see the same (shared, noisy) machine; prints the RESULT
# lines of each run, labelled. Ratios between neighbouring old/new runs are what count.
#
#   notify-bench/side-by-side.sh OLD_JARS_DIR [ROUNDS] [PARTS]
#
# OLD_JARS_DIR holds the old build: its jars (notify-bench-0.1.0-SNAPSHOT.jar, notify-server.jar, ...)
# and bench.cp, the old notify-bench classpath (its own third-party versions) with Notify's jars
# pointing into OLD_JARS_DIR. Make it from a commit with
#   git worktree add /tmp/notify-old COMMIT && cd /tmp/notify-old && M=/tmp/notify-old-m2 \
#   && mvn -q install -DskipTests -Dmaven.repo.local=$M && mkdir -p OLD && cp */target/*.jar OLD/ \
#   && mvn -q -pl notify-bench dependency:build-classpath -Dmaven.repo.local=$M -Dmdep.outputFile=/tmp/cp \
#   && sed "s#$M/dev/notify/[^:]*/\(notify-[a-z-]*-0.1.0-SNAPSHOT.jar\)#$PWD/OLD/\1#g" /tmp/cp > OLD/bench.cp
# The SSE runs warm up (25 broadcast rounds, 20 s of the latency load) and then pause 30 s before
# measuring, so that the JIT's compile queue drains first, as on a server that has run a while: on two
# cores the C2 compiler otherwise still works through the warm-up during the measured rounds, and the
# build with more code pays more of it inside its figures (docs/benchmarks.md, session 13). The core
# benchmark pauses 15 s after its warm-up rounds for the same reason.
# PARTS is a comma-separated subset of core,store,sse,ws (default all). Run `mvn -q install -DskipTests`
# here first. Everything the benchmarks write goes under their own temporary directories and is
# deleted by them.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${1:?usage: side-by-side.sh OLD_JARS_DIR [ROUNDS] [PARTS]}
ROUNDS=${2:-2}
PARTS=${3:-core,store,sse,ws}
OLD=$(cd "$OLD" && pwd)

mvn -q -o -pl notify-bench dependency:build-classpath -Dmdep.outputFile=target/bench-new.cp >/dev/null
NEW_CP="notify-bench/target/classes:$(cat notify-bench/target/bench-new.cp)"
OLD_CP="$OLD/notify-bench-0.1.0-SNAPSHOT.jar:$(cat "$OLD/bench.cp")"

load() { cut -d' ' -f1 /proc/loadavg; }

run() { # label classpath-or-jar part
  local label=$1 cp=$2 jar=$3 part=$4
  echo "---- $part, $label code, load $(load)"
  case $part in
    # this checkout's CoreBenchmark on both builds (it calls only the public API): the same settle pause and
    # the same per-thread CPU lines for both
    core)  java -Xms6g -Xmx6g -Dbench.settle-seconds=15 -cp "notify-bench/target/classes:$cp" \
             dev.notify.bench.core.CoreBenchmark 2>&1 | grep RESULT ;;
    store) java -Xms1g -Xmx4g -Dbench.db=h2 -cp "$cp" dev.notify.bench.store.StoreBenchmark 2>&1 \
             | grep -E 'notifications/s|deliveries/s|claim' ;;
    sse)   java -cp notify-bench/target/classes dev.notify.bench.sse.SseBenchmark --jar "$jar" \
             --idle 10000 --broadcast 10000 --rounds 8 --warmup-rounds 25 --settle-seconds 30 \
             --users 1000 --rate 1000 --seconds 10 --latency-warmup-seconds 20 --server-heap 2g 2>&1 \
             | grep -E '^== ' ;;
    ws)    java -Xmx2g -cp notify-bench/target/classes dev.notify.bench.ws.WsBenchmark --jar "$jar" \
             --connections 10000 --rounds 10 2>&1 | grep -E '^(RESULT|== )' ;;
  esac
}

for part in ${PARTS//,/ }; do
  for r in $(seq 1 "$ROUNDS"); do
    run old "$OLD_CP" "$OLD/notify-server.jar" "$part"
    run new "$NEW_CP" "notify-server/target/notify-server.jar" "$part"
  done
done
