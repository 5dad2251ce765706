#!/usr/bin/env bash
# kioskctl export as an admin uses it: every format to standard output and
# to a file, read back with Python's csv and json modules; the feedback
# counts of status; and every way to get it wrong.
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
same() { # same DESCRIPTION FILE1 FILE2
	if cmp -s "$2" "$3"; then echo "ok: $1"; else
		echo "FAIL: $1: $2 and $3 differ"; fails=$((fails + 1)); fi
}
conf="$tmp/kiosk.conf"
db="$tmp/var/kiosk.sqlite3"
export_() { "$ctl" --config "$conf" export "$@"; }

sed -e "s|^data_dir = .*|data_dir = $tmp/var|" -e "s|^seed_dir = .*|seed_dir = $root/assets/content|" \
	-e "s|^media_dir = .*|media_dir = $root/media|" "$root/kiosk.conf" > "$conf"

# Usage errors come first, database or not: exit 2 and a word on what is wrong.
export_ 2> "$tmp/err.txt"
check "export without --format" 2 $?
has "says --format is required" "$tmp/err.txt" "--format is required"
export_ --format xml 2> "$tmp/err.txt"
check "export --format xml" 2 $?
has "names the unknown format" "$tmp/err.txt" "unknown format.*'xml'"
export_ --format json --bom 2> "$tmp/err.txt"
check "export --format json --bom" 2 $?
has "says the BOM is for CSV" "$tmp/err.txt" "--bom is for csv"
export_ --format json --raw 2> "$tmp/err.txt"
check "export --format json --raw" 2 $?
has "says --raw is for CSV" "$tmp/err.txt" "--raw is for csv"
export_ --format csv --sheet 2> "$tmp/err.txt"
check "export with an unknown option" 2 $?
export_ --format csv --out 2> "$tmp/err.txt"
check "export --out without a path" 2 $?
export_ --format csv --format json 2> "$tmp/err.txt"
check "export with --format twice" 2 $?

# Before the first start: no database, say so, create nothing.
export_ --format csv > "$tmp/out.csv" 2> "$tmp/err.txt"
check "export before the first start" 1 $?
has "says there is no database yet" "$tmp/err.txt" "no database yet"
[ ! -e "$tmp/var" ] && echo "ok: export created nothing" ||
	{ echo "FAIL: export created $tmp/var"; fails=$((fails + 1)); }
[ "$(wc -l < "$tmp/err.txt")" = 1 ] && echo "ok: one message" ||
	{ echo "FAIL: more than one message:"; cat "$tmp/err.txt"; fails=$((fails + 1)); }

echo quit | "$kiosk" --config "$conf" --headless --script - 2>/dev/null
check "first start of the kiosk" 0 $?

# No feedback yet: the header alone, or nothing (json); status counts 0.
export_ --format csv > "$tmp/empty.csv"
check "export csv of an empty database" 0 $?
printf 'response_id,kiosk_id,survey_id,survey_version,hour,language,question_id,question,answer\r\n' \
	> "$tmp/want.csv"
same "empty csv is the header alone" "$tmp/empty.csv" "$tmp/want.csv"
export_ --format json > "$tmp/empty.json"
check "export json of an empty database" 0 $?
[ ! -s "$tmp/empty.json" ] && echo "ok: empty json is empty" ||
	{ echo "FAIL: empty json is not empty"; fails=$((fails + 1)); }
"$ctl" --config "$conf" status --json > "$tmp/status.json"
python3 - "$tmp/status.json" <<'PY' || fails=$((fails + 1))
import json, sys
s = json.load(open(sys.argv[1]))
assert s["feedback_pending"] == 0 and s["feedback_sent"] == 0, s
print("ok: status counts 0 pending, 0 sent")
PY

# A second survey version (asks "channels", words "helped" anew, drops
# "internet") and three responses, written as the schema has them.
python3 - "$root/assets/content/survey.json" "$tmp/survey2.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["version"] = 2
qs = [q for q in s["questions"] if q["id"] != "internet"]
qs[0]["text"]["de"] = "Hat Ihnen der Ratgeber heute geholfen?"
qs.insert(1, {"id": "channels", "type": "multi",
              "text": {"de": "Wie informieren Sie sich sonst?", "en": "How else do you find out?"},
              "options": [{"id": o, "text": {"de": o.upper(), "en": o.upper()}} for o in "abc"]})
