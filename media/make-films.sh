#!/usr/bin/env bash
# Regenerates the four short stand-in info films of the kiosk's seed content:
#
#   media/ID.mp4      H.264 (libx264, yuv420p, +faststart) 1280x720, 25 fps, AAC mono
#   media/ID.jpg      640x360 still of the film's title card
#   media/ID.de.srt   German subtitles (the narration, sentence by sentence)
#   media/ID.en.srt   English subtitles, same timings
#   media/ID.LANG.srt for tr, uk, ar (same timings) and de-x-ls (Leichte Sprache,
#                     timings of its own, at most 15 characters a second), from
#                     narration/ID.LANG.txt by media/subtitles.py
#   media/films.json  list of the films for content.json
#
# from the narration in media/narration/ID.de.txt and ID.en.txt.  Those files hold
# one sentence a line; a line "# Heading" starts a new title card, "> text" lines
# are what that card shows besides its heading (German file only), and everything
# else is spoken.  "shown text || spoken text" gives espeak-ng a spelling it
# pronounces better; the subtitles keep the shown text.  The English file has the
# same cards with the same number of sentences each.
#
# The films are stand-ins in our own words; the originals are in the YouTube
# channel of the Umweltbundesamt.  Needs ffmpeg and espeak-ng (not build
# dependencies of the kiosk; installed with apt-get when missing).
#
# Usage: bash media/make-films.sh      (from anywhere; writes only into media/)
set -euo pipefail
export LC_ALL=C.UTF-8

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NARR=$HERE/narration
FONT_BOLD=/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf
FONT_REG=/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf

# id | background | title in de | en | de-x-ls | tr | uk | ar
FILMS=(
	"projekt|0B4F6C|Projekt und Thema Digitale Kommunen|The project and its topic|Das Projekt und sein Thema|Proje ve dijital belediyeler konusu|Проєкт і тема: цифрові громади|المشروع وموضوع البلديات الرقمية"
	"diskriminierungsfrei|2D5F2E|Diskriminierungsfrei digitalisieren|Digitalising without discrimination|Digitale Angebote für alle Menschen|Ayrımcılık yapmadan dijitalleştirmek|Цифровізація без дискримінації|الرقمنة دون تمييز"
	"plattformen|8C3B0B|Herausforderungen der Plattformökonomie begegnen|Meeting the challenges of the platform economy|Internet-Plattformen und die Kommune|Platform ekonomisinin zorluklarıyla başa çıkmak|Як відповісти на виклики платформної економіки|مواجهة تحديات اقتصاد المنصات"
	"prozesse|1A1D21|Prozesse sinnvoll digitalisieren|Digitalising processes sensibly|Abläufe im Amt gut digital machen|Süreçleri akıllıca dijitalleştirmek|Продумана цифровізація процесів|رقمنة الإجراءات بشكل مدروس"
)
# subtitle languages, as content.json lists them; de and en from ID.de.txt and
# ID.en.txt, the others from narration/ID.LANG.txt by subtitles.py
SUB_LANGS=(de de-x-ls en tr uk ar)

# Picture and sound.
W=1280 H=720 FPS=25
VOICE=de SPEED=150
RATE=22050                  # espeak-ng's sample rate; all timing is counted in its samples
LEAD=1.0 GAP=0.5 CARD_GAP=1.4 TAIL=2.0   # silences in seconds
FADE=10                     # frames of fade at a card change
MARGIN=96                   # left edge of all text
TEXT_TOP=112 TEXT_BOTTOM=592   # cards keep clear of the subtitle band at the bottom
BAR_Y=704 BAR_H=8           # the progress bar
MAX_BYTES=2000000           # each film stays under 2 MB
MIN_S=45 MAX_S=75

die() { echo "make-films: $*" >&2; exit 1; }

