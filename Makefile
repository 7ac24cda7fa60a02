# pktpath build.
#   make            build/pktpath (BPF objects -> skeletons -> binary)
#   make test       install missing packages, build, run every test
#   make demo       the main job on a self-contained namespace lab
#   make bench      the cost of tracing against no tracing and tcpdump
#   make vm         only the kernel matrix: Debian 5.10, 6.1, 6.12 and sid's newest under QEMU (tests/vm/)
#   make static     build/pktpath-static: every library linked in, runs on any x86_64 Linux with BTF
#   make install    PREFIX=/usr/local DESTDIR= (STATIC=1: install build/pktpath-static as pktpath)
# V=1 shows full commands.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build

CC ?= gcc
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= bpftool

# vmlinux.h is generated from the build machine's BTF rather than committed:
# CO-RE relocates every field access at load time, so any recent kernel's
# types serve, and a generated file keeps 3 MB of machine output out of git.
# Point VMLINUX_BTF at another BTF file to build elsewhere.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
override CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -I$(BUILD) -I. -DPKTPATH_VERSION='"$(VERSION)"'
LDLIBS := -lbpf -lelf -lz -lpcap -lmnl -lnftnl
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) -Wno-unused-function

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

# Everything but main() is a library both the command and the tests link.
LIB_SRCS := $(filter-out cmd/cli/main.c,$(wildcard cmd/*/*.c kernel/*.c netlib/*.c filters/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
ASAN_OBJS := $(patsubst %.c,$(BUILD)/asan/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# libFuzzer targets (tests/fuzz/fuzz_*.c): the library again, built by clang
# with coverage for the fuzzer and both sanitizers.
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/%.o,$(LIB_SRCS))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECS ?= 60

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all asan tests test check demo bench install clean deps vm fuzz static

all: $(BUILD)/pktpath

$(BUILD)/vmlinux.h: | $(BUILD)
	$(call msg,GEN,$@)
	$(Q)test -r $(VMLINUX_BTF) || { echo "no BTF at $(VMLINUX_BTF): set VMLINUX_BTF=FILE" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/*.h $(BUILD)/vmlinux.h | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(BUILD) -Ibpf -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/%.o: %.c $(SKELS) | $(BUILD)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/asan/%.o: %.c $(SKELS) | $(BUILD)
	$(call msg,CC-SAN,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -MMD -MP -c $< -o $@

$(BUILD)/pktpath: $(BUILD)/cmd/cli/main.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# The same program with AddressSanitizer and UBSan, run by the tests.
$(BUILD)/asan/pktpath: $(BUILD)/asan/cmd/cli/main.o $(ASAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) $^ $(LDLIBS) -o $@

asan: $(BUILD)/asan/pktpath

# One static binary (README: "One static binary"): libbpf.a, libelf.a and
# libz.a from Debian's -dev packages; libpcap.a (without D-Bus, whose static
# form needs libsystemd.a, which Debian does not ship) and libmnl.a (bookworm
# ships none) made by tests/static_libs.sh from Debian's packages at build time.
STATIC_DIR := $(BUILD)/static
STATIC_LIBS := $(STATIC_DIR)/lib/libpcap.a $(STATIC_DIR)/lib/libmnl.a

$(STATIC_LIBS) &:
	$(call msg,LIBS,$(STATIC_DIR)/lib)
	$(Q)tests/static_libs.sh $(STATIC_DIR)

# glibc's static name look-ups (libpcap's getaddrinfo for host and port
# names in expressions) print link-time warnings; see README.
$(BUILD)/pktpath-static: $(BUILD)/cmd/cli/main.o $(LIB_OBJS) $(STATIC_LIBS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -static $(BUILD)/cmd/cli/main.o $(LIB_OBJS) -L$(STATIC_DIR)/lib $(LDLIBS) -o $@ 2>$(BUILD)/static-link.log || \
		{ cat $(BUILD)/static-link.log >&2; exit 1; }

static: $(BUILD)/pktpath-static

$(BUILD)/tests/%: tests/unit/%.c $(ASAN_OBJS)
	$(call msg,TEST,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) $< $(ASAN_OBJS) $(LDLIBS) -o $@

$(BUILD)/tools/%: tests/tools/%.c
	$(call msg,TOOL,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< -o $@

tests: $(UNIT_BINS) $(TOOL_BINS) $(FUZZ_BINS)

$(BUILD)/fuzz/%.o: %.c $(SKELS) | $(BUILD)
	$(call msg,CC-FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/*.h $(FUZZ_OBJS)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer $< $(FUZZ_OBJS) $(LDLIBS) -o $@


$(BUILD):
	@mkdir -p $@

deps:
	@tests/deps.sh

test: deps
	$(MAKE) all asan tests static
	tests/run.sh

# The golden tier (tests/golden/): no root, no BPF, seconds.
check: all
	PKTPATH=$(BUILD)/pktpath tests/golden/run.sh | tee $(BUILD)/golden.log; ! grep -q '^FAIL' $(BUILD)/golden.log

demo: deps
	$(MAKE) all tests
	tests/demo.sh

# The kernel matrix alone (make test runs it too): tests/vm/run.sh, with
# the static binary on every kernel.
vm: deps
	$(MAKE) all static
	tests/vm/run.sh

# Each fuzz target for FUZZ_SECS seconds (make test runs them briefly:
# tests/e2e/robust_fuzz.sh), after its regression inputs.
fuzz: deps
	$(MAKE) $(FUZZ_BINS)
	tests/fuzz/run.sh $(FUZZ_SECS)

# Benchmarks: not part of make test; report in build/bench/report.md.
bench: deps
	$(MAKE) all tests static
	tests/bench.sh

ifeq ($(STATIC),1)
INSTALL_BIN := $(BUILD)/pktpath-static
else
INSTALL_BIN := $(BUILD)/pktpath
endif
install: $(INSTALL_BIN)
	install -D -m 0755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/bin/pktpath

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -path $(BUILD)/static -prune -o -name '*.d' -type f -print 2>/dev/null)
