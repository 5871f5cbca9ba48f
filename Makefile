# ovpn-xdp build. `make` builds everything into build/, `make check` runs the
# tests, `make bench` the benchmarks. Tools: clang-19, bpftool, pkg-config and
# the -dev packages that scripts/install-deps.sh installs.

BUILD      ?= build
CLANG      ?= clang-19
BPFTOOL    ?= bpftool
CC         ?= gcc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH       := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

VERSION    := $(shell cat VERSION)
CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 -Wall -Wextra -Werror -Iinclude -I$(BUILD) -MMD -MP \
              -DOVX_VERSION='"$(VERSION)"'
# Each part of loader/ sees the headers of what it may use (README, Layout):
# ctl/ the protocol alone (lib's headers for the request structs), lib/ the
# maps, daemon/ all three, cli/ ctl/ and lib/.
INC_ctl    := -Iloader/ctl -Iloader/lib
INC_lib    := -Iloader/lib -Iloader/ctl
INC_daemon := -Iloader/daemon -Iloader/lib -Iloader/ctl
INC_cli    := -Iloader/cli -Iloader/ctl -Iloader/lib
INC_ALL    := -Iloader/ctl -Iloader/lib -Iloader/daemon -Iloader/cli

LDLIBS     := -lpthread -lbpf -lxdp -lmnl -lcrypto -ljansson -lpcap -lelf -lz
BPF_CFLAGS := -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$(ARCH) \
              -Iinclude -Ibpf -Ibpf/crypto -Itests/lib -I$(BUILD) -mcpu=v3

