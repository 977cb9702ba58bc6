#!/usr/bin/env bash
# Notify and the peers users would write instead, side by side in one run, one load client
# (peers/load.js) for all: Notify SSE and WebSocket (the built notify-server.jar, fresh, default
# settings but the access log, -Xmx1g), a hand-written Node SSE hub, a hand-written `ws` hub,
# Socket.IO 4 (websocket transport) and a bare Jetty 12 async-servlet SSE broadcaster
# (dev.notify.bench.peers.JettySseHub, -Xmx1g). Each target is started here, measured, stopped.
#
#   notify-bench/peers.sh [N] [TARGETS] [ROUNDS]      e.g. peers.sh 10000
#
# N connections (default 10000); TARGETS a comma-separated subset of
# notify-sse,node-sse,jetty-sse,notify-ws,ws,socketio (default all, in that order); ROUNDS how many
# times the whole list runs (default 1; targets alternate, so neighbours share the machine's mood).
# Extra JVM flags for Notify: NOTIFY_JAVA_OPTS, for the bare Jetty peer JETTY_JAVA_OPTS (NOTIFY_ENV: extra environment for it, e.g.
# MALLOC_ARENA_MAX=2); LOAD_ARGS: extra arguments of the load client (`--nmt DIR` writes NMT's diff over
# the first storm there, for JVMs started with -XX:NativeMemoryTracking=summary). Needs `mvn -o -q install -DskipTests` first (the
# server jar and notify-bench's classes), Node 18+ and npm (`npm ci` installs peers/ from its lock file).
# Prints one `RESULT {json}` line per target and the markdown table (peers/report.js).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
TARGETS=${2:-notify-sse,node-sse,jetty-sse,notify-ws,ws,socketio}
ROUNDS=${3:-1}
WORKERS=${WORKERS:-4}
API_KEY=bench-api-key-0123456789abcdef
JWT_SECRET=bench-jwt-secret-0123456789abcdef0123456789
export API_KEY JWT_SECRET
MVN_REPO=${MVN_REPO:+-Dmaven.repo.local=$MVN_REPO}

(cd notify-bench/peers && [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null)
mvn -q -o $MVN_REPO -pl notify-bench dependency:build-classpath -Dmdep.outputFile=target/peers.cp >/dev/null
BENCH_CP="notify-bench/target/classes:$(cat notify-bench/target/peers.cp)"
WORK=$(mktemp -d /tmp/notify-peers-XXXX)
RESULTS=$WORK/results.jsonl
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() { # target port -> sets SERVER (pid) and JVM
  local target=$1 port=$2
  JVM=
  case $target in
    notify-sse|notify-ws)
      env ${NOTIFY_ENV:-} java -Xmx1g ${NOTIFY_JAVA_OPTS:-} -jar notify-server/target/notify-server.jar --host 127.0.0.1 --port "$port" \
        --data-dir "$WORK/data-$port" --api-key "$API_KEY" --jwt-secret "$JWT_SECRET" --access-log false \
        >"$WORK/$target.log" 2>&1 &
      JVM=--jvm ;;
    jetty-sse)
      java -Xmx1g ${JETTY_JAVA_OPTS:-} -cp "$BENCH_CP" dev.notify.bench.peers.JettySseHub "$port" >"$WORK/$target.log" 2>&1 &
      JVM=--jvm ;;
    node-sse) node notify-bench/peers/sse-hub.js "$port" >"$WORK/$target.log" 2>&1 & ;;
    ws)       node notify-bench/peers/ws-hub.js "$port" >"$WORK/$target.log" 2>&1 & ;;
    socketio) node notify-bench/peers/socketio-hub.js "$port" >"$WORK/$target.log" 2>&1 & ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
  SERVER=$!
  for _ in $(seq 1 600); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then return 0; fi
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/$target.log"; exit 1; }
    sleep 0.1
  done
  echo "$target did not listen" >&2; exit 1
}

for r in $(seq 1 "$ROUNDS"); do
  for target in ${TARGETS//,/ }; do
    port=$(free_port)
    start "$target" "$port"
    echo "---- $target (round $r), load $(cut -d' ' -f1 /proc/loadavg)" >&2
    node notify-bench/peers/load.js --target "$target" --port "$port" --pid "$SERVER" $JVM --n "$N" --workers "$WORKERS" ${LOAD_ARGS:-} \
      | tee -a "$RESULTS"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
    SERVER=
    sleep 2
  done
done
node notify-bench/peers/report.js "$RESULTS"
