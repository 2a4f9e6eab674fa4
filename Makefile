# fanout - run jobs in parallel, locally or over SSH.
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
# Debian's bash-completion.pc names /usr/share: follow PREFIX instead.
BASHCOMPDIR ?= $(shell pkg-config --define-variable=datadir=$(PREFIX)/share \
		--variable=completionsdir bash-completion 2>/dev/null || \
		echo $(PREFIX)/share/bash-completion/completions)
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
CC	?= cc

WARN	= -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wwrite-strings \
	  -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
	  -Wvla -fno-common
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) -MMD -MP \
	  $(shell pkg-config --cflags yaml-0.1)
# libyaml linked in: as a shared library it cost every run of fanout
# 0.1-0.2 ms of loading (a tenth of its start-up), for workflows only.
LDLIBS	= -pthread -lm -Wl,-Bstatic $(shell pkg-config --libs yaml-0.1) \
	  -Wl,-Bdynamic
ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
# ThreadSanitizer cannot be linked with the others: a tree of its own.
BUILD	= build/$(if $(findstring thread,$(SANITIZE)),tsan,san)
else
BUILD	= build/rel
endif
ifdef WERROR
ALL_CFLAGS += -Werror
endif

SRCS	= $(wildcard src/*.c)
OBJS	= $(SRCS:src/%.c=$(BUILD)/%.o)
LIBOBJS	= $(filter-out $(BUILD)/main.o,$(OBJS))
HELPERS	= $(patsubst tests/helpers/%.c,tests/helpers/bin/%,$(wildcard tests/helpers/*.c))
# Per flavour, as the objects: a sanitizer run never runs a release test.
UNITS	= $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/*.c))

DEBS	= build-essential pkg-config libyaml-dev libssh-dev bats parallel \
	  openssh-client openssh-server jq tmux hyperfine time mandoc groff-base \
	  bash-completion zsh fish clang-format slurm-wlm munge

all: fanout

# The binary is built per flavour and copied, so that switching between
# a sanitizer build and a release build always leaves the right ./fanout.
fanout: $(BUILD)/fanout
	@cmp -s $(BUILD)/fanout fanout || \
	    { cp $(BUILD)/fanout fanout.new && mv -f fanout.new fanout; }

$(BUILD)/fanout: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/%.o: src/%.c
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

tests/helpers/bin/%: tests/helpers/%.c
	@mkdir -p tests/helpers/bin
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(LIBOBJS)
	@mkdir -p $(BUILD)/unit
	$(CC) $(ALL_CFLAGS) -iquote src -o $@ $< $(LIBOBJS) $(LDFLAGS) $(LDLIBS)

# LD_PRELOAD shims that make system calls fail (tests/96-faults.bats):
# shared objects, not programs, so in a folder of their own.
SHIMS	= $(patsubst tests/helpers/shim/%.c,tests/helpers/bin/%.so,$(wildcard tests/helpers/shim/*.c))

tests/helpers/bin/%.so: tests/helpers/shim/%.c
	@mkdir -p tests/helpers/bin
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -fPIC -shared -o $@ $< -ldl

# make test: unit tests, then every Bats file; the last line of each
# part is "N passed, N failed" and tests/run sums them.
test: fanout $(HELPERS) $(SHIMS) $(UNITS)
	@FANOUT_SANITIZE="$(SANITIZE)" tests/run $(UNITS)

# make unit: the C unit tests alone (CI runs them under ThreadSanitizer:
# test_sched's executor has a thread of its own).
unit: $(UNITS)
	@FANOUT_UNITS_ONLY=1 tests/run $(UNITS)

bench: fanout
	@bench/run
	@echo
	@bench/workflow
	@echo
	@bench/ssh
	@bench/slurm
	@bench/pipe

# make soak: SOAK_JOBS (100000) mixed jobs in runs of 10000, each run with
# options drawn from its seed, every output, joblog line and exit status
# checked (tests/soak/). SOAK_SEED=N replays; FANOUT=path tests another build
# (SOAK_SLOW=N: N times the timeouts, for a slow one).
SOAK_JOBS ?= 100000
build/soak/soak: tests/soak/soak.c
	@mkdir -p build/soak
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o $@ $<

soak: fanout build/soak/soak
	@SOAK_JOBS="$(SOAK_JOBS)" SOAK_SEED="$(SOAK_SEED)" FANOUT="$(FANOUT)" \
	    SOAK_SLOW="$(SOAK_SLOW)" tests/soak/run

.PHONY: soak

# The C sources as .clang-format has them (OpenBSD KNF, near enough).
check-format:
	@clang-format --dry-run -Werror src/*.c src/*.h && echo "format: ok"

# --- fuzzing and valgrind (issue 15) ---
# clang's libFuzzer runtime (libclang_rt.fuzzer) is in libclang-rt-14-dev
# on Debian 12, which clang-14 only recommends.
DEBS	+= clang libclang-rt-14-dev valgrind
FUZZ_SECONDS ?= 60

# make fuzz: build every fuzz/ target and run each for FUZZ_SECONDS, two
# at once; non-zero on any finding (fuzz/README.md).
fuzz:
	@fuzz/run $(FUZZ_SECONDS)

# make valgrind: a sample of the Bats files with fanout under valgrind.
valgrind: fanout $(HELPERS)
	@tests/valgrind

.PHONY: fuzz valgrind
# --- end of fuzzing and valgrind ---

deps:
	@missing=; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		    grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

install: fanout
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 fanout $(DESTDIR)$(BINDIR)/fanout
	install -m 644 man/fanout.1 $(DESTDIR)$(MANDIR)/man1/fanout.1
	install -m 644 man/fanout-workflow.5 \
	    $(DESTDIR)$(MANDIR)/man5/fanout-workflow.5
	install -m 644 completions/fanout.bash $(DESTDIR)$(BASHCOMPDIR)/fanout
	install -m 644 completions/_fanout $(DESTDIR)$(ZSHCOMPDIR)/_fanout
	install -m 644 completions/fanout.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/fanout.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fanout $(DESTDIR)$(MANDIR)/man1/fanout.1 \
	    $(DESTDIR)$(MANDIR)/man5/fanout-workflow.5 \
	    $(DESTDIR)$(BASHCOMPDIR)/fanout $(DESTDIR)$(ZSHCOMPDIR)/_fanout \
	    $(DESTDIR)$(FISHCOMPDIR)/fanout.fish
ifneq ($(DESTDIR),)
	@# Staged installs only: drop the directories install made, if empty.
	-@for d in $(BINDIR) $(MANDIR)/man1 $(MANDIR)/man5 $(BASHCOMPDIR) \
	    $(ZSHCOMPDIR) $(FISHCOMPDIR); do \
		while [ "$$d" != / ] && [ "$$d" != . ] && \
		    rmdir "$(DESTDIR)$$d" 2>/dev/null; do d=$$(dirname "$$d"); done; \
	done; true
endif

clean:
	rm -rf build fanout tests/helpers/bin

.PHONY: fanout all test unit bench check-format deps install uninstall clean
-include $(OBJS:.o=.d) $(UNITS:=.d)
