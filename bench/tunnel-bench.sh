#!/usr/bin/env bash
# tunnel-bench.sh - throughput / packet-rate / latency of a point-to-point tunnel between two
# private network namespaces on this machine.
#
# Topology (created fresh, destroyed on exit, whatever happens):
#   netns <prefix>a  veth <prefix>va  10.200.0.1/24  <---->  10.200.0.2/24  veth <prefix>vb  netns <prefix>b
#   tunnel addresses 192.168.123.1/24 (A) and 192.168.123.2/24 (B) on the device the endpoints create
# All traffic stays inside these two namespaces: iperf3 and ping only ever target 10.200.0.x / 192.168.123.x
# from inside namespace A.
#
# Usage:
#   tunnel-bench.sh [options] --preset NAME
#   tunnel-bench.sh [options] -A 'endpoint A command' -B 'endpoint B command'
#   tunnel-bench.sh [options] --raw                 (no tunnel: measure the bare veth pair)
#   tunnel-bench.sh [options] --compare [--module DIR]
#                   anytun, uanytun and the Anytun PowerShell module, one after the other with the same settings
#                   (default crypto, -E benchsecret), then a table with the ratios module/anytun and module/uanytun
#
# This is the project's copy of the shared tunnel-bench harness, extended with the module presets and --compare.
#
# Endpoint command templates are run with `sh -c` inside the endpoint's namespace, after these
# placeholders are substituted:
#   {SIDE} left|right     {NS} namespace name      {DEV} tunnel device name (default tun0)
#   {LOCAL} / {REMOTE}    underlay addresses (10.200.0.1 / 10.200.0.2 seen from that side)
#   {PORT} / {RPORT}      local / remote UDP port (4444 both by default)
#   {TUNIP} / {PEERIP}    tunnel addresses (192.168.123.1 / .2 seen from that side)   {PREFIX} 24
#   {PIDFILE}             a pid file the endpoint may write (daemonizing programs)   {TMP} scratch dir
# A command may stay in the foreground (its pid is tracked), daemonize (write {PIDFILE}), or be a
# one-shot setup that exits 0 (e.g. kernel WireGuard). If the endpoint does not put {TUNIP} on {DEV}
# itself, pass --ifconfig and the harness does it once {DEV} exists.
#
# Options:
#   -r N        repetitions of every measurement (default 3); the summary gives median, min-max, n
#   -t SEC      iperf3 TCP duration (default 10)       -u SEC  iperf3 UDP duration (default 5)
#   -l BYTES    UDP payload length (default 64)        -b RATE UDP target rate, iperf3 -b (default 0 = unlimited)
#   -c N        ping count (default 20, 0.05 s apart)  -m MTU  set this MTU on {DEV} after it appears
#   -n LABEL    label printed on every summary line    -d DEV  tunnel device name (default tun0)
#   -k          keep going after a failed measurement (default: a failed run is reported as NA)
#   --only tcp,udp,ping   run only these measurements
#   --ifconfig  harness assigns {TUNIP}/{PREFIX} to {DEV} and sets it up
#   --prefix P  namespace/veth name prefix (default tb<pid>)
#   --preset NAME  ready-made endpoints: anytun-null anytun anytun-aes256 uanytun-null uanytun
#               uanytun-aes256 anytun-uanytun (A=anytun, B=uanytun, default crypto)
#               wireguard (kernel module) wireguard-go (user space, Debian package)
#               module module-null module-aes256 (both ends = the PowerShell module, same options as anytun*)
#               module-anytun (A = module, B = anytun)
#   --module DIR   the built module folder for the module presets (default: <repo>/out/Anytun)
#   --compare   run the presets anytun, uanytun, module and print the comparison table: the presets take turns,
#               one repetition each per round, -r rounds (default 5 with --compare), and the table gives the median of
#               each figure and the median of the per-round ratios (pairs measured a minute apart, not ten)
#   --presets LIST   with --compare: these presets instead of anytun,uanytun,module (e.g. uanytun,module)
#   --env 'VAR=VALUE ...'   environment for the module endpoints (e.g. ANYTUN_IDLE_MODE=pipeline)
#   --tap       anytun/uanytun/module presets on tap devices (tap0) instead of tun
#   --connections N   module presets: the right-hand end (B, the server) also has N more connections with one route
#               each, plus a route for A's tunnel subnet to the command-line connection (routing mode, N+1 of each)
#   -v          print endpoint logs and raw iperf3 output locations
#
# Output: one line per metric, e.g.
#   RESULT label=anytun metric=tcp_mbit median=812.3 min=790.1 max=830.0 n=3
# Metrics: tcp_mbit (receiver goodput), tcp_retr, tcp_cpu_endpoints_pct (CPU of the endpoint
# processes during the TCP run, 100 = one core; kernel tunnels show 0), tcp_cpu_machine_pct (whole
# machine busy during the TCP run, 200 = both cores), udp_tx_pps, udp_rx_pps (delivered), udp_loss_pct,
# udp_rx_mbit, ping_avg_ms, ping_max_ms, and the CPU time of both endpoint processes per delivered packet
# (/proc/<pid>/stat utime+stime over the UDP run / delivered packets): udp_cpu_us_per_pkt (-l bytes, default 64)
# and udp1400_cpu_us_per_pkt (a second UDP run with 1400-byte inner packets, -l 1372, offered at -B1400 RATE,
# default 300M, when udp is measured),
# with udp1400_rx_pps; ping_cpu_us_per_ping (CPU time of all threads of both endpoint processes over the ping run,
# from the scheduler's se.sum_exec_runtime, / answered pings: what a tunnel spends under light traffic, the module's
# keep-warm ticks included).
# Needs: root, iproute2, iperf3, ping, python3 (JSON parsing). Exit status 0 when the tunnel came up.