s["questions"] = qs
json.dump(s, open(sys.argv[2], "w"), ensure_ascii=False)
PY
h9=1795597200 # 2026-11-25T09:00:00Z
sqlite3 "$db" > "$tmp/sql.txt" 2>&1 <<SQL
BEGIN;
INSERT INTO survey (id, version, definition)
  VALUES ('kiosk-feedback', 2, CAST(readfile('$tmp/survey2.json') AS TEXT));
INSERT INTO response (id, kiosk_id, survey_id, survey_version, hour, language)
  VALUES ('a1', 'kiosk-x', 'kiosk-feedback', 1, $h9, 'de'),
         ('b2', 'kiosk-x', 'kiosk-feedback', 2, $h9 + 3600, 'en'),
         ('a3', 'kiosk-x', 'kiosk-feedback', 1, $h9 + 3600, 'ar');
INSERT INTO answer (response_id, position, question_id, value)
  VALUES ('a1', 0, 'helped', '4'), ('a1', 1, 'topic', 'projekt'),
         ('a1', 2, 'internet', 'phone'), ('a1', 3, 'easy', '5'), ('a1', 4, 'more', 'yes'),
         ('a1', 5, 'comment', 'Gut, "sehr" gut' || char(10) || 'Grüße aus Köln; =1+2'),
         ('b2', 0, 'helped', '5'), ('b2', 1, 'channels', 'a'), ('b2', 1, 'channels', 'c'),
         ('b2', 3, 'easy', '2'),
         ('b2', 5, 'comment', 'line one' || char(13) || char(10) || 'line two, «quoted»'),
         ('a3', 0, 'helped', '1'), ('a3', 2, 'internet', 'no');
INSERT INTO outbox (response_id, sent) VALUES ('a1', 1), ('b2', 0), ('a3', 0);
COMMIT;
SQL
check "responses written with sqlite3" 0 $?
[ -s "$tmp/sql.txt" ] && cat "$tmp/sql.txt"

# Stored feedback is a healthy database (SQLite 3.40.0-3.41.0 report false
# NULLs in a WITHOUT ROWID table whose columns are not in primary key order).
"$ctl" --config "$conf" db check > "$tmp/check.txt" 2>&1
check "db check with feedback stored" 0 $?
has "integrity ok with feedback stored" "$tmp/check.txt" "integrity: ok"

"$ctl" --config "$conf" status --json > "$tmp/status.json"
python3 - "$tmp/status.json" <<'PY' || fails=$((fails + 1))
import json, sys
s = json.load(open(sys.argv[1]))
assert s["feedback_pending"] == 2 and s["feedback_sent"] == 1, s
print("ok: status counts 2 pending, 1 sent")
PY

# Each format to standard output and to a file: the same bytes.
for f in csv csv-wide json; do
	export_ --format "$f" > "$tmp/stdout.$f" 2> "$tmp/err.$f"
	check "export --format $f" 0 $?
	[ ! -s "$tmp/err.$f" ] || { echo "FAIL: export --format $f said:"; cat "$tmp/err.$f"; fails=$((fails + 1)); }
	export_ --format "$f" --out "$tmp/missing/feedback.$f" 2> "$tmp/err.txt"
	check "export --format $f --out into a missing folder" 1 $?
	has "$f: names the path" "$tmp/err.txt" "missing/feedback.$f: cannot write the export there"
	mkdir -p "$tmp/out"
	echo "an older export" > "$tmp/out/feedback.$f"
	export_ --format "$f" --out "$tmp/out/feedback.$f"
	check "export --format $f --out" 0 $?
	same "$f: --out holds what standard output got" "$tmp/stdout.$f" "$tmp/out/feedback.$f"
	[ "$(stat -c %a "$tmp/out/feedback.$f")" = 640 ] && echo "ok: $f: --out file mode 0640" ||
		{ echo "FAIL: $f: mode $(stat -c %a "$tmp/out/feedback.$f")"; fails=$((fails + 1)); }
