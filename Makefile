# Digitale Kommune Kiosk — the two commands of the README, and a few helpers.
#
#   make run     install what is missing, build, start the kiosk (demo content)
#   make check   install what is missing, build, run every test (also under ASan/UBSan),
#                and run each libFuzzer target briefly (make fuzz)
#
# Everything else is CMake; this file only wires the steps together.

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= 2

# Debian 12 packages: to build and run, and in addition to test.
RUN_DEPS  = build-essential cmake pkg-config \
            libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libpng-dev libfribidi-dev \
            libsqlite3-dev libsodium-dev libjansson-dev libmd4c-dev libinih-dev libarchive-dev nettle-dev libcurl4-openssl-dev libsystemd-dev \
            libvlc-dev vlc-plugin-base libespeak-ng-dev espeak-ng-data \
            fonts-noto-core fonts-material-design-icons-iconfont
# nginx: the Debian package that holds the binary, with ngx_http_dav_module built in
# (nginx-light/-core/-full only add modules to it); curl and openssl drive the sync tests,
# faketime (libfaketime) gives them a kiosk clock that jumps; chromium opens the summary
# page (cli.report) headless for a screenshot and its console.
# lintian, systemd (systemd-analyze), udev (udevadm), file, dosfstools and exfatprogs:
# the package and the stick tests (tests/deploy); valgrind: the memcheck soak (soak-long).
TEST_DEPS = libcmocka-dev python3 sqlite3 xvfb xauth xdotool nginx curl openssl strace faketime \
            chromium lintian systemd udev file dosfstools exfatprogs valgrind \
            clang libclang-rt-14-dev

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run check deps test-deps build build-asan build-fuzz test test-asan fuzz fuzz-long soak \
        clean

run: deps build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "No display here.  Run the kiosk under Xvfb:"; \
	  echo "  xvfb-run -a -s '-screen 0 1920x1080x24' $(BUILD)/app/kiosk --windowed"; \
	  echo "or headless with a script (screenshots land in shots/):"; \
	  echo "  echo 'shot home' | $(BUILD)/app/kiosk --headless --script - --screenshot-dir shots"; \
	  exit 1; \
	fi
	$(BUILD)/app/kiosk --config kiosk.conf $(KIOSK_ARGS)

# A window for trying it out; a kiosk PC runs `kiosk` full screen (see README).
KIOSK_ARGS ?= --windowed

check: deps test-deps build build-asan test test-asan fuzz

# Installs only what is missing, so a second run needs no network and no root.
deps:
	@missing=$$(for p in $(RUN_DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

test-deps:
	@$(MAKE) --no-print-directory deps RUN_DEPS="$(TEST_DEPS)"

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

build-asan:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DKIOSK_SANITIZE=ON
	cmake --build $(BUILD_ASAN) -j$(JOBS)

test:
	ctest --test-dir $(BUILD) -j$(JOBS) --output-on-failure -LE "bench|soak-long"

# The long soak and its memcheck run (about 14 and 2 minutes; not in `check`).
soak: build
	ctest --test-dir $(BUILD) --output-on-failure -L soak-long

# Films (label media) run without leak detection: libvlc unloads its plugins
# at exit, so what they leave cannot be named or suppressed (see tests/lsan.supp).
test-asan:
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir $(BUILD_ASAN) -j$(JOBS) --output-on-failure -LE "bench|slow|media|soak-long"
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir $(BUILD_ASAN) -j$(JOBS) --output-on-failure -L media -LE "bench|slow|soak-long"

# libFuzzer targets (tests/fuzz): a build of their own with clang.  "fuzz"
# replays the regression inputs and runs each target 40 s (two at a time, some
# four minutes); "fuzz-long" runs each 20 minutes.  New inputs are kept in
# $(BUILD_FUZZ)/fuzz-findings, never added to the seeds by themselves.
build-fuzz:
	cmake -S . -B $(BUILD_FUZZ) -DKIOSK_FUZZ=ON -DCMAKE_C_COMPILER=clang
	cmake --build $(BUILD_FUZZ) -j$(JOBS)

fuzz: build-fuzz
	ctest --test-dir $(BUILD_FUZZ) -j$(JOBS) --output-on-failure -L '^fuzz$$'

fuzz-long: build-fuzz
	ctest --test-dir $(BUILD_FUZZ) -j$(JOBS) --output-on-failure -L '^fuzz-long$$'

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
