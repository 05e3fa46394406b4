# synack: `make demo` and `make test` set up a fresh Debian machine themselves.

SHELL := /bin/bash
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests need: libpcap for the pcap crate, pkg-config to
# find it, tmux for the end-to-end TUI test, iproute2/iptables for live-capture tests in
# network namespaces (nft drops SYNs), procps for sysctl, util-linux for setpriv (the live test
# of the unprivileged message), gcc and libc6-dev for linking and for mimalloc's C sources;
# for tests/export.rs, plantuml (renders the --export plantuml files), librsvg2-bin
# (rsvg-convert draws the SVG ones) and nodejs (Mermaid's own parser; Debian's npm package
# too where node came without npm: some builds of nodejs bundle it and conflict with it).
DEB_PKGS := libpcap-dev pkg-config gcc libc6-dev tmux iproute2 nftables iptables procps util-linux libcap2-bin \
	plantuml librsvg2-bin nodejs
# The npm packages tests/export.rs parses Mermaid with (mermaid, and jsdom for the DOM its
# sanitizer wants), pinned, in the project's own folder: nothing installed system-wide.
# Versions that run on Node.js 20 (mermaid 12 asks for 22).
NPM_DIR := target/npm
NPM_PKGS := mermaid@11.17.2 jsdom@26.1.0

.PHONY: all deps build demo test lint fixtures fuzz bench bench-live bench-ui bench-hostile bench-micro clean \
	assets install uninstall deb deb-check

all: build

# Installs what is missing (and only that), then checks the Rust toolchain is there.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	@[ "$$(cat $(NPM_DIR)/.installed 2>/dev/null)" = "$(NPM_PKGS)" ] || { \
	  echo "installing into $(NPM_DIR): $(NPM_PKGS)"; rm -rf $(NPM_DIR) && mkdir -p $(NPM_DIR) && \
	  npm install --silent --no-audit --no-fund --prefix $(NPM_DIR) $(NPM_PKGS) && \
	  echo "$(NPM_PKGS)" > $(NPM_DIR)/.installed; }
	@command -v $(CARGO) >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs"; exit 1; }
	@rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy 2>/dev/null || true

build: deps
	$(CARGO) build --release

demo: build
	./target/release/synack

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

