# synack: `make demo` and `make test` set up a fresh Debian machine themselves.

SHELL := /bin/bash
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests need: libpcap for the pcap crate, pkg-config to
# find it, tmux for the end-to-end TUI test, iproute2/iptables for live-capture tests in
# network namespaces, procps for ss-style checks.
DEB_PKGS := libpcap-dev pkg-config tmux iproute2 nftables iptables procps

.PHONY: all deps build demo test lint fixtures bench clean

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
	@command -v $(CARGO) >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs"; exit 1; }
	@rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy 2>/dev/null || true

build: deps
	$(CARGO) build --release

demo: build
	./target/release/synack

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

test: deps lint
	$(CARGO) test --all-targets
	$(CARGO) test --doc

fixtures:
	$(CARGO) run --example gen_fixtures

clean:
	$(CARGO) clean
