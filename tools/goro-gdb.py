# goro's gdb extension, after Go's runtime-gdb.py: goroutines in gdb.
#
#   info goroutines      id, state or wait reason, name, current function
#   goroutine N bt       backtrace of goroutine N from its saved context
#   goroutine all bt     the same for every goroutine
#
# Works on a live process and on a core file: it only reads memory. It needs
# libgoro's debug information (the build's -g) for struct g and allg.
# Loaded by `source .../share/goro/goro-gdb.py`, or automatically next to
# libgoro.so (installed as libgoro.so.VERSION-gdb.py; see gdb's auto-load
# safe-path). The saved frame's layout is arch/*/arch.h's ARCH_FRAME_*.

import gdb

# arch.h: ARCH_FRAME_FP, ARCH_FRAME_PC, ARCH_FRAME_SIZE, per CPU.
FRAMES = {
    "amd64": (48, 56, 64),   # rbp, return address
    "arm64": (80, 88, 176),  # x29, x30
}

# runtime2.h's G status values, in order.
GSTATUS = ["idle", "runnable", "running", "blocking call", "waiting", "dead"]
G_WAITING, G_DEAD, G_IDLE = 4, 5, 0

MAXFRAMES = 64


def cpu():
    name = gdb.selected_inferior().architecture().name()
    return "arm64" if "aarch64" in name else "amd64"


def read_word(addr):
    mem = gdb.selected_inferior().read_memory(addr, 8)
    return int.from_bytes(bytes(mem), "little")


def static_symbol(name):
    sym = gdb.lookup_static_symbol(name)
    if sym is None:
        sym = gdb.lookup_global_symbol(name)
    if sym is None:
        raise gdb.GdbError("goro: no symbol %s (is libgoro loaded, with -g?)" % name)
    return sym.value()


def allgs():
    """Every G ever made, newest first (traceback.c's allg list)."""
    gp = static_symbol("allg")
    seen = 0
    while int(gp) != 0 and seen < 10000000:
        yield gp
        gp = gp["alllink"]
        seen += 1


def live(gp):
    st = int(gp["atomicstatus"])
    return st not in (G_IDLE, G_DEAD)


_reasons = None


# traceback.c's waitreason_strings, for builds where the compiler folded
# that array away (clang): by the names of runtime2.h's enum waitreason.
KNOWN_REASONS = {
    "waitReasonZero": "waiting", "waitReasonChanReceive": "chan receive",
    "waitReasonChanSend": "chan send", "waitReasonSelect": "select",
    "waitReasonSleep": "sleep", "waitReasonSemacquire": "semacquire",
    "waitReasonSelectNoCases": "select (no cases)", "waitReasonIOWait": "IO wait",
}


def reason_strings():
    try:
        arr = static_symbol("waitreason_strings")
        n = arr.type.range()[1] + 1
        return [arr[i].string() if int(arr[i]) != 0 else "waiting" for i in range(n)]
    except gdb.error:
        pass
    try:
        fields = gdb.lookup_type("enum waitreason").fields()
    except gdb.error:
        return []
    out = {}
    for f in fields:
        words = f.name[len("waitReason"):] if f.name.startswith("waitReason") else f.name
        out[f.enumval] = KNOWN_REASONS.get(f.name, words.lower())
    return [out.get(i, "waiting") for i in range(max(out) + 1)] if out else []


def wait_reason(gp):
    global _reasons
    if _reasons is None:
        _reasons = reason_strings()
    r = int(gp["waitreason"])
    return _reasons[r] if r < len(_reasons) else "waiting"


def state(gp):
    st = int(gp["atomicstatus"])
    if st == G_WAITING:
        return wait_reason(gp)
    return GSTATUS[st] if st < len(GSTATUS) else "?"


def name(gp):
    try:
        return gp["name"].string(length=32).split("\0")[0]
    except (gdb.error, UnicodeDecodeError):
        return ""


def runtime_text():
    """core's and arch's code (the Makefile's goro_text section)."""
    try:
        lo = int(gdb.parse_and_eval("(unsigned long)&__start_goro_text"))
        hi = int(gdb.parse_and_eval("(unsigned long)&__stop_goro_text"))
        return lo, hi
    except gdb.error:
        return 0, 0


