#!/usr/bin/env bash
# USB sticks on a kiosk (issue 13, item 3): the udev rule asks systemd for
# kiosk-stick@DEV.service for exactly the USB sticks with vfat, exfat or ext4;
# the helper names the mount point and options; and those options, mounted for
# real (a file system image on a loop device, in a mount namespace of the
# test's own), give a read-only, nosuid, nodev, noexec stick that the kiosk
# user can read.  Parts this machine cannot do are skipped with a message.
#
#   test_stick.sh SOURCE_DIR
set -u
src=$1
sys=$src/assets/system
helper=$sys/kiosk-stick
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # the mount points below it are reached as another user
fails=0
passes=0
skips=0
ok() { echo "ok: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL: $1"; fails=$((fails + 1)); }
skip() { echo "skip: $1"; skips=$((skips + 1)); }
same() { # same DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$3', expected '$2'"; fi
}

# --- the helper's plan: mount point and options -----------------------------------
export KIOSK_STICK_ROOT=$tmp/media KIOSK_STICK_OWNER=nobody
mkdir -p "$KIOSK_STICK_ROOT"
nuid=$(id -u nobody)
ngid=$(id -g nobody)
same "vfat: ro,nosuid,nodev,noexec, files the kiosk user's" \
	"$KIOSK_STICK_ROOT/STICK ro,nosuid,nodev,noexec,relatime,uid=$nuid,gid=$ngid,umask=077,utf8,shortname=mixed,flush" \
	"$("$helper" plan sdb1 vfat STICK)"
same "exfat: the same" \
	"$KIOSK_STICK_ROOT/STICK ro,nosuid,nodev,noexec,relatime,uid=$nuid,gid=$ngid,umask=077,iocharset=utf8" \
	"$("$helper" plan sdb1 exfat STICK)"
same "ext4: ro,nosuid,nodev,noexec (owners are the stick's)" \
	"$KIOSK_STICK_ROOT/STICK ro,nosuid,nodev,noexec,relatime" "$("$helper" plan sdb1 ext4 STICK)"
same "a label with a slash, dots and spaces stays one folder under the root" \
	"$KIOSK_STICK_ROOT/A_B_.._C" "$("$helper" plan sdb1 ext4 'A B/../C' | cut -d' ' -f1)"
same "a label '..' is the device's name" "$KIOSK_STICK_ROOT/sdb1" "$("$helper" plan sdb1 ext4 .. | cut -d' ' -f1)"
same "no label: the device's name" "$KIOSK_STICK_ROOT/sdc" "$("$helper" plan sdc vfat '' | cut -d' ' -f1)"
same "a long label is cut to 32 characters" "$KIOSK_STICK_ROOT/$(printf 'x%.0s' $(seq 32))" \
	"$("$helper" plan sdb1 vfat "$(printf 'x%.0s' $(seq 80))" | cut -d' ' -f1)"
same "vfat for an export (rw): writable, still nosuid, nodev, noexec" \
	"$KIOSK_STICK_ROOT/STICK rw,nosuid,nodev,noexec,relatime,uid=$nuid,gid=$ngid,umask=077,utf8,shortname=mixed,flush" \
	"$("$helper" plan sdb1 vfat STICK rw)"
"$helper" plan sdb1 vfat STICK rx > /dev/null 2>&1
same "plan with a mode other than rw is refused" 1 $?
"$helper" plan sdb1 ntfs STICK > /dev/null 2>&1
same "ntfs is refused" 1 $?
"$helper" plan ../sda vfat STICK > /dev/null 2>&1
same "a device name with a slash is refused" 1 $?
"$helper" add > /dev/null 2>&1
same "no device: usage, exit 1" 1 $?