# Tests that need root (network namespaces, live capture, raw sockets). As root (CI) they run
# with the rest; otherwise the rest run as the user and these through sudo (tests/root.sh).
ROOT_TESTS := live live_diagnose lab kernel
USER_TESTS := $(filter-out $(ROOT_TESTS),$(basename $(notdir $(wildcard tests/*.rs))))

test: deps lint
	@if [ "$$(id -u)" = 0 ]; then \
	  echo "$(CARGO) test --all-targets"; $(CARGO) test --all-targets; \
	else \
	  echo "$(CARGO) test (all but $(ROOT_TESTS))"; \
	  $(CARGO) test --lib --bins --examples --benches $(addprefix --test ,$(USER_TESTS)) && \
	  ./tests/root.sh $(CARGO) $(ROOT_TESTS); \
	fi
	$(CARGO) test --doc

fixtures:
	$(CARGO) run --example gen_fixtures

# cargo-fuzz targets in fuzz/ (decode, track, read_capture), FUZZ_TIME seconds each (60 by
# default), on a nightly toolchain; installs cargo-fuzz when missing. Not part of `make test`
# (its stable counterpart there is tests/mutation.rs). See fuzz/run.sh.
fuzz: deps
	CARGO=$(CARGO) ./fuzz/run.sh

# Generates large captures once (bench/data/, git-ignored), then times the libpcap floor,
# tcpdump, tshark and synack's batch modes side by side; writes bench/RESULTS.md. Installs
# tcpdump, tshark, time and perf when missing. SIZES="1M" RUNS=5 etc.: see bench/run.sh.
# Never part of `make test`: benchmarks are not timed tests. The live benchmark is separate
# (`make bench-live`: it needs root, and takes about two minutes).
bench: deps
	./bench/run.sh
	./bench/hostile.sh

# Live capture under load, as root: a load generator (examples/load_gen.rs) opens and closes
# TCP connections between two network namespaces over a veth pair at a ramp of rates, 10 s
# each, while `synack -i ... --json --no-events` captures; reports per rate its drops and
# its complete handshakes against the connections made, and the highest rate held with zero
# drops; writes bench/RESULTS.md. RATES="1000 5000 0" DURATION=10 etc.: see bench/live.sh.
bench-live: deps
	./bench/live.sh

# The TUI's own frame timings (SYNACK_FRAME_STATS): synack plays the 1M- and 10M-packet
# captures at --speed max in a detached 160x48 tmux session for 10 s each, then quits; time to
# the first frame, fps, frame draw time percentiles, capture rate. Writes the "ui table" of
# bench/RESULTS.md. SIZES="10M" RUNS=1 DURATION=5 etc.: see bench/ui.sh. Not a timed test.
bench-ui: deps
	./bench/ui.sh

# Peak memory on hostile captures (a 1M-source SYN flood, 200 x 10,000-segment connections) in
# every batch mode and the TUI, against the 256 MiB target: see bench/hostile.sh.
bench-hostile: deps
	./bench/hostile.sh

# criterion micro-benchmarks of the hot paths (decode, track, JSON, UI frame).
bench-micro: deps
	$(CARGO) bench --bench hot_paths

# ---- installing ----
# The man page and completions come from the binary itself (`--man`, `--completions`), so
# they never drift from --help. BIN: the binary to install and to ask (the release build
# unless given; tests/install.rs installs its own test build).
RELEASE_BIN := target/release/synack
BIN ?= $(RELEASE_BIN)
ASSETS ?= target/assets
PREFIX ?= /usr/local
DESTDIR ?=

assets:
	@if [ "$(BIN)" = "$(RELEASE_BIN)" ]; then $(CARGO) build --release; fi
	mkdir -p $(ASSETS)
	$(BIN) --man | gzip -9n > $(ASSETS)/synack.1.gz
	$(BIN) --completions bash > $(ASSETS)/synack.bash
	$(BIN) --completions zsh > $(ASSETS)/_synack
	$(BIN) --completions fish > $(ASSETS)/synack.fish
	@# The packaged binary without the release profile's line tables (debug = 1 is kept for
	@# profiling): 3-4x smaller.
	strip -o $(ASSETS)/synack $(BIN)

# make install PREFIX=~/.local (or DESTDIR=... for staging). Live capture then needs root, or
# once: sudo setcap cap_net_raw,cap_net_admin=eip $(PREFIX)/bin/synack (README, Privileges).
install: assets
	install -Dm755 $(BIN) $(DESTDIR)$(PREFIX)/bin/synack
	install -Dm644 $(ASSETS)/synack.1.gz $(DESTDIR)$(PREFIX)/share/man/man1/synack.1.gz
	install -Dm644 $(ASSETS)/synack.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/synack
	install -Dm644 $(ASSETS)/_synack $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_synack
	install -Dm644 $(ASSETS)/synack.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/synack.fish

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/synack $(DESTDIR)$(PREFIX)/share/man/man1/synack.1.gz \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/synack \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_synack \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/synack.fish

# A Debian package in target/debian/ (cargo-deb, installed when missing; what goes in: see
# [package.metadata.deb] in Cargo.toml).
deb: deps
	@command -v cargo-deb >/dev/null || $(CARGO) install cargo-deb
	$(MAKE) --no-print-directory assets BIN=$(RELEASE_BIN)
	$(CARGO) deb --no-build

# Builds the package and checks what is in it (tests/deb-check.sh). Not part of `make test`:
# it needs a release build and cargo-deb.
deb-check: deb
	./tests/deb-check.sh target/debian/synack_*.deb

clean:
	$(CARGO) clean