def saved_frames(gp):
    """The pcs of a parked G, innermost first, walked as traceback.c does:
    from the frame mcall left at g->sched.sp through frame records
    [fp] = caller's fp, [fp+8] = return address, each fp inside the stack
    and above the last. Returns (pcs, note)."""
    fp_off, pc_off, size = FRAMES[cpu()]
    lo, hi = int(gp["stack_lo"]), int(gp["stack_hi"])
    sp = int(gp["sched"]["sp"])
    if int(gp["atomicstatus"]) not in (1, G_WAITING):
        return [], "no saved context: running on a thread or in a blocking call (thread apply all bt)"
    if sp < lo or sp + size > hi or sp % 16:
        return [], "saved sp 0x%x outside the stack" % sp
    pcs = [read_word(sp + pc_off)]
    fp = read_word(sp + fp_off)
    last = 0
    while fp != 0:
        if fp < lo or fp + 16 > hi or fp <= last or fp % 8:
            return pcs, "frame chain broken at 0x%x" % fp
        if len(pcs) >= MAXFRAMES:
            return pcs, "more frames elided"
        nxt, ret = read_word(fp), read_word(fp + 8)
        if ret == 0:
            break
        pcs.append(ret)
        last, fp = fp, nxt
    return pcs, None


def describe(pc, is_return):
    """'func+0x1c at file.c:12' for pc; a return address names its call."""
    look = pc - 1 if is_return else pc
    block = None
    try:
        block = gdb.block_for_pc(look)
    except RuntimeError:
        pass
    fn = None
    while block is not None:
        if block.function is not None:
            fn = block.function
            break
        block = block.superblock
    where = ""
    sal = gdb.find_pc_line(look)
    if sal.symtab is not None:
        where = " at %s:%d" % (sal.symtab.filename, sal.line)
    if fn is not None:
        start = int(fn.value().address)
        return "%s+0x%x%s" % (fn.print_name, pc - start, where)
    msym = gdb.execute("info symbol 0x%x" % look, to_string=True).strip()
    if msym and not msym.startswith("No symbol"):
        return msym.split(" in section")[0] + where
    return "0x%x%s" % (pc, where)


def current_function(gp):
    """The innermost frame outside the runtime, for info goroutines."""
    pcs, _ = saved_frames(gp)
    lo, hi = runtime_text()
    for pc in pcs:
        if not (lo <= pc - 1 < hi):
            return describe(pc, True).split(" at ")[0]
    return describe(pcs[0], True).split(" at ")[0] if pcs else ""


class InfoGoroutines(gdb.Command):
    """List goroutines: id, state or wait reason, name, current function.
    A '*' marks one running on a thread."""

    def __init__(self):
        gdb.Command.__init__(self, "info goroutines", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        rows = [gp for gp in allgs() if live(gp)]
        for gp in sorted(rows, key=lambda g: int(g["goid"])):
            st = int(gp["atomicstatus"])
            mark = "*" if st == 2 else " "
            nm = name(gp)
            line = "%s %4d %-16s %-18s %s" % (mark, int(gp["goid"]), state(gp),
                                              ('"%s"' % nm) if nm else "-", current_function(gp))
            print(line.rstrip())


def find_g(goid):
    for gp in allgs():
        if live(gp) and int(gp["goid"]) == goid:
            return gp
    return None


def backtrace(gp):
    nm = name(gp)
    print('goroutine %d%s [%s]:' % (int(gp["goid"]), (' "%s"' % nm) if nm else "", state(gp)))
    pcs, note = saved_frames(gp)
    for i, pc in enumerate(pcs):   # every one a return address, mcall's first
        print("#%-2d 0x%016x in %s" % (i, pc, describe(pc, True)))
    if note:
        print("    (%s)" % note)
    gopc = int(gp["gopc"])
    if gopc:
        parent = int(gp["parentgoid"])
        print("    created by %s%s" % (describe(gopc, True),
                                      (" in goroutine %d" % parent) if parent else ""))


class GoroutineCmd(gdb.Command):
    """goroutine N bt | goroutine all bt: backtrace of a parked goroutine
    from the registers mcall saved (no thread needs to run it)."""

    def __init__(self):
        gdb.Command.__init__(self, "goroutine", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        args = arg.split()
        if len(args) != 2 or args[1] != "bt":
            raise gdb.GdbError("usage: goroutine N bt | goroutine all bt")
        if args[0] == "all":
            first = True
            for gp in sorted((g for g in allgs() if live(g)), key=lambda g: int(g["goid"])):
                if not first:
                    print("")
                first = False
                backtrace(gp)
            return
        try:
            goid = int(args[0])
        except ValueError:
            raise gdb.GdbError("goroutine: %r is not a goroutine id" % args[0])
        gp = find_g(goid)
        if gp is None:
            raise gdb.GdbError("goroutine %d: no such goroutine" % goid)
        backtrace(gp)


InfoGoroutines()
GoroutineCmd()