set -u
RUNS=3 TCP_T=10 UDP_T=5 UDP_L=64 UDP_B=0 PING_C=20 LABEL="" DEV=tun0 MTU="" IFCONFIG=0 RAW=0 VERBOSE=0
ONLY="tcp,udp,ping" PFX="tb$$" CMD_A="" CMD_B="" PRESET="" COMPARE=0 PRESETS="anytun,uanytun,module" MODENV="" RUNS_SET=0 CONNS=0 DTYPE=tun UDP_B1400=300M
REPO=$(cd "$(dirname "$0")/.." && pwd)
MODULE_DIR="$REPO/out/Anytun"
ORIG_ARGS=("$@")
UNDER_A=10.200.0.1 UNDER_B=10.200.0.2 TUN_A=192.168.123.1 TUN_B=192.168.123.2 PLEN=24 PORT=4444

while [ $# -gt 0 ]; do
  case "$1" in
    -r) RUNS=$2; RUNS_SET=1; shift ;; -t) TCP_T=$2; shift ;;        -u) UDP_T=$2; shift ;;
    -l) UDP_L=$2; shift ;;          -b) UDP_B=$2; shift ;;        -c) PING_C=$2; shift ;;
    -m) MTU=$2; shift ;;            -n) LABEL=$2; shift ;;        -d) DEV=$2; shift ;;
    -A) CMD_A=$2; shift ;;          -B) CMD_B=$2; shift ;;        -k) : ;;
    --only) ONLY=$2; shift ;;       --prefix) PFX=$2; shift ;;    --preset) PRESET=$2; shift ;;
    --ifconfig) IFCONFIG=1 ;;       --raw) RAW=1 ;;               -v) VERBOSE=1 ;;
    --module) MODULE_DIR=$2; shift ;;                             --compare) COMPARE=1 ;;
    --presets) PRESETS=$2; shift ;; --env) MODENV=$2; shift ;;
    --connections) CONNS=$2; shift ;; -B1400) UDP_B1400=$2; shift ;; --tap) DTYPE=tap; DEV=tap0 ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see -h)" >&2; exit 2 ;;
  esac
  shift
done
# the endpoints run in other working directories: make a relative --module absolute
MODULE_DIR=$(cd "$MODULE_DIR" 2>/dev/null && pwd || echo "$MODULE_DIR")

