#!/usr/bin/env bash
# The layer check of DESIGN.md §2: every #include "kiosk/…" and every library
# header in app/ and include/ must be allowed by the layer table.  (The other
# half of the check is the link of each module's unit tests.)
set -u
cd "$(dirname "$0")/.."
status=0

# Module → the project headers it may include (its own and those below it).
allowed_kiosk() {
	case "$1" in
	core) echo "core" ;;
	store) echo "core store" ;;
	content) echo "core store content" ;;
	bundle | sync | export) echo "core store content $1" ;;
	model) echo "core store content bundle sync export model" ;;
	media | speech) echo "core $1" ;;
	ui) echo "core store content bundle sync export model media speech ui" ;;
	main.c) echo "core store content bundle sync export model media speech ui" ;;
	kioskctl.c) echo "core store content bundle sync export" ;;
	*) echo "" ;;
	esac
}

# Library header pattern → the modules that may include it.
allowed_lib() {
	case "$1" in
	sqlite3.h) echo "store" ;;
	curl/*) echo "sync" ;;
	vlc/*) echo "media" ;;
	SDL* | fribidi* | systemd/*) echo "ui main.c" ;;
	png.h) echo "ui" ;;
	espeak*) echo "speech" ;;
	sodium*) echo "core bundle" ;;
	archive*.h | nettle/*) echo "bundle" ;;
	md4c*.h) echo "content" ;;
	ini.h) echo "core" ;;
	jansson.h) echo "*" ;;
	*) echo "*" ;; # libc and POSIX
	esac
}

module_of() {
	case "$1" in
	app/main.c) echo main.c ;;
	app/kioskctl.c) echo kioskctl.c ;;
	app/*/*) echo "$1" | cut -d/ -f2 ;;
	include/kiosk/*.h) basename "$1" .h ;;
	*) echo "?" ;;
	esac
}

while IFS= read -r file; do
	mod=$(module_of "$file")
	while IFS= read -r inc; do
		[ -n "$inc" ] || continue
		case "$inc" in
		kiosk/*)
			dep=$(basename "$inc" .h)
			if ! [[ " $(allowed_kiosk "$mod") " == *" $dep "* ]]; then
				echo "$file: includes $inc, but $mod may not use $dep (DESIGN.md §2)"
				status=1
			fi
			;;
		*)
			who=$(allowed_lib "$inc")
			if [ "$who" != "*" ] && ! [[ " $who " == *" $mod "* ]]; then
				echo "$file: includes <$inc>, which only $who may include (DESIGN.md §2)"
				status=1
			fi
			;;
		esac
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$file" |
		grep -v '_int\.h$')
done < <(find app include -name '*.[ch]' | sort)

[ $status = 0 ] && echo "layers ok: $(find app include -name '*.[ch]' | wc -l) files checked"
exit $status
