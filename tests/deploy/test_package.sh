#!/usr/bin/env bash
# The Debian package (issue 13, items 1, 2, 5, 8): built by CPack from a Release
# build of its own, its contents and control files checked, lintian clean but
# for the overrides, installed into a throwaway root (never into this system),
# the installed kiosk started headless on the installed content, and the units
# checked with systemd-analyze.
#
#   test_package.sh SOURCE_DIR BUILD_DIR
set -u
src=$1
build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
passes=0
skips=0
ok() { echo "ok: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL: $1"; fails=$((fails + 1)); }
skip() { echo "skip: $1"; skips=$((skips + 1)); }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@" > "$tmp/out.txt" 2>&1; then ok "$what"; else
		fail "$what"
		sed 's/^/    /' "$tmp/out.txt" | head -40
	fi
}
finish() {
	echo "$passes passed, $fails failed, $skips skipped"
	[ "$fails" -eq 0 ]
	exit
}
started=$(date +%s)

# --- the package, from a Release build of its own ---------------------------
# The flags Debian builds its packages with (hardening: fortify, relro, now,
# PIE); only what goes into the package is built (no tests, no "all").
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
mkdir -p "$build"
if ! cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
	-DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON \
	"-DCMAKE_C_FLAGS=$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
	"-DCMAKE_EXE_LINKER_FLAGS=$(dpkg-buildflags --get LDFLAGS)" > "$tmp/cmake.txt" 2>&1 ||
	! cmake --build "$build" -j2 --target kiosk kioskctl kiosk_docs_gz >> "$tmp/cmake.txt" 2>&1; then
	tail -30 "$tmp/cmake.txt"
	fail "the Release build for the package"
	finish
fi
rm -f "$build"/kiosk_*.deb
if ! (cd "$build" && cpack -G DEB) > "$tmp/cpack.txt" 2>&1; then
	cat "$tmp/cpack.txt"
	fail "cpack -G DEB"
	finish