done
[ ! -e "$tmp/missing" ] && echo "ok: a missing folder stays missing" ||
	{ echo "FAIL: export made $tmp/missing"; fails=$((fails + 1)); }
[ "$(ls "$tmp/out" | wc -l)" = 3 ] && echo "ok: no temporary files left" ||
	{ echo "FAIL: left in $tmp/out:"; ls -la "$tmp/out"; fails=$((fails + 1)); }
export_ --format csv --bom --out "$tmp/out/bom.csv"
check "export --format csv --bom" 0 $?
export_ --format csv-wide --bom > "$tmp/out/bom-wide.csv"
check "export --format csv-wide --bom" 0 $?

python3 - "$tmp" <<'PY' || fails=$((fails + 1))
import csv, io, json, sys
tmp = sys.argv[1]
raw = open(tmp + "/stdout.csv", "rb").read()
assert not raw.startswith(b"\xef\xbb\xbf"), "a BOM without --bom"
# RFC 4180: every record ends in CRLF (a line break inside a quoted field stays as typed).
assert raw.endswith(b"\r\n") and raw.count(b"\r\n") >= 15, raw[-40:]
rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
assert rows[0] == ["response_id", "kiosk_id", "survey_id", "survey_version", "hour",
                   "language", "question_id", "question", "answer"], rows[0]
got = [tuple(r) for r in rows[1:]]
v1 = "Hat Ihnen der Ratgeber geholfen?"
v2 = "Hat Ihnen der Ratgeber heute geholfen?"
want = [
    ("a1", "kiosk-x", "kiosk-feedback", "1", "2026-11-25T09:00:00Z", "de", "helped", v1, "4"),
    ("a1", "kiosk-x", "kiosk-feedback", "1", "2026-11-25T09:00:00Z", "de", "topic",
     "Welches Thema war für Sie am wichtigsten?", "projekt"),
    ("a1", "kiosk-x", "kiosk-feedback", "1", "2026-11-25T09:00:00Z", "de", "internet",
     "Haben Sie zu Hause Internet?", "phone"),
    ("a1", "kiosk-x", "kiosk-feedback", "1", "2026-11-25T09:00:00Z", "de", "easy",
     "Wie leicht war dieser Bildschirm zu bedienen?", "5"),
    ("a1", "kiosk-x", "kiosk-feedback", "1", "2026-11-25T09:00:00Z", "de", "more",
     "Wünschen Sie sich mehr solche Angebote in Ihrem Ort?", "yes"),
    ("a1", "kiosk-x", "kiosk-feedback", "1", "2026-11-25T09:00:00Z", "de", "comment",
     "Möchten Sie uns noch etwas sagen? (freiwillig)", 'Gut, "sehr" gut\nGrüße aus Köln; =1+2'),
    ("a3", "kiosk-x", "kiosk-feedback", "1", "2026-11-25T10:00:00Z", "ar", "helped", v1, "1"),
    ("a3", "kiosk-x", "kiosk-feedback", "1", "2026-11-25T10:00:00Z", "ar", "internet",
     "Haben Sie zu Hause Internet?", "no"),
    ("b2", "kiosk-x", "kiosk-feedback", "2", "2026-11-25T10:00:00Z", "en", "helped", v2, "5"),
    ("b2", "kiosk-x", "kiosk-feedback", "2", "2026-11-25T10:00:00Z", "en", "channels",
     "Wie informieren Sie sich sonst?", "a"),
    ("b2", "kiosk-x", "kiosk-feedback", "2", "2026-11-25T10:00:00Z", "en", "channels",
     "Wie informieren Sie sich sonst?", "c"),
    ("b2", "kiosk-x", "kiosk-feedback", "2", "2026-11-25T10:00:00Z", "en", "easy",
     "Wie leicht war dieser Bildschirm zu bedienen?", "2"),
    ("b2", "kiosk-x", "kiosk-feedback", "2", "2026-11-25T10:00:00Z", "en", "comment",
     "Möchten Sie uns noch etwas sagen? (freiwillig)", "line one\r\nline two, «quoted»"),
]
assert got == want, "\n".join(map(repr, got))
print("ok: csv rows, German question texts per version, quoting")