# --- the udev rule, in a mount namespace of its own ----------------------------------
# udevadm verify arrived after systemd 252 (Debian 12); udevadm test runs the
# rules on a real device here without changing it.  A stand-in rule before ours
# gives the device the properties a USB stick would have (bus, file system).
dev=$(ls /sys/class/block 2> /dev/null | grep -E '^(loop[0-9]+|ram[0-9]+|zram[0-9]+|vd[a-z]+|sd[a-z]+)$' | head -1)
udev_props() { # BUS FSTYPE -> the properties udevadm test shows for $dev
	mkdir -p "$tmp/rules"
	rm -f "$tmp/rules"/*.rules
	cp "$sys/80-kiosk-stick.rules" "$tmp/rules/"
	printf 'SUBSYSTEM=="block", KERNEL=="%s", ENV{ID_BUS}="%s", ENV{ID_FS_USAGE}="filesystem", ENV{ID_FS_TYPE}="%s", ENV{ID_FS_LABEL}="STICK"\n' \
		"$dev" "$1" "$2" > "$tmp/rules/79-stand-in.rules"
	unshare -m sh -c "mount -t tmpfs tmpfs /etc/udev/rules.d && cp '$tmp/rules'/*.rules /etc/udev/rules.d/ &&
		exec udevadm test --action=add /sys/class/block/$dev" > "$tmp/udev.txt" 2>&1
}
if ! command -v udevadm > /dev/null; then
	skip "udevadm is not installed: the rule is not checked"
elif [ -z "$dev" ]; then
	skip "no block device in /sys/class/block to run the rule on"
elif ! unshare -m true 2> /dev/null; then
	skip "no mount namespace may be made here (needs root): the rule is not checked"
else
	udev_props usb vfat
	if grep -q "80-kiosk-stick.rules" "$tmp/udev.txt" && ! grep -iE "80-kiosk-stick.rules:[0-9]+.*(invalid|error|unknown|ignoring)" "$tmp/udev.txt"; then
		ok "udevadm reads the rule without a complaint"
	else
		fail "udevadm and the rule"
		grep -i "kiosk" "$tmp/udev.txt" | sed 's/^/    /'
	fi
	for fs in vfat exfat ext4; do
		udev_props usb $fs
		if grep -qx "SYSTEMD_WANTS=kiosk-stick@$dev.service" "$tmp/udev.txt" &&
			grep -q "^TAGS=.*:systemd:" "$tmp/udev.txt" && grep -qx "UDISKS_IGNORE=1" "$tmp/udev.txt"; then
			ok "a USB stick with $fs: systemd is asked for kiosk-stick@$dev.service"
		else
			fail "a USB stick with $fs is not handed to kiosk-stick@.service"
			sed 's/^/    /' "$tmp/udev.txt" | tail -25
		fi
	done
	for case in "usb ntfs" "usb swap" "ata vfat" "scsi ext4"; do
		udev_props $case
		if grep -q "^SYSTEMD_WANTS=.*kiosk-stick" "$tmp/udev.txt"; then
			fail "$case: the rule would mount it"
		else
			ok "$case: left alone"
		fi
	done
fi

# --- the options, mounted for real ------------------------------------------------
mkfs_for() { # FSTYPE IMAGE
	case $1 in
	vfat) mkfs.vfat -n STICK "$2" ;;
	exfat) mkfs.exfat -L STICK "$2" ;;
	ext4) mkfs.ext4 -q -L STICK "$2" ;;
	esac
}
for fs in vfat exfat ext4; do
	img=$tmp/$fs.img
	case $fs in vfat) tool=mkfs.vfat ;; exfat) tool=mkfs.exfat ;; ext4) tool=mkfs.ext4 ;; esac
	if ! command -v $tool > /dev/null && ! [ -x /usr/sbin/$tool ] && ! [ -x /sbin/$tool ]; then
		skip "$fs: $tool is not installed (make test-deps installs it)"
		continue
	fi
	truncate -s 40M "$img"
	PATH=$PATH:/usr/sbin:/sbin mkfs_for $fs "$img" > "$tmp/mkfs.txt" 2>&1 || { cat "$tmp/mkfs.txt"; fail "$fs: mkfs"; continue; }
	# What the helper reads with blkid on the stick.
	same "$fs: blkid gives the type and label the helper reads" "$fs STICK" \
		"$(blkid -o value -s TYPE "$img") $(blkid -o value -s LABEL "$img")"
	# A file on it, written before it is a stick.
	if ! unshare -m sh -c "mkdir -p '$tmp/w' && mount -o loop '$img' '$tmp/w' && echo hello > '$tmp/w/bundle.kiosk' && umount '$tmp/w'" > "$tmp/m.txt" 2>&1; then
		skip "$fs: this machine cannot mount it here ($(head -1 "$tmp/m.txt"))"
		continue
	fi
	read -r where opts <<< "$("$helper" plan loop9 $fs STICK)"
	# Mounted as the helper would, then: the options in force, a read as the
	# owner, and no write, no device, no program.
	unshare -m sh -c "mkdir -p '$where' && mount -t $fs -o 'loop,$opts' '$img' '$where' &&
		findmnt -no OPTIONS '$where' | tr ',' '\n' | grep -xE 'ro|nosuid|nodev|noexec' | sort | tr '\n' ' ' &&
		echo && setpriv --reuid=$nuid --regid=$ngid --clear-groups cat '$where/bundle.kiosk' &&
		if touch '$where/new' 2> /dev/null; then echo WRITABLE; fi; umount '$where'" > "$tmp/m.txt" 2>&1
	case $fs in ext4) reader="readable" ;; *) reader="readable by the kiosk user" ;; esac
	if [ "$(head -1 "$tmp/m.txt")" = "nodev noexec nosuid ro " ] && grep -qx hello "$tmp/m.txt" && ! grep -q WRITABLE "$tmp/m.txt"; then
		ok "$fs: mounted with the helper's options: ro, nosuid, nodev, noexec; $reader; not writable"
	elif [ $fs = ext4 ] && [ "$(head -1 "$tmp/m.txt")" = "nodev noexec nosuid ro " ] && ! grep -q WRITABLE "$tmp/m.txt"; then
		# ext4 keeps its files' owners: root's 0644 file is readable by all.
		fail "ext4: the file written by root is not readable by another user"
		sed 's/^/    /' "$tmp/m.txt"
	else
		fail "$fs: mounted with '$opts'"
		sed 's/^/    /' "$tmp/m.txt"
	fi
	# Writable for an export, as "kiosk-stick rw" mounts it: the kiosk user
	# writes (vfat, exfat) and still nothing on it runs.
	read -r where opts <<< "$("$helper" plan loop9 $fs STICK rw)"
	case $fs in ext4) writer="" ;; *) writer="setpriv --reuid=$nuid --regid=$ngid --clear-groups" ;; esac
	unshare -m sh -c "mkdir -p '$where' && mount -t $fs -o 'loop,$opts' '$img' '$where' &&
		findmnt -no OPTIONS '$where' | tr ',' '\n' | grep -xE 'rw|nosuid|nodev|noexec' | sort | tr '\n' ' ' &&
		echo && $writer sh -c 'echo export > \"$where/export.csv\"' && cat '$where/export.csv'; umount '$where'" > "$tmp/m.txt" 2>&1
	if [ "$(head -1 "$tmp/m.txt")" = "nodev noexec nosuid rw " ] && grep -qx export "$tmp/m.txt"; then
		ok "$fs: mounted for an export: writable${writer:+ by the kiosk user}, still nosuid, nodev, noexec"
	else
		fail "$fs: mounted for an export with '$opts'"
		sed 's/^/    /' "$tmp/m.txt"
	fi
	rmdir "$where" 2> /dev/null
done

# --- polkit: the kiosk may start and stop kiosk-stick-rw@DEV.service, nothing else ---
if command -v node > /dev/null; then
	cat > "$tmp/polkit.js" <<-'EOT'
	const fs = require("fs");
	let rule;
	const polkit = { Result: { YES: "yes" }, addRule: (f) => { rule = f; } };
	new Function("polkit", fs.readFileSync(process.argv[2], "utf8"))(polkit);
	const ask = (id, user, unit, verb) =>
		rule({ id, lookup: (k) => ({ unit, verb })[k] }, { user }) === "yes" ? "yes" : "no";
	const m = "org.freedesktop.systemd1.manage-units";
	console.log([
		ask(m, "kiosk", "kiosk-stick-rw@sdb1.service", "start"),
		ask(m, "kiosk", "kiosk-stick-rw@sdb1.service", "stop"),
		ask(m, "kiosk", "kiosk-stick-rw@sdb1.service", "restart"),
		ask(m, "kiosk", "kiosk.service", "stop"),
		ask(m, "kiosk", "kiosk-stick@sdb1.service", "stop"),
		ask(m, "kiosk", "kiosk-stick-rw@../x.service", "start"),
		ask(m, "someone", "kiosk-stick-rw@sdb1.service", "start"),
		ask("org.freedesktop.systemd1.manage-unit-files", "kiosk", "kiosk-stick-rw@sdb1.service", "start"),
	].join(" "));
	EOT
	same "polkit: kiosk may start and stop kiosk-stick-rw@DEV, nothing else, nobody else" \
		"yes yes no no no no no no" "$(node "$tmp/polkit.js" "$sys/kiosk-stick.polkit.rules" 2>&1)"
else
	skip "node is not installed: the polkit rule is not evaluated"
fi

# --- the helper's remove leaves no empty folder behind ------------------------------
mkdir -p "$KIOSK_STICK_ROOT/GONE"
"$helper" remove sdz1 > /dev/null 2>&1
same "remove: an empty folder of a stick that is gone is removed" "" "$(ls "$KIOSK_STICK_ROOT")"

echo "$passes passed, $fails failed, $skips skipped"
[ "$fails" -eq 0 ]
