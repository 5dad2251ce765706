#!/usr/bin/env bash
# A kiosk on a real screen with a broken kiosk.conf does not vanish: it keeps
# running and shows out-of-service with the message for staff (exit 3 is only
# for --headless and --script runs).
set -u
kiosk=$1
tmp=$(mktemp -d)
pid=
# xvfb-run, Xvfb and the kiosk share one process group: stop all of them.
trap '[ -n "$pid" ] && kill -TERM -- -"$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
printf '[kiosk]\nidle_timeout = soon\n' > "$tmp/kiosk.conf"
setsid "$(dirname "$0")/xvfb.sh" "$kiosk" --config "$tmp/kiosk.conf" >/dev/null 2>"$tmp/log" &
pid=$!
for _ in $(seq 50); do
	grep -q "out-of-service" "$tmp/log" && break
	sleep 0.1
done
sleep 0.5
if ! kill -0 $pid 2>/dev/null; then
	echo "FAIL: the kiosk exited on a bad config instead of showing out-of-service"
	cat "$tmp/log"
	exit 1
fi
grep -q "kiosk.conf:2: kiosk.idle_timeout: expected seconds" "$tmp/log" ||
	{ echo "FAIL: no message naming file, line and key"; cat "$tmp/log"; exit 1; }
grep -q "showing the out-of-service screen" "$tmp/log" ||
	{ echo "FAIL: out-of-service not shown"; cat "$tmp/log"; exit 1; }
echo "ok: out-of-service shown, kiosk still running"
