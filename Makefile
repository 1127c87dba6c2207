# Thin wrapper over meson (the real build). `make run` and `make test` work on a fresh Debian or
# Ubuntu machine: they install the missing packages first (as root, or with sudo), or print the
# exact apt-get line and stop.
#
#   make run     set up, build, run scenarios/quickstart.ini (100 nodes, four regions, 100 views)
#   make test    set up, build, run every test (meson test)
#   make sanitize   build with ASan + UBSan in build-sanitize/ and run the tests there
#   make baseline   accept the scenarios' headline metrics as they are now into
#                tests/baseline/metrics.txt, printing the Baseline: lines for the commit message
#   make fuzz    build the fuzz harnesses with clang + libFuzzer + ASan/UBSan in build-fuzz/ and
#                run each for FUZZ_TIME seconds (default 60), one at a time (docs/fuzzing.md)
#   make bench   the PHOLD engine benchmark against its baseline, then HotShot at scale; writes
#                bench/RESULTS.md and the README's figures

BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 60
FUZZ_HARNESSES := message payload node units distribution selector scenario
PACKAGES := gcc libc6-dev meson ninja-build pkg-config libglib2.0-dev libgsl-dev libsodium-dev \
            libxxhash-dev libjson-glib-dev libcsv-dev check gnuplot-nox parallel python3 chromium clang
MESON_OPTIONS ?= -Dwerror=true

.PHONY: all deps setup build run test sanitize baseline fuzz bench clean

all: build

deps:
	@missing=""; \
	for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "shotglass: installing missing packages:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	  echo "shotglass: cannot install packages (not root, no passwordless sudo). Run:"; \
	  echo "  sudo apt-get install -y$$missing"; \
	  exit 1; \
	fi

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(MESON_OPTIONS)

setup: deps $(BUILD)/build.ninja

build: setup
	ninja -C $(BUILD)

run: build
	./$(BUILD)/shotglass run scenarios/quickstart.ini

test: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2

# The browser suite (report-browser) is left out on purpose: it checks the page in Chromium, not
# the C code that wrote it, which plot-commands runs here. metric-baseline (suite scenarios)
# stays: a sanitized build must give the same metrics.
sanitize: deps
	@[ -f $(SANITIZE_BUILD)/build.ninja ] || meson setup $(SANITIZE_BUILD) $(MESON_OPTIONS) \
	  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	ninja -C $(SANITIZE_BUILD)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  meson test -C $(SANITIZE_BUILD) --print-errorlogs --suite unit --suite protocol --suite determinism --suite simulation \
	  --suite scenarios

# The scenario list is scenarios/meson.build's, so a scenario added there is in the baseline.
baseline: build
	ninja -C $(BUILD) baseline

fuzz: deps
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dtests=disabled
	ninja -C $(FUZZ_BUILD) $(addprefix tests/fuzz/fuzz-,$(FUZZ_HARNESSES))
	python3 tests/fuzz/run.py $(FUZZ_BUILD) $(FUZZ_TIME)

bench: build
	bench/record --build $(BUILD)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(FUZZ_BUILD)