rows = list(csv.reader(io.StringIO(open(tmp + "/stdout.csv-wide", "rb").read().decode("utf-8"),
                                   newline="")))
head = ["response_id", "kiosk_id", "survey_id", "survey_version", "hour", "language",
        "helped", "channels.a", "channels.b", "channels.c", "topic", "easy", "more", "comment",
        "internet"]
assert rows[0] == head, rows[0]
by = {r[0]: dict(zip(head, r)) for r in rows[1:]}
assert [r[0] for r in rows[1:]] == ["a1", "a3", "b2"], rows
assert all(len(r) == len(head) for r in rows), rows
a1, a3, b2 = by["a1"], by["a3"], by["b2"]
assert (a1["helped"], a1["topic"], a1["internet"], a1["more"]) == ("4", "projekt", "phone", "yes")
assert a1["comment"] == 'Gut, "sehr" gut\nGrüße aus Köln; =1+2'
assert (a1["channels.a"], a1["channels.b"], a1["channels.c"]) == ("", "", ""), a1
assert (b2["channels.a"], b2["channels.b"], b2["channels.c"]) == ("1", "0", "1"), b2
assert b2["internet"] == "" and b2["topic"] == "" and b2["easy"] == "2", b2
assert a3["helped"] == "1" and a3["internet"] == "no" and a3["comment"] == "", a3
print("ok: csv-wide columns (union, newest order first), 0/1, empty cells")

lines = open(tmp + "/stdout.json", "rb").read().decode("utf-8").split("\n")
assert lines[-1] == "", "the last line ends in a newline"
objs = [json.loads(l) for l in lines[:-1]]
assert [o["response_id"] for o in objs] == ["a1", "a3", "b2"], objs
for o in objs:
    assert list(o) == ["response_id", "kiosk_id", "survey_id", "survey_version", "hour",
                       "language", "answers"], list(o)
assert objs[0] == {"response_id": "a1", "kiosk_id": "kiosk-x", "survey_id": "kiosk-feedback",
                   "survey_version": 1, "hour": "2026-11-25T09:00:00Z", "language": "de",
                   "answers": {"helped": "4", "topic": "projekt", "internet": "phone", "easy": "5",
                               "more": "yes", "comment": 'Gut, "sehr" gut\nGrüße aus Köln; =1+2'}}
assert objs[2]["answers"] == {"helped": "5", "channels": ["a", "c"], "easy": "2",
                              "comment": "line one\r\nline two, «quoted»"}, objs[2]
assert objs[1]["hour"] == "2026-11-25T10:00:00Z" and objs[1]["language"] == "ar"
print("ok: json lines")

bom = open(tmp + "/out/bom.csv", "rb").read()
assert bom == b"\xef\xbb\xbf" + raw, "--bom: the BOM, then the same bytes"
assert open(tmp + "/out/bom-wide.csv", "rb").read()[:15] == b"\xef\xbb\xbfresponse_id,"
print("ok: --bom")
PY

# A comment typed as a formula: neutralised with a leading ' in both CSV
# formats unless --raw; JSON always carries it as typed.
sqlite3 "$db" > "$tmp/sql.txt" 2>&1 <<SQL
INSERT INTO response (id, kiosk_id, survey_id, survey_version, hour, language)
  VALUES ('c4', 'kiosk-x', 'kiosk-feedback', 2, $h9 + 7200, 'de');
INSERT INTO answer (response_id, position, question_id, value)
  VALUES ('c4', 5, 'comment', '=HYPERLINK("http://example.org/?"&A1,"Klick")');
SQL
check "a formula written with sqlite3" 0 $?
[ -s "$tmp/sql.txt" ] && cat "$tmp/sql.txt"
for f in csv csv-wide; do
	export_ --format "$f" > "$tmp/formula.$f"
	check "export --format $f with a formula" 0 $?
	export_ --format "$f" --raw > "$tmp/formula-raw.$f"
	check "export --format $f --raw" 0 $?