if [ $COMPARE = 1 ]; then
  # re-run this script once per preset (same options), then tabulate medians and ratios
  [ -f "$MODULE_DIR/Anytun.psd1" ] || { echo "no built module in $MODULE_DIR (dotnet pwsh ./build.ps1 -Task Build)" >&2; exit 2; }
  command -v python3 >/dev/null || { echo "missing python3" >&2; exit 2; }
  PASS=()
  for ((i = 0; i < ${#ORIG_ARGS[@]}; i++)); do
    case "${ORIG_ARGS[$i]}" in --compare) ;; --preset|-n|--prefix|--module|--presets|-r) i=$((i + 1)) ;; *) PASS+=("${ORIG_ARGS[$i]}") ;; esac
  done
  [ $RUNS_SET = 1 ] || RUNS=5
  RESULTS=$(mktemp /tmp/tunnel-bench-compare.XXXXXX)
  status=0
  for round in $(seq "$RUNS"); do
    for preset in ${PRESETS//,/ }; do
      echo "# --- round $round/$RUNS $preset ($(uptime | sed 's/.*load/load/'))" >&2
      "$0" "${PASS[@]}" -r 1 --module "$MODULE_DIR" --preset $preset --prefix "tbc$$${preset:0:1}" | sed "s/^RESULT /RESULT round=$round /" | tee -a "$RESULTS" || status=1
    done
  done
  python3 - "$RESULTS" "$PRESETS" <<'EOF'
import re, sys, statistics
presets = sys.argv[2].split(",")
vals = {}   # (preset, metric) -> {round: value}
for line in open(sys.argv[1]):
    m = re.match(r"RESULT round=(\d+) label=(\S+) metric=(\S+) median=(\S+)", line)
    if m and m.group(4) != "NA":
        vals.setdefault((m.group(2), m.group(3)), {})[int(m.group(1))] = float(m.group(4))
rows = [("tcp_mbit", "TCP single stream, Mbit/s (iperf3)"),
        ("tcp_cpu_endpoints_pct", "CPU of both endpoints during TCP, % of a core"),
        ("udp_rx_pps", "UDP 64-byte delivered, packets/s"),
        ("udp_loss_pct", "UDP 64-byte loss, %"),
        ("udp_cpu_us_per_pkt", "CPU us per delivered 64-byte packet"),
        ("udp1400_rx_pps", "UDP 1400-byte delivered, packets/s"),
        ("udp1400_cpu_us_per_pkt", "CPU us per delivered 1400-byte packet"),
        ("ping_avg_ms", "ping average, ms"),
        ("ping_max_ms", "ping max, ms"),
        ("ping_cpu_us_per_ping", "CPU us of both endpoints per ping (light load)")]
def med(d): return statistics.median(d.values()) if d else None
def fmt(x, key):
    if x is None: return "NA"
    if key.startswith("ping") or "cpu_us" in key: return f"{x:.3f}"
    return f"{x:.2f}" if key == "udp_loss_pct" else f"{x:.1f}"
def ratio(a, b):
    r = [a[k] / b[k] for k in a if k in b and b[k]]
    return f"{statistics.median(r):.2f}" if r else "NA"
target = "module" if "module" in presets else presets[-1]
others = [p for p in presets if p != target]
rounds = max((max(d) for d in vals.values()), default=0)
print()
print(f"medians of {rounds} rounds; ratios = median of the per-round ratios")
print(f"| {'metric':<46} |" + "".join(f" {p:>9} |" for p in presets) + "".join(f" {target + '/' + o:>15} |" for o in others))
print("|" + "-" * 48 + "|" + "".join("-" * 11 + "|" for _ in presets) + "".join("-" * 17 + "|" for _ in others))
for key, title in rows:
    ds = [vals.get((p, key), {}) for p in presets]
    if not any(ds): continue
    line = f"| {title:<46} |" + "".join(f" {fmt(med(d), key):>9} |" for d in ds)
    line += "".join(f" {ratio(vals.get((target, key), {}), vals.get((o, key), {})):>15} |" for o in others)
    print(line)
EOF
  rm -f "$RESULTS"
  exit $status
fi

ANY='anytun -D -r {REMOTE} -o {RPORT} -p {PORT} -t {TYPE} -d {DEV} -n {TUNIP}/{PREFIX} -E benchsecret -e {SIDE}'
# the module end: a pwsh (the repository's pinned .NET tool) in the foreground with the same anytun options
# (bench/module-endpoint.ps1; --connections N gives the right-hand (server) end N more connections and routes)
MOD="cd '$REPO' && exec env $MODENV dotnet pwsh -NoProfile -NonInteractive -File '$REPO/bench/module-endpoint.ps1' -Module '$MODULE_DIR' -Connections {CONN} -Options '-r {REMOTE} -o {RPORT} -p {PORT} -t {TYPE} -d {DEV} -n {TUNIP}/{PREFIX} -E benchsecret -e {SIDE} __EXTRA__'"
UANY='uanytun -D -r {REMOTE} -o {RPORT} -p {PORT} -t {TYPE} -d {DEV} -n {TUNIP}/{PREFIX} -E benchsecret -e {SIDE}'
WGSET='wg set {DEV} listen-port {PORT} private-key {TMP}/{SIDE}.key peer "$(cat {TMP}/{PEER}.pub)" endpoint {REMOTE}:{RPORT} allowed-ips {PEERIP}/32 && ip addr add {TUNIP}/{PREFIX} dev {DEV} && ip link set {DEV} up'
# wireguard-go keeps its control socket in /run/wireguard, which is not per network namespace:
# each endpoint mounts a private tmpfs there (ip netns exec runs it in its own mount namespace)
WGGO='mkdir -p /run/wireguard && mount -t tmpfs tunnel-bench /run/wireguard && { WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go -f {DEV} & for i in $(seq 50); do ip link show {DEV} >/dev/null 2>&1 && break; sleep 0.1; done; '"$WGSET"'; wait; }'
WG='ip link add {DEV} type wireguard && wg set {DEV} listen-port {PORT} private-key {TMP}/{SIDE}.key peer "$(cat {TMP}/{PEER}.pub)" endpoint {REMOTE}:{RPORT} allowed-ips {PEERIP}/32 && ip addr add {TUNIP}/{PREFIX} dev {DEV} && ip link set {DEV} up'
case "$PRESET" in
  "") ;;
  anytun-null)    CMD_A="$ANY -c null -a null -k null"; CMD_B="$CMD_A" ;;
  anytun)         CMD_A="$ANY"; CMD_B="$CMD_A" ;;
  anytun-aes256)  CMD_A="$ANY -c aes-ctr-256 -k aes-ctr-256"; CMD_B="$CMD_A" ;;
  uanytun-null)   CMD_A="$UANY -c null -a null -k null"; CMD_B="$CMD_A" ;;
  uanytun)        CMD_A="$UANY"; CMD_B="$CMD_A" ;;
  uanytun-aes256) CMD_A="$UANY -c aes-ctr-256 -k aes-ctr-256"; CMD_B="$CMD_A" ;;
  anytun-uanytun) CMD_A="$ANY"; CMD_B="$UANY" ;;
  module)         CMD_A="${MOD//__EXTRA__/}"; CMD_B="$CMD_A" ;;
  module-null)    CMD_A="${MOD//__EXTRA__/-c null -a null -k null}"; CMD_B="$CMD_A" ;;
  module-aes256)  CMD_A="${MOD//__EXTRA__/-c aes-ctr-256 -k aes-ctr-256}"; CMD_B="$CMD_A" ;;
  module-anytun)  CMD_A="${MOD//__EXTRA__/}"; CMD_B="$ANY" ;;
  wireguard)      CMD_A="$WG"; CMD_B="$WG"; DEV=wg0 ;;
  wireguard-go)   CMD_A="$WGGO"; CMD_B="$WGGO"; DEV=wg0 ;;
  *) echo "unknown preset $PRESET" >&2; exit 2 ;;