fi
deb=$(ls "$build"/kiosk_*_*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then fail "cpack made no kiosk_*.deb"; finish; fi
ok "cpack -G DEB made $(basename "$deb") in $(($(date +%s) - started)) s"

# --- what dpkg-deb says about it -----------------------------------------------
dpkg-deb -I "$deb" > "$tmp/info.txt"
dpkg-deb -f "$deb" Depends > "$tmp/depends.txt"
for dep in cage fonts-noto-core fonts-material-design-icons-iconfont espeak-ng-data vlc-plugin-base \
	libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsdl2-image-2.0-0 libvlc5 libsqlite3-0 libsodium23 \
	libcurl4 libarchive13 libespeak-ng1 libfribidi0 libjansson4 libmd4c0 libinih1 libpng16-16 libpam-systemd polkitd; do
	grep -Eq "(^|, )$dep( |,|$)" "$tmp/depends.txt" || fail "Depends lacks $dep: $(cat "$tmp/depends.txt")"
done
ok "Depends: the runtime libraries (from dpkg-shlibdeps), cage, the fonts, espeak-ng-data, vlc-plugin-base"
# apt would pull in every dependency from the archives this machine knows
# (a simulation: nothing is installed, no lock is taken).
if apt-get install -s -o Debug::NoLocking=1 "$deb" > "$tmp/apt.txt" 2>&1 && grep -q '^Inst kiosk ' "$tmp/apt.txt"; then
	ok "apt install ./$(basename "$deb") resolves every dependency ($(grep -c '^Inst ' "$tmp/apt.txt") packages to install)"
elif grep -qE 'Unable to locate|unmet dependencies|Depends:' "$tmp/apt.txt"; then
	fail "apt cannot resolve the package's dependencies"
	sed 's/^/    /' "$tmp/apt.txt" | head -20
else
	skip "apt cannot simulate here: $(head -1 "$tmp/apt.txt")"
fi
check "Package is kiosk, Architecture is this machine's" \
	test "$(dpkg-deb -f "$deb" Package Architecture | tr '\n' ' ')" = "Package: kiosk Architecture: $(dpkg --print-architecture) "
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles > "$tmp/conffiles.txt" 2>/dev/null ||
	dpkg-deb --ctrl-tarfile "$deb" | tar -xO conffiles > "$tmp/conffiles.txt"
check "conffiles: /etc/kiosk/kiosk.conf and /etc/pam.d/kiosk" \
	test "$(sort "$tmp/conffiles.txt" | tr '\n' ' ')" = "/etc/kiosk/kiosk.conf /etc/pam.d/kiosk "
for script in postinst prerm postrm; do
	check "$script is a shell script that sh -n accepts" \
		sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./$script | sh -n"
done

# Every file with its mode and owner: "MODE OWNER PATH".
dpkg-deb -c "$deb" | awk '{ p = $6; sub(/^\./, "", p); print $1, $2, p }' > "$tmp/list.txt"
expect_entry() { # MODE OWNER PATH
	if grep -qxF -- "$1 $2 $3" "$tmp/list.txt"; then ok "contains $3 ($1 $2)"; else
		fail "$3 not as $1 $2: $(grep -F " $3" "$tmp/list.txt" | head -1)"; fi
}
expect_entry -rwxr-xr-x root/root /usr/bin/kiosk
expect_entry -rwxr-xr-x root/root /usr/bin/kioskctl
expect_entry -rw-r--r-- root/root /etc/kiosk/kiosk.conf
expect_entry drwxr-xr-x root/root /etc/kiosk/keys/
expect_entry -rw-r--r-- root/root /etc/pam.d/kiosk
expect_entry -rw-r--r-- root/root /lib/systemd/system/kiosk.service
expect_entry -rw-r--r-- root/root /lib/systemd/system/kiosk-stick@.service
expect_entry -rw-r--r-- root/root /lib/udev/rules.d/80-kiosk-stick.rules
expect_entry -rw-r--r-- root/root /lib/systemd/system/kiosk-stick-rw@.service
expect_entry -rw-r--r-- root/root /usr/share/polkit-1/rules.d/50-kiosk-stick.rules
expect_entry -rwxr-xr-x root/root /usr/libexec/kiosk/kiosk-stick
expect_entry -rw-r--r-- root/root /usr/lib/sysusers.d/kiosk.conf
expect_entry -rw-r--r-- root/root /usr/lib/tmpfiles.d/kiosk.conf
expect_entry -rw-r--r-- root/root /usr/share/kiosk/content/content.json
expect_entry -rw-r--r-- root/root /usr/share/kiosk/media/projekt.mp4
expect_entry -rw-r--r-- root/root /usr/share/doc/kiosk/ADMIN.md
expect_entry -rw-r--r-- root/root /usr/share/doc/kiosk/copyright
expect_entry -rw-r--r-- root/root /usr/share/doc/kiosk/changelog.Debian.gz
expect_entry -rw-r--r-- root/root /usr/share/man/man1/kiosk.1.gz
expect_entry -rw-r--r-- root/root /usr/share/lintian/overrides/kiosk
# Every demo film, still and subtitle that content.json names, and every content file.
(cd "$src/media" && ls *.mp4 *.jpg *.srt films.json) | while read -r f; do
	grep -qxF -- "-rw-r--r-- root/root /usr/share/kiosk/media/$f" "$tmp/list.txt" || echo "$f"
done > "$tmp/missing.txt"
(cd "$src/assets/content" && find . -type f ! -name '*.py' | sed 's|^\./||') | while read -r f; do
	grep -qxF -- "-rw-r--r-- root/root /usr/share/kiosk/content/$f" "$tmp/list.txt" || echo "$f"
done >> "$tmp/missing.txt"
check "every demo content file and film is in the package" test ! -s "$tmp/missing.txt"
[ -s "$tmp/missing.txt" ] && sed 's/^/    missing: /' "$tmp/missing.txt"
check "nothing owned by anyone but root" sh -c "! grep -v ' root/root ' '$tmp/list.txt'"
check "nothing from the build or the tests in it (no .py, .sh, narration, var/)" \
	sh -c "! grep -E '\.py$|make-films|narration|/var/' '$tmp/list.txt'"

# --- lintian -----------------------------------------------------------------------
if command -v lintian > /dev/null; then
	# Every tag down to info fails, except the overrides shipped with their reasons.
	if lintian --fail-on error,warning,info -I --tag-display-limit 0 "$deb" > "$tmp/lintian.txt" 2>&1; then
		ok "lintian: clean but for $(grep -c '^kiosk:' "$src/assets/system/kiosk.lintian-overrides") overrides"
	else
		fail "lintian"
		grep -v 'running with root' "$tmp/lintian.txt" | sed 's/^/    /'
	fi
else
	skip "lintian is not installed (make test-deps installs it)"
fi

# --- installed into a throwaway root -----------------------------------------------
# dpkg --root installs there; --force-script-chrootless runs the maintainer
# scripts here with DPKG_ROOT set, and they change only that root (users,
# folders, the unit's enablement); nothing of this system is touched.
host_state() { # what the maintainer scripts would change on this system
	getent passwd kiosk
	ls -ld /var/lib/kiosk /media/kiosk /etc/systemd/system/graphical.target.wants/kiosk.service \
		/var/lib/systemd/deb-systemd-helper-enabled/kiosk.service.dsh-also 2>&1
	dpkg-query -W kiosk 2>&1
}
host_state > "$tmp/host-before.txt"
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg_root() {
	dpkg --root="$root" --log=/dev/null --force-script-chrootless --force-depends \
		--force-not-root --force-unsafe-io "$@"
}
if ! dpkg_root -i "$deb" > "$tmp/dpkg.txt" 2>&1; then
	cat "$tmp/dpkg.txt"
	fail "dpkg --root installs the package"
	finish
fi
ok "dpkg --root installs the package"
check "dpkg in the root knows it as installed" \
	sh -c "dpkg --root='$root' -s kiosk | grep -qx 'Status: install ok installed'"
check "the conffile is registered as such" \
	sh -c "dpkg --root='$root' -s kiosk | grep -Eq '^ /etc/kiosk/kiosk.conf [0-9a-f]{32}$'"

mode_owner() { stat -c '%a %U %G' "$1" 2> /dev/null || echo missing; }
uid_in_root() { awk -F: -v u="$1" '$1 == u { print $3 }' "$root/etc/passwd"; }
check "the system user kiosk exists, home /var/lib/kiosk, no login shell" \
	grep -Eq '^kiosk:x:[0-9]+:[0-9]+:[^:]*:/var/lib/kiosk:/usr/sbin/nologin$' "$root/etc/passwd"
kuid=$(uid_in_root kiosk)
check "kiosk is a system user (uid below 1000)" test "${kuid:-99999}" -lt 1000
kgid=$(awk -F: '$1 == "kiosk" { print $3 }' "$root/etc/group")
check "/var/lib/kiosk: 0750, owned by kiosk:kiosk" \
	test "$(stat -c '%a %u %g' "$root/var/lib/kiosk" 2>&1)" = "750 $kuid $kgid"
check "/media/kiosk (the sticks' root): 0755 root" test "$(mode_owner "$root/media/kiosk")" = "755 root root"
check "/usr/bin/kiosk: 0755 root" test "$(mode_owner "$root/usr/bin/kiosk")" = "755 root root"
check "/etc/kiosk/kiosk.conf: 0644 root" test "$(mode_owner "$root/etc/kiosk/kiosk.conf")" = "644 root root"
check "kiosk.service is enabled (graphical.target wants it), not started" \
	test -L "$root/etc/systemd/system/graphical.target.wants/kiosk.service"
check "/usr/bin/kiosk is stripped and hardened (PIE, BIND_NOW)" \
	sh -c "file -L '$root/usr/bin/kiosk' | grep -q 'pie executable.*stripped' && ! file -L '$root/usr/bin/kiosk' | grep -q 'not stripped' &&
	       readelf -d '$root/usr/bin/kiosk' | grep -q 'BIND_NOW'"

conf=$root/etc/kiosk/kiosk.conf
for line in "data_dir = /var/lib/kiosk" "seed_dir = /usr/share/kiosk/content" \
	"media_dir = /usr/share/kiosk/media" "trusted_keys = /etc/kiosk/keys" "usb_roots = /media/kiosk"; do
	grep -qxF "$line" "$conf" || fail "kiosk.conf lacks '$line'"
done
ok "kiosk.conf points at /usr/share/kiosk, /var/lib/kiosk, /etc/kiosk/keys, /media/kiosk"
check "kiosk.conf has every key of the repository's kiosk.conf" \
	test "$(grep -E '^[a-z_]+ =' "$src/kiosk.conf" | cut -d' ' -f1 | tr '\n' ' ')" = \
	"$(grep -E '^[a-z_]+ =' "$conf" | cut -d' ' -f1 | tr '\n' ' ')"

# The installed kiosk starts on the installed content with the installed config
# (its paths moved into the root): home, films and a page drawn headless.
sed -e "s|/usr/share/kiosk|$root/usr/share/kiosk|" -e "s|/var/lib/kiosk|$tmp/data|" \
	-e "s|/etc/kiosk/keys|$root/etc/kiosk/keys|" -e "s|^usb_roots = .*|usb_roots = $tmp/sticks|" \
	"$conf" > "$tmp/kiosk.conf"
mkdir -p "$tmp/sticks"
printf 'expect-screen home\ntap @home.films\nexpect-screen films\ntap @nav.home\ntap @home.guide\nexpect-screen guide\nquit\n' > "$tmp/script.txt"
check "the installed kiosk runs headless on the installed content and config" \
	env SDL_AUDIODRIVER=dummy timeout 60 "$root/usr/bin/kiosk" --config "$tmp/kiosk.conf" --headless \
	--script "$tmp/script.txt"
check "the installed kioskctl reads the installed config (status after that start)" \
	timeout 30 "$root/usr/bin/kioskctl" --config "$tmp/kiosk.conf" status --json

# A conffile that the admin changed is kept through a reinstall (an update).
printf '\n; changed by the admin\n' >> "$conf"
echo 'changed' > "$root/var/lib/kiosk/marker"
if dpkg_root --force-confold -i "$deb" > "$tmp/dpkg2.txt" 2>&1; then
	check "an update keeps the admin's kiosk.conf" grep -qx '; changed by the admin' "$conf"
	check "an update keeps /var/lib/kiosk" test -f "$root/var/lib/kiosk/marker"
else
	cat "$tmp/dpkg2.txt"
	fail "the package installs again over itself"
fi
# Removed: the programs go, the conffile and the data stay; purged: the conffile goes, the data stays.
if dpkg_root -r kiosk > "$tmp/dpkg3.txt" 2>&1; then
	check "remove: /usr/bin/kiosk gone, kiosk.conf and /var/lib/kiosk kept" \
		sh -c "[ ! -e '$root/usr/bin/kiosk' ] && [ -f '$conf' ] && [ -f '$root/var/lib/kiosk/marker' ]"
	dpkg_root -P kiosk > "$tmp/dpkg4.txt" 2>&1 || { cat "$tmp/dpkg4.txt"; fail "purge"; }
	check "purge: kiosk.conf gone, the feedback database's folder kept" \
		sh -c "[ ! -e '$conf' ] && [ -f '$root/var/lib/kiosk/marker' ]"
else
	cat "$tmp/dpkg3.txt"
	fail "dpkg -r kiosk"
fi

host_state > "$tmp/host-after.txt"
check "this system itself untouched (its users, folders, units, dpkg database)" \
	cmp -s "$tmp/host-before.txt" "$tmp/host-after.txt"

# --- the units --------------------------------------------------------------------
# systemd-analyze works offline on the unit files; it needs no running systemd
# but reads the units' binaries from the root it is given.
dpkg_root -i "$deb" > /dev/null 2>&1
if ! command -v systemd-analyze > /dev/null; then
	skip "systemd-analyze is not installed: the units are not verified"
else
	# The binaries the units name, as they would be on a kiosk (cage is a
	# dependency, not in the throwaway root; a stand-in with its name is enough
	# for verify, which only checks that it is there and executable).
	for b in /usr/bin/cage /usr/bin/env /bin/sh /usr/bin/setterm; do
		[ -e "$root$b" ] || { mkdir -p "$(dirname "$root$b")" && printf '#!/bin/sh\n' > "$root$b" && chmod 755 "$root$b"; }
	done
	# The units they refer to (sysinit.target, getty@.service, ...) as this
	# system has them, without replacing the package's own.
	cp -an /lib/systemd/system/. "$root/lib/systemd/system/" 2> /dev/null
	# verify exits 0 on unknown keys and bad values too: any word it says fails.
	if systemd-analyze verify --man=no --root="$root" kiosk.service kiosk-stick@sda1.service kiosk-stick-rw@sda1.service > "$tmp/verify.txt" 2>&1 &&
		[ ! -s "$tmp/verify.txt" ]; then
		ok "systemd-analyze verify: kiosk.service, kiosk-stick@.service, kiosk-stick-rw@.service (not a word)"
	elif grep -qiE 'Failed to (initialize|allocate) manager|Operation not permitted|System has not been booted' "$tmp/verify.txt"; then
		skip "systemd-analyze verify cannot run here: $(head -1 "$tmp/verify.txt")"
	else
		fail "systemd-analyze verify"
		sed 's/^/    /' "$tmp/verify.txt"
	fi
	# The exposure score of the hardened unit, as ADMIN.md states it: it may get
	# better, never worse without the docs changing with it.
	systemd-analyze security --offline=true --root="$root" kiosk.service > "$tmp/security.txt" 2>&1
	score=$(sed -n 's/.*Overall exposure level for kiosk.service: \([0-9.]*\).*/\1/p' "$tmp/security.txt")
	documented=$(sed -n 's/.*exposure level \*\*\([0-9.]*\)\*\*.*/\1/p' "$src/assets/docs/ADMIN.md" | head -1)
	if [ -z "$score" ]; then
		fail "systemd-analyze security gave no score"
		sed 's/^/    /' "$tmp/security.txt" | tail -20
	elif [ -z "$documented" ]; then
		fail "ADMIN.md states no exposure level (**N.N**)"
	elif awk -v s="$score" -v d="$documented" 'BEGIN { exit !(s <= d) }'; then
		ok "systemd-analyze security: kiosk.service exposure $score (ADMIN.md: $documented)"
	else
		fail "systemd-analyze security: exposure $score, worse than the $documented of ADMIN.md"
		grep '✗' "$tmp/security.txt" | sed 's/^/    /'
	fi
	# The stick units run as root: ADMIN.md gives them 1.0.
	for unit in kiosk-stick@sda1.service kiosk-stick-rw@sda1.service; do
		sscore=$(systemd-analyze security --offline=true --root="$root" $unit 2>&1 |
			sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
		if [ -n "$sscore" ] && awk -v s="$sscore" 'BEGIN { exit !(s <= 1.0) }'; then
			ok "systemd-analyze security: $unit exposure $sscore (ADMIN.md: 1.0)"
		else
			fail "systemd-analyze security: $unit exposure '$sscore', worse than 1.0"
		fi
	done
	for key in "ProtectSystem=strict" "ReadWritePaths=/var/lib/kiosk" "NoNewPrivileges=yes" "PrivateTmp=yes" \
		"Restart=always" "User=kiosk" "TTYPath=/dev/tty1"; do
		grep -qxF "$key" "$root/lib/systemd/system/kiosk.service" || fail "kiosk.service lacks $key"
	done
	ok "kiosk.service: User=kiosk on tty1, Restart=always, ProtectSystem=strict, ReadWritePaths=/var/lib/kiosk, NoNewPrivileges, PrivateTmp"
	check "kiosk.service: cage without -s (no VT switching), the kiosk with /etc/kiosk/kiosk.conf" \
		grep -Eq '^ExecStart=.*/usr/bin/cage -d -- /usr/bin/kiosk --config /etc/kiosk/kiosk.conf$' "$root/lib/systemd/system/kiosk.service"
fi

echo "deploy.package took $(($(date +%s) - started)) s"
finish