done
export_ --format json > "$tmp/formula.json"
check "export --format json with a formula" 0 $?
python3 - "$tmp" <<'PY' || fails=$((fails + 1))
import csv, io, json, sys
tmp = sys.argv[1]
typed = '=HYPERLINK("http://example.org/?"&A1,"Klick")'
def rows(name):
    return list(csv.reader(io.StringIO(open(tmp + "/" + name, "rb").read().decode("utf-8"),
                                       newline="")))
def comment(name):
    r = rows(name)
    if name.endswith("csv-wide"):
        return dict(zip(r[0], [x for x in r if x[0] == "c4"][0]))["comment"]
    return [x for x in r if x[0] == "c4" and x[6] == "comment"][0][8]
for f in ("csv", "csv-wide"):
    got = comment("formula." + f)
    assert got == "'" + typed, (f, got)
    got = comment("formula-raw." + f)
    assert got == typed, (f, "--raw", got)
    # Everything else is the same with and without --raw.
    assert rows("formula." + f)[:-1] == rows("formula-raw." + f)[:-1], f
print("ok: a formula is neutralised in csv and csv-wide, as typed with --raw")
objs = [json.loads(l) for l in open(tmp + "/formula.json", encoding="utf-8")]
assert [o for o in objs if o["response_id"] == "c4"][0]["answers"]["comment"] == typed
print("ok: json carries the formula as typed")
PY

# A folder that cannot be written: exit 1, one clear message, the old file kept.
mkdir -p "$tmp/ro" && echo "keep me" > "$tmp/ro/feedback.csv" && chmod 555 "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
	export_ --format csv --out "$tmp/ro/feedback.csv" 2> "$tmp/err.txt"
	check "export into a read-only folder" 1 $?
	has "names the path" "$tmp/err.txt" "ro/feedback.csv: cannot write"
	has "the old export is kept" "$tmp/ro/feedback.csv" "^keep me$"
fi
chmod 755 "$tmp/ro"
export_ --format csv --out "$tmp/out" 2> "$tmp/err.txt"
check "export --out onto a folder" 2 $?
has "says why" "$tmp/err.txt" "names a folder; give a file in it"
[ "$(ls "$tmp/out" | grep -c tmp)" = 0 ] && echo "ok: no temporary file left after a failure" ||
	{ echo "FAIL: left in $tmp/out:"; ls -la "$tmp/out"; fails=$((fails + 1)); }
sum=$(sha256sum < "$db")
export_ --format csv --out "$db" 2> "$tmp/err.txt"
check "export --out onto the database itself" 2 $?
has "says so" "$tmp/err.txt" "names the database itself"
[ "$(sha256sum < "$db")" = "$sum" ] && echo "ok: the database is untouched" ||
	{ echo "FAIL: export --out changed the database"; fails=$((fails + 1)); }
# Only a regular file is replaced: a link, a pipe or a folder is refused and left as it was.
echo "keep me" > "$tmp/target.txt"
ln -s "$tmp/target.txt" "$tmp/link.csv"
export_ --format csv --out "$tmp/link.csv" 2> "$tmp/err.txt"
check "export --out onto a symbolic link" 2 $?
has "says it is a link" "$tmp/err.txt" "symbolic link"
[ -L "$tmp/link.csv" ] && [ "$(cat "$tmp/target.txt")" = "keep me" ] && echo "ok: link and target untouched" ||
	{ echo "FAIL: the link or its target changed"; fails=$((fails + 1)); }
mkfifo "$tmp/pipe.csv"
timeout 10 "$ctl" --config "$conf" export --format csv --out "$tmp/pipe.csv" 2> "$tmp/err.txt"
check "export --out onto a pipe" 2 $?
has "says it is no regular file" "$tmp/err.txt" "no regular file"
[ -p "$tmp/pipe.csv" ] && echo "ok: the pipe is still a pipe" ||
	{ echo "FAIL: the pipe was replaced"; fails=$((fails + 1)); }
if [ -w /dev/full ]; then
	export_ --format json > /dev/full 2> "$tmp/err.txt"
	check "export onto a full disk" 1 $?
	has "says the disk is full" "$tmp/err.txt" "standard output: writing the export failed: No space left"
fi

[ $fails = 0 ] && echo "all export checks passed" || echo "$fails export checks failed"
exit $((fails > 0))
