#!/usr/bin/env bash
# kioskctl as an admin uses it: status, db check, and every way to get it wrong.
set -u
ctl=$1
kiosk=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check DESCRIPTION EXPECTED_RC ACTUAL_RC
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit $3, expected $2"
		fails=$((fails + 1))
	else
		echo "ok: $1"
	fi
}
has() { # has DESCRIPTION FILE REGEX
	if grep -Eq -- "$3" "$2"; then echo "ok: $1"; else
		echo "FAIL: $1: /$3/ not in:"; cat "$2"; fails=$((fails + 1)); fi
}

sed -e "s|^data_dir = .*|data_dir = $tmp/var|" -e "s|^seed_dir = .*|seed_dir = $root/assets/content|" \
	-e "s|^media_dir = .*|media_dir = $root/media|" "$root/kiosk.conf" > "$tmp/kiosk.conf"

# Before the first start there is nothing to report, and status creates nothing.
"$ctl" --config "$tmp/kiosk.conf" status 2> "$tmp/err.txt"
check "status before the first start" 1 $?
has "status says there is no database yet" "$tmp/err.txt" "no database yet"
[ ! -e "$tmp/var" ] && echo "ok: status created nothing" ||
	{ echo "FAIL: status created $tmp/var"; fails=$((fails + 1)); }

# The kiosk's first start makes the database and installs the demo content.
echo quit | "$kiosk" --config "$tmp/kiosk.conf" --headless --script - 2>/dev/null
check "first start of the kiosk" 0 $?

"$ctl" --config "$tmp/kiosk.conf" status --json > "$tmp/status.json"
check "status --json" 0 $?
python3 - "$tmp/status.json" "$tmp/var/kiosk.sqlite3" "$root/assets/content/content.json" <<'PY' || fails=$((fails + 1))
import json, sys
s = json.load(open(sys.argv[1]))
seed_version = json.load(open(sys.argv[3]))["version"]
need = ["kiosk_id", "content_version", "languages", "feedback_pending", "feedback_sent",
        "last_sync", "last_sync_error", "database", "free_disk_bytes"]
missing = [k for k in need if k not in s]
assert not missing, f"status lacks {missing}"
assert s["kiosk_id"].startswith("kiosk-") and len(s["kiosk_id"]) == 22, s["kiosk_id"]
assert s["content_version"] == seed_version, (s["content_version"], seed_version)
# Offered: those configured that the content has, in the configured order.
assert s["languages"] == ["de", "en", "de-x-ls", "tr", "uk", "ar"], s["languages"]
assert s["database"] == sys.argv[2], s["database"]
assert s["free_disk_bytes"] > 0
# Feedback is counted; sync is not built yet: null, never a made-up value.
assert s["feedback_pending"] == 0 and s["feedback_sent"] == 0, s
assert s["last_sync"] is None and s["last_sync_error"] is None
print("ok: status keys and values")
PY
id1=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['kiosk_id'])" "$tmp/status.json")
"$ctl" --config "$tmp/kiosk.conf" status > "$tmp/status.txt"
has "status in words keeps the same id" "$tmp/status.txt" "kiosk_id +\"$id1\""

"$ctl" --config "$tmp/kiosk.conf" db check > "$tmp/check.txt"
check "db check on a healthy database" 0 $?
has "db check reports ok and the schema" "$tmp/check.txt" "integrity: ok"
has "db check finds every table" "$tmp/check.txt" "tables: ok"