# ---- tools -------------------------------------------------------------------
need=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
[[ -f $FONT_BOLD && -f $FONT_REG ]] || need+=(fonts-noto-core)
if ((${#need[@]})); then
	echo "make-films: installing ${need[*]}" >&2
	SUDO=()
	[[ $(id -u) -eq 0 ]] || SUDO=(sudo)
	"${SUDO[@]}" apt-get update
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi
[[ $(ffmpeg -hide_banner -filters 2>/dev/null) == *' drawtext '* ]] || die "this ffmpeg has no drawtext filter"
[[ $(ffmpeg -hide_banner -encoders 2>/dev/null) == *' libx264 '* ]] || die "this ffmpeg has no libx264"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

FF=(ffmpeg -nostdin -hide_banner -v error -y)
BITEXACT=(-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact)

# ---- helpers -----------------------------------------------------------------
# wrap WIDTH TEXT: greedy word wrap, one line per output line.
wrap() {
	local -
	set -f
	local width=$1 line="" w
	for w in $2; do
		if [[ -z $line ]]; then
			line=$w
		elif ((${#line} + 1 + ${#w} <= width)); then
			line+=" $w"
		else
			printf '%s\n' "$line"
			line=$w
		fi
	done
	[[ -z $line ]] || printf '%s\n' "$line"
}

# balanced MAXWIDTH TEXT: as few lines as greedy wrapping at MAXWIDTH gives, but
# with the shortest width that still gives that many (no lone last word).
balanced() {
	local max=$1 text=$2 n width
	n=$(wrap "$max" "$text" | wc -l)
	for ((width = (${#text} + n - 1) / n; width < max; width++)); do
		(($(wrap "$width" "$text" | wc -l) <= n)) && break
	done
	wrap "$width" "$text"
}

# Subtitle lines: one line up to 42 characters, else lines of at most 54.
subwrap() {
	if ((${#1} <= 42)); then printf '%s\n' "$1"; else balanced 54 "$1"; fi
}

# samples -> SRT time
srt_time() {
	local ms=$((($1 * 1000 + RATE / 2) / RATE))
	printf '%02d:%02d:%02d,%03d' $((ms / 3600000)) $((ms / 60000 % 60)) $((ms / 1000 % 60)) $((ms % 1000))
}

# samples -> frame index (rounded)
to_frame() { echo $((($1 * FPS + RATE / 2) / RATE)); }

samples_of() {
	ffprobe -v error -select_streams a:0 -show_entries stream=duration_ts -of default=nw=1:nk=1 "$1"
}

silence() { # FILE SECONDS
	"${FF[@]}" -f lavfi -i "anullsrc=r=$RATE:cl=mono" -t "$2" -c:a pcm_s16le -fflags +bitexact "$1"
}

json_str() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

# narration FILE: fills CARD_HEAD[], CARD_BODY[] (lines joined by \n), CARD_N[]
# (sentences per card), SAY_TEXT[], SAY_SPOKEN[], SAY_CARD[].
parse() {
	local file=$1 line k=-1
	CARD_HEAD=() CARD_BODY=() CARD_N=() SAY_TEXT=() SAY_SPOKEN=() SAY_CARD=()
	[[ -f $file ]] || die "missing $file"
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%$'\r'}
		[[ -n ${line//[[:space:]]/} ]] || continue
		case $line in
		'# '*)
			k=$((k + 1))
			CARD_HEAD[k]=${line#'# '}
			CARD_BODY[k]=""
			CARD_N[k]=0
			;;
		'> '*)
			((k >= 0)) || die "$file: card text before the first '# ' heading"
			CARD_BODY[k]+="${line#'> '}"$'\n'
			;;
		*)
			((k >= 0)) || die "$file: sentence before the first '# ' heading"
			if [[ $line == *' || '* ]]; then
				SAY_TEXT+=("${line%% || *}")
				SAY_SPOKEN+=("${line#* || }")
			else
				SAY_TEXT+=("$line")
				SAY_SPOKEN+=("$line")
			fi
			SAY_CARD+=("$k")
			CARD_N[k]=$((CARD_N[k] + 1))
			;;
		esac
	done <"$file"
	((k >= 0)) || die "$file: no cards"
}

# card PNG: draw_card OUT BG LABEL HEADING BODY(lines) HEADING_SIZE
draw_card() {
	local out=$1 bg=$2 label=$3 head=$4 body=$5 hsize=$6
	local bsize=38 hadv badv hchars bchars
	hadv=$((hsize * 5 / 4))
	badv=$((bsize * 7 / 5))
	# characters per line: Noto Sans averages about 0.5 em (regular) and 0.55 em
	# (bold) on German text; a little less is used to be safe
	hchars=$(((W - 2 * MARGIN) * 100 / (hsize * 56)))
	bchars=$(((W - 2 * MARGIN) * 100 / (bsize * 52)))
	local -a hl=() bl=() gapafter=()
	local p l
	mapfile -t hl < <(balanced "$hchars" "$head")
	while IFS= read -r p; do
		[[ -n $p ]] || continue
		while IFS= read -r l; do
			bl+=("$l")
			gapafter+=(0)
		done < <(balanced "$bchars" "$p")
		gapafter[${#gapafter[@]} - 1]=1
	done <<<"$body"
	# block height: accent bar, heading lines, body lines with paragraph gaps
	local paras=0 g
	for g in "${gapafter[@]}"; do paras=$((paras + g)); done
	local block=$((6 + 30 + ${#hl[@]} * hadv))
	((${#bl[@]} == 0)) || block=$((block + 30 + ${#bl[@]} * badv + (paras - 1) * 14))
	# every card starts at the same height, unless it would reach the subtitle band
	local top=$((TEXT_TOP + 40))
	((top + block <= TEXT_BOTTOM)) || top=$((TEXT_BOTTOM - block))
	((top >= TEXT_TOP)) || die "card '$head' has too much text"

	local f=$TMP/card.filter n=0 y i
	: >"$f"
	line_filter() { # FONT SIZE COLOUR BASELINE TEXT
		n=$((n + 1))
		printf '%s' "$5" >"$TMP/line$n.txt"
		printf ',drawtext=fontfile=%s:textfile=%s:expansion=none:fontsize=%s:fontcolor=%s:x=%s:y=%s-max_glyph_a' \
			"$1" "$TMP/line$n.txt" "$2" "$3" "$MARGIN" "$4" >>"$f"
	}
	printf 'drawbox=x=%s:y=%s:w=72:h=6:color=white@0.75:t=fill' "$MARGIN" "$top" >>"$f"
	line_filter "$FONT_REG" 24 'white@0.85' 64 "$label"
	# baselines: a line of size S in a row of height ADV sits at row top + S * 19/20
	y=$((top + 6 + 30))
	for l in "${hl[@]}"; do
		line_filter "$FONT_BOLD" "$hsize" white $((y + hsize * 19 / 20)) "$l"
		y=$((y + hadv))
	done
	y=$((y + 30))
	for i in "${!bl[@]}"; do
		line_filter "$FONT_REG" "$bsize" white $((y + bsize * 19 / 20)) "${bl[i]}"
		y=$((y + badv + gapafter[i] * 14))
	done
	"${FF[@]}" -f lavfi -i "color=c=0x$bg:s=${W}x$H:r=1" -filter_script:v "$f" -frames:v 1 \
		-fflags +bitexact -flags:v +bitexact "$out"
}

# ---- films -------------------------------------------------------------------
declare -A DONE_FILES=()
json="["
nfilm=0
for entry in "${FILMS[@]}"; do
	IFS='|' read -r id bg title_de title_en title_ls title_tr title_uk title_ar <<<"$entry"
	nfilm=$((nfilm + 1))
	work=$TMP/$id
	mkdir -p "$work"

	parse "$NARR/$id.en.txt"
	en_text=("${SAY_TEXT[@]}")
	en_n=("${CARD_N[@]}")
	parse "$NARR/$id.de.txt"
	[[ "${en_n[*]}" == "${CARD_N[*]}" ]] ||
		die "$id: German and English narration differ in cards or sentences per card (${CARD_N[*]} / ${en_n[*]})"
	[[ ${CARD_HEAD[0]} == "$title_de" ]] || die "$id: the first card must be the title '$title_de'"

	# Speech, one WAV per sentence, and the silences between them.
	silence "$work/lead.wav" "$LEAD"
	silence "$work/gap.wav" "$GAP"
	silence "$work/cardgap.wav" "$CARD_GAP"
	silence "$work/tail.wav" "$TAIL"
	: >"$work/list.txt"
	pos=0
	piece() { # FILE: appends, returns its length in samples in $len
		len=$(samples_of "$1")
		[[ $len =~ ^[0-9]+$ ]] || die "cannot measure $1"
		printf "file '%s'\n" "$1" >>"$work/list.txt"
		pos=$((pos + len))
	}
	piece "$work/lead.wav"
	starts=() ends=()
	for i in "${!SAY_TEXT[@]}"; do
		if ((i > 0)); then
			if [[ ${SAY_CARD[i]} != "${SAY_CARD[i - 1]}" ]]; then piece "$work/cardgap.wav"; else piece "$work/gap.wav"; fi
		fi
		printf '%s\n' "${SAY_SPOKEN[i]}" >"$work/s$i.txt"
		espeak-ng -v "$VOICE" -s "$SPEED" -f "$work/s$i.txt" -w "$work/s$i.wav"
		starts[i]=$pos
		piece "$work/s$i.wav"
		ends[i]=$pos
	done
	piece "$work/tail.wav"
	total=$pos
	"${FF[@]}" -f concat -safe 0 -i "$work/list.txt" -c:a pcm_s16le -fflags +bitexact "$work/narration.wav"
	[[ $(samples_of "$work/narration.wav") -eq $total ]] || die "$id: narration length does not add up"

	# Cards: each from the middle of the silence before its first sentence (0 for the
	# first) to the middle of the silence after its last one (the end for the last).
	ncards=${#CARD_HEAD[@]}
	cstart=() first=0
	for ((k = 0; k < ncards; k++)); do
		if ((k == 0)); then
			cstart[k]=0
		else
			cstart[k]=$(to_frame $(((ends[first - 1] + starts[first]) / 2)))
		fi
		first=$((first + CARD_N[k]))
	done
	frames=$(to_frame "$total")
	cstart[ncards]=$frames

	graph=$work/graph.txt
	: >"$graph"
	inputs=()
	concat_in=""
	for ((k = 0; k < ncards; k++)); do
		body=${CARD_BODY[k]}
		hsize=54
		if ((k == 0)); then hsize=62; fi
		draw_card "$work/card$k.png" "$bg" "Digitale Kommune – Digitale Region · Ersatzfilm $nfilm von ${#FILMS[@]}" \
			"${CARD_HEAD[k]}" "$body" "$hsize"
		inputs+=(-loop 1 -framerate "$FPS" -i "$work/card$k.png")
		n=$((cstart[k + 1] - cstart[k]))
		((n > 2 * FADE)) || die "$id: card $k is too short"
		printf '[%d:v]trim=end_frame=%d,setpts=PTS-STARTPTS,format=yuv420p' "$k" "$n" >>"$graph"
		((k == 0)) || printf ',fade=t=in:s=0:n=%d:color=0x%s' "$FADE" "$bg" >>"$graph"
		printf ',fade=t=out:s=%d:n=%d:color=0x%s[c%d];\n' "$((n - FADE))" "$FADE" "$bg" "$k" >>"$graph"
		concat_in+="[c$k]"
	done
	dur=$(printf '%d.%02d' $((frames / FPS)) $((frames % FPS * 100 / FPS)))
	{
		printf '%sconcat=n=%d:v=1:a=0,drawbox=x=0:y=%d:w=%d:h=%d:color=black@0.25:t=fill[bg];\n' \
			"$concat_in" "$ncards" "$BAR_Y" "$W" "$BAR_H"
		printf 'color=c=white@0.8:s=%dx%d:r=%d,format=yuva420p[bar];\n' "$W" "$BAR_H" "$FPS"
		printf "[bg][bar]overlay=x='-w+w*t/%s':y=%d:shortest=1:format=yuv420,format=yuv420p[v]\n" "$dur" "$BAR_Y"
	} >>"$graph"

	"${FF[@]}" "${inputs[@]}" -i "$work/narration.wav" -filter_complex_script "$graph" \
		-map '[v]' -map "$ncards:a" -t "$dur" \
		-c:v libx264 -preset slow -tune stillimage -crf 30 -g 125 -profile:v high -level:v 3.1 \
		-pix_fmt yuv420p -r "$FPS" \
		-af volume=-1dB -c:a aac -b:a 64k -ac 1 -ar 44100 \
		-metadata:s:a:0 language=deu -movflags +faststart "${BITEXACT[@]}" "$work/$id.mp4"

	"${FF[@]}" -i "$work/card0.png" -vf "scale=640:360:flags=lanczos" -q:v 3 "${BITEXACT[@]}" "$work/$id.jpg"

	# Subtitles: each sentence from the start to the end of its speech.
	# (Leichte Sprache, Turkish, Ukrainian and Arabic follow below, from the German.)
	for lang in de en; do
		out=$work/$id.$lang.srt
		: >"$out"
		for i in "${!SAY_TEXT[@]}"; do
			if [[ $lang == de ]]; then text=${SAY_TEXT[i]}; else text=${en_text[i]}; fi
			{
				printf '%d\n%s --> %s\n' $((i + 1)) "$(srt_time "${starts[i]}")" "$(srt_time "${ends[i]}")"
				subwrap "$text"
				printf '\n'
			} >>"$out"
		done
	done

	# Subtitles in Leichte Sprache (timings of their own), Turkish, Ukrainian and
	# Arabic (the German timings), from narration/ID.LANG.txt: see subtitles.py.
	python3 "$HERE/subtitles.py" "$work/$id.de.srt" "$NARR" "$id" "$work" || die "$id: subtitles"
	python3 "$HERE/../tests/content/check_subtitles.py" "$work" >/dev/null || die "$id: subtitles fail the check"

	# Checks.
	bytes=$(stat -c %s "$work/$id.mp4")
	((bytes < MAX_BYTES)) || die "$id.mp4 has $bytes bytes (limit $MAX_BYTES): raise the CRF or shorten"
	secs=$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$work/$id.mp4")
	s=$(printf '%.0f' "$secs")
	((s >= MIN_S && s <= MAX_S)) || die "$id.mp4 lasts $secs s, not $MIN_S–$MAX_S s: change the narration"
	((bytes = $(stat -c %s "$work/$id.jpg"), bytes < 100000)) || die "$id.jpg is too big"

	((nfilm == 1)) || json+=","
	json+=$'\n  {\n'
	json+="    \"id\": $(json_str "$id"),"$'\n'
	json+="    \"title\": {\"de\": $(json_str "$title_de"), \"de-x-ls\": $(json_str "$title_ls"), \"en\": $(json_str "$title_en"), \"tr\": $(json_str "$title_tr"), \"uk\": $(json_str "$title_uk"), \"ar\": $(json_str "$title_ar")},"$'\n'
	json+="    \"file\": \"$id.mp4\","$'\n'
	json+="    \"still\": \"$id.jpg\","$'\n'
	json+="    \"subtitles\": {"
	sep=""
	for lang in "${SUB_LANGS[@]}"; do
		json+="$sep\"$lang\": \"$id.$lang.srt\""
		sep=", "
	done
	json+="},"$'\n'
	json+="    \"duration_s\": $s"$'\n'
	json+="  }"
	DONE_FILES[$id]=1
	echo "make-films: $id.mp4 ${secs}s, $(stat -c %s "$work/$id.mp4") bytes, ${#SAY_TEXT[@]} sentences on $ncards cards" >&2
done
json+=$'\n]\n'
printf '%s' "$json" >"$TMP/films.json"

# Everything was made: move it into place (same names every run).
for id in "${!DONE_FILES[@]}"; do
	subs=("${SUB_LANGS[@]/#/$id.}")
	for f in "$id.mp4" "$id.jpg" "${subs[@]/%/.srt}"; do
		mv -f "$TMP/$id/$f" "$HERE/$f"
	done
done
mv -f "$TMP/films.json" "$HERE/films.json"
chmod 644 "$HERE"/*.mp4 "$HERE"/*.jpg "$HERE"/*.srt "$HERE/films.json"
echo "make-films: done" >&2