BPF_SRCS   := $(wildcard bpf/*.bpf.c) $(wildcard tests/lib/*.bpf.c)
BPF_OBJS   := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(notdir $(BPF_SRCS)))
SKELS      := $(BPF_OBJS:.bpf.o=.skel.h)
# Three archives: the control protocol, the library over the maps, the
# daemon's parts; the mains and the CLI link what they use.
CTL_SRCS   := $(wildcard loader/ctl/*.c)
LIB_SRCS   := $(wildcard loader/lib/*.c)
DMN_SRCS   := $(filter-out loader/daemon/ovpn-xdpd.c,$(wildcard loader/daemon/*.c))
CLI_SRCS   := $(filter-out loader/cli/ovpn-xdp.c,$(wildcard loader/cli/*.c))
obj_of      = $(patsubst loader/%.c,$(BUILD)/obj/%.o,$(1))
CTL_A      := $(BUILD)/libovx-ctl.a
LIB_A      := $(BUILD)/libovx.a
DMN_A      := $(BUILD)/libovxd.a
LIB        := $(DMN_A) $(LIB_A) $(CTL_A)
# tests/ by kind (README, Layout): unit/ (BPF_PROG_TEST_RUN, no namespace),
# fuzz/, netns/ (namespaces, the daemon), interop/ (real OpenVPN), bench/,
# and lib/, what they share; build/tests/ mirrors it.
TEST_COMMON := $(filter-out %.bpf.c,$(wildcard tests/lib/*.c))
TEST_COMMON_OBJS := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(TEST_COMMON))
TESTS      := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c tests/fuzz/test_*.c tests/netns/test_*.c))
BENCHES    := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/bench/bench_*.c))
PROGS      := $(BUILD)/ovpn-xdpd $(BUILD)/ovpn-xdp
PLUGIN     := $(BUILD)/ovpn-xdp-plugin.so
PLUGIN_SRCS := $(wildcard plugin/*.c)
SCRIPT_TESTS := $(wildcard tests/unit/test_*.sh tests/netns/test_*.sh tests/interop/test_*.sh tests/bench/test_*.sh)
FUZZ_CC    ?= clang-19
FUZZ       := $(BUILD)/fuzz/fuzz_ctl
FUZZ_SRCS  := tests/fuzz/fuzz_ctl.c $(CTL_SRCS)
BPF_HDRS   := $(wildcard include/*.h bpf/*.h bpf/crypto/*.h tests/lib/*.h)

.PHONY: collide callcycles all progs man install uninstall hdrcheck lint check bench bench-openvpn demo profile clean deps \
        bench-md bench-docs \
        tools-check fuzz soak
.DELETE_ON_ERROR:
.SECONDARY:

all: tools-check $(SKELS) $(LIB) $(PROGS) $(TESTS) $(BENCHES) $(PLUGIN)

# What is installed: the daemon, the CLI, the plugin (the BPF object is
# embedded in the daemon through its skeleton), man pages.
progs: tools-check $(PROGS) $(PLUGIN)

tools-check:
	@for t in $(CLANG) $(BPFTOOL) pkg-config; do \
	  command -v $$t >/dev/null || { echo "missing tool: $$t (run scripts/install-deps.sh)" >&2; exit 1; }; done
	@test -r $(VMLINUX_BTF) || { echo "kernel BTF $(VMLINUX_BTF) not readable: a kernel with CONFIG_DEBUG_INFO_BTF=y is needed" >&2; exit 1; }

$(BUILD)/vmlinux.h: | $(BUILD)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

vpath %.bpf.c bpf tests/lib

$(BUILD)/%.bpf.o: %.bpf.c $(BUILD)/vmlinux.h $(BPF_HDRS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# Objects are position-independent: the plugin (a shared object) links the
# control protocol's archive too.
$(BUILD)/obj/%.o: loader/%.c $(SKELS) VERSION
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC $(INC_$(firstword $(subst /, ,$*))) -c $< -o $@

$(CTL_A): $(call obj_of,$(CTL_SRCS))
$(LIB_A): $(call obj_of,$(LIB_SRCS))
$(DMN_A): $(call obj_of,$(DMN_SRCS))
$(CTL_A) $(LIB_A) $(DMN_A):
	rm -f $@ && ar rcs $@ $^

$(BUILD)/ovpn-xdpd: $(call obj_of,loader/daemon/ovpn-xdpd.c) $(DMN_A) $(LIB_A) $(CTL_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--as-needed $^ $(LDLIBS) -o $@

$(BUILD)/ovpn-xdp: $(call obj_of,loader/cli/ovpn-xdp.c $(CLI_SRCS)) $(LIB_A) $(CTL_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--as-needed $^ $(LDLIBS) -o $@

# The OpenVPN plugin: only its entry points are exported.
$(PLUGIN): $(PLUGIN_SRCS) $(CTL_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -fPIC -fvisibility=hidden -shared -Iplugin $(INC_ctl) \
	  $(PLUGIN_SRCS) $(CTL_A) -Wl,--exclude-libs,ALL -lmnl -lssl -lcrypto -o $@

# Man pages from one source, the programs' --help (help2man).
MANS := $(BUILD)/man/ovpn-xdpd.8 $(BUILD)/man/ovpn-xdp.8
man: $(MANS)
$(BUILD)/man/%.8: $(BUILD)/%
	@mkdir -p $(dir $@)
	help2man --no-info --section=8 --name="$(if $(findstring xdpd,$*),OpenVPN data-channel offload daemon (XDP/TC),control ovpn-xdpd: peers, keys, routes, counters, events)" \
	  --version-string=$(VERSION) $< > $@

# `make install` (PREFIX, DESTDIR): programs in sbin/, the plugin where
# Debian's OpenVPN looks for a plugin named without a path (its multiarch
# plugin directory, whatever PREFIX is), the systemd units, man pages.
PREFIX     ?= /usr/local
MULTIARCH  ?= $(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
PLUGINDIR  ?= /usr/lib/$(MULTIARCH)/openvpn/plugins
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
UNITS      := ovpn-xdpd.service ovpn-xdp-metrics.socket ovpn-xdp-metrics@.service
install: progs man
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(UNITDIR)
	install -m 0755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(PLUGIN) $(DESTDIR)$(PLUGINDIR)/
	install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man8/
	for u in $(UNITS); do sed 's|/usr/sbin/|$(SBINDIR)/|g' scripts/$$u > $(DESTDIR)$(UNITDIR)/$$u; \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,ovpn-xdpd ovpn-xdp) \
	  $(DESTDIR)$(PLUGINDIR)/ovpn-xdp-plugin.so \
	  $(addprefix $(DESTDIR)$(MANDIR)/man8/,ovpn-xdpd.8 ovpn-xdp.8) \
	  $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))

# libFuzzer target for the control message parser (ASan, UBSan).
$(FUZZ): $(FUZZ_SRCS) $(wildcard include/*.h loader/ctl/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -std=gnu11 -Iinclude $(INC_ctl) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(FUZZ_SRCS) -lmnl -lcrypto -o $@

# `make check` runs it bounded (tests/fuzz/ctl_fuzz.sh); this runs FUZZ_TIME s.
fuzz: $(FUZZ) $(BUILD)/tests/fuzz/test_fuzz_rx $(BUILD)/tests/fuzz/test_fuzz_tx
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ) -max_total_time=$${FUZZ_TIME:-600} -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus tests/fuzz/corpus
	OVX_FUZZ_PACKETS=$${FUZZ_PACKETS:-5000000} $(BUILD)/tests/fuzz/test_fuzz_rx
	OVX_FUZZ_PACKETS=$${FUZZ_PACKETS:-5000000} $(BUILD)/tests/fuzz/test_fuzz_tx

$(BUILD)/tests/%.o: tests/%.c $(SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_ALL) -Itests/lib -c $< -o $@

# The plugin's key-to-session matching, with the plugin's source.
$(BUILD)/tests/unit/test_plugin_session: tests/unit/test_plugin_session.c plugin/session.c plugin/plugin.h $(TEST_COMMON_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_ALL) -Itests/lib -Iplugin $< plugin/session.c $(TEST_COMMON_OBJS) $(LIB) \
	  $(LDLIBS) -lssl -o $@

# Every test and benchmark program: its object, tests/lib/ and the archives
# (test_got and test_plugin_session have rules of their own).
LINKED     := $(filter-out %/test_got %/test_plugin_session,$(TESTS)) $(BENCHES)
$(LINKED): %: %.o $(TEST_COMMON_OBJS) $(LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# The plugin's GOT redirect, in an executable linked as OpenVPN's release
# build is by default: PIE, partial RELRO, lazy binding.
$(BUILD)/tests/unit/test_got: tests/unit/test_got.c plugin/got.c plugin/got.h $(BUILD)/tests/lib/testlib.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/lib -Iplugin -fPIE -pie -Wl,-z,relro,-z,lazy $< plugin/got.c \
	  $(BUILD)/tests/lib/testlib.o -o $@

# Test-only AddressSanitizer builds (LeakSanitizer checks at exit) of the
# daemon and of a driver of the plugin's code, for tests/netns/test_leaks_netns.c.
ASAN_FLAGS := -O1 -g -fsanitize=address -fno-omit-frame-pointer
ASAN       := $(BUILD)/asan/ovpn-xdpd $(BUILD)/asan/plugin_drive

ASAN_DMN   := loader/daemon/ovpn-xdpd.c $(DMN_SRCS) $(LIB_SRCS) $(CTL_SRCS)
$(BUILD)/asan/ovpn-xdpd: $(ASAN_DMN) $(SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MF /dev/null $(ASAN_FLAGS) $(INC_daemon) $(ASAN_DMN) $(LDLIBS) -o $@

$(BUILD)/asan/plugin_drive: tests/netns/plugin_drive.c $(PLUGIN_SRCS) $(CTL_SRCS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MF /dev/null $(ASAN_FLAGS) -Iplugin $(INC_ctl) $< $(PLUGIN_SRCS) \
	  $(CTL_SRCS) -lmnl -lssl -lcrypto -o $@

check: all lint $(FUZZ) $(ASAN)
	@scripts/run-tests.sh $(TESTS) $(SCRIPT_TESTS) tests/fuzz/ctl_fuzz.sh

# `make bench`: the C benchmarks (per-packet costs), then the OpenVPN
# side-by-side (scripts/bench-openvpn.sh, alone: `make bench-openvpn`), then
# the tables of this one run in markdown: $(BUILD)/bench.md (from
# $(BUILD)/bench.json and bench-c.txt); `make bench-docs` puts them into
# docs/benchmarks.md and README.md between their bench:begin/end markers.
bench: all
	@BENCH_OUT=$(BUILD)/bench-c.txt scripts/run-bench.sh $(BENCHES); rc=$$?; \
	  BENCH_JSON=$(BUILD)/bench.json scripts/bench-openvpn.sh || rc=1; \
	  $(MAKE) --no-print-directory bench-md || rc=1; exit $$rc

bench-md:
	python3 scripts/bench-md.py $(BUILD)/bench.json --c-bench $(BUILD)/bench-c.txt > $(BUILD)/bench.md
	@echo "bench-md: $(BUILD)/bench.md written; make bench-docs puts it in docs/benchmarks.md and README.md"

bench-docs:
	python3 scripts/bench-md.py $(BUILD)/bench.json --c-bench $(BUILD)/bench-c.txt --insert docs/benchmarks.md README.md

bench-openvpn: all
	@scripts/bench-openvpn.sh

# Where the time goes with both sides offloaded (BPF run times per program).
profile: all
	@scripts/profile-openvpn.sh

# The README's first command: installs what is missing, builds, and shows a
# stock OpenVPN offloaded and not, side by side (scripts/demo.sh).
demo:
	@scripts/demo.sh

# The nonce test for minutes, the load test for 60 s (make check runs them
# for seconds), then SOAK_ROUNDS (10) rounds of the churn test with six
# clients (CHURN_CLIENTS) and the six-client server test (about 5 min a round).
soak: all
	OVX_NONCE_SECONDS=$${SOAK_SECONDS:-300} $(BUILD)/tests/netns/test_nonce_netns
	OVX_LOAD_SECONDS=$${LOAD_SECONDS:-60} $(BUILD)/tests/unit/test_load
	@# keys under churn and the six-client server, round after round
	@for i in $$(seq $${SOAK_ROUNDS:-10}); do echo "== soak round $$i"; \
	  CHURN_CLIENTS=$${CHURN_CLIENTS:-6} tests/interop/test_interop_churn.sh && \
	  SERVER_MODES=offload tests/interop/test_interop_server.sh || exit 1; done

deps:
	scripts/install-deps.sh

# Every header compiles on its own (it includes what it uses), and the shell
# scripts pass shellcheck.
hdrcheck: $(BUILD)/vmlinux.h $(SKELS)
	@for h in bpf/*.h bpf/crypto/*.h; do \
	  echo "#include \"$$(basename $$h)\"" | $(CLANG) $(BPF_CFLAGS) -Wno-unused-function -fsyntax-only -x c - || \
	    { echo "hdrcheck: $$h does not compile on its own" >&2; exit 1; }; done
	@for h in include/*.h loader/*/*.h; do \
	  echo "#include \"$$h\"" | $(CC) -std=gnu11 -Wall -Werror -Iinclude -I$(BUILD) $(INC_ALL) \
	    -fsyntax-only -x c - || { echo "hdrcheck: $$h does not compile on its own" >&2; exit 1; }; done
	@echo "hdrcheck: every header compiles on its own"

# No call cycle between the compiled files of loader/ (a BATCH dispatching
# its items back into the handler table aside).
callcycles: $(LIB_A) $(CTL_A) $(DMN_A) $(PROGS)
	@python3 scripts/callcycles.py $(call obj_of,$(CTL_SRCS) $(LIB_SRCS) $(DMN_SRCS) \
	  $(CLI_SRCS) loader/daemon/ovpn-xdpd.c loader/cli/ovpn-xdp.c)

# The BPF objects built against the vmlinux.h of a kernel with Linux's own
# ovpn driver built in (tests/lint/linux-ovpn-btf.h appended): nothing of ours
# may collide with the driver's names.
collide: $(BUILD)/vmlinux.h $(BPF_HDRS)
	@mkdir -p $(BUILD)/collide
	@cat $(BUILD)/vmlinux.h tests/lint/linux-ovpn-btf.h > $(BUILD)/collide/vmlinux.h
	@for c in $(BPF_SRCS); do \
	  $(CLANG) -I$(BUILD)/collide $(BPF_CFLAGS) -c $$c -o $(BUILD)/collide/$$(basename $$c .c).o || \
	    { echo "collide: $$c does not build beside Linux's ovpn driver names" >&2; exit 1; }; done
	@echo "collide: the BPF objects build beside Linux's ovpn driver names"

lint: hdrcheck callcycles collide
	shellcheck -S warning scripts/*.sh scripts/lib/*.sh tests/*/*.sh .ci/run

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

clean:
	rm -rf $(BUILD)