# Tables dropped: integrity_check alone says ok; db check does not.
cp "$tmp/var/kiosk.sqlite3" "$tmp/before-drop.sqlite3"
sqlite3 "$tmp/var/kiosk.sqlite3" "DROP TABLE outbox; DROP TABLE answer;"
"$ctl" --config "$tmp/kiosk.conf" db check > "$tmp/check.txt" 2>&1
check "db check on a database whose tables were dropped" 1 $?
has "names the missing table" "$tmp/check.txt" "table outbox is missing"
has "names the other one" "$tmp/check.txt" "table answer is missing"
sqlite3 "$tmp/var/kiosk.sqlite3" "ALTER TABLE meta ADD COLUMN extra TEXT;"
"$ctl" --config "$tmp/kiosk.conf" db check > "$tmp/check.txt" 2>&1
has "names a table with other columns" "$tmp/check.txt" "table meta has other columns"
cp "$tmp/before-drop.sqlite3" "$tmp/var/kiosk.sqlite3"
rm -f "$tmp/var/kiosk.sqlite3-wal" "$tmp/var/kiosk.sqlite3-shm"
"$ctl" --config "$tmp/kiosk.conf" db check > "$tmp/check.txt"
check "db check on the database put back" 0 $?

# A damaged database: db check says so (exit 1) and changes nothing.
cp "$tmp/var/kiosk.sqlite3" "$tmp/healthy.sqlite3"
rm -f "$tmp/var/kiosk.sqlite3-wal" "$tmp/var/kiosk.sqlite3-shm"
printf 'garbage%.0s' $(seq 500) | dd of="$tmp/var/kiosk.sqlite3" bs=1 seek=100 conv=notrunc 2>/dev/null
sum=$(sha256sum < "$tmp/var/kiosk.sqlite3")
"$ctl" --config "$tmp/kiosk.conf" db check > "$tmp/check.txt" 2>&1
check "db check on a damaged database" 1 $?
[ "$(sha256sum < "$tmp/var/kiosk.sqlite3")" = "$sum" ] && echo "ok: damaged file untouched" ||
	{ echo "FAIL: db check changed the damaged file"; fails=$((fails + 1)); }

# The kiosk then keeps the damaged file aside and starts a new one.
echo quit | "$kiosk" --config "$tmp/kiosk.conf" --headless --script - 2>"$tmp/kiosk.log"
check "kiosk starts over a damaged database" 0 $?
kept=$(ls "$tmp/var/" | grep -E '^kiosk\.sqlite3\.corrupt-[0-9]{8}-[0-9]{6}$' | head -1)
[ -n "$kept" ] && [ "$(sha256sum < "$tmp/var/$kept")" = "$sum" ] && echo "ok: damaged file kept as $kept" ||
	{ echo "FAIL: damaged file not kept"; ls "$tmp/var"; fails=$((fails + 1)); }
"$ctl" --config "$tmp/kiosk.conf" status --json > "$tmp/status.json"
has "status names the kept file" "$tmp/status.json" "\"database_recovered_from\": \".*$kept\""

# Bad config: exit 3, one message naming file, line and key.
printf '[kiosk]\nlanguages = de en\nresolution = huge\n' > "$tmp/bad.conf"
"$ctl" --config "$tmp/bad.conf" status 2> "$tmp/err.txt"
check "status with a bad value" 3 $?
has "the message names file, line and key" "$tmp/err.txt" "bad.conf:3: kiosk.resolution: expected WIDTHxHEIGHT"
printf '[kiosk]\ncolour = blue\n' > "$tmp/bad.conf"
"$ctl" --config "$tmp/bad.conf" status 2> "$tmp/err.txt"
check "status with an unknown key" 3 $?
has "unknown key named" "$tmp/err.txt" "bad.conf:2: kiosk.colour: unknown key"
"$ctl" --config "$tmp/missing.conf" status 2> "$tmp/err.txt"
check "status with a missing config" 3 $?
has "missing config named" "$tmp/err.txt" "missing.conf: No such file"

# Usage errors: exit 2.
"$ctl" --config "$tmp/kiosk.conf" frobnicate 2>/dev/null
check "unknown command" 2 $?
"$ctl" 2>/dev/null
check "no command" 2 $?
"$ctl" --config "$tmp/kiosk.conf" status --yaml 2>/dev/null
check "unknown option of status" 2 $?

[ $fails = 0 ] && echo "all kioskctl checks passed" || echo "$fails kioskctl checks failed"
exit $((fails > 0))