esac
[ -n "$LABEL" ] || LABEL=${PRESET:-$([ $RAW = 1 ] && echo raw-veth || echo custom)}
if [ $RAW = 0 ] && { [ -z "$CMD_A" ] || [ -z "$CMD_B" ]; }; then
  echo "need --raw, --preset NAME, or both -A and -B (see -h)" >&2; exit 2
fi
for t in ip iperf3 ping python3; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done

NSA=${PFX}a NSB=${PFX}b VA=${PFX}va VB=${PFX}vb
TMP=$(mktemp -d /tmp/tunnel-bench.XXXXXX)
PIDS=()   # every pid this script started (endpoints, iperf3 servers)

log() { echo "# $*" >&2; }
cleanup() {
  set +e
  local p ns
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for f in "$TMP"/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  sleep 0.3
  # anything still running inside OUR namespaces was started by this script
  for ns in "$NSA" "$NSB"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null
  if [ $VERBOSE = 1 ]; then log "logs kept in $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- topology
ip netns add "$NSA" && ip netns add "$NSB" || { echo "cannot create namespaces" >&2; exit 1; }
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$NSA"; ip link set "$VB" netns "$NSB"
ip -n "$NSA" addr add $UNDER_A/24 dev "$VA"; ip -n "$NSB" addr add $UNDER_B/24 dev "$VB"
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
ip -n "$NSA" link set "$VA" up; ip -n "$NSB" link set "$VB" up

subst() { # template side
  local s=$1 side=$2
  if [ "$side" = left ]; then
    s=${s//\{NS\}/$NSA}; s=${s//\{LOCAL\}/$UNDER_A}; s=${s//\{REMOTE\}/$UNDER_B}
    s=${s//\{TUNIP\}/$TUN_A}; s=${s//\{PEERIP\}/$TUN_B}; s=${s//\{PEER\}/right}
  else
    s=${s//\{NS\}/$NSB}; s=${s//\{LOCAL\}/$UNDER_B}; s=${s//\{REMOTE\}/$UNDER_A}
    s=${s//\{TUNIP\}/$TUN_B}; s=${s//\{PEERIP\}/$TUN_A}; s=${s//\{PEER\}/left}
  fi
  if [ "$side" = right ]; then s=${s//\{CONN\}/$CONNS}; else s=${s//\{CONN\}/0}; fi
  s=${s//\{TYPE\}/$DTYPE}
  s=${s//\{SIDE\}/$side}; s=${s//\{DEV\}/$DEV}; s=${s//\{PORT\}/$PORT}; s=${s//\{RPORT\}/$PORT}
  s=${s//\{PREFIX\}/$PLEN}; s=${s//\{PIDFILE\}/$TMP/$side.pid}; s=${s//\{TMP\}/$TMP}
  printf '%s' "$s"
}

if [ $RAW = 1 ]; then
  TARGET=$UNDER_B
else
  TARGET=$TUN_B
  if [[ "$CMD_A$CMD_B" == *"wg set"* ]]; then
    command -v wg >/dev/null || { echo "missing wg (wireguard-tools)" >&2; exit 2; }
    for s in left right; do (umask 077; wg genkey > "$TMP/$s.key"); wg pubkey < "$TMP/$s.key" > "$TMP/$s.pub"; done
  fi
  for side in left right; do
    ns=$NSA; tpl=$CMD_A; [ $side = right ] && { ns=$NSB; tpl=$CMD_B; }
    cmd=$(subst "$tpl" $side)
    [ $VERBOSE = 1 ] && log "endpoint $side in $ns: $cmd"
    ip netns exec "$ns" sh -c "$cmd" >"$TMP/$side.log" 2>&1 </dev/null &
    PIDS+=($!)
  done
  # wait for the devices, configure them if asked, then for the tunnel to pass traffic
  for ns in "$NSA" "$NSB"; do
    for i in $(seq 300); do ip -n "$ns" link show "$DEV" >/dev/null 2>&1 && break; sleep 0.1; done
    ip -n "$ns" link show "$DEV" >/dev/null 2>&1 || { echo "device $DEV did not appear in $ns" >&2; cat "$TMP"/*.log >&2; exit 1; }
    if [ $IFCONFIG = 1 ]; then
      tip=$TUN_A; [ "$ns" = "$NSB" ] && tip=$TUN_B
      ip -n "$ns" addr add "$tip/$PLEN" dev "$DEV"; ip -n "$ns" link set "$DEV" up
    fi
    [ -n "$MTU" ] && ip -n "$ns" link set "$DEV" mtu "$MTU"
  done
  up=0
  for i in $(seq 50); do
    if ip netns exec "$NSA" ping -c1 -W1 -q $TUN_B >/dev/null 2>&1; then up=1; break; fi
    sleep 0.2
  done
  [ $up = 1 ] || { echo "tunnel did not come up ($LABEL)" >&2; cat "$TMP"/*.log >&2; exit 1; }
  log "$LABEL: tunnel up, $DEV mtu $(ip -n "$NSA" -o link show "$DEV" | sed -n 's/.* mtu \([0-9]*\).*/\1/p')"
  if [ "$CONNS" -gt 0 ] && [[ "$PRESET" == module* ]]; then
    # measure only once the server end has all its connections and routes (module-endpoint.ps1 says so)
    for i in $(seq 1200); do grep -q '^bench: ' "$TMP/right.log" 2>/dev/null && break; sleep 0.1; done
    grep -q '^bench: ' "$TMP/right.log" || { echo "the server end did not report its $CONNS connections within 120 s" >&2; cat "$TMP/right.log" >&2; exit 1; }
    log "$LABEL: $(grep -m1 '^bench: ' "$TMP/right.log")"
    # PowerShell re-compiles the code of those 2,000 cmdlet calls in the background for a few seconds (measured 2.4 %
    # of the CPU in a TCP run started at once): a set-up cost, not the tunnel's; let it finish first
    sleep 8
  fi
fi

# pids of the endpoint processes (everything in the namespaces that is not our measuring tools)
endpoint_pids() {
  local ns p c
  for ns in "$NSA" "$NSB"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do
      c=$(cat /proc/$p/comm 2>/dev/null) || continue
      case "$c" in iperf3|ping|sh|ip|sleep) ;; *) echo "$p" ;; esac
    done
  done
}
# CPU time in ms of every thread of the given processes (the scheduler's runtime, exact where utime+stime count 10 ms ticks)
proc_cpu_ms() { cat $(for p in "$@"; do echo /proc/$p/task/*/sched; done) 2>/dev/null | awk '/se.sum_exec_runtime/ {s+=$NF} END {printf "%.3f", s}'; }
proc_ticks() { local s=0 p; for p in "$@"; do s=$((s + $(awk '{print $14+$15}' /proc/$p/stat 2>/dev/null || echo 0))); done; echo $s; }
machine_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }

# iperf3 server in B, bound to the target address
ip netns exec "$NSB" iperf3 -s -B $TARGET -p 5201 >"$TMP/iperf3-server.log" 2>&1 &
PIDS+=($!)
for i in $(seq 50); do ip netns exec "$NSB" ss -ltn 2>/dev/null | grep -q ":5201 " && break; sleep 0.1; done

declare -A VALS
add() { VALS[$1]="${VALS[$1]:-} $2"; }
HZ=$(getconf CLK_TCK)

for run in $(seq "$RUNS"); do
  if [[ ",$ONLY," == *",tcp,"* ]]; then
    EP=$(endpoint_pids); t0=$(proc_ticks $EP); read b0 a0 < <(machine_busy); s0=$(date +%s.%N)
    # stderr apart: a warning on it would make the JSON unreadable
    ip netns exec "$NSA" iperf3 -c $TARGET -p 5201 -t "$TCP_T" -J >"$TMP/tcp.$run.json" 2>"$TMP/tcp.$run.err"
    s1=$(date +%s.%N); t1=$(proc_ticks $EP); read b1 a1 < <(machine_busy)
    r=$(python3 - "$TMP/tcp.$run.json" <<'EOF'
import json,sys
try:
    j=json.load(open(sys.argv[1])); e=j["end"]
    print("%.1f %d" % (e["sum_received"]["bits_per_second"]/1e6, e["sum_sent"].get("retransmits",0)))
except Exception: print("NA NA")
EOF
)
    add tcp_mbit "${r% *}"; add tcp_retr "${r#* }"
    add tcp_cpu_endpoints_pct "$(awk -v d=$((t1-t0)) -v hz=$HZ -v s0=$s0 -v s1=$s1 'BEGIN{printf "%.0f", 100*d/hz/(s1-s0)}')"
    add tcp_cpu_machine_pct "$(awk -v b=$((b1-b0)) -v a=$((a1-a0)) -v n=$(nproc) 'BEGIN{printf "%.0f", (a>0?100*n*b/a:0)}')"
    sleep 1
  fi
  if [[ ",$ONLY," == *",udp,"* ]]; then
    # two sizes: -l (default 64) and 1400-byte inner packets; CPU of both endpoints per delivered packet for each
    for size in "$UDP_L" 1372; do
      pre=udp; [ "$size" = 1372 ] && pre=udp1400
      EP=$(endpoint_pids); t0=$(proc_ticks $EP)
      # the 1400-byte run is offered at a fixed rate (-B1400, default 300M): an unlimited flood of full-size packets
      # starves iperf3's own control connection through the tunnel and the run fails
      rate=$UDP_B; [ $pre = udp1400 ] && rate=$UDP_B1400
      # stderr apart: iperf3 warns there that -l 1372 exceeds the TCP MSS (harmless: 1372 + 28 = the 1400-byte MTU),
      # and that line in front of the JSON made every 1400-byte figure NA
      ip netns exec "$NSA" iperf3 -c $TARGET -p 5201 -u -l "$size" -b "$rate" -t "$UDP_T" -J >"$TMP/$pre.$run.json" 2>"$TMP/$pre.$run.err"
      t1=$(proc_ticks $EP)
      r=$(python3 - "$TMP/$pre.$run.json" $((t1 - t0)) $HZ <<'EOF'
import json,sys
try:
    j=json.load(open(sys.argv[1])); s=j["end"]["sum"]
    secs=s["seconds"] or 1; pk=s["packets"]; lost=s["lost_packets"]; l=j["start"]["test_start"]["blksize"]
    rx=max(pk-lost,0)
    cpu = "%.3f" % (int(sys.argv[2]) / int(sys.argv[3]) * 1e6 / rx) if rx else "NA"
    print("%.0f %.0f %.2f %.1f %s" % (pk/secs, rx/secs, s["lost_percent"], rx*l*8/secs/1e6, cpu))
except Exception: print("NA NA NA NA NA")
EOF
)
      set -- $r
      if [ $pre = udp ]; then add udp_tx_pps "$1"; add udp_rx_pps "$2"; add udp_loss_pct "$3"; add udp_rx_mbit "$4"; add udp_cpu_us_per_pkt "$5"
      else add udp1400_rx_pps "$2"; add udp1400_cpu_us_per_pkt "$5"; fi
      sleep 1
    done
  fi
  if [[ ",$ONLY," == *",ping,"* ]]; then
    EP=$(endpoint_pids); c0=$(proc_cpu_ms $EP)
    out=$(ip netns exec "$NSA" ping -q -c "$PING_C" -i 0.05 -W 1 $TARGET 2>&1 | sed -n -e 's#^\([0-9]*\) packets transmitted, \([0-9]*\) received.*#R \2#p' -e 's#.*= \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*#\1 \2 \3#p' | tr '\n' ' ')
    c1=$(proc_cpu_ms $EP)
    set -- ${out:-R 0} NA NA NA; add ping_avg_ms "$4"; add ping_max_ms "$5"
    add ping_cpu_us_per_ping "$(awk -v a=$c0 -v b=$c1 -v n="$2" 'BEGIN{if (n>0) printf "%.1f", (b-a)*1000/n; else print "NA"}')"
  fi
done

[ $VERBOSE = 1 ] && log "raw iperf3 JSON and endpoint logs in $TMP"
for m in tcp_mbit tcp_retr tcp_cpu_endpoints_pct tcp_cpu_machine_pct udp_tx_pps udp_rx_pps udp_loss_pct udp_rx_mbit udp_cpu_us_per_pkt udp1400_rx_pps udp1400_cpu_us_per_pkt ping_avg_ms ping_max_ms ping_cpu_us_per_ping; do
  [ -n "${VALS[$m]:-}" ] || continue
  python3 - "$LABEL" "$m" ${VALS[$m]} <<'EOF'
import sys, statistics
label, m, vals = sys.argv[1], sys.argv[2], sys.argv[3:]
v = sorted(float(x) for x in vals if x != "NA")
if not v: print(f"RESULT label={label} metric={m} median=NA n=0 failed={len(vals)}"); sys.exit()
fmt = (lambda x: f"{x:.3f}") if m.startswith("ping") or "cpu_us" in m else (lambda x: f"{x:.2f}" if m == "udp_loss_pct" else f"{x:.1f}")
print(f"RESULT label={label} metric={m} median={fmt(statistics.median(v))} min={fmt(v[0])} max={fmt(v[-1])} n={len(v)}"
      + (f" failed={len(vals)-len(v)}" if len(v) < len(vals) else "") + f" runs=[{' '.join(fmt(x) for x in v)}]")
EOF
done
exit 0
