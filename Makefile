# ovpn-xdp build. `make` builds everything into build/, `make check` runs the
# tests, `make bench` the benchmarks. Tools: clang-19, bpftool, pkg-config and
# the -dev packages that scripts/install-deps.sh installs.

BUILD      ?= build
CLANG      ?= clang-19
BPFTOOL    ?= bpftool
CC         ?= gcc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH       := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 -Wall -Wextra -Werror -Iinclude -Iloader -I$(BUILD)
LDLIBS     := -lpthread -lbpf -lxdp -lmnl -lcrypto -lpcap -lelf -lz
BPF_CFLAGS := -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$(ARCH) \
              -Iinclude -Ibpf -Itests -I$(BUILD) -mcpu=v3

BPF_SRCS   := $(wildcard bpf/*.bpf.c) $(wildcard tests/*.bpf.c)
BPF_OBJS   := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(notdir $(BPF_SRCS)))
SKELS      := $(BPF_OBJS:.bpf.o=.skel.h)
LIB_SRCS   := $(wildcard loader/*.c)
LIB_SRCS   := $(filter-out loader/ovpn-xdpd.c loader/ovpn-xdp.c,$(LIB_SRCS))
LIB_OBJS   := $(patsubst loader/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
LIB        := $(BUILD)/libovpnxdp.a
TEST_COMMON := $(filter-out tests/test_%.c tests/bench_%.c tests/fuzz_%.c,$(wildcard tests/*.c))
TEST_COMMON := $(filter-out %.bpf.c,$(TEST_COMMON))
TEST_COMMON_OBJS := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(TEST_COMMON))
TESTS      := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
BENCHES    := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/bench_*.c))
PROGS      := $(BUILD)/ovpn-xdpd $(BUILD)/ovpn-xdp
PLUGIN     := $(BUILD)/ovpn-xdp-plugin.so
PLUGIN_SRCS := $(wildcard plugin/*.c) loader/ctl_client.c loader/ctl_msg.c
SCRIPT_TESTS := $(wildcard tests/test_*.sh)
FUZZ_CC    ?= clang-19
FUZZ       := $(BUILD)/fuzz/fuzz_ctl
FUZZ_SRCS  := tests/fuzz_ctl.c loader/ctl_msg.c loader/ctl_req.c loader/aead_key.c \
              loader/ghash_table.c loader/socket.c loader/map_update.c
HDRS       := $(wildcard include/*.h loader/*.h tests/*.h)
BPF_HDRS   := $(wildcard include/*.h bpf/*.h tests/*.h)

.PHONY: all check bench bench-openvpn demo profile clean deps tools-check fuzz soak
.DELETE_ON_ERROR:
.SECONDARY:

all: tools-check $(SKELS) $(LIB) $(PROGS) $(TESTS) $(BENCHES) $(PLUGIN)

tools-check:
	@for t in $(CLANG) $(BPFTOOL) pkg-config; do \
	  command -v $$t >/dev/null || { echo "missing tool: $$t (run scripts/install-deps.sh)" >&2; exit 1; }; done
	@test -r $(VMLINUX_BTF) || { echo "kernel BTF $(VMLINUX_BTF) not readable: a kernel with CONFIG_DEBUG_INFO_BTF=y is needed" >&2; exit 1; }

$(BUILD)/vmlinux.h: | $(BUILD)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD) $(BUILD)/lib $(BUILD)/tests:
	mkdir -p $@

vpath %.bpf.c bpf tests

$(BUILD)/%.bpf.o: %.bpf.c $(BUILD)/vmlinux.h $(BPF_HDRS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/lib/%.o: loader/%.c $(HDRS) $(SKELS) | $(BUILD)/lib
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/ovpn-xdpd $(BUILD)/ovpn-xdp: $(BUILD)/%: loader/%.c $(LIB) $(HDRS) $(SKELS)
	$(CC) $(CFLAGS) $< $(LIB) $(LDLIBS) -o $@

# The OpenVPN plugin: only its entry points are exported.
$(PLUGIN): $(PLUGIN_SRCS) $(HDRS) $(wildcard plugin/*.h)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -shared -Iplugin $(PLUGIN_SRCS) -lmnl -lssl -lcrypto -o $@

# libFuzzer target for the control message parser (ASan, UBSan).
$(FUZZ): $(FUZZ_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -std=gnu11 -Iinclude -Iloader -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(FUZZ_SRCS) -lmnl -lbpf -lcrypto -o $@

# `make check` runs it bounded (tests/ctl_fuzz.sh); this runs FUZZ_TIME s.
fuzz: $(FUZZ) $(BUILD)/tests/test_fuzz_rx $(BUILD)/tests/test_fuzz_tx
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ) -max_total_time=$${FUZZ_TIME:-600} -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus tests/fuzz_corpus
	OVPN_FUZZ_PACKETS=$${FUZZ_PACKETS:-5000000} $(BUILD)/tests/test_fuzz_rx
	OVPN_FUZZ_PACKETS=$${FUZZ_PACKETS:-5000000} $(BUILD)/tests/test_fuzz_tx

$(BUILD)/tests/%.o: tests/%.c $(HDRS) $(SKELS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests -c $< -o $@

# The plugin's key-to-session matching, with the plugin's source.
$(BUILD)/tests/test_plugin_session: tests/test_plugin_session.c plugin/session.c plugin/plugin.h $(TEST_COMMON_OBJS) $(LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests -Iplugin $< plugin/session.c $(TEST_COMMON_OBJS) $(LIB) $(LDLIBS) -lssl -o $@

$(BUILD)/tests/test_%: tests/test_%.c $(TEST_COMMON_OBJS) $(LIB) $(HDRS) $(SKELS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests $< $(TEST_COMMON_OBJS) $(LIB) $(LDLIBS) -o $@

$(BUILD)/tests/bench_%: tests/bench_%.c $(TEST_COMMON_OBJS) $(LIB) $(HDRS) $(SKELS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests $< $(TEST_COMMON_OBJS) $(LIB) $(LDLIBS) -o $@

# Test-only AddressSanitizer builds (LeakSanitizer checks at exit) of the
# daemon and of a driver of the plugin's code, for tests/test_leaks_netns.c.
ASAN_FLAGS := -O1 -g -fsanitize=address -fno-omit-frame-pointer
ASAN       := $(BUILD)/asan/ovpn-xdpd $(BUILD)/asan/plugin_drive

$(BUILD)/asan/ovpn-xdpd: loader/ovpn-xdpd.c $(LIB_SRCS) $(HDRS) $(SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) loader/ovpn-xdpd.c $(LIB_SRCS) $(LDLIBS) -o $@

$(BUILD)/asan/plugin_drive: tests/asan/plugin_drive.c $(PLUGIN_SRCS) $(HDRS) $(wildcard plugin/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Iplugin $< $(PLUGIN_SRCS) -lmnl -lssl -lcrypto -o $@

check: all $(FUZZ) $(ASAN)
	@scripts/run-tests.sh $(TESTS) $(SCRIPT_TESTS) tests/ctl_fuzz.sh

# `make bench`: the C benchmarks (per-packet costs), then the OpenVPN
# side-by-side (scripts/bench-openvpn.sh, alone: `make bench-openvpn`).
bench: all
	@scripts/run-bench.sh $(BENCHES); rc=$$?; scripts/bench-openvpn.sh && exit $$rc

bench-openvpn: all
	@scripts/bench-openvpn.sh

# Where the time goes with both sides offloaded (BPF run times per program).
profile: all
	@scripts/profile-openvpn.sh

# The README's first command: installs what is missing, builds, and shows a
# stock OpenVPN offloaded and not, side by side (scripts/demo.sh).
demo:
	@scripts/demo.sh

# The nonce test for minutes and the load test for 60 s (make check runs
# them for seconds).
soak: all
	OVPN_NONCE_SECONDS=$${SOAK_SECONDS:-300} $(BUILD)/tests/test_nonce_netns
	OVPN_LOAD_SECONDS=$${LOAD_SECONDS:-60} $(BUILD)/tests/test_load

deps:
	scripts/install-deps.sh

clean:
	rm -rf $(BUILD)
